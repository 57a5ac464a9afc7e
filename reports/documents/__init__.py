"""The PDF reports, rendered with WeasyPrint from templates under templates/reports/pdf/.

`render_report` is what the report job (reports.services.jobs) calls, inside the job's language; each kind
has its own module with a `render(job, *, on_progress)` returning a RenderedReport.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RenderedReport:
    pdf: bytes
    pages: int
    identifying: bool = False  # whether identifying details of a person are printed in it


def render_report(job, *, on_progress: Callable[[int], None]) -> RenderedReport:
    """Render the job's report; call `on_progress` with a percentage now and then (it renews the lease).

    The statistics reports only count, so their reads may go to the reports replica (cmm.routers); the
    case status report reads from the primary, because it checks the requester's access as it is now and
    audits its reads of identifying details. Progress updates are writes and go to the primary either way.
    """
    from cmm.routers import reading_reports
    from reports.documents import activity, case_status, quarterly
    from reports.models import ReportKind

    renderers = {
        ReportKind.QUARTERLY: quarterly.render,
        ReportKind.CASE_STATUS: case_status.render,
        ReportKind.ACTIVITY: activity.render,
    }
    if job.kind == ReportKind.CASE_STATUS:
        return renderers[job.kind](job, on_progress=on_progress)
    with reading_reports():
        return renderers[job.kind](job, on_progress=on_progress)
