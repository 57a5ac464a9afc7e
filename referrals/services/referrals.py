"""Every write of a case referral: sending it with the person's consent (or a coordinator's override),
the receiver's answer, and ending it. Acceptance grants the receiving organisation access to that one case
through cmm.permissions, and revoking or closing takes it back at once; a transfer hands the case over.

Each function locks the referral row, so two answers given at the same time cannot both win, owns its
transaction, writes the case timeline event and the audit entry, and keeps free texts out of both.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.choices import EventKind
from cases.grounds import case_view_revoke_unless_grounded
from cases.models import Case, CaseEvent
from cases.services import case_team_add, case_team_remove
from cmm.models import AuditAction, Membership, Organisation, User
from cmm.permissions import active_membership, grant, has_role_permission, revoke
from cmm.roles import ROLE_PERMISSIONS
from cmm.services import audit_record, email_queue
from referrals.choices import (
    OPEN_REFERRAL_STATUSES,
    ConsentScope,
    ReferralKind,
    ReferralReason,
    ReferralStatus,
)
from referrals.models import Referral

ADD = "referrals.add_referral"
CHANGE = "referrals.change_referral"
OVERRIDE = "referrals.override_consent"
VIEW_CASE, CHANGE_CASE, VIEW_DETAILS = "cases.view_case", "cases.change_case", "cases.view_personal_details"
# What a receiver may hold through a referral; all of it goes when the referral ends.
SHARED_PERMS = (VIEW_CASE, CHANGE_CASE, VIEW_DETAILS)


# --- Helpers ------------------------------------------------------------------------------------------


def _event(case: Case, *, by: User, step: str, referral: Referral, **data) -> None:
    # Only choice values, ids, flags and organisation names (which do not identify the person).
    CaseEvent.objects.create(
        case=case,
        kind=EventKind.REFERRAL,
        occurred_on=timezone.localdate(),
        actor=by,
        data={
            "step": step,
            "referral": referral.pk,
            "kind": referral.kind,
            "to": referral.to_organisation.name,
            **data,
        },
    )


def _audit(case: Case, action: str, *, by: User, referral: Referral, **detail) -> None:
    audit_record(
        actor=by,
        action=action,
        organisation=case.organisation,
        target=case,
        target_label=case.number,
        detail={"what": "referral", "referral": referral.pk, **detail},
    )


def _acting_organisation_id(by: User, perm: str, refusal: str) -> int:
    membership = active_membership(by)
    if membership is None or not has_role_permission(by, perm):
        raise PermissionDenied(refusal)
    return membership.organisation_id


def _locked(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update()
        .select_related("case", "from_organisation", "to_organisation")
        .get(pk=referral.pk)
    )


def _as_receiver(referral: Referral, by: User) -> None:
    organisation_id = _acting_organisation_id(by, CHANGE, _("Your role cannot answer referrals."))
    if organisation_id != referral.to_organisation_id:
        raise PermissionDenied(_("Only the organisation the case was referred to can answer the referral."))


def _as_sender(referral: Referral, by: User, refusal: str) -> None:
    organisation_id = _acting_organisation_id(by, CHANGE, _("Your role cannot change referrals."))
    if organisation_id != referral.from_organisation_id:
        raise PermissionDenied(refusal)


def _as_either_side(referral: Referral, by: User) -> None:
    organisation_id = _acting_organisation_id(by, CHANGE, _("Your role cannot change referrals."))
    if organisation_id not in (referral.from_organisation_id, referral.to_organisation_id):
        raise PermissionDenied(_("Only the two organisations of a referral can close it."))


def _state_error(referral: Referral) -> ValidationError:
    messages = {
        ReferralStatus.PENDING: _(
            "The referral is still waiting for an answer: the sender can withdraw it, the receiver can "
            "decline it."
        ),
        ReferralStatus.ACCEPTED: _("The referral has already been accepted."),
        ReferralStatus.DECLINED: _("The referral has already been declined."),
        ReferralStatus.WITHDRAWN: _("The referral has already been withdrawn."),
        ReferralStatus.REVOKED: _("The referral has already been revoked."),
        ReferralStatus.CLOSED: _("The referral has already been closed."),
    }
    return ValidationError(messages[referral.status], code=f"status_{referral.status}")


def _require_text(value: str, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: message})
    return text


def _remove_access(referral: Referral) -> list[str]:
    """Take the receiver's access to the case back; it keeps seeing the case only on another ground
    (cases.grounds: e.g. it decides on a presentation of the case, or has an identification task of it)."""
    case, organisation = referral.case, referral.to_organisation
    removed = [CHANGE_CASE, VIEW_DETAILS]
    for perm in removed:
        revoke(perm, case, organisation=organisation)
    if case_view_revoke_unless_grounded(case=case, organisation=organisation):
        removed.insert(0, VIEW_CASE)
    # What the accepting user was given personally goes too, unless they are on the owner's case team.
    if (
        referral.responded_by_id is not None
        and referral.consent_scope == ConsentScope.FACTS_AND_DETAILS
        and not case.team.filter(user_id=referral.responded_by_id).exists()
    ):
        revoke(VIEW_DETAILS, case, user=referral.responded_by)
    return removed


# --- Sending ------------------------------------------------------------------------------------------


@transaction.atomic
def referral_send(
    *,
    case: Case,
    by: User,
    to_organisation: Organisation | None,
    kind: str,
    reason: str,
    request_note: str = "",
    consent_given: bool,
    consent_on: datetime.date | None = None,
    consent_scope: str = "",
    override_reason: str = "",
) -> Referral:
    """Refer a case of the user's organisation to another active organisation, to share or to transfer it.

    The person's consent (date, what may be shared) is needed; without it only a role that may override
    consent (coordinators) can send, with a written reason, and then only the case facts are shared. A case
    has at most one open referral per receiver, and one transfer waiting at a time.
    """
    owner_id = _acting_organisation_id(by, ADD, _("Your role cannot refer cases."))
    case = Case.objects.select_for_update().select_related("organisation").get(pk=case.pk)
    if case.organisation_id != owner_id:
        raise PermissionDenied(_("Only the organisation that owns the case can refer it."))
    if case.deleted_at is not None:
        raise ValidationError(_("A deleted case cannot be referred."))
    if not case.is_open:
        raise ValidationError(_("A closed case cannot be referred. Reopen it first."))

    errors: dict = {}
    request_note = (request_note or "").strip()
    override_reason = (override_reason or "").strip()
    if to_organisation is None:
        errors["to_organisation"] = _("Choose the organisation to refer the case to.")
    elif to_organisation.pk == owner_id:
        errors["to_organisation"] = _("Choose another organisation than your own.")
    elif not Organisation.objects.filter(pk=to_organisation.pk, is_active=True).exists():
        errors["to_organisation"] = _("This organisation is no longer active.")
    elif Referral.objects.filter(
        case=case, to_organisation=to_organisation, status__in=OPEN_REFERRAL_STATUSES
    ).exists():
        errors["to_organisation"] = _("The case already has an open referral to this organisation.")
    if kind not in ReferralKind.values:
        errors["kind"] = _("Choose whether to share or to transfer the case.")
    elif (
        kind == ReferralKind.TRANSFER
        and Referral.objects.filter(
            case=case, kind=ReferralKind.TRANSFER, status=ReferralStatus.PENDING
        ).exists()
    ):
        errors["kind"] = _("A transfer of this case is already waiting for an answer.")
    if reason not in ReferralReason.values:
        errors["reason"] = _("Choose the service requested.")

    if consent_given:
        override_reason = ""
        if consent_on is None:
            errors["consent_on"] = _("Give the date the person gave their consent.")
        elif consent_on > timezone.localdate():
            errors["consent_on"] = _("The date cannot be in the future.")
        if consent_scope not in ConsentScope.values:
            errors["consent_scope"] = _("Choose what the person agreed may be shared.")
    elif not has_role_permission(by, OVERRIDE):
        errors["consent_given"] = _(
            "The person's consent is needed to send a referral. Only a coordinator can send one without "
            "it, with a written reason."
        )
    else:
        consent_on, consent_scope = None, ConsentScope.FACTS
        if not override_reason:
            errors["override_reason"] = _(
                "Give the reason for sending the referral without the person's consent."
            )
    if kind == ReferralKind.TRANSFER and not (
        consent_given and consent_scope == ConsentScope.FACTS_AND_DETAILS
    ):
        # The new owner's team sees the whole file, identifying details included.
        errors.setdefault(
            "consent_scope",
            _(
                "A transfer hands over the whole file, identifying details included: it needs the "
                "person's consent to share them."
            ),
        )
    if errors:
        raise ValidationError(errors)

    referral = Referral(
        case=case,
        kind=kind,
        from_organisation_id=owner_id,
        to_organisation=to_organisation,
        reason=reason,
        request_note=request_note,
        consent_given=bool(consent_given),
        consent_on=consent_on,
        consent_scope=consent_scope,
        consent_recorded_by=by if consent_given else None,
        override_reason=override_reason,
        overridden_by=None if consent_given else by,
        sent_by=by,
    )
    referral.full_clean()
    try:
        with transaction.atomic():
            referral.save()
    except IntegrityError as exc:  # an open referral to the same receiver was saved at the same moment
        raise ValidationError(
            {"to_organisation": _("The case already has an open referral to this organisation.")}
        ) from exc

    _event(case, by=by, step="sent", referral=referral, reason=reason, consent=referral.consent_given)
    _audit(
        case,
        AuditAction.CREATED,
        by=by,
        referral=referral,
        step="sent",
        to=to_organisation.pk,
        kind=kind,
        reason=reason,
        consent=referral.consent_given,
    )
    if not referral.consent_given:
        # Its own entry, so that every override can be found and reviewed (the reason stays in the row).
        _audit(case, AuditAction.CREATED, by=by, referral=referral, consent="override")
    _tell_receiver(referral)
    return referral


def _tell_receiver(referral: Referral) -> None:
    """E-mail the receiving organisation's members who can answer that a referral is waiting for them.

    The e-mail names the case number only and links to the referral; it leaves through the outbox when the
    referral is committed.
    """
    answerers = (
        Membership.objects.active()
        .filter(
            organisation_id=referral.to_organisation_id,
            role__in=[role for role, perms in ROLE_PERMISSIONS.items() if CHANGE in perms],
        )
        .exclude(user__email="")
        .select_related("user")
        .order_by("user_id")
    )
    link = f"{settings.SITE_URL}{reverse('referral-detail', args=[referral.pk])}"
    number = referral.case.number
    for membership in answerers:
        email_queue(
            to=membership.user.email,
            subject=f"En henvisning venter på svar: sag {number} / A referral is waiting for an answer: "
            f"case {number}",
            body=(
                f"{referral.case.organisation.name} har henvist sag {number} til jer. Svar på henvisningen:\n"
                f"{referral.case.organisation.name} has referred case {number} to you. Answer the referral:\n"
                f"\n{link}\n"
            ),
        )


# --- The receiver's answer ----------------------------------------------------------------------------


@transaction.atomic
def referral_accept(*, referral: Referral, by: User) -> Referral:
    """Accept a pending referral for the receiving organisation.

    A share grants the receiver access to that one case (the personal details only if the person agreed
    to share them); a transfer makes the receiver the case's owner and takes the former owner's team off
    the case.
    """
    referral = _locked(referral)
    _as_receiver(referral, by)
    if referral.status != ReferralStatus.PENDING:
        raise _state_error(referral)
    case = Case.objects.select_for_update().select_related("organisation").get(pk=referral.case_id)
    if case.deleted_at is not None:
        raise ValidationError(_("The case has been deleted."))
    if case.organisation_id != referral.from_organisation_id:
        raise ValidationError(
            _("The organisation that referred the case no longer owns it. Decline the referral.")
        )
    referral.status = ReferralStatus.ACCEPTED
    referral.responded_at, referral.responded_by = timezone.now(), by
    referral.full_clean()
    referral.save()
    if referral.kind == ReferralKind.TRANSFER:
        _transfer(case, referral=referral, by=by)
        return referral

    perms = [VIEW_CASE, CHANGE_CASE]
    for perm in perms:
        grant(perm, case, organisation=referral.to_organisation)
    if referral.consent_scope == ConsentScope.FACTS_AND_DETAILS:
        # Identifying details stay with a case team: at the receiver, the person who accepted the referral
        # (as the owner's team members get them one by one), never the whole receiving organisation.
        grant(VIEW_DETAILS, case, user=by)
        perms.append(VIEW_DETAILS)
    _event(case, by=by, step="accepted", referral=referral)
    _audit(
        case,
        AuditAction.PERMISSION_GRANTED,
        by=by,
        referral=referral,
        step="accepted",
        organisation=referral.to_organisation_id,
        perms=perms,
    )
    return referral


def _transfer(case: Case, *, referral: Referral, by: User) -> None:
    """Hand the case over to the receiver: it owns the case from now on, so nothing is granted to it."""
    former = case.organisation
    new_owner = referral.to_organisation
    members = set(
        Membership.objects.active().filter(organisation=new_owner).values_list("user_id", flat=True)
    )
    _audit(
        case,
        AuditAction.CHANGED,
        by=by,
        referral=referral,
        step="transferred",
        fields=["organisation"],
        organisation_from=former.pk,
        organisation_to=new_owner.pk,
    )
    case.organisation = new_owner
    if case.contact_person_id is not None and case.contact_person_id not in members:
        case.contact_person = None
    case.full_clean()
    case._history_user = by
    case.save()
    for member in list(case.team.select_related("user")):
        if member.user_id not in members:
            case_team_remove(case=case, user=member.user, by=by)
    # Whoever accepted the handover works on the case from now on: they join its team (and so get the
    # reminders and, if their role carries it, the personal details) until a contact person is chosen.
    case_team_add(case=case, user=by, by=by)
    # What the former owner shared or offered to others was its decision with the person: it ends with the
    # handover, and the new owner refers the case again where it wants to.
    for other in (
        Referral.objects.select_for_update(of=("self",))
        .filter(
            case=case,
            kind=ReferralKind.SHARE,
            from_organisation=former,
            status__in=OPEN_REFERRAL_STATUSES,
        )
        .select_related("to_organisation", "responded_by")
    ):
        accepted = other.status == ReferralStatus.ACCEPTED
        other.status = ReferralStatus.CLOSED if accepted else ReferralStatus.WITHDRAWN
        other.ended_at, other.ended_by = timezone.now(), by
        other.save(update_fields=["status", "ended_at", "ended_by"])
        removed = _remove_access(other) if accepted else []
        _event(case, by=by, step="ended_by_transfer", referral=other)
        _audit(
            case,
            AuditAction.PERMISSION_REVOKED if accepted else AuditAction.CHANGED,
            by=by,
            referral=other,
            step="ended_by_transfer",
            organisation=other.to_organisation_id,
            perms=removed,
        )
    # An earlier transfer of the case is history now: it no longer holds a place as an open referral.
    Referral.objects.filter(case=case, kind=ReferralKind.TRANSFER, status=ReferralStatus.ACCEPTED).exclude(
        pk=referral.pk
    ).update(status=ReferralStatus.CLOSED, ended_at=timezone.now(), ended_by=by)
    _event(case, by=by, step="transferred", referral=referral, **{"from": former.name})


@transaction.atomic
def referral_decline(*, referral: Referral, by: User, response_note: str) -> Referral:
    """Decline a pending referral, giving the reason; the receiver gets no access to the case."""
    referral = _locked(referral)
    _as_receiver(referral, by)
    if referral.status != ReferralStatus.PENDING:
        raise _state_error(referral)
    note = _require_text(response_note, "response_note", _("Give the reason for declining the referral."))
    referral.status = ReferralStatus.DECLINED
    referral.responded_at, referral.responded_by, referral.response_note = timezone.now(), by, note
    referral.full_clean()
    referral.save()
    _event(referral.case, by=by, step="declined", referral=referral)
    _audit(referral.case, AuditAction.CHANGED, by=by, referral=referral, step="declined")
    return referral


# --- Ending a referral --------------------------------------------------------------------------------


@transaction.atomic
def referral_withdraw(*, referral: Referral, by: User) -> Referral:
    """Withdraw a referral the user's organisation sent, while it still waits for an answer."""
    referral = _locked(referral)
    _as_sender(referral, by, _("Only the organisation that sent the referral can withdraw it."))
    if referral.status != ReferralStatus.PENDING:
        raise _state_error(referral)
    referral.status = ReferralStatus.WITHDRAWN
    referral.ended_at, referral.ended_by = timezone.now(), by
    referral.full_clean()
    referral.save()
    _event(referral.case, by=by, step="withdrawn", referral=referral)
    _audit(referral.case, AuditAction.CHANGED, by=by, referral=referral, step="withdrawn")
    return referral


