"""The case-level export in the spirit of IOM's Human Trafficking Case Data Standard (CTDC), DESIGN.md §3.

One row per case with broad categories only: no id, no case number, no names, no dates but the year, no
free text. Records whose combination of gender, age band, citizenship and exploitation types is shared by
fewer than k records are dropped (k-anonymity, `settings.EXPORT_K_ANONYMITY`, 5 by default). The rows are
built and the rare combinations dropped in the database, in one query whatever the number of cases. The
columns are documented in docs/case-export.md: change both together.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case as SqlCase
from django.db.models import CharField, Exists, F, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from cases.choices import AgeBand, ControlMeans, ExploitationType, Gender, ResidenceStatus, age_band
from cases.models import Case, CaseControlMeans, CaseExploitation
from cases.services import MAX_AGE
from cmm.models import Organisation
from cmm.routers import reading_reports
from identification.choices import Authority, Finding, Outcome
from identification.models import CourtVerdict, Decision
from reports.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from reports.kanonymity import k_anonymous
from reports.periods import Period, Scope
from reports.selectors.statistics import statistics_scope_for_user
from reports.services.audit import report_audit

# --- The columns (docs/case-export.md) ------------------------------------------------------------------

EXPLOITATION_COLUMNS = {
    ExploitationType.SEXUAL: "isSexualExploit",
    ExploitationType.FORCED_LABOUR: "isForcedLabour",
    ExploitationType.FORCED_CRIME: "isForcedCrime",
    ExploitationType.BEGGING: "isBegging",
    ExploitationType.ORGAN_REMOVAL: "isOrganRemoval",
    ExploitationType.OTHER: "isOtherExploit",
}
CONTROL_COLUMNS = {
    ControlMeans.DEBT_BONDAGE: "meansOfControlDebtBondage",
    ControlMeans.TAKES_EARNINGS: "meansOfControlTakesEarnings",
    ControlMeans.THREATS: "meansOfControlThreats",
    ControlMeans.PHYSICAL_ABUSE: "meansOfControlPhysicalAbuse",
    ControlMeans.SEXUAL_ABUSE: "meansOfControlSexualAbuse",
    ControlMeans.PSYCHOLOGICAL_ABUSE: "meansOfControlPsychologicalAbuse",
    ControlMeans.FALSE_PROMISES: "meansOfControlFalsePromises",
    ControlMeans.RESTRICTS_MOVEMENT: "meansOfControlRestrictsMovement",
    ControlMeans.WITHHOLDS_DOCUMENTS: "meansOfControlWithholdsDocuments",
    ControlMeans.EXCESSIVE_HOURS: "meansOfControlExcessiveWorkingHours",
    ControlMeans.RESTRICTS_MEDICAL_CARE: "meansOfControlRestrictsMedicalCare",
    ControlMeans.THREAT_OF_AUTHORITIES: "meansOfControlThreatOfLawEnforcement",
    ControlMeans.WITHHOLDS_NECESSITIES: "meansOfControlWithholdsNecessities",
    ControlMeans.PSYCHOACTIVE_SUBSTANCES: "meansOfControlPsychoactiveSubstances",
    ControlMeans.THREATS_TO_FAMILY: "meansOfControlThreatsToFamily",
    ControlMeans.OTHER: "meansOfControlOther",
}
COLUMNS = [
    "yearOfRegistration",
    "gender",
    "ageBroad",
    "majorityStatus",
    "citizenship",
    *EXPLOITATION_COLUMNS.values(),
    *CONTROL_COLUMNS.values(),
    "identifiedBy",
    "residenceStatus",
]

UNKNOWN = "Unknown"
GENDER_VALUES = {
    Gender.FEMALE: "Female",
    Gender.MALE: "Male",
    Gender.OTHER: "Other",
    Gender.UNKNOWN: UNKNOWN,
}
RESIDENCE_VALUES = {
    ResidenceStatus.NO_LEGAL_RESIDENCE: "No legal residence",
    ResidenceStatus.ASYLUM_SEEKER: "Asylum seeker",
    ResidenceStatus.REJECTED_ASYLUM_SEEKER: "Rejected asylum seeker",
    ResidenceStatus.EU_CITIZEN: "EU citizen",
    ResidenceStatus.RESIDENCE_PERMIT: "Residence permit",
    ResidenceStatus.DANISH_CITIZEN: "Danish citizen",
    ResidenceStatus.UNKNOWN: UNKNOWN,
}
IDENTIFIED_BY_IMMIGRATION_SERVICE = "Immigration Service"
IDENTIFIED_BY_CMM = "CMM"
IDENTIFIED_BY_COURT = "Court"
NOT_IDENTIFIED = "Not identified"
MINOR_BANDS = (AgeBand.A0_8, AgeBand.A9_17)

# The fields whose combination must be shared by k records (DESIGN.md §3); the exploitation-type
# combination is the six exploitation flags together.
K_KEYS = ("x_gender", "x_age", "x_citizenship", *(f"x_{name}" for name in EXPLOITATION_COLUMNS.values()))

CSV, XLSX = "csv", "xlsx"
FORMATS = {CSV: CSV_CONTENT_TYPE, XLSX: XLSX_CONTENT_TYPE}
BOM = "\ufeff"


class ColumnDoc(NamedTuple):
    name: str
    meaning: str
    values: str


def column_docs() -> list[ColumnDoc]:
    """Each column with what it means and the values it takes, for the export page (docs/case-export.md
    says the same at more length)."""
    flag = _("1 or 0")
    docs = [
        ColumnDoc("yearOfRegistration", _("Year the case was opened"), _("A year, e.g. 2026")),
        ColumnDoc("gender", _("Gender"), "Female, Male, Other, Unknown"),
        ColumnDoc(
            "ageBroad",
            _("Age band (CTDC) at the opening of the case"),
            ", ".join([*(str(band) for band in AgeBand.values if band != AgeBand.UNKNOWN), UNKNOWN]),
        ),
        ColumnDoc("majorityStatus", _("Adult or minor, from the age band"), "Adult, Minor, Unknown"),
        ColumnDoc("citizenship", _("Nationality"), _("ISO 3166 two-letter country code, or Unknown")),
    ]
    for kind, name in EXPLOITATION_COLUMNS.items():
        docs.append(ColumnDoc(name, ExploitationType(kind).label, flag))
    for kind, name in CONTROL_COLUMNS.items():
        docs.append(
            ColumnDoc(name, _("Means of control: %(means)s") % {"means": ControlMeans(kind).label}, flag)
        )
    docs += [
        ColumnDoc(
            "identifiedBy",
            _("Who identified the person as trafficked"),
            ", ".join(
                [IDENTIFIED_BY_IMMIGRATION_SERVICE, IDENTIFIED_BY_CMM, IDENTIFIED_BY_COURT, NOT_IDENTIFIED]
            ),
        ),
        ColumnDoc(
            "residenceStatus", _("Residence status"), ", ".join(dict.fromkeys(RESIDENCE_VALUES.values()))
        ),
    ]
    return docs


# --- Building the rows in the database ----------------------------------------------------------------


def _age_band_expression() -> SqlCase:
    """CTDC's age band of the age when the case was opened, as cases.choices.age_band gives it."""
    upper: dict[str, int] = {}
    for age in range(MAX_AGE + 1):
        upper[age_band(age)] = age  # the bands are contiguous: the last age seen is the band's upper bound
    last_band = age_band(MAX_AGE)
    whens = [When(age_at_opening__isnull=True, then=Value(str(age_band(None))))]
    whens += [
        When(age_at_opening__lte=limit, then=Value(str(band)))
        for band, limit in upper.items()
        if band != last_band
    ]
    return SqlCase(*whens, default=Value(str(last_band)), output_field=CharField())


