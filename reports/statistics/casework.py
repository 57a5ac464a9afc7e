"""Statistics of casework (DESIGN.md §3, tables 6-10): shelters, identification, reflection periods,
prepared returns and unaccompanied minors.

Every number is counted in the database (grouped aggregates); Python only arranges the handful of aggregated
rows into a `Table`. Cases deleted as registered by mistake count nowhere. The scope is the case's
organisation, except for shelters (see `shelters_table`). All the events counted here are recorded as
calendar dates, so an event belongs to the period when its date lies in [period.start, period.end].
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import models
from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from cases.choices import _AGE_BAND_LIMITS, AgeBand, ExploitationType, Gender, ResidenceStatus
from cases.models import ShelterStay
from identification.choices import Authority, Outcome
from identification.models import Decision, Presentation
from referrals.choices import ReturnChannel, ReturnStatus
from referrals.models import ReturnPlan
from reflection.choices import PeriodKind, PeriodOutcome
from reflection.models import ReflectionPeriod
from reports.periods import Period, Scope
from reports.tables import Row, Table

ONE_DAY = datetime.timedelta(days=1)

# A prepared return is carried out once the person has left; later steps are only the follow-up.
DEPARTED_STATUSES = [ReturnStatus.DEPARTED, ReturnStatus.FOLLOW_UP, ReturnStatus.COMPLETED]


def _cases_in_scope(*, scope: Scope, prefix: str) -> Q:
    """Return the filter for rows whose case is not deleted and belongs to the scope's organisation."""
    q = Q(**{f"{prefix}deleted_at__isnull": True})
    if not scope.is_national:
        q &= Q(**{f"{prefix}organisation_id": scope.organisation_id})
    return q


def _date(value: datetime.date) -> Value:
    return Value(value, output_field=models.DateField())


def age_band_expression(field: str) -> models.Case:
    """Return the CTDC age band of an age column as a database expression (the rule of cases.choices)."""
    # The limits are cases.choices' own, so the bands in the database and in Python cannot drift apart.
    whens = [models.When(**{f"{field}__isnull": True}, then=Value(AgeBand.UNKNOWN.value))]
    whens += [
        models.When(**{f"{field}__lte": upper}, then=Value(band.value)) for upper, band in _AGE_BAND_LIMITS
    ]
    return models.Case(*whens, default=Value(AgeBand.A48_PLUS.value), output_field=models.CharField())


# --- 6. Shelters --------------------------------------------------------------------------------------


def stay_nights_in_period(*, period: Period) -> models.Expression:
    """Return the nights of a stay whose evening falls in the period, as a duration expression.

    The rule of cases.housing.bed_days: the nights are admitted_on .. discharged_on - 1, an open stay runs to
    the period's last evening. Written as [first evening, first morning after) so only date - date is used,
    which SQLite and PostgreSQL both compute. Negative for stays without a night in the period: filter with
    `stay_has_night_in(period=...)`.
    """
    morning_after = _date(period.end + ONE_DAY)
    first_evening = Greatest(F("admitted_on"), _date(period.start))
    last_morning = Least(Coalesce(F("discharged_on"), morning_after), morning_after)
    return models.ExpressionWrapper(last_morning - first_evening, output_field=models.DurationField())


def stay_has_night_in(*, period: Period) -> Q:
    """Return the filter for stays with at least one night (evening) in the period."""
    return Q(admitted_on__lte=period.end) & (
        Q(discharged_on__isnull=True)
        | (Q(discharged_on__gt=period.start) & Q(discharged_on__gt=F("admitted_on")))
    )


def _days(value: datetime.timedelta | None) -> int:
    return value.days if value else 0