def _end_share(referral: Referral, *, by: User, status: str, reason: str) -> Referral:
    if referral.status != ReferralStatus.ACCEPTED:
        raise _state_error(referral)
    if referral.kind == ReferralKind.TRANSFER:
        raise ValidationError(
            _(
                "An accepted transfer cannot be revoked or closed: the case belongs to %(organisation)s now. "
                "It can refer the case back."
            )
            % {"organisation": referral.to_organisation.name},
            code="transfer_final",
        )
    text = _require_text(reason, "reason", _("Give the reason for ending the referral."))
    referral.status = status
    referral.ended_at, referral.ended_by, referral.end_reason = timezone.now(), by, text
    referral.full_clean()
    referral.save()
    removed = _remove_access(referral)
    step = "revoked" if status == ReferralStatus.REVOKED else "closed"
    _event(referral.case, by=by, step=step, referral=referral)
    _audit(
        referral.case,
        AuditAction.PERMISSION_REVOKED,
        by=by,
        referral=referral,
        step=step,
        organisation=referral.to_organisation_id,
        perms=removed,
    )
    return referral


@transaction.atomic
def referral_revoke(*, referral: Referral, by: User, reason: str) -> Referral:
    """Revoke an accepted share as the organisation that sent it; the receiver's access ends at once."""
    referral = _locked(referral)
    _as_sender(referral, by, _("Only the organisation that sent the referral can revoke it."))
    return _end_share(referral, by=by, status=ReferralStatus.REVOKED, reason=reason)


