from django.http import Http404
from django.urls import path


def _pending(request, **kwargs):  # replaced by the real views of this module
    raise Http404


urlpatterns = [
    path("cases/<int:case_id>/return/", _pending, name="case-returns"),
    path("returns/<int:pk>/", _pending, name="return-plan-detail"),
]
