"""The personal texts of a case outside its personal details (issue 17): who may read them, and the record of
each read.

Names of representatives and housing places, the tracing of a child's parents, the action plan, services,
planned activities, a deletion's reason, court names and the decisions' reasons are about the person and
may identify them. They are encrypted at rest (cmm.encryption) and shown by the same rule as the personal
details (`can_view_personal_details`: the case team and users granted the details on the case itself),
with an audit entry of the read like the personal details (what, the fields shown, the purpose). Everyone
else who may see the case sees the facts around them (dates, kinds, statuses), never the texts.

A decision's reasons are the deciding authority's own text: its members read them too.

Referral notes and return-plan texts are encrypted as well, but read by the parties of the referral or
the plan under those records' own rules: they are written for the receiver or the responsible body, and
the forms tell the writer to keep them free of identifying details.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Model

from cmm.audit.services import personal_data_read_record

# "app_label.Model" -> its personal text fields, shown only by `personal_texts_visible`.
PERSONAL_TEXTS: dict[str, tuple[str, ...]] = {
    "cases.Case": ("deletion_reason",),
    "cases.PersonalRepresentative": ("name", "organisation_name"),
    "cases.ParentTracing": ("with_whom", "reason"),
    "cases.ActionPlan": ("goals", "wishes_after_stay"),
    "cases.ActionPlanReview": ("notes",),
    "cases.PlannedActivity": ("title", "provider"),
    "cases.CaseService": ("provider", "notes"),
    "cases.ShelterStay": ("housing_name",),
    "identification.CourtVerdict": ("court",),
    "identification.Decision": ("reasons",),
}
# Encrypted too, but read under the referral's and the return plan's own rules (module docstring).
PARTY_TEXTS: dict[str, tuple[str, ...]] = {
    "referrals.Referral": ("request_note", "override_reason", "response_note", "end_reason"),
    "referrals.ReturnPlan": (
        "iom_reference",
        "destination_city",
        "escort_name",
        "receiving_organisation",
        "representative_involvement",
    ),
    "referrals.ReturnStatusChange": ("note",),
    "referrals.ReintegrationComponent": ("notes",),
    "referrals.ReturnFollowUp": ("note",),
}

WHAT = "personal_texts"  # the audit entry's "what"
MASK = "•••"  # in place of a text the reader may not see (as in the case history)


def personal_texts_visible(*, user, case) -> bool:
    """Whether `user` may read the personal texts of `case`: the rule of the personal details."""
    from cases.services import can_view_personal_details

    return can_view_personal_details(user=user, case=case)


def acting_organisation_id(user) -> int | None:
    """The organisation `user` acts for now, or None."""
    from cmm.permissions import active_membership

    membership = active_membership(user)
    return membership.organisation_id if membership is not None else None


def decision_reasons_visible(decision, *, details_visible: bool, organisation_id: int | None) -> bool:
    """A decision's reasons: for those who may read the personal texts, and for the deciding organisation."""
    return details_visible or (organisation_id is not None and decision.organisation_id == organisation_id)


def fields_shown(rows: Iterable[Model | None], only: Iterable[str] | None = None) -> list[str]:
    """The personal text fields ("model.field") that hold something in `rows`, sorted; names only.

    `only` limits them to the fields the reader is actually shown ("model.field" names)."""
    shown = set()
    for row in rows:
        if row is None:
            continue
        fields = PERSONAL_TEXTS.get(row._meta.label, ())
        shown |= {f"{row._meta.model_name}.{name}" for name in fields if getattr(row, name, "")}
    return sorted(shown if only is None else shown & set(only))


def personal_texts_read_record(
    *, user, case, rows: Iterable[Model | None], purpose: str, only: Iterable[str] | None = None
) -> None:
    """Record that `user` was shown the personal texts of `rows` (of `case`); nothing when none held any."""
    shown = fields_shown(rows, only)
    if shown:
        personal_data_read_record(user=user, case=case, what=WHAT, fields=shown, purpose=purpose)


def personal_texts_for(
    *, user, case, rows: Iterable[Model | None], purpose: str, only: Iterable[str] | None = None
) -> bool:
    """Whether `user` may read the personal texts of `case`; when they may, the read of `rows` is recorded."""
    visible = personal_texts_visible(user=user, case=case)
    if visible:
        personal_texts_read_record(user=user, case=case, rows=rows, purpose=purpose, only=only)
    return visible