@transaction.atomic
def referral_close(*, referral: Referral, by: User, reason: str) -> Referral:
    """Close an accepted share from either side when the work is done; the receiver's access ends at once."""
    referral = _locked(referral)
    _as_either_side(referral, by)
    return _end_share(referral, by=by, status=ReferralStatus.CLOSED, reason=reason)


# --- Leaving an organisation ----------------------------------------------------------------------------


@transaction.atomic
def referral_details_end_for_leaver(*, user: User, organisation: Organisation, by: User | None) -> int:
    """Take back the personal details of referred cases that a user who left `organisation` was given
    personally as the one who accepted the referral for it: they came through that membership. Kept where
    the user is on the case's own team (as _remove_access does). Audited on each case; returns how many."""
    referrals = (
        Referral.objects.filter(
            to_organisation=organisation,
            responded_by=user,
            status=ReferralStatus.ACCEPTED,
            consent_scope=ConsentScope.FACTS_AND_DETAILS,
        )
        .exclude(case__team__user=user)
        .select_related("case__organisation", "to_organisation")
        .order_by("pk")
    )
    revoked = 0
    for referral in referrals:
        revoke(VIEW_DETAILS, referral.case, user=user)
        _audit(
            referral.case,
            AuditAction.PERMISSION_REVOKED,
            by=by,
            referral=referral,
            step="acceptor_left",
            organisation=referral.to_organisation_id,
            user=user.username,
            perms=[VIEW_DETAILS],
        )
        revoked += 1
    return revoked
