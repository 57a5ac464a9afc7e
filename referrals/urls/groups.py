from django.http import Http404
from django.urls import path


def _pending(request, **kwargs):  # replaced by the real views of this module
    raise Http404


urlpatterns = [
    path("groups/", _pending, name="referral-group-list"),
    path("groups/<int:pk>/", _pending, name="referral-group-detail"),
]
