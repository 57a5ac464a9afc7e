"""The import page: coordinators upload a CSV or XLSX file of historical registrations, check it (dry run)
and import it, all or nothing. The file is read from the upload and never stored."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.decorators.cache import never_cache

from cmm.permissions import has_role_permission
from outreach.columns import KINDS
from outreach.forms.imports import ActivityImportForm
from outreach.imports import IMPORT_PERMISSION, ImportReport, import_activity

# A page lists at most this many errors; the count above the table tells how many there are in all.
ERRORS_SHOWN = 500


def _require_import(request) -> None:
    if request.membership is None or not has_role_permission(request.user, IMPORT_PERMISSION):
        raise PermissionDenied(_("Your role does not allow importing activity."))


# The report may quote coded cell values back: never cache the page.
@method_decorator(never_cache, name="dispatch")
class ActivityImportView(LoginRequiredMixin, View):
    template_name = "outreach/import.html"

    def get(self, request):
        _require_import(request)
        return self._render(request, ActivityImportForm(initial={"kind": request.GET.get("kind")}))

    def post(self, request):
        _require_import(request)
        form = ActivityImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(request, form, status=400)
        kind = form.cleaned_data["kind"]
        upload = form.cleaned_data["file"]
        report = import_activity(
            kind=kind,
            file=upload,
            filename=upload.name,
            by=request.user,
            organisation=request.membership.organisation,
            dry_run=request.POST.get("action") != "import",
        )
        if report.saved:
            messages.success(
                request,
                ngettext(
                    "Imported %(count)s row of %(kind)s.",
                    "Imported %(count)s rows of %(kind)s.",
                    report.rows_ok,
                )
                % {"count": report.rows_ok, "kind": KINDS[kind].label.lower()},
            )
            return redirect("activity-import")
        # A file input cannot be filled in again: the user picks the file anew for the next step.
        fresh = ActivityImportForm(initial={"kind": kind})
        return self._render(request, fresh, report=report, status=400 if report.errors else 200)

    def _render(self, request, form, *, report: ImportReport | None = None, status: int = 200):
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "report": report,
                "errors_shown": report.errors[:ERRORS_SHOWN] if report else [],
                "errors_hidden": max(len(report.errors) - ERRORS_SHOWN, 0) if report else 0,
                "kind_label": KINDS[report.kind].label if report else "",
                "kinds": list(KINDS.values()),
            },
            status=status,
        )
