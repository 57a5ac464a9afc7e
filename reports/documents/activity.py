"""The organisation activity report (issue 9, report 3): what one organisation delivered to CMM under its
contract in the job's period, from `activity_compute`, published with the job's small-cell rule."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext

from reports.documents import RenderedReport
from reports.documents.base import render_document
from reports.documents.quarterly import COUNTING_NOTES, statistics_context
from reports.periods import Period
from reports.services.statistics import statistics_publish
from reports.statistics.activity import activity_compute


def render(job, *, on_progress: Callable[[int], None]) -> RenderedReport:
    """Render the activity report of the job's organisation for its period."""
    if job.organisation_id is None:
        raise ValueError("An activity report is for one organisation.")
    period = Period(job.period_start, job.period_end)
    tables = activity_compute(period=period, organisation_id=job.organisation_id)
    published = statistics_publish(tables=tables, suppress=job.suppressed)
    on_progress(20)
    context = statistics_context(job, title=gettext("Organisation activity report"), published=published)
    context["counting_notes"] = COUNTING_NOTES
    return render_document("reports/pdf/activity.html", context, on_progress=on_progress)
