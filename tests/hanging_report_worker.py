"""The Celery app of the report crash test: the first attempt at any report job hangs after its first
progress step, so that the test can kill the worker in the middle of it."""

import time

import reports.documents
from cmm.celery import app  # noqa: F401 - the app this worker runs

_render = reports.documents.render_report


def render_report(job, *, on_progress):
    on_progress(10)
    if job.attempts == 1:
        time.sleep(600)
    return _render(job, on_progress=on_progress)


reports.documents.render_report = render_report
