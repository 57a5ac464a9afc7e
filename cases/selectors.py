"""Reads of cases that depend on who is asking. The detail getter is the list query plus the id."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from cases.choices import CaseStatus, EventKind
from cases.models import (
    Case,
    CaseControlMeans,
    CaseEvent,
    CaseExploitation,
    CaseService,
    CaseTeamMember,
    PersonalDetails,
    PersonalRepresentative,
    PlannedActivity,
    ShelterStay,
)
from cases.personal_texts import PERSONAL_TEXTS
from cmm.permissions import permitted


def case_list_for_user(*, user, perm: str = "cases.view_case") -> QuerySet[Case]:
    """Cases the user may see: their organisation's own, and those shared with it or with them."""
    return (
        permitted(user, perm, Case.objects.active(), owner_field="organisation")
        .select_related("organisation", "contact_person")
        .prefetch_related(
            Prefetch("exploitations", queryset=CaseExploitation.objects.order_by("type")),
            Prefetch("control_means", queryset=CaseControlMeans.objects.order_by("type")),
        )
    )


def case_ids_with_visible_details(*, user) -> QuerySet[Case]:
    """The ids of the cases whose identifying details `user` may see: held on the case itself (the team,
    or a grant on that case), never through the organisation owning it; `can_view_personal_details` in
    cases.services is the same rule for one case."""
    return permitted(user, "cases.view_personal_details", Case.objects.active()).values("pk")


def case_get_for_user(*, user, case_id: int, perm: str = "cases.view_case") -> Case:
    """One case the user may see (or change, with perm="cases.change_case"); Http404 otherwise."""
    return get_object_or_404(case_list_for_user(user=user, perm=perm), pk=case_id)


def case_team(*, case: Case) -> QuerySet[CaseTeamMember]:
    return case.team.select_related("user").order_by("user__last_name", "user__first_name")


def case_services(*, case: Case) -> QuerySet[CaseService]:
    return case.services.select_related("created_by")


def case_stays(*, case: Case) -> QuerySet[ShelterStay]:
    return case.stays.select_related("shelter")


def case_activities(*, case: Case) -> QuerySet[PlannedActivity]:
    return case.activities.all()


def case_representatives(*, case: Case) -> QuerySet[PersonalRepresentative]:
    return case.representatives.all()


def case_timeline(*, case: Case) -> QuerySet[CaseEvent]:
    """Everything that happened to the case, newest first."""
    return case.events.select_related("actor")


@dataclass(frozen=True)
class Warning:
    code: str
    message: str


def case_warnings(*, case: Case) -> list[Warning]:
    """What needs attention on a case now: a minor without (a professional) representative, an open case
    whose contact person left the organisation and was not replaced."""
    warnings = []
    if (
        case.is_open
        and case.contact_person_id is None
        and case.events.filter(
            kind=EventKind.TEAM, data__left_organisation=True, data__contact_person=True
        ).exists()
    ):
        warnings.append(
            Warning(
                "contact_person_left",
                _("The contact person has left the organisation. Appoint a new contact person."),
            )
        )
    representative = next((r for r in case.representatives.all() if r.ended_on is None), None)
    if case.unaccompanied_minor and case.is_minor and representative is None:
        warnings.append(
            Warning(
                "minor_without_representative", _("This unaccompanied minor has no personal representative.")
            )
        )
    if (
        case.status == CaseStatus.IDENTIFIED
        and case.is_minor
        and representative is not None
        and not representative.is_professional
    ):
        warnings.append(
            Warning(
                "representative_not_professional",
                _(
                    "A minor identified as trafficked must have a professional personal "
                    "representative (e.g. a social worker)."
                ),
            )
        )
    return warnings


# --- History ------------------------------------------------------------------------------------------

MASK = "•••"


@dataclass
class HistoryChange:
    at: object
    user: object
    what: str  # "case" or "personal_details" ...
    field: str
    old: object
    new: object


def _diffs(records, what: str, *, masked: bool, masked_fields=()) -> list[HistoryChange]:
    """Turn history records (newest first) into field changes, each record compared with the next older one.

    `masked` masks every value, `masked_fields` those of the fields named (the personal texts).

    Only the oldest record of a cut-off history asks the database for its predecessor (one query at most).
    """
    records = list(records)
    changes = []
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else None
        if previous is None and record.history_type != "+":
            previous = record.prev_record
        if previous is None:
            fields = [
                f.name
                for f in record.instance_type._meta.fields
                if f.name not in {"id", "case", "updated_at", "updated_by", "created_by", "created_at"}
            ]
            pairs = [
                (f, None, getattr(record, f)) for f in fields if getattr(record, f) not in ("", None, [])
            ]
        else:
            delta = record.diff_against(previous)
            pairs = [(c.field, c.old, c.new) for c in delta.changes if c.field not in {"updated_by"}]
        for field, old, new in pairs:
            if masked or field in masked_fields:
                old, new = (MASK if old not in ("", None) else old), (MASK if new not in ("", None) else new)
            changes.append(HistoryChange(record.history_date, record.history_user, what, field, old, new))
    return changes


def case_history(*, case: Case, show_identifying: bool, limit: int = 500) -> list[HistoryChange]:
    """Every recorded change to the case facts and its personal details, newest first.

    Values of personal details are masked unless `show_identifying` (the caller checked the permission).
    """
    # The newest `limit` records of each: a long history loses its oldest changes, never its latest.
    # The case's own personal text (a deletion's reason) is masked like the personal details.
    changes = _diffs(
        case.history.select_related("history_user").order_by("-history_date")[:limit],
        "case",
        masked=False,
        masked_fields=() if show_identifying else PERSONAL_TEXTS["cases.Case"],
    )
    details = (
        PersonalDetails.history.filter(case_id=case.pk)
        .select_related("history_user")
        .order_by("-history_date")[:limit]
    )
    changes += _diffs(details, "personal_details", masked=not show_identifying)
    changes.sort(key=lambda c: c.at, reverse=True)
    return changes


def case_parent_tracings(*, case: Case):
    return case.parent_tracings.all()


def case_plan_reviews(*, case: Case):
    return case.plan_reviews.all()


def case_client_codes(*, case: Case):
    return case.client_codes.order_by("linked_at", "pk")