def shelters_table(*, period: Period, scope: Scope) -> Table:
    """Count admissions (by admission date), discharges (by discharge date), bed-days (nights whose evening
    is in the period, open stays up to its end) and average bed-days per person with a night in it, per
    shelter.

    An organisation's scope holds the stays of its own cases and the stays in its shelter (a shelter sees
    whom it housed even when another organisation holds the case). Stays without a shelter organisation
    (e.g. a municipal placement) are one row.
    """
    stays = ShelterStay.objects.filter(case__deleted_at__isnull=True)
    if not scope.is_national:
        stays = stays.filter(
            Q(case__organisation_id=scope.organisation_id) | Q(shelter_id=scope.organisation_id)
        )
    night = stay_has_night_in(period=period)
    measures = {
        "admissions": Count("id", filter=Q(admitted_on__range=(period.start, period.end))),
        "discharges": Count("id", filter=Q(discharged_on__range=(period.start, period.end))),
        "bed_days": Sum(stay_nights_in_period(period=period), filter=night),
        "persons": Count("case_id", filter=night, distinct=True),
    }
    relevant = Q(admitted_on__lte=period.end) & (
        Q(discharged_on__isnull=True) | Q(discharged_on__gte=period.start)
    )
    stays = stays.filter(relevant)
    grouped = (
        stays.values("shelter_id", "shelter__name")
        .annotate(**measures)
        .order_by(F("shelter__name").asc(nulls_last=True))
    )
    overall = stays.aggregate(**measures)

    def cells(values: dict) -> dict:
        bed_days = _days(values["bed_days"])
        persons = values["persons"]
        return {
            "admissions": values["admissions"],
            "discharges": values["discharges"],
            "bed_days": bed_days,
            "persons": persons,
            "average_bed_days": round(bed_days / persons, 1) if persons else None,
        }

    rows = [
        Row(
            key=str(values["shelter_id"] or "none"),
            label=values["shelter__name"] or _("Other housing (no shelter organisation)"),
            cells=cells(values),
        )
        for values in grouped
    ]
    return Table(
        key="shelters",
        title=_("Shelters"),
        columns=[
            ("admissions", _("Admissions")),
            ("discharges", _("Discharges")),
            ("bed_days", _("Bed-days")),
            ("persons", _("Persons with a night in the period")),
            ("average_bed_days", _("Average bed-days per person")),
        ],
        rows=rows,
        totals=cells(overall),
        notes=[
            _(
                "Bed-days are nights: a stay from 10 to 12 January is 2 bed-days, and a night belongs to the "
                "date of its evening. A stay still open counts up to the end of the period."
            ),
            _("A person housed in two shelters counts once in the total number of persons."),
        ],
    )


# --- 7. Identification and 10. Minors -----------------------------------------------------------------


def _identification_groups(*, period: Period, scope: Scope, minors_only: bool) -> tuple[list, list, tuple]:
    """Return presentations (by presentation date) and current decisions (by decision date) in the period,
    counted per authority, gender, age band at presentation, nationality and residence status; and both
    counted per form of exploitation recorded on the case."""
    presentations = Presentation.objects.filter(
        _cases_in_scope(scope=scope, prefix="case__"), presented_on__range=(period.start, period.end)
    )
    decisions = Decision.objects.current().filter(
        _cases_in_scope(scope=scope, prefix="presentation__case__"),
        decided_on__range=(period.start, period.end),
    )
    if minors_only:
        presentations = presentations.filter(unaccompanied_minor=True)
        decisions = decisions.filter(presentation__unaccompanied_minor=True)
    presented = (
        presentations.annotate(band=age_band_expression("age_at_presentation"))
        .values("authority", "case__gender", "band", "case__nationality", "residence_status")
        .annotate(presentations=Count("id"))
        .order_by()
    )
    decided = (
        decisions.annotate(band=age_band_expression("presentation__age_at_presentation"))
        .values(
            "authority",
            "presentation__case__gender",
            "band",
            "presentation__case__nationality",
            "presentation__residence_status",
        )
        .annotate(
            decisions=Count("id"),
            identified=Count("id", filter=Q(outcome=Outcome.IDENTIFIED)),
            not_identified=Count("id", filter=Q(outcome=Outcome.NOT_IDENTIFIED)),
        )
        .order_by()
    )
    # A person can have several forms of exploitation: counted apart, so that the other groups stay exact.
    presented_by_type = (
        presentations.values(type=F("case__exploitations__type"))
        .annotate(presentations=Count("id", distinct=True))
        .order_by()
    )
    decided_by_type = (
        decisions.values(type=F("presentation__case__exploitations__type"))
        .annotate(
            decisions=Count("id", distinct=True),
            identified=Count("id", filter=Q(outcome=Outcome.IDENTIFIED), distinct=True),
            not_identified=Count("id", filter=Q(outcome=Outcome.NOT_IDENTIFIED), distinct=True),
        )
        .order_by()
    )
    # Left unevaluated: only the identification table reads them.
    return list(presented), list(decided), (presented_by_type, decided_by_type)


