"""Reads of the platform that depend on who is asking."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from cmm.models import AuditEvent, Designation, Membership, Organisation
from cmm.permissions import active_membership, has_role_permission


def designated_organisation(designation: str) -> Organisation | None:
    """Return the active organisation a platform admin designated as `designation` (the Immigration Service,
    CMM), or None. The one place that says which organisation *is* which: never guess it from the kind."""
    return Organisation.objects.filter(designation=designation, is_active=True).first()


def is_cmm(organisation: Organisation | None) -> bool:
    """Tell whether `organisation` is the one designated as CMM (whose coordinators and analysts have CMM's
    powers); another organisation of kind CMM is not."""
    return organisation is not None and organisation.is_active and organisation.designation == Designation.CMM


def membership_choices_for_user(*, user) -> QuerySet[Membership]:
    """Return the memberships the user may act under."""
    return Membership.objects.active().filter(user=user).select_related("organisation")


def member_choices_for_organisation(*, organisation: Organisation) -> QuerySet[Membership]:
    """Return the active members of an organisation with their users, by name (for pickers)."""
    return (
        Membership.objects.active()
        .filter(organisation=organisation)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username")
    )


def organisation_list_for_user(*, user) -> QuerySet[Organisation]:
    """Return the directory of active organisations (names and kinds are not confidential)."""
    if not has_role_permission(user, "cmm.view_organisation"):
        return Organisation.objects.none()
    return Organisation.objects.filter(is_active=True)


def member_list_for_user(*, user, perm: str = "cmm.view_membership") -> QuerySet[Membership]:
    """Return the memberships of the user's active organisation, if their role may manage members."""
    membership = active_membership(user)
    if membership is None or not has_role_permission(user, perm):
        return Membership.objects.none()
    return (
        Membership.objects.filter(organisation_id=membership.organisation_id)
        .select_related("user", "organisation")
        .order_by("-is_active", "user__last_name", "user__first_name", "user__username")
    )


def member_get_for_user(*, user, membership_id: int, perm: str = "cmm.change_membership") -> Membership:
    """Return one membership of the user's organisation that they may manage, or raise Http404."""
    return get_object_or_404(member_list_for_user(user=user, perm=perm), pk=membership_id)


def audit_list_for_user(*, user) -> QuerySet[AuditEvent]:
    """Return the audit events of the user's organisation, for roles that may read the audit log."""
    membership = active_membership(user)
    if membership is None or not has_role_permission(user, "cmm.view_auditevent"):
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(organisation_id=membership.organisation_id).select_related(
        "actor", "organisation", "target_type"
    )
