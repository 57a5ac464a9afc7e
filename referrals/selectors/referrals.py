"""Reads of case referrals. A referral is seen by the organisation that sent it and the one it was sent to;
the receiver of a pending referral sees the referral (case number, reason, note, consent) but not the case,
which opens to it only once it has accepted (cases.selectors answers for the case)."""

from __future__ import annotations

from django.db import models
from django.db.models import QuerySet, Value, When
from django.shortcuts import get_object_or_404

from cases.models import Case
from cases.selectors import case_list_for_user
from cmm.models import Organisation
from cmm.permissions import active_membership, permitted
from cmm.selectors import organisation_list_for_user
from referrals.choices import ReferralStatus
from referrals.models import Referral

VIEW = "referrals.view_referral"


def referral_list_for_user(*, user, perm: str = VIEW) -> QuerySet[Referral]:
    """Return the referrals the user's organisation sent or received, of cases that are not deleted."""
    return permitted(
        user,
        perm,
        Referral.objects.filter(case__deleted_at__isnull=True),
        owner_field=("from_organisation", "to_organisation"),
        object_grants=False,
    ).select_related(
        "case",
        "from_organisation",
        "to_organisation",
        "sent_by",
        "responded_by",
        "ended_by",
        "consent_recorded_by",
        "overridden_by",
    )


def referral_get_for_user(*, user, referral_id: int, perm: str = VIEW) -> Referral:
    """Return one referral of the user's organisation (sent or received); Http404 otherwise."""
    return get_object_or_404(referral_list_for_user(user=user, perm=perm), pk=referral_id)


def _pending_first(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    return referrals.annotate(
        waiting=models.Case(
            When(status=ReferralStatus.PENDING, then=Value(0)),
            default=Value(1),
            output_field=models.IntegerField(),
        )
    ).order_by("waiting", "-sent_at", "-id")


def referrals_incoming_for_user(*, user, status: str = "", reason: str = "") -> QuerySet[Referral]:
    """Return the referrals sent to the user's organisation, those waiting for an answer first."""
    membership = active_membership(user)
    if membership is None:
        return Referral.objects.none()
    referrals = referral_list_for_user(user=user).filter(to_organisation_id=membership.organisation_id)
    return _pending_first(_filtered(referrals, status=status, reason=reason))


def referrals_outgoing_for_user(*, user, status: str = "", reason: str = "") -> QuerySet[Referral]:
    """Return the referrals the user's organisation sent, those still waiting for an answer first."""
    membership = active_membership(user)
    if membership is None:
        return Referral.objects.none()
    referrals = referral_list_for_user(user=user).filter(from_organisation_id=membership.organisation_id)
    return _pending_first(_filtered(referrals, status=status, reason=reason))


def _filtered(referrals: QuerySet[Referral], *, status: str, reason: str) -> QuerySet[Referral]:
    if status:
        referrals = referrals.filter(status=status)
    if reason:
        referrals = referrals.filter(reason=reason)
    return referrals


def referrals_pending_incoming_count(*, user) -> int:
    """Count the referrals waiting for an answer from the user's organisation (one query)."""
    return referrals_incoming_for_user(user=user, status=ReferralStatus.PENDING).count()


def referrals_of_case(*, user, case: Case) -> QuerySet[Referral]:
    """Return the referrals of one case that the user's organisation sent or received, newest first."""
    return referral_list_for_user(user=user).filter(case=case).order_by("-sent_at", "-id")


def referral_receiver_choices(*, user) -> QuerySet[Organisation]:
    """Return the active organisations the user's organisation can refer a case to (all but itself)."""
    membership = active_membership(user)
    if membership is None:
        return Organisation.objects.none()
    return organisation_list_for_user(user=user).exclude(pk=membership.organisation_id).order_by("name")


def referral_case_visible(*, user, referral: Referral) -> bool:
    """Tell whether the user may open the referral's case (the receiver only once it has accepted)."""
    return case_list_for_user(user=user).filter(pk=referral.case_id).exists()
