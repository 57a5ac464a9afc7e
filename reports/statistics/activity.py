"""The figures of the organisation activity report: what one organisation delivered under its contract with
CMM in a period (issue 9, report 3).

Where a statistics table of DESIGN.md §3 already counts something for one organisation (persons met, new
persons, shelter bed-days, presentations, reflection periods, returns) the report prints that very table for
`Scope(organisation_id)`, so the activity report and the quarterly statistics can never disagree. The tables
here count what §3 has no table for: outreach contacts by venue and by month, the organisation's cases
(open at the start, opened, closed, open at the end) by gender, and the services delivered by type. All of
them are aggregated in the database; Python only arranges the aggregated rows.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cases.choices import Gender, ServiceMode, ServiceType
from cases.models import Case, CaseService
from outreach.choices import Venue
from reports.periods import Period, Scope
from reports.statistics.casework import (
    identification_table,
    reflection_table,
    returns_table,
    shelters_table,
)
from reports.statistics.outreach import _contacts, new_persons_table, persons_met_table
from reports.tables import Row, Table

CONTACT_COLUMNS = [
    ("contacts", _("Contacts")),
    ("with_indicators", _("Of which with indicators")),
]


def _contact_measures() -> dict:
    return {
        "contacts": Count("pk"),
        "with_indicators": Count("pk", filter=Q(has_indicators=True)),
    }


def _rows_by_choice(queryset, field: str, choices, measures: dict) -> tuple[list[Row], dict]:
    """Count `measures` per value of `field` (one row per choice, in the choices' order, 0 where nothing was
    counted) and over the whole queryset: two aggregate queries."""
    grouped = {row[field]: row for row in queryset.values(field).annotate(**measures).order_by()}
    totals = queryset.aggregate(**measures)
    rows = [
        Row(
            key=choice.value,
            label=choice.label,
            cells={key: grouped.get(choice.value, {}).get(key, 0) for key in measures},
        )
        for choice in choices
    ]
    return rows, {key: totals[key] for key in measures}


def contacts_by_venue_table(*, period: Period, scope: Scope) -> Table:
    """Count the outreach contacts of the period (by local date) per venue, and those where indicators of
    trafficking were seen. A contact is one meeting, however many people were met at it."""
    contacts = _contacts(period=period, scope=scope)
    rows, totals = _rows_by_choice(contacts, "venue", Venue, _contact_measures())
    return Table(
        key="contacts_by_venue",
        title=_("Outreach contacts by venue"),
        columns=list(CONTACT_COLUMNS),
        rows=rows,
        totals=totals,
        notes=[
            _(
                "A contact is one meeting recorded by a worker, however many people were met at it; the "
                "persons met are counted in the table of persons met."
            )
        ],
    )


def _months(period: Period) -> list[datetime.date]:
    first = period.start.replace(day=1)
    months = [first]
    while True:
        following = (months[-1] + datetime.timedelta(days=32)).replace(day=1)
        if following > period.end:
            return months
        months.append(following)


def contacts_by_month_table(*, period: Period, scope: Scope) -> Table:
    """Count the outreach contacts of the period per calendar month of their local date (a month the period
    only partly covers counts only its days inside the period)."""
    local = ZoneInfo(settings.TIME_ZONE)
    contacts = _contacts(period=period, scope=scope)
    counted: dict[tuple[int, int], dict] = {}
    for aggregated in (
        contacts.annotate(month=TruncMonth("occurred_at", tzinfo=local))
        .values("month")
        .annotate(**_contact_measures())
        .order_by()
    ):
        month = aggregated["month"]
        month = month.astimezone(local) if isinstance(month, datetime.datetime) and month.tzinfo else month
        counted[month.year, month.month] = aggregated
    keys = [key for key, _label in CONTACT_COLUMNS]
    rows = [
        Row(
            key=f"{month.year}-{month.month:02}",
            label=date_format(month, "YEAR_MONTH_FORMAT"),
            cells={key: counted.get((month.year, month.month), {}).get(key, 0) for key in keys},
        )
        for month in _months(period)
    ]
    return Table(
        key="contacts_by_month",
        title=_("Outreach contacts by month"),
        columns=list(CONTACT_COLUMNS),
        rows=rows,
        totals={key: sum(row.cells[key] for row in rows) for key in keys},
        notes=[_("A contact belongs to the month of its local date (Europe/Copenhagen).")],
    )


def cases_table(*, period: Period, scope: Scope) -> Table:
    """Count the organisation's cases open at the start of the period, opened and closed in it, and open at
    its end, per gender (cases deleted as registered by mistake count nowhere).

    A case is open at the start when it was opened before the first day and not closed before it, and open at
    the end when it was opened by the last day and not closed by it; so open at the start + opened - closed =
    open at the end.
    """
    start, end = period.start, period.end
    cases = Case.objects.filter(deleted_at__isnull=True)
    if not scope.is_national:
        cases = cases.filter(organisation_id=scope.organisation_id)
    measures = {
        "open_at_start": Count(
            "pk", filter=Q(opened_on__lt=start) & (Q(closed_on__isnull=True) | Q(closed_on__gte=start))
        ),
        "opened": Count("pk", filter=Q(opened_on__range=(start, end))),
        "closed": Count("pk", filter=Q(closed_on__range=(start, end))),
        "open_at_end": Count(
            "pk", filter=Q(opened_on__lte=end) & (Q(closed_on__isnull=True) | Q(closed_on__gt=end))
        ),
    }
    relevant = cases.filter(Q(opened_on__lte=end) & (Q(closed_on__isnull=True) | Q(closed_on__gte=start)))
    rows, totals = _rows_by_choice(relevant, "gender", Gender, measures)
    return Table(
        key="cases",
        title=_("Cases by gender"),
        columns=[
            ("open_at_start", _("Open at the start")),
            ("opened", _("Opened")),
            ("closed", _("Closed")),
            ("open_at_end", _("Open at the end")),
        ],
        rows=rows,
        totals=totals,
        notes=[
            _(
                "Cases of the organisation as they are now. Open at the start plus opened minus closed is "
                "open at the end."
            )
        ],
    )


def services_table(*, period: Period, scope: Scope) -> Table:
    """Count the services recorded on the organisation's cases with a date in the period, per type of service
    and how it was given (offered, referred, accompanied, received)."""
    services = CaseService.objects.filter(
        case__deleted_at__isnull=True, provided_on__range=(period.start, period.end)
    )
    if not scope.is_national:
        services = services.filter(case__organisation_id=scope.organisation_id)
    measures = {mode.value: Count("pk", filter=Q(mode=mode.value)) for mode in ServiceMode}
    rows, totals = _rows_by_choice(services, "service_type", ServiceType, measures)
    return Table(
        key="services",
        title=_("Services delivered by type"),
        columns=list(ServiceMode.choices),
        rows=rows,
        totals=totals,
        notes=[_("Services count by the date recorded on the case.")],
    )


def activity_compute(*, period: Period, organisation_id: int) -> list[Table]:
    """Compute the tables of the organisation activity report for one organisation and a period, in the
    printed order: outreach, persons, cases, services, shelters, identification, reflection, returns."""
    scope = Scope(organisation_id=organisation_id)
    builders = [
        contacts_by_venue_table,
        contacts_by_month_table,
        persons_met_table,
        new_persons_table,
        cases_table,
        services_table,
        shelters_table,
        identification_table,
        reflection_table,
        returns_table,
    ]
    return [build(period=period, scope=scope) for build in builders]
