from django.http import Http404
from django.urls import path


def _pending(request, **kwargs):  # replaced by the real views of this module
    raise Http404


urlpatterns = [
    path("cases/<int:case_id>/referrals/", _pending, name="case-referrals"),
    path("incoming/", _pending, name="referral-incoming"),
]
