"""Which organisations a user may pick on the statistics and report pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cmm.models import Organisation
from cmm.permissions import active_membership, has_role_permission
from reports.selectors.statistics import ALL_ORGANISATIONS, VIEW, statistics_default_organisation_for_user


def statistics_organisation_choices(*, user) -> list[tuple[int, str]] | None:
    """Return (id, name) of every organisation whose statistics `user` may pick, by name; None for a user
    who only sees their own organisation's (the scope rule itself is `statistics_scope_for_user`)."""
    membership = active_membership(user)
    if membership is None or not has_role_permission(user, VIEW):
        return None
    if statistics_default_organisation_for_user(user=user) is not ALL_ORGANISATIONS:
        return None
    return list(Organisation.objects.order_by("name").values_list("pk", "name"))


def statistics_scope_label(*, user, organisation_id: int | None) -> str:
    """Name the scope of statistics for a reader: "All organisations" or the organisation's name. Call it
    after the scope was checked (`statistics_scope_for_user`); an id that names nothing reads as itself."""
    if organisation_id is None:
        return str(_("All organisations"))
    membership = active_membership(user)
    if membership is not None and membership.organisation_id == organisation_id:
        return membership.organisation.name
    name = Organisation.objects.filter(pk=organisation_id).values_list("name", flat=True).first()
    return name if name is not None else str(organisation_id)
