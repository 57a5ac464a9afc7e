"""The outreach worker's day (cmm.agenda): the organisation's next meeting-place day as an agenda item, and
the home page's first panel: the quick contact form's button and the worker's own contacts today."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from cmm.agenda import AgendaItem, AgendaScope, due_item
from cmm.models import Role
from cmm.permissions import active_membership, has_role_permission
from outreach.selectors import contact_list_for_user, meeting_session_list_for_user

# The usual opening days are read from the sessions of the last LOOKBACK_DAYS.
LOOKBACK_DAYS = 56


def _is_outreach_worker(user) -> bool:
    membership = active_membership(user)
    return membership is not None and membership.role == Role.OUTREACH_WORKER


def next_meeting_days(*, user, today: datetime.date) -> list[tuple[str, datetime.date]]:
    """The next opening day of each of the organisation's meeting places, from the weekdays it opened on in
    the last LOOKBACK_DAYS (a day already recorded today is done): [(place, date)], the soonest first."""
    rows = (
        meeting_session_list_for_user(user=user)
        .filter(date__gte=today - datetime.timedelta(days=LOOKBACK_DAYS), date__lte=today)
        .order_by()
        .values_list("place", "date")
        .distinct()
    )
    weekdays: dict[str, set[int]] = {}
    recorded_today: set[str] = set()
    for place, day in rows:
        weekdays.setdefault(place, set()).add(day.weekday())
        if day == today:
            recorded_today.add(place)
    upcoming = []
    for place, days in weekdays.items():
        start = 1 if place in recorded_today else 0
        for offset in range(start, start + 7):
            day = today + datetime.timedelta(days=offset)
            if day.weekday() in days:
                upcoming.append((place, day))
                break
    return sorted(upcoming, key=lambda pair: (pair[1], pair[0]))


def meeting_place_items(*, user, scope: AgendaScope) -> list[AgendaItem]:
    """For an outreach worker: the organisation's next meeting-place day, to be recorded on the day."""
    if scope.case is not None or not _is_outreach_worker(user):
        return []
    if not has_role_permission(user, "outreach.add_meetingplacesession"):
        return []
    return [
        due_item(
            kind="meeting_place_day",
            title=gettext("Meeting-place day: %(place)s") % {"place": place},
            url=reverse("meeting-session-create"),
            due_on=day,
            today=scope.today,
        )
        for place, day in next_meeting_days(user=user, today=scope.today)
        if scope.until is None or day <= scope.until
    ]


def contacts_today_for_user(*, user, today: datetime.date | None = None):
    """The contacts the user logged for their organisation on `today` (local date), the latest first."""
    today = today or timezone.localdate()
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    return (
        contact_list_for_user(user=user)
        .filter(worker=user, occurred_at__gte=start, occurred_at__lt=start + datetime.timedelta(days=1))
        .order_by("-occurred_at", "-id")
    )


PANEL_ROWS = 10


def home_panel(request) -> dict | None:
    """The outreach worker's first panel on the home page: log a contact, and my contacts today."""
    user = request.user
    if not _is_outreach_worker(user) or not has_role_permission(user, "outreach.add_contact"):
        return None
    contacts = list(contacts_today_for_user(user=user)[: PANEL_ROWS + 1])
    return {
        "template": "outreach/_home_panel.html",
        "position": "top",
        "contacts": contacts[:PANEL_ROWS],
        "more": len(contacts) > PANEL_ROWS,
        "contact_list_url": (
            f"{reverse('contact-list')}?date_from={timezone.localdate().isoformat()}&worker={user.pk}"
        ),
    }
