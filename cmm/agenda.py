"""The user's agenda: what needs doing now, most urgent first.

Each kind of work item has one selector in the app that owns it (reflection/agenda.py,
identification/agenda.py, ...); the settings list them (AGENDA_SOURCES, dotted paths, as DASHBOARD_PANELS:
the platform imports no domain app). The home page, the case page's alert strip (the same selectors
narrowed to one case) and `GET /api/me/agenda/` all read them through `agenda_for_user` /
`case_alerts_for_user`, so they cannot disagree. A source is `(*, user, scope: AgendaScope) ->
list[AgendaItem]`, reads through the app's own `*_for_user` selectors (visibility exactly as the list pages)
and runs a fixed number of queries whatever the number of rows.

The organisation admin's items (pending invitations, members without two-factor authentication) are the
platform's own and live at the end of this module.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Deadlines within this many days (and every overdue one) are on the home page.
HORIZON_DAYS = 14


class Urgency(models.TextChoices):
    """How soon an item is due; the page shows the label as text beside the colour (never colour alone)."""

    OVERDUE = "overdue", _("Overdue")
    ATTENTION = "attention", _("Needs attention")
    DAYS_3 = "3", _("Due within 3 days")
    DAYS_7 = "7", _("Due within 7 days")
    DAYS_14 = "14", _("Due within 14 days")
    LATER = "later", _("Later")


# Most urgent first: overdue, due within 3 days, then what waits without a deadline (an answer, a missing
# representative), then by how soon it is due.
_RANK = {
    Urgency.OVERDUE: 0,
    Urgency.DAYS_3: 1,
    Urgency.ATTENTION: 2,
    Urgency.DAYS_7: 3,
    Urgency.DAYS_14: 4,
    Urgency.LATER: 5,
}


def urgency_of(days_left: int) -> str:
    """The urgency of a deadline `days_left` days away (negative: past): overdue, <= 3, <= 7, <= 14, later."""
    if days_left < 0:
        return Urgency.OVERDUE
    if days_left <= 3:
        return Urgency.DAYS_3
    if days_left <= 7:
        return Urgency.DAYS_7
    if days_left <= 14:
        return Urgency.DAYS_14
    return Urgency.LATER


@dataclass(frozen=True)
class AgendaItem:
    """One thing to do, with the one link to where it is done. Never identifying: a case is named by its
    pseudonymous number only."""

    kind: str
    title: str
    url: str
    urgency: str = Urgency.ATTENTION
    due_on: datetime.date | None = None
    days_left: int | None = None
    # What waits for an answer: since when, and for how many days.
    since: datetime.date | None = None
    age_days: int | None = None
    case_id: int | None = None
    case_number: str = ""
    detail: str = ""
    count: int | None = None

    @property
    def urgency_label(self) -> str:
        return str(Urgency(self.urgency).label)

    @property
    def overdue_days(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0

    @property
    def sort_key(self) -> tuple:
        due = self.due_on or datetime.date.max
        since = self.since or datetime.date.max
        return (_RANK[self.urgency], due, since, self.kind, self.case_number, self.title)


def due_item(
    *, kind: str, title: str, url: str, due_on: datetime.date, today: datetime.date, **extra
) -> AgendaItem:
    """An item with a deadline: its days left and urgency counted from `today`."""
    days_left = (due_on - today).days
    return AgendaItem(
        kind=kind,
        title=title,
        url=url,
        due_on=due_on,
        days_left=days_left,
        urgency=urgency_of(days_left),
        **extra,
    )


def waiting_item(
    *, kind: str, title: str, url: str, since: datetime.date, today: datetime.date, **extra
) -> AgendaItem:
    """An item that waits for an answer and has no deadline: how long it has waited."""
    extra.setdefault("urgency", Urgency.ATTENTION)
    return AgendaItem(kind=kind, title=title, url=url, since=since, age_days=(today - since).days, **extra)


@dataclass(frozen=True)
class AgendaScope:
    """What a source is asked for: the items due by `today + horizon` (None: whatever the date) of the user's
    own work, or, with `case`, everything of that one case (which the caller got through a selector)."""

    today: datetime.date
    horizon: int | None = HORIZON_DAYS
    case: object | None = None

    @property
    def until(self) -> datetime.date | None:
        return None if self.horizon is None else self.today + datetime.timedelta(days=self.horizon)


def _collect(*, user, scope: AgendaScope) -> list[AgendaItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    items: list[AgendaItem] = []
    for dotted in settings.AGENDA_SOURCES:
        items.extend(import_string(dotted)(user=user, scope=scope))
    return sorted(items, key=lambda item: item.sort_key)


def agenda_for_user(
    *, user, today: datetime.date | None = None, horizon: int = HORIZON_DAYS
) -> list[AgendaItem]:
    """Return the user's work for the organisation they act for: every overdue item and what is due within
    `horizon` days, what waits for their answer, most urgent first."""
    return _collect(user=user, scope=AgendaScope(today=today or timezone.localdate(), horizon=horizon))


def case_alerts_for_user(*, user, case, today: datetime.date | None = None) -> list[AgendaItem]:
    """Return what needs attention on one case the user may see (the alert strip), most urgent first: the
    same selectors as the agenda, narrowed to the case and without a horizon."""
    return _collect(
        user=user, scope=AgendaScope(today=today or timezone.localdate(), horizon=None, case=case)
    )


# --- The organisation admin's items -------------------------------------------------------------------------


def admin_items(*, user, scope: AgendaScope) -> list[AgendaItem]:
    """Members of the admin's organisation who have not accepted their invitation (never logged in, no
    password chosen), and members whose role needs two-factor authentication but who have not set it up."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from cmm.selectors import member_list_for_user
    from cmm.two_factor.selectors import role_needs_two_factor

    if scope.case is not None:
        return []
    members = (
        member_list_for_user(user=user)
        .filter(is_active=True, user__is_active=True)
        .annotate(has_device=Exists(TOTPDevice.objects.filter(user=OuterRef("user"), confirmed=True)))
    )
    items = []
    for member in members:
        name = member.user.get_full_name() or member.user.username
        url = reverse("member-change", args=[member.pk])
        invited = member.user.last_login is None and not member.user.has_usable_password()
        if invited:
            items.append(
                waiting_item(
                    kind="invitation_pending",
                    title=gettext("Invitation not yet accepted: %(name)s") % {"name": name},
                    url=url,
                    since=timezone.localdate(member.created_at),
                    today=scope.today,
                )
            )
        elif not member.has_device and role_needs_two_factor(member.role):
            items.append(
                AgendaItem(
                    kind="two_factor_missing",
                    title=gettext("No two-factor authentication set up: %(name)s") % {"name": name},
                    url=url,
                )
            )
    return items
