"""The project's URLs plus one trivial authenticated page: the floor the benchmark measures pages against.

The trivial page goes through the same middleware as every page (sessions, authentication, the active
membership, messages, CSRF, axes) and renders nothing: what is left of a page's time above it is the page's
own work (queries, permission filtering, templates).
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.urls import include, path
from django.views import View


class TrivialView(LoginRequiredMixin, View):
    def get(self, request):
        return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bench/trivial/", TrivialView.as_view(), name="bench-trivial"),
    path("", include("cmm.urls")),
]
