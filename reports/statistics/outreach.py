"""Statistics tables 1-5 of DESIGN.md §3: outreach contacts, new persons, the meeting place and its health
clinic, police raids and hotline calls.

Every table is aggregated in the database; Python only folds the handful of aggregated rows into a `Table`.
Contacts linked to a deleted case are left out everywhere.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncQuarter
from django.utils.translation import gettext_lazy as _

from outreach.choices import CallerCategory, CallPurpose, PoliceDistrict, Venue
from outreach.models import ClinicConsultation, Contact, HotlineCall, MeetingPlaceSession, PoliceRaid
from reports.periods import Period, Scope
from reports.tables import Row, Table

# Who a contact is: a case, else an anonymous client code, else nobody known (an estimate by group size).
IS_CASE = Q(case__isnull=False)
IS_CODE = Q(case__isnull=True) & ~Q(client_code="")
IS_ANONYMOUS = Q(case__isnull=True, client_code="")

IDENTITY_ROWS = [
    ("case", _("Persons with a case")),
    ("client_code", _("Persons known by a client code")),
    ("anonymous", _("Anonymous persons (estimate)")),
]
ANONYMOUS_NOTE = _(
    "A contact with neither a case nor a client code counts as the number of people met together; the "
    "same person met twice is then counted twice, so the anonymous figure is an estimate."
)


def _scoped(queryset: QuerySet, scope: Scope) -> QuerySet:
    if scope.is_national:
        return queryset
    return queryset.filter(organisation_id=scope.organisation_id)


def _contacts(*, period: Period, scope: Scope) -> QuerySet:
    """The contacts of the period (by local date) in scope, without those of deleted cases."""
    contacts = Contact.objects.filter(
        Q(case__isnull=True) | Q(case__deleted_at__isnull=True),
        occurred_at__gte=period.starts_at(),
        occurred_at__lt=period.ends_before(),
    )
    return _scoped(contacts, scope)


def _ratio(numerator: int | None, denominator: int | None, *, scale: int = 1) -> float | None:
    if not denominator:
        return None
    return round(scale * (numerator or 0) / denominator, 1)


# --- 1. Persons met ---------------------------------------------------------------------------------------


def persons_met_table(*, period: Period, scope: Scope) -> Table:
    """Count the persons met in the period and, of those, the persons with indicators of trafficking.

    A person is a case (counted once however often met), else a client code (counted once), else one
    anonymous contact counted as its group size. A person has indicators when any of their contacts in the
    period recorded one.
    """
    with_indicators = Q(has_indicators=True)
    totals = _contacts(period=period, scope=scope).aggregate(
        case_met=Count("case", distinct=True, filter=IS_CASE),
        case_ind=Count("case", distinct=True, filter=IS_CASE & with_indicators),
        client_code_met=Count("client_code", distinct=True, filter=IS_CODE),
        client_code_ind=Count("client_code", distinct=True, filter=IS_CODE & with_indicators),
        anonymous_met=Sum("group_size", filter=IS_ANONYMOUS),
        anonymous_ind=Sum("group_size", filter=IS_ANONYMOUS & with_indicators),
    )
    rows = [
        Row(
            key=key,
            label=label,
            cells={
                "persons_met": totals[f"{key}_met"] or 0,
                "with_indicators": totals[f"{key}_ind"] or 0,
            },
        )
        for key, label in IDENTITY_ROWS
    ]
    return Table(
        key="persons_met",
        title=_("Persons met and persons with indicators of trafficking"),
        columns=[("persons_met", _("Persons met")), ("with_indicators", _("Of whom with indicators"))],
        rows=rows,
        totals={
            column: sum(row.cells[column] for row in rows) for column in ("persons_met", "with_indicators")
        },
        notes=[ANONYMOUS_NOTE],
    )


# --- 2. New persons ---------------------------------------------------------------------------------------

NEW_VENUE_ROWS = [
    (Venue.STREET.value, Venue.STREET.label),
    (Venue.MASSAGE_CLINIC.value, Venue.MASSAGE_CLINIC.label),
    ("other", _("Other venues")),
]


def new_persons_table(*, period: Period, scope: Scope) -> Table:
    """Count the persons new to the organisation in the period, by the venue of their first contact.

    A case or client code is new when the organisation's first recorded contact with it (ever) falls in the
    period; an anonymous contact without a code is new when the worker ticked "first time met" (counted as
    its group size). For all organisations, a person new to two organisations counts for each.
    """
    # "First" is an anti-join: no contact of the same organisation with the same case (or, without a case,
    # the same client code) before it in (occurred_at, id) order. The outer `occurred_at <=` lets the
    # (case, occurred_at) and (organisation, client_code, occurred_at) indexes bound the search; a correlated
    # "first pk" subquery per contact (ORDER BY ... LIMIT 1) took twice as long at national scale.
    earlier = Contact.objects.filter(
        Q(occurred_at__lt=OuterRef("occurred_at")) | Q(pk__lt=OuterRef("pk")),
        organisation=OuterRef("organisation"),
        occurred_at__lte=OuterRef("occurred_at"),
    )
    before_of_case = earlier.filter(case=OuterRef("case"))
    before_of_code = earlier.filter(case__isnull=True, client_code=OuterRef("client_code"))
    by_venue = (
        _contacts(period=period, scope=scope)
        .filter(
            (IS_CASE & ~Exists(before_of_case))
            | (IS_CODE & ~Exists(before_of_code))
            | (IS_ANONYMOUS & Q(first_time_met=True))
        )
        .values("venue")
        .annotate(
            new_case=Count("pk", filter=IS_CASE),
            new_client_code=Count("pk", filter=IS_CODE),
            new_anonymous=Sum("group_size", filter=IS_ANONYMOUS & Q(first_time_met=True)),
        )
        .order_by()
    )
    columns = [key for key, _label in IDENTITY_ROWS]
    cells = {key: dict.fromkeys([*columns, "total"], 0) for key, _label in NEW_VENUE_ROWS}
    for aggregated in by_venue:
        row_key = aggregated["venue"] if aggregated["venue"] in cells else "other"
        for column in columns:
            cells[row_key][column] += aggregated[f"new_{column}"] or 0
            cells[row_key]["total"] += aggregated[f"new_{column}"] or 0
    rows = [Row(key=key, label=label, cells=cells[key]) for key, label in NEW_VENUE_ROWS]
    return Table(
        key="new_persons",
        title=_("New persons met on the street and at massage clinics"),
        columns=[
            ("case", _("With a case")),
            ("client_code", _("With a client code")),
            ("anonymous", _("Anonymous (estimate)")),
            ("total", _("Total")),
        ],
        rows=rows,
        totals={column: sum(row.cells[column] for row in rows) for column in [*columns, "total"]},
        notes=[
            _(
                "A person is new when the organisation's first recorded contact with them falls in the "
                "period, and is counted at the venue of that first contact."
            ),
            _("An anonymous contact without a client code is new when the worker ticked “first time met”."),
            ANONYMOUS_NOTE,
        ],
    )


# --- 3. Meeting place and health clinic -------------------------------------------------------------------


def _place_label(aggregated: dict, scope: Scope, field: str) -> str:
    if scope.is_national:
        return f"{aggregated[field]} ({aggregated['organisation__name']})"
    return aggregated[field]


def meeting_place_table(*, period: Period, scope: Scope) -> Table:
    """Count the meeting-place visits per place: visits are the visitors summed over the opening days.

    The share of returning visitors is returning visits / visits (in per cent); the averages are visits per
    opening day and visits on health-clinic days per health-clinic day.
    """
    sessions = _scoped(
        MeetingPlaceSession.objects.filter(date__gte=period.start, date__lte=period.end), scope
    )
    clinic_open = Q(health_clinic_open=True)
    by_place = (
        sessions.values("organisation", "organisation__name", "place")
        .annotate(
            opening_days=Count("pk"),
            visits=Sum("visitors"),
            returning=Sum("returning_visitors"),
            clinic_days=Count("pk", filter=clinic_open),
            clinic_visits=Sum("visitors", filter=clinic_open),
        )
        .order_by("organisation__name", "place")
    )
    counted = ("opening_days", "visits", "returning", "clinic_days", "clinic_visits")
    totals = dict.fromkeys(counted, 0)
    rows = []
    for aggregated in by_place:
        values = {key: aggregated[key] or 0 for key in counted}
        for key in counted:
            totals[key] += values[key]
        rows.append(
            Row(
                key=f"{aggregated['organisation']}:{aggregated['place']}",
                label=_place_label(aggregated, scope, "place"),
                cells=_meeting_cells(values),
            )
        )
    return Table(
        key="meeting_place",
        title=_("Meeting place: visits and returning visitors"),
        columns=[
            ("opening_days", _("Opening days")),
            ("visits", _("Visits")),
            ("returning_visits", _("Returning visits")),
            ("returning_share", _("Share returning (%)")),
            ("visits_per_day", _("Average visitors per opening day")),
            ("clinic_days", _("Health-clinic days")),
            ("clinic_visits", _("Visits on health-clinic days")),
            ("visits_per_clinic_day", _("Average visitors per health-clinic day")),
        ],
        rows=rows,
        totals=_meeting_cells(totals),
        notes=[
            _(
                "Visits are the visitors of each opening day added up: a person who comes on three days "
                "counts as three visits."
            )
        ],
    )


def _meeting_cells(values: dict) -> dict:
    return {
        "opening_days": values["opening_days"],
        "visits": values["visits"],
        "returning_visits": values["returning"],
        "returning_share": _ratio(values["returning"], values["visits"], scale=100),
        "visits_per_day": _ratio(values["visits"], values["opening_days"]),
        "clinic_days": values["clinic_days"],
        "clinic_visits": values["clinic_visits"],
        "visits_per_clinic_day": _ratio(values["clinic_visits"], values["clinic_days"]),
    }


def clinic_consultations_table(*, period: Period, scope: Scope) -> Table:
    """Count the health-clinic consultations per clinic (the daily counts of the period added up)."""
    records = _scoped(ClinicConsultation.objects.filter(date__gte=period.start, date__lte=period.end), scope)
    by_clinic = (
        records.values("organisation", "organisation__name", "clinic")
        .annotate(days=Count("pk"), consultations=Sum("consultations"))
        .order_by("organisation__name", "clinic")
    )
    rows = [
        Row(
            key=f"{aggregated['organisation']}:{aggregated['clinic']}",
            label=_place_label(aggregated, scope, "clinic"),
            cells={"days": aggregated["days"], "consultations": aggregated["consultations"] or 0},
        )
        for aggregated in by_clinic
    ]
    return Table(
        key="clinic_consultations",
        title=_("Health-clinic consultations per clinic"),
        columns=[("days", _("Days recorded")), ("consultations", _("Consultations"))],
        rows=rows,
        totals={column: sum(row.cells[column] for row in rows) for column in ("days", "consultations")},
    )


# --- 4. Police raids --------------------------------------------------------------------------------------


def police_raids_table(*, period: Period, scope: Scope) -> Table:
    """Count the police raids attended in the period by police district, with the persons met there.

    A raid belongs to the organisation that recorded it; with all organisations each raid counts once.
    """
    raids = _scoped(PoliceRaid.objects.filter(date__gte=period.start, date__lte=period.end), scope)
    by_district = {
        aggregated["police_district"]: aggregated
        for aggregated in raids.values("police_district")
        .annotate(
            raids=Count("pk"),
            persons_met=Sum("persons_met"),
            with_indicators=Sum("persons_with_indicators"),
        )
        .order_by()
    }
    columns = ("raids", "persons_met", "with_indicators")
    rows = [
        Row(
            key=district.value,
            label=district.label,
            cells={column: by_district.get(district.value, {}).get(column) or 0 for column in columns},
        )
        for district in PoliceDistrict
    ]
    return Table(
        key="police_raids",
        title=_("Police raids attended, by police district"),
        columns=[
            ("raids", _("Raids")),
            ("persons_met", _("Persons met")),
            ("with_indicators", _("Of whom with indicators")),
        ],
        rows=rows,
        totals={column: sum(row.cells[column] for row in rows) for column in columns},
        notes=[_("A raid counts for the organisation that recorded it.")],
    )


# --- 5. Hotline calls -------------------------------------------------------------------------------------


def _calls(*, period: Period, scope: Scope) -> QuerySet:
    """The hotline calls of the period (by local date of the call) in scope, wrong numbers left out."""
    calls = HotlineCall.objects.filter(
        wrong_number=False, received_at__gte=period.starts_at(), received_at__lt=period.ends_before()
    )
    return _scoped(calls, scope)


WRONG_NUMBER_NOTE = _("Wrong numbers are left out.")


def hotline_calls_table(*, period: Period, scope: Scope) -> Table:
    """Count the hotline calls of the period by caller category (rows) and purpose (columns).

    A call belongs to the period by the local date of its time; wrong numbers are not counted.
    """
    counts = {
        (aggregated["caller_category"], aggregated["purpose"]): aggregated["calls"]
        for aggregated in _calls(period=period, scope=scope)
        .values("caller_category", "purpose")
        .annotate(calls=Count("pk"))
        .order_by()
    }
    rows = []
    for category in CallerCategory:
        cells = {purpose.value: counts.get((category.value, purpose.value), 0) for purpose in CallPurpose}
        cells["total"] = sum(cells.values())
        rows.append(Row(key=category.value, label=category.label, cells=cells))
    column_keys = [*CallPurpose.values, "total"]
    return Table(
        key="hotline_calls",
        title=_("Hotline calls by caller and purpose"),
        columns=[*CallPurpose.choices, ("total", _("Total"))],
        rows=rows,
        totals={column: sum(row.cells[column] for row in rows) for column in column_keys},
        notes=[WRONG_NUMBER_NOTE],
    )


def _quarters(period: Period) -> list[tuple[int, int]]:
    first = (period.start.year, (period.start.month - 1) // 3 + 1)
    last = (period.end.year, (period.end.month - 1) // 3 + 1)
    quarters = [first]
    while quarters[-1] != last:
        year, quarter = quarters[-1]
        quarters.append((year + 1, 1) if quarter == 4 else (year, quarter + 1))
    return quarters


def hotline_calls_by_quarter_table(*, period: Period, scope: Scope) -> Table:
    """Count the hotline calls by quarter (rows) and caller category (columns), wrong numbers left out.

    A call belongs to the quarter of its local date; a quarter the period only partly covers counts only the
    days inside the period. Meant for periods that span several quarters.
    """
    local = ZoneInfo(settings.TIME_ZONE)
    counts: dict[tuple[int, int], dict[str, int]] = {}
    for aggregated in (
        _calls(period=period, scope=scope)
        .annotate(quarter=TruncQuarter("received_at", tzinfo=local))
        .values("quarter", "caller_category")
        .annotate(calls=Count("pk"))
        .order_by()
    ):
        start: datetime.datetime = aggregated["quarter"]
        local_start = start.astimezone(local) if start.tzinfo else start
        key = (local_start.year, (local_start.month - 1) // 3 + 1)
        counts.setdefault(key, {})[aggregated["caller_category"]] = aggregated["calls"]
    rows = []
    for year, quarter in _quarters(period):
        cells = {
            category: counts.get((year, quarter), {}).get(category, 0) for category in CallerCategory.values
        }
        cells["total"] = sum(cells.values())
        rows.append(Row(key=f"{year}-Q{quarter}", label=f"{year} Q{quarter}", cells=cells))
    column_keys = [*CallerCategory.values, "total"]
    return Table(
        key="hotline_calls_by_quarter",
        title=_("Hotline calls by quarter and caller"),
        columns=[*CallerCategory.choices, ("total", _("Total"))],
        rows=rows,
        totals={column: sum(row.cells[column] for row in rows) for column in column_keys},
        notes=[WRONG_NUMBER_NOTE],
    )