def _identification_annotations() -> dict:
    """The case's latest current decision (outcome, authority) and its latest court verdict's finding."""
    latest = (
        Decision.objects.current()
        .filter(presentation__case_id=OuterRef("pk"))
        .order_by("-decided_on", "-recorded_at", "-id")
    )
    verdict = (
        CourtVerdict.objects.filter(presentation__case_id=OuterRef("pk"))
        .order_by("-ruled_on", "-recorded_at", "-id")
        .values("finding")[:1]
    )
    return {
        "x_outcome": Subquery(latest.values("outcome")[:1]),
        "x_authority": Subquery(latest.values("authority")[:1]),
        "x_verdict": Subquery(verdict),
    }


def _identified_by(values: dict) -> str:
    """Who identified the person: "Court" if the latest current decision identified them following a court
    verdict that found them trafficked, else that decision's authority; "Not identified" without one."""
    if values["x_outcome"] != Outcome.IDENTIFIED:
        return NOT_IDENTIFIED
    if values["x_verdict"] == Finding.TRAFFICKED:
        return IDENTIFIED_BY_COURT
    if values["x_authority"] == Authority.CMM:
        return IDENTIFIED_BY_CMM
    return IDENTIFIED_BY_IMMIGRATION_SERVICE


def case_export_queryset(*, scope: Scope, period: Period | None = None) -> QuerySet:
    """Return the cases the export covers: the scope's organisation's own cases (all organisations' for a
    national scope), not deleted, opened in `period` if one is given."""
    cases = Case.objects.active()
    if scope.organisation_id is not None:
        cases = cases.filter(organisation_id=scope.organisation_id)
    if period is not None:
        cases = cases.filter(opened_on__gte=period.start, opened_on__lte=period.end)
    return cases


