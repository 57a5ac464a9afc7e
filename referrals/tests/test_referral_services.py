"""The rules of case referrals: consent or a coordinator's override, the receiver's answer, the access it
grants and takes back, transfers, and wrong-state or wrong-side actions refused with a clear error."""

# The fixtures come from referral_fixtures by an explicit import, which ruff reads as unused and redefined.
# ruff: noqa: F401, F811

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from cases.choices import EventKind
from cases.models import CaseEvent, CaseTeamMember
from cases.selectors import case_list_for_user
from cases.services import can_view_personal_details
from cases.templatetags.case_events import event_sentence
from cmm.models import AuditAction, AuditEvent, OutboundEmail, Role
from cmm.permissions import user_can
from identification.services import presentation_create
from referrals.choices import ConsentScope, ReferralKind, ReferralStatus
from referrals.models import Referral
from referrals.services.referrals import (
    referral_accept,
    referral_close,
    referral_decline,
    referral_revoke,
    referral_withdraw,
)
from referrals.tests.referral_fixtures import (
    CONSENT_ON,
    a_coordinator,
    accepted,
    fixed_today,
    pending,
    receiver,
    send_referral,
    sender,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fixed_today", "in_english")]


def sees(user, case) -> bool:
    return case_list_for_user(user=user).filter(pk=case.pk).exists()


def can_change(user, case) -> bool:
    return user_can(user, "cases.change_case", case, owner_field="organisation")


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# --- Consent ------------------------------------------------------------------------------------------


def test_a_caseworker_cannot_send_without_the_persons_consent(case_a, sender, org_b):
    with pytest.raises(ValidationError) as excinfo:
        send_referral(case_a, by=sender, to=org_b, consent_given=False, override_reason="Urgent")
    assert "consent_given" in errors_of(excinfo)
    assert not Referral.objects.exists()


def test_consent_needs_its_date_and_scope(case_a, sender, org_b):
    with pytest.raises(ValidationError) as excinfo:
        send_referral(case_a, by=sender, to=org_b, consent_on=None, consent_scope="")
    assert {"consent_on", "consent_scope"} <= set(errors_of(excinfo))


def test_a_consent_date_in_the_future_is_refused(case_a, sender, org_b):
    with pytest.raises(ValidationError) as excinfo:
        send_referral(case_a, by=sender, to=org_b, consent_on=datetime.date(2026, 4, 2))
    assert "consent_on" in errors_of(excinfo)


def test_a_coordinator_override_without_a_reason_is_refused(case_a, a_coordinator, org_b):
    with pytest.raises(ValidationError) as excinfo:
        send_referral(case_a, by=a_coordinator, to=org_b, consent_given=False, override_reason="  ")
    assert "override_reason" in errors_of(excinfo)
    assert not Referral.objects.exists()


def test_a_coordinator_override_with_a_reason_is_sent_and_audited(case_a, a_coordinator, org_b):
    referral = send_referral(
        case_a,
        by=a_coordinator,
        to=org_b,
        consent_given=False,
        consent_scope=ConsentScope.FACTS_AND_DETAILS,  # ignored: without consent only the facts
        override_reason="Acute danger; the person cannot be reached",
    )

    assert referral.overridden_by == a_coordinator
    assert referral.consent_recorded_by is None
    assert referral.consent_on is None
    assert referral.consent_scope == ConsentScope.FACTS
    override = AuditEvent.objects.get(detail__consent="override")
    assert override.actor == a_coordinator
    assert override.action == AuditAction.CREATED
    assert override.detail == {"what": "referral", "consent": "override", "referral": referral.pk}
    for event in AuditEvent.objects.filter(detail__referral=referral.pk):
        assert "Acute danger" not in str(event.detail) + event.target_label


def test_consent_is_recorded_with_who_recorded_it(case_a, sender, org_b):
    referral = send_referral(case_a, by=sender, to=org_b)
    assert referral.status == ReferralStatus.PENDING
    assert referral.consent_recorded_by == sender
    assert referral.consent_on == CONSENT_ON
    assert referral.overridden_by is None
    assert referral.from_organisation == case_a.organisation


# --- Who may send, to whom ----------------------------------------------------------------------------


def test_only_the_owning_organisation_can_refer_a_case(case_a, receiver, org_b, org_cmm):
    with pytest.raises(PermissionDenied):
        send_referral(case_a, by=receiver, to=org_cmm)


def test_a_role_without_the_permission_cannot_refer(case_a, users_a, org_b):
    with pytest.raises(PermissionDenied):
        send_referral(case_a, by=users_a[Role.OUTREACH_WORKER], to=org_b)


def test_the_receiver_must_be_another_active_organisation(case_a, sender, org_a, org_b):
    with pytest.raises(ValidationError) as excinfo:
        send_referral(case_a, by=sender, to=org_a)
    assert "to_organisation" in errors_of(excinfo)

    org_b.is_active = False
    org_b.save()
    with pytest.raises(ValidationError) as excinfo:
        send_referral(case_a, by=sender, to=org_b)
    assert "to_organisation" in errors_of(excinfo)


def test_a_second_open_referral_to_the_same_receiver_is_refused(pending, case_a, sender, org_b):
    with pytest.raises(ValidationError) as excinfo:
        send_referral(case_a, by=sender, to=org_b)
    assert "to_organisation" in errors_of(excinfo)
    assert Referral.objects.count() == 1


def test_a_case_can_be_shared_with_several_organisations(pending, case_a, sender, org_cmm, receiver):
    second = send_referral(case_a, by=sender, to=org_cmm)
    assert {r.to_organisation_id for r in Referral.objects.all()} == {pending.to_organisation_id, org_cmm.pk}
    assert second.status == ReferralStatus.PENDING


def test_after_a_decline_the_case_can_be_referred_again(pending, case_a, sender, org_b, receiver):
    referral_decline(referral=pending, by=receiver, response_note="No capacity")
    again = send_referral(case_a, by=sender, to=org_b)
    assert again.status == ReferralStatus.PENDING


# --- Accepting grants access to that one case ---------------------------------------------------------


def test_the_receiver_sees_the_case_only_once_it_accepts(pending, case_a, receiver, open_case, sender):
    other_case = open_case(by=sender)
    assert not sees(receiver, case_a)

    referral_accept(referral=pending, by=receiver)

    assert sees(receiver, case_a)
    assert can_change(receiver, case_a)
    assert not sees(receiver, other_case)  # that one case only
    assert not can_view_personal_details(user=receiver, case=case_a)  # scope: facts only
    granted = AuditEvent.objects.get(action=AuditAction.PERMISSION_GRANTED, detail__referral=pending.pk)
    assert granted.detail["perms"] == ["cases.view_case", "cases.change_case"]


def test_personal_details_are_shared_only_with_that_consent(case_a, sender, org_b, receiver):
    referral = send_referral(case_a, by=sender, to=org_b, consent_scope=ConsentScope.FACTS_AND_DETAILS)
    referral_accept(referral=referral, by=receiver)
    assert can_view_personal_details(user=receiver, case=case_a)


def test_personal_details_go_to_the_accepting_user_only_and_end_with_the_referral(
    case_a, sender, org_b, receiver, users_b
):
    # Identifying details stay with a case team: B's other members see the case, not who the person is.
    referral = send_referral(case_a, by=sender, to=org_b, consent_scope=ConsentScope.FACTS_AND_DETAILS)
    referral_accept(referral=referral, by=receiver)
    colleagues = [users_b[Role.OUTREACH_WORKER], users_b[Role.COORDINATOR], users_b[Role.AUTHORITY_LIAISON]]
    for colleague in colleagues:
        assert sees(colleague, case_a)
        assert not can_view_personal_details(user=colleague, case=case_a)
    referral_revoke(referral=referral, by=sender, reason="Consent withdrawn")
    assert not can_view_personal_details(user=receiver, case=case_a)
    assert can_view_personal_details(user=sender, case=case_a)  # the owner's team keeps them


def test_a_transfer_needs_consent_to_share_everything(case_a, sender, a_coordinator, org_b):
    with pytest.raises(ValidationError) as excinfo:
        send_referral(
            case_a, by=sender, to=org_b, kind=ReferralKind.TRANSFER, consent_scope=ConsentScope.FACTS
        )
    assert "consent_scope" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        send_referral(
            case_a,
            by=a_coordinator,
            to=org_b,
            kind=ReferralKind.TRANSFER,
            consent_given=False,
            override_reason="R",
        )
    assert "consent_scope" in excinfo.value.message_dict
    assert not Referral.objects.exists()


def test_a_transfer_ends_the_former_owners_shares_with_others(
    case_a, sender, org_b, org_cmm, org_us, cmm_coordinator, receiver
):
    shared = send_referral(case_a, by=sender, to=org_cmm)
    referral_accept(referral=shared, by=cmm_coordinator)
    offered = send_referral(case_a, by=sender, to=org_us)
    assert sees(cmm_coordinator, case_a)
    transfer = send_referral(case_a, by=sender, to=org_b, kind=ReferralKind.TRANSFER)

    referral_accept(referral=transfer, by=receiver)

    shared.refresh_from_db()
    offered.refresh_from_db()
    assert (shared.status, offered.status) == (ReferralStatus.CLOSED, ReferralStatus.WITHDRAWN)
    assert not sees(cmm_coordinator, case_a)  # the new owner decides whom to share the case with
    assert sees(receiver, case_a)


def test_a_declined_referral_gives_no_access(pending, case_a, receiver):
    referral = referral_decline(referral=pending, by=receiver, response_note="No capacity now")
    assert referral.status == ReferralStatus.DECLINED
    assert referral.responded_by == receiver
    assert referral.responded_at is not None
    assert not sees(receiver, case_a)


def test_declining_needs_a_reason(pending, receiver):
    with pytest.raises(ValidationError) as excinfo:
        referral_decline(referral=pending, by=receiver, response_note=" ")
    assert "response_note" in errors_of(excinfo)
    pending.refresh_from_db()
    assert pending.status == ReferralStatus.PENDING


def test_only_the_receiving_organisation_can_answer(pending, sender, org_cmm, make_member):
    with pytest.raises(PermissionDenied):
        referral_accept(referral=pending, by=sender)
    with pytest.raises(PermissionDenied):
        referral_accept(referral=pending, by=make_member(org_cmm, Role.COORDINATOR))
    pending.refresh_from_db()
    assert pending.status == ReferralStatus.PENDING


# --- Ending a referral takes the access back ----------------------------------------------------------


def test_revoking_takes_the_access_away_at_once(accepted, case_a, sender, receiver):
    referral = referral_revoke(referral=accepted, by=sender, reason="The person withdrew consent")
    assert referral.status == ReferralStatus.REVOKED
    assert referral.ended_by == sender
    assert not sees(receiver, case_a)
    assert not can_change(receiver, case_a)


def test_revoking_removes_the_personal_details_too(case_a, sender, org_b, receiver):
    referral = send_referral(case_a, by=sender, to=org_b, consent_scope=ConsentScope.FACTS_AND_DETAILS)
    referral_accept(referral=referral, by=receiver)
    referral_revoke(referral=referral, by=sender, reason="Consent withdrawn")
    assert not can_view_personal_details(user=receiver, case=case_a)
    assert not sees(receiver, case_a)


def test_either_side_can_close_an_accepted_share(accepted, case_a, receiver):
    referral = referral_close(referral=accepted, by=receiver, reason="Shelter stay ended")
    assert referral.status == ReferralStatus.CLOSED
    assert not sees(receiver, case_a)


def test_the_sender_can_close_too(case_a, sender, org_b, receiver):
    referral = send_referral(case_a, by=sender, to=org_b)
    referral_accept(referral=referral, by=receiver)
    referral_close(referral=referral, by=sender, reason="Done")
    assert not sees(receiver, case_a)


def test_ending_needs_a_reason(accepted, sender, receiver, case_a):
    with pytest.raises(ValidationError) as excinfo:
        referral_revoke(referral=accepted, by=sender, reason="")
    assert "reason" in errors_of(excinfo)
    assert sees(receiver, case_a)


def test_only_the_sender_can_revoke(accepted, receiver):
    with pytest.raises(PermissionDenied):
        referral_revoke(referral=accepted, by=receiver, reason="Not ours to revoke")


def test_an_identification_ground_keeps_view_access_after_a_revoke(
    case_a, sender, org_us, liaison, make_member
):
    # The Immigration Service decides on case A (no legal residence): it was given view access for that.
    presentation_create(
        case=case_a, by=sender, presented_on=datetime.date(2026, 3, 10), presented_by="police"
    )
    us_caseworker = make_member(org_us, Role.CASEWORKER)
    referral = send_referral(case_a, by=sender, to=org_us)
    referral_accept(referral=referral, by=us_caseworker)
    assert can_change(us_caseworker, case_a)

    referral_revoke(referral=referral, by=sender, reason="Consent withdrawn")

    assert sees(liaison, case_a)  # still the deciding authority of the presentation
    assert sees(us_caseworker, case_a)
    assert not can_change(us_caseworker, case_a)  # what the referral gave is gone
    revoked = AuditEvent.objects.get(action=AuditAction.PERMISSION_REVOKED, detail__referral=referral.pk)
    assert "cases.view_case" not in revoked.detail["perms"]


def test_an_identification_task_keeps_view_access_after_a_close(
    identified_case, sender, org_cmm, cmm_coordinator
):
    # The identification made CMM responsible for appointing a contact person: it sees the case for that.
    assert sees(cmm_coordinator, identified_case)
    referral = send_referral(identified_case, by=sender, to=org_cmm)
    referral_accept(referral=referral, by=cmm_coordinator)
    referral_close(referral=referral, by=cmm_coordinator, reason="Contact person appointed")
    assert sees(cmm_coordinator, identified_case)
    assert not can_change(cmm_coordinator, identified_case)


# --- Transfers ----------------------------------------------------------------------------------------


def test_an_accepted_transfer_moves_the_case_to_the_receiver(case_a, sender, org_a, org_b, receiver):
    case_a.contact_person = sender
    case_a.save()
    assert CaseTeamMember.objects.filter(case=case_a, user=sender).exists()
    referral = send_referral(case_a, by=sender, to=org_b, kind=ReferralKind.TRANSFER)

    referral_accept(referral=referral, by=receiver)

    case_a.refresh_from_db()
    assert case_a.organisation == org_b
    assert case_a.contact_person is None  # not a member of the new owner
    # The former team has left; whoever accepted the handover is the team now.
    assert list(CaseTeamMember.objects.filter(case=case_a).values_list("user", flat=True)) == [receiver.pk]
    assert can_view_personal_details(user=receiver, case=case_a)
    assert not can_view_personal_details(user=sender, case=case_a)
    assert not sees(sender, case_a)
    assert sees(receiver, case_a) and can_change(receiver, case_a)
    assert case_a.history.first().history_user == receiver
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED


def test_an_accepted_transfer_cannot_be_revoked_or_closed(case_a, sender, org_b, receiver):
    referral = send_referral(case_a, by=sender, to=org_b, kind=ReferralKind.TRANSFER)
    referral_accept(referral=referral, by=receiver)
    with pytest.raises(ValidationError, match="transfer"):
        referral_revoke(referral=referral, by=sender, reason="Changed our minds")
    with pytest.raises(ValidationError, match="transfer"):
        referral_close(referral=referral, by=receiver, reason="Done")
    case_a.refresh_from_db()
    assert case_a.organisation == org_b


def test_a_share_from_a_former_owner_can_no_longer_be_accepted(
    case_a, sender, org_b, org_cmm, receiver, cmm_coordinator
):
    share = send_referral(case_a, by=sender, to=org_cmm)
    transfer = send_referral(case_a, by=sender, to=org_b, kind=ReferralKind.TRANSFER)
    referral_accept(referral=transfer, by=receiver)
    with pytest.raises(ValidationError):
        referral_accept(referral=share, by=cmm_coordinator)
    assert not sees(cmm_coordinator, case_a)


def test_a_case_transferred_back_can_be_referred_again(case_a, sender, org_a, org_b, receiver):
    there = send_referral(case_a, by=sender, to=org_b, kind=ReferralKind.TRANSFER)
    referral_accept(referral=there, by=receiver)
    case_a.refresh_from_db()
    back = send_referral(case_a, by=receiver, to=org_a, kind=ReferralKind.TRANSFER)
    referral_accept(referral=back, by=sender)
    case_a.refresh_from_db()
    assert case_a.organisation == org_a
    assert send_referral(case_a, by=sender, to=org_b).status == ReferralStatus.PENDING


# --- Wrong state, repeats -----------------------------------------------------------------------------


def test_accepting_twice_is_a_clear_error_and_changes_nothing(accepted, receiver):
    answered_at = accepted.responded_at
    with pytest.raises(ValidationError, match="already been accepted"):
        referral_accept(referral=accepted, by=receiver)
    accepted.refresh_from_db()
    assert accepted.responded_at == answered_at
    assert CaseEvent.objects.filter(kind=EventKind.REFERRAL, data__step="accepted").count() == 1


def test_wrong_state_actions_are_refused(pending, accepted, sender, receiver):
    with pytest.raises(ValidationError):
        referral_decline(referral=accepted, by=receiver, response_note="Too late")
    with pytest.raises(ValidationError):
        referral_withdraw(referral=accepted, by=sender)


def test_a_pending_referral_cannot_be_revoked_but_can_be_withdrawn(pending, sender, receiver, case_a):
    with pytest.raises(ValidationError, match="withdraw"):
        referral_revoke(referral=pending, by=sender, reason="No")
    referral = referral_withdraw(referral=pending, by=sender)
    assert referral.status == ReferralStatus.WITHDRAWN
    with pytest.raises(ValidationError):
        referral_accept(referral=pending, by=receiver)
    assert not sees(receiver, case_a)


def test_a_closed_case_cannot_be_referred(case_a, sender, org_b):
    from cases.services import case_close

    case_close(case=case_a, by=sender, closed_on=datetime.date(2026, 3, 31), reason="transferred")
    with pytest.raises(ValidationError):
        send_referral(case_a, by=sender, to=org_b)


# --- Timeline and audit -------------------------------------------------------------------------------


def test_each_step_is_on_the_timeline_without_free_text(case_a, sender, org_b, receiver):
    referral = send_referral(case_a, by=sender, to=org_b)
    referral_accept(referral=referral, by=receiver)
    referral_revoke(referral=referral, by=sender, reason="Consent withdrawn")

    events = list(CaseEvent.objects.filter(case=case_a, kind=EventKind.REFERRAL).order_by("pk"))
    assert [e.data["step"] for e in events] == ["sent", "accepted", "revoked"]
    assert events[0].data == {
        "step": "sent",
        "referral": referral.pk,
        "kind": "share",
        "to": org_b.name,
        "reason": "housing",
        "consent": True,
    }
    with translation.override("en"):
        sentences = [event_sentence(e) for e in events]
    assert sentences == [
        f"Referred to {org_b.name}: Protected housing",
        f"Referral to {org_b.name} accepted",
        f"Referral to {org_b.name} revoked: access removed",
    ]
    for event in events:
        assert "shelter place" not in str(event.data) and "Consent withdrawn" not in str(event.data)


def test_transfer_and_override_sentences(case_a, a_coordinator, org_b, org_cmm, receiver):
    send_referral(case_a, by=a_coordinator, to=org_cmm, consent_given=False, override_reason="R")
    referral = send_referral(case_a, by=a_coordinator, to=org_b, kind=ReferralKind.TRANSFER)
    referral_accept(referral=referral, by=receiver)
    events = CaseEvent.objects.filter(case=case_a, kind=EventKind.REFERRAL).order_by("pk")
    with translation.override("en"):
        sentences = [event_sentence(e) for e in events]
    assert sentences == [
        f"Referred to {org_cmm.name} without consent (coordinator override): Protected housing",
        f"Transfer to {org_b.name} requested: Protected housing",
        f"Referral to {org_cmm.name} ended because the case was transferred",
        f"Case transferred to {org_b.name}",
    ]


def test_unknown_event_data_falls_back_to_the_kind_label(case_a):
    event = CaseEvent(case=case_a, kind=EventKind.REFERRAL, data={"step": "teleported", "to": "X"})
    with translation.override("en"):
        assert event_sentence(event) == "Referral"
    event.data = {"step": "sent", "to": "X", "reason": "nonsense", "kind": "share", "consent": True}
    with translation.override("en"):
        assert event_sentence(event) == "Referral"


def test_an_inactive_receiver_organisation_cannot_answer(pending, org_b, receiver, case_a):
    org_b.is_active = False
    org_b.save()
    receiver.__dict__.pop("_cmm_active_membership", None)  # looked up again, as by the next request
    with pytest.raises(PermissionDenied):
        referral_accept(referral=pending, by=receiver)
    assert not sees(receiver, case_a)


def test_the_receivers_who_can_answer_are_emailed_the_case_number_only(case_a, sender, org_b, users_b):
    referral = send_referral(case_a, by=sender, to=org_b)

    emails = list(OutboundEmail.objects.order_by("to"))
    answerers = sorted(u.email for role, u in users_b.items() if role in (Role.CASEWORKER, Role.COORDINATOR))
    assert [e.to for e in emails] == answerers
    for email in emails:
        assert case_a.number in email.subject and case_a.number in email.body
        assert f"/referrals/{referral.pk}/" in email.body
        for secret in ("Marker Person Alpha", "shelter place", "11 22 33 44"):
            assert secret not in email.subject + email.body
