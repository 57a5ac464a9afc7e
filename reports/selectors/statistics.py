"""Reads of the statistics that depend on who is asking.

A user sees the statistics of the organisation they act for when their role carries
`reports.view_statistics`. All organisations' statistics, and any one organisation's, need
`reports.view_national_statistics` as well, and only while acting for the designated CMM: CMM publishes the
national figures. Another organisation's figures, or the national ones, asked for without that right are "not
found", as everywhere else.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from cmm.models import Organisation
from cmm.permissions import active_membership, has_role_permission
from cmm.selectors import is_cmm
from reports.periods import Period, Scope
from reports.services.statistics import statistics_compute, statistics_publish
from reports.suppression import SuppressedTable, should_suppress

VIEW = "reports.view_statistics"
VIEW_NATIONAL = "reports.view_national_statistics"

ALL_ORGANISATIONS = None  # the organisation_id that asks for all organisations


def _sees_national(user, membership) -> bool:
    return is_cmm(membership.organisation) and has_role_permission(user, VIEW_NATIONAL)


def statistics_scope_for_user(*, user, organisation_id: int | None) -> Scope:
    """Return the scope `user` may see statistics for: `organisation_id`, or all organisations for None.

    Refuse (PermissionDenied) a role without `reports.view_statistics`. A user acting for CMM with
    `reports.view_national_statistics` may ask for all organisations or any one that exists; anyone else
    gets their own organisation for their own id, and Http404 for any other id or for all organisations.
    """
    membership = active_membership(user)
    if membership is None or not has_role_permission(user, VIEW):
        raise PermissionDenied
    if _sees_national(user, membership):
        if organisation_id is ALL_ORGANISATIONS:
            return Scope(organisation_id=None)
        if not Organisation.objects.filter(pk=organisation_id).exists():
            raise Http404
        return Scope(organisation_id=organisation_id)
    if organisation_id != membership.organisation_id:
        raise Http404
    return Scope(organisation_id=membership.organisation_id)


def statistics_default_organisation_for_user(*, user) -> int | None:
    """Return the scope a user sees when they name none: all organisations for those who may see them
    (CMM's analysts and coordinators), else the organisation they act for."""
    membership = active_membership(user)
    if membership is None or _sees_national(user, membership):
        return ALL_ORGANISATIONS
    return membership.organisation_id


def statistics_require(*, user) -> None:
    """Refuse (PermissionDenied) a role without `reports.view_statistics`, before anything is looked up."""
    if not has_role_permission(user, VIEW):
        raise PermissionDenied(_("Your role cannot see statistics."))


def statistics_organisation_asked(*, user, organisation_id: int | None) -> int | None:
    """Return the organisation a request for statistics names, or the user's default scope when it names
    none (`statistics_default_organisation_for_user`), for a role that may see statistics at all. Whether
    that scope may be seen is decided by `statistics_scope_for_user`."""
    statistics_require(user=user)
    if organisation_id is None:
        return statistics_default_organisation_for_user(user=user)
    return organisation_id


def statistics_for_user(
    *, user, period: Period, organisation_id: int | None, external: bool = False
) -> list[SuppressedTable]:
    """Return the statistics tables of the period for the scope `user` may see (see
    `statistics_scope_for_user`), with small counts suppressed for readers outside CMM and in external
    exports."""
    scope = statistics_scope_for_user(user=user, organisation_id=organisation_id)
    tables = statistics_compute(period=period, scope=scope)
    return statistics_publish(tables=tables, suppress=should_suppress(user=user, external=external))