IDENTIFICATION_COLUMNS = ["presentations", "decisions", "identified", "not_identified"]


def _add(target: dict, group: dict) -> None:
    for column in IDENTIFICATION_COLUMNS:
        target[column] += group.get(column, 0)


def _add_to_sections(sums: dict, keys: dict, group: dict) -> None:
    for section in ("authority", "gender", "age", "nationality"):
        _add(sums[f"{section}:{keys[section]}"], group)
    if keys["asylum"]:
        _add(sums["asylum_seekers"], group)


def identification_table(*, period: Period, scope: Scope) -> Table:
    """Count presentations by presentation date and decisions by decision date (the current decision, a
    correction replacing the decision it corrects), identified and not, by deciding authority, gender, age
    band at presentation and nationality; and the asylum seekers (at presentation) among them.

    Each section (authority, gender, age band, nationality) adds up to the totals; the forms of exploitation
    recorded on the case are counted apart (a person with several counts under each).
    """
    presented, decided, by_type = _identification_groups(period=period, scope=scope, minors_only=False)
    # One sum per (section, value): every aggregated group adds to exactly one row of each section.
    sums: dict[str, dict] = defaultdict(lambda: dict.fromkeys(IDENTIFICATION_COLUMNS, 0))
    totals = dict.fromkeys(IDENTIFICATION_COLUMNS, 0)
    for group in presented:
        keys = {
            "authority": group["authority"],
            "gender": group["case__gender"],
            "age": group["band"],
            "nationality": group["case__nationality"],
            "asylum": group["residence_status"] == ResidenceStatus.ASYLUM_SEEKER,
        }
        _add(totals, group)
        _add_to_sections(sums, keys, group)
    for group in decided:
        keys = {
            "authority": group["authority"],
            "gender": group["presentation__case__gender"],
            "age": group["band"],
            "nationality": group["presentation__case__nationality"],
            "asylum": group["presentation__residence_status"] == ResidenceStatus.ASYLUM_SEEKER,
        }
        _add(totals, group)
        _add_to_sections(sums, keys, group)
    for group in [*by_type[0], *by_type[1]]:
        _add(sums[f"exploitation:{group['type'] or ''}"], group)

    def row(key: str, label) -> Row:
        return Row(key=key, label=label, cells=dict(sums[key]))

    rows = [row(f"authority:{value}", label) for value, label in Authority.choices]
    rows.append(row("authority:", _("Authority not yet determined")))
    rows += [row(f"gender:{value}", label) for value, label in Gender.choices]
    rows += [row(f"age:{value}", label) for value, label in AgeBand.choices]
    present_nationalities = sorted(key.split(":", 1)[1] for key in sums if key.startswith("nationality:"))
    rows += [
        row(f"nationality:{code}", countries.name(code) if code else _("Nationality unknown"))
        for code in present_nationalities
    ]
    rows += [row(f"exploitation:{value}", label) for value, label in ExploitationType.choices]
    rows.append(row("exploitation:", _("Form of exploitation not recorded")))
    rows.append(row("asylum_seekers", _("Of which asylum seekers")))
    return Table(
        key="identification",
        title=_("Identification"),
        columns=[
            ("presentations", _("Presentations")),
            ("decisions", _("Decisions")),
            ("identified", _("Identified")),
            ("not_identified", _("Not identified")),
        ],
        rows=rows,
        totals=totals,
        notes=[
            _("Presentations count by presentation date, decisions by decision date."),
            _("Age is the age at presentation; a residence status is the one at presentation."),
            _("Decisions that were withdrawn count as decisions, neither identified nor not identified."),
            _(
                "Forms of exploitation are those recorded on the case; a person with several counts under "
                "each, so these rows can add up to more than the total."
            ),
        ],
    )


