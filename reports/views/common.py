"""What the reports pages share: the one gate of the statistics pages (a role without
`reports.view_statistics` is refused, 403) and the download every export and report is sent as."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, HttpResponse
from django.utils.cache import add_never_cache_headers

from reports.selectors.statistics import statistics_require


class StatisticsRequiredMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            statistics_require(user=request.user)
        return super().dispatch(request, *args, **kwargs)


def download_response(content, *, filename: str, content_type: str) -> HttpResponse:
    """Send `content` (bytes, or an open file that is streamed) as a download that no cache keeps; the file
    name says only what the download is, never whom it is about."""
    if isinstance(content, bytes):
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        response = FileResponse(content, as_attachment=True, filename=filename, content_type=content_type)
    add_never_cache_headers(response)
    return response
