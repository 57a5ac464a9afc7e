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
    """Render the job's report; call `on_progress` with a percentage now and then (it renews the lease)."""
    from reports.documents import activity, case_status, quarterly
    from reports.models import ReportKind

    renderers = {
        ReportKind.QUARTERLY: quarterly.render,
        ReportKind.CASE_STATUS: case_status.render,
        ReportKind.ACTIVITY: activity.render,
    }
    return renderers[job.kind](job, on_progress=on_progress)