def minors_table(*, period: Period, scope: Scope) -> Table:
    """Count unaccompanied minors (as recorded at presentation) presented, by presentation date, and
    identified, by the date of the current decision, per gender and age band."""
    presented, decided, _by_type = _identification_groups(period=period, scope=scope, minors_only=True)
    sums: dict[str, dict] = defaultdict(lambda: {"presented": 0, "identified": 0})
    totals = {"presented": 0, "identified": 0}
    for group in presented:
        for key in (f"gender:{group['case__gender']}", f"age:{group['band']}"):
            sums[key]["presented"] += group["presentations"]
        totals["presented"] += group["presentations"]
    for group in decided:
        for key in (f"gender:{group['presentation__case__gender']}", f"age:{group['band']}"):
            sums[key]["identified"] += group["identified"]
        totals["identified"] += group["identified"]
    rows = [Row(f"gender:{value}", label, dict(sums[f"gender:{value}"])) for value, label in Gender.choices]
    rows += [
        Row(f"age:{value}", label, dict(sums[f"age:{value}"]))
        for value, label in AgeBand.choices
        if value in (AgeBand.A0_8, AgeBand.A9_17, AgeBand.UNKNOWN) or sums.get(f"age:{value}")
    ]
    return Table(
        key="minors",
        title=_("Unaccompanied minors"),
        columns=[("presented", _("Presented")), ("identified", _("Identified"))],
        rows=rows,
        totals=totals,
        notes=[
            _(
                "A minor is unaccompanied as recorded when presented; presentations count by presentation "
                "date, identifications by decision date. Gender and age band rows each add up to the total."
            )
        ],
    )


# --- 8. Reflection periods ----------------------------------------------------------------------------


def reflection_table(*, period: Period, scope: Scope) -> Table:
    """Count reflection periods started (by start date), extended (extensions by decision date), postponed
    (postponements by their first day) and ended (by outcome date), by the period's outcome.

    Periods still running are the row without an outcome.
    """
    in_period = (period.start, period.end)
    rows_qs = (
        ReflectionPeriod.objects.filter(_cases_in_scope(scope=scope, prefix="case__"))
        .values("outcome")
        .annotate(
            started=Count("id", filter=Q(starts_on__range=in_period), distinct=True),
            statutory=Count(
                "id", filter=Q(starts_on__range=in_period, kind=PeriodKind.STATUTORY), distinct=True
            ),
            extended=Count("extensions", filter=Q(extensions__decided_on__range=in_period), distinct=True),
            postponed=Count(
                "postponements", filter=Q(postponements__from_date__range=in_period), distinct=True
            ),
            ended=Count("id", filter=Q(outcome_on__range=in_period), distinct=True),
        )
        .order_by()
    )
    columns = ["started", "statutory", "extended", "postponed", "ended"]
    by_outcome = {values["outcome"]: values for values in rows_qs}
    choices = [("", _("Still running")), *PeriodOutcome.choices]
    rows = [
        Row(
            key=value or "running",
            label=label,
            cells={column: by_outcome.get(value, {}).get(column, 0) for column in columns},
        )
        for value, label in choices
    ]
    totals = {column: sum(row.cells[column] for row in rows) for column in columns}
    return Table(
        key="reflection",
        title=_("Reflection periods"),
        columns=[
            ("started", _("Started")),
            ("statutory", _("Of which statutory")),
            ("extended", _("Extensions")),
            ("postponed", _("Postponements")),
            ("ended", _("Ended")),
        ],
        rows=rows,
        totals=totals,
        notes=[
            _(
                "Periods count by start date, extensions by decision date, postponements by their first day "
                "and ended periods by outcome date; each row is the outcome the period has now."
            )
        ],
    )


# --- 9. Prepared returns ------------------------------------------------------------------------------


def returns_table(*, period: Period, scope: Scope) -> Table:
    """Count prepared returns carried out (the person has departed) by actual departure date, per destination
    country and channel."""
    channels = ReturnChannel.values
    grouped = (
        ReturnPlan.objects.filter(
            _cases_in_scope(scope=scope, prefix="case__"),
            status__in=DEPARTED_STATUSES,
            actual_departure_on__range=(period.start, period.end),
        )
        .values("destination_country")
        .annotate(
            total=Count("id"), **{channel: Count("id", filter=Q(channel=channel)) for channel in channels}
        )
        .order_by("destination_country")
    )
    rows = [
        Row(
            key=str(values["destination_country"]),
            label=countries.name(values["destination_country"]),
            cells={column: values[column] for column in [*channels, "total"]},
        )
        for values in grouped
    ]
    totals = {column: sum(row.cells[column] for row in rows) for column in [*channels, "total"]}
    return Table(
        key="returns",
        title=_("Prepared returns"),
        columns=[*ReturnChannel.choices, ("total", _("Total"))],
        rows=rows,
        totals=totals,
        notes=[_("Returns count by the actual date of departure, once the person has left.")],
    )