def _rows_queryset(cases: QuerySet) -> QuerySet:
    flags = {
        f"x_{name}": Exists(CaseExploitation.objects.filter(case=OuterRef("pk"), type=kind))
        for kind, name in EXPLOITATION_COLUMNS.items()
    }
    flags |= {
        f"x_{name}": Exists(CaseControlMeans.objects.filter(case=OuterRef("pk"), type=kind))
        for kind, name in CONTROL_COLUMNS.items()
    }
    rows = cases.annotate(
        x_year=ExtractYear("opened_on"),
        x_gender=F("gender"),
        x_age=_age_band_expression(),
        x_citizenship=SqlCase(
            When(nationality="", then=Value(UNKNOWN)), default=F("nationality"), output_field=CharField()
        ),
        x_residence=F("residence_status"),
        **flags,
        **_identification_annotations(),
    )
    identification = ["x_outcome", "x_authority", "x_verdict"]
    names = ["x_year", "x_gender", "x_age", "x_citizenship", *flags, *identification, "x_residence"]
    # Rows come in the order of their values, never of registration, so the order tells nothing either.
    return rows.values(*names).order_by(*names, "pk")


def _as_row(values: dict) -> dict:
    band = values["x_age"]
    # Derived from the age band alone, so that it tells nothing the k-anonymous key does not.
    majority = UNKNOWN if band == AgeBand.UNKNOWN else "Minor" if band in MINOR_BANDS else "Adult"
    row = {
        "yearOfRegistration": values["x_year"],
        "gender": GENDER_VALUES.get(values["x_gender"], UNKNOWN),
        "ageBroad": UNKNOWN if band == AgeBand.UNKNOWN else band,
        "majorityStatus": majority,
        "citizenship": values["x_citizenship"],
    }
    for name in (*EXPLOITATION_COLUMNS.values(), *CONTROL_COLUMNS.values()):
        row[name] = int(bool(values[f"x_{name}"]))
    row["identifiedBy"] = _identified_by(values)
    row["residenceStatus"] = RESIDENCE_VALUES.get(values["x_residence"], UNKNOWN)
    return row


def export_k() -> int:
    """The k of the k-anonymity rule, read from the settings at call time."""
    return int(getattr(settings, "EXPORT_K_ANONYMITY", 5))


def case_export_rows(*, scope: Scope, k: int | None = None, period: Period | None = None) -> list[dict]:
    """Return the export rows (column name -> value, in COLUMNS order) of the scope's cases, without every
    record whose gender, age band, citizenship and exploitation types fewer than k records share."""
    k = export_k() if k is None else k
    rows = _rows_queryset(case_export_queryset(scope=scope, period=period))
    return [_as_row(values) for values in k_anonymous(rows, k=k, keys=K_KEYS)]


# --- Writing the file ---------------------------------------------------------------------------------


def _csv_bytes(rows: list[dict]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return (BOM + out.getvalue()).encode("utf-8")


def _xlsx_bytes(rows: list[dict]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("cases")
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append([row[column] for column in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


WRITERS: dict[str, Callable[[list[dict]], bytes]] = {CSV: _csv_bytes, XLSX: _xlsx_bytes}


class CaseExport(NamedTuple):
    content: bytes
    filename: str
    content_type: str


def _filename(*, scope: Scope, period: Period | None, fmt: str, today: datetime.date) -> str:
    if scope.organisation_id is None:
        who = "all"
    else:
        who = (
            Organisation.objects.filter(pk=scope.organisation_id).values_list("case_prefix", flat=True).get()
        )
        who = who.lower()
    when = f"{period.start:%Y%m%d}-{period.end:%Y%m%d}" if period is not None else "all-years"
    return f"cmm-case-export-{who}-{when}-{today:%Y%m%d}.{fmt}"


def case_export(*, user, organisation_id: int | None, fmt: str, period: Period | None = None) -> CaseExport:
    """Write the k-anonymous case-level export of the scope `user` may see (statistics_scope_for_user:
    PermissionDenied without the statistics permission, Http404 for an organisation not theirs) as CSV
    (UTF-8 with BOM) or XLSX, and record the export in the audit log."""
    if fmt not in WRITERS:
        raise ValidationError({"format": _("Choose CSV or XLSX.")})
    scope = statistics_scope_for_user(user=user, organisation_id=organisation_id)
    k = export_k()
    # Counting only, after the scope check: the reads may go to the reports replica (cmm.routers).
    with reading_reports():
        total = case_export_queryset(scope=scope, period=period).count()
        rows = case_export_rows(scope=scope, k=k, period=period)
    content = WRITERS[fmt](rows)
    with transaction.atomic():
        report_audit(
            user=user,
            target_label="case-level export",
            detail={
                "format": fmt,
                "organisation": scope.organisation_id,
                "period": [period.start.isoformat(), period.end.isoformat()] if period else None,
                "records": len(rows),
                "dropped": total - len(rows),
                "k": k,
            },
        )
    filename = _filename(scope=scope, period=period, fmt=fmt, today=timezone.localdate())
    return CaseExport(content=content, filename=filename, content_type=FORMATS[fmt])
