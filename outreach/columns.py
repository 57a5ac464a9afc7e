"""The column format of outreach activity files: one specification per record kind.

The import (outreach.imports) reads these columns and the CSV export (outreach.exports) writes them, minus the
free-text notes, so that an export can be imported again. docs/import-format.md describes the same format for
people; change both together.

Each column turns a cell into the value the service takes (`parse`) and a stored value back into text
(`format`). A cell may come from a CSV file (text) or from an Excel sheet (text, numbers, booleans, dates and
times). Dates and times without an offset are local time in Europe/Copenhagen.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import cached_property
from zoneinfo import ZoneInfo

from django.conf.locale import LANG_INFO
from django.db import models
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from cases.choices import AgeBand, Gender
from cmm.models import Region
from outreach.choices import (
    CallerCategory,
    CallPurpose,
    Indicator,
    OutreachService,
    PoliceDistrict,
    Venue,
)

LOCAL_TZ = ZoneInfo("Europe/Copenhagen")
LIST_SEPARATOR = ";"
# The languages whose labels of coded values a file may use besides the codes themselves.
LABEL_LANGUAGES = ("en", "da")
# Longest cell value an error message may quote, so that a message stays one short line.
QUOTE_LIMIT = 40
# A spreadsheet runs a cell starting with one of these as a formula; the export puts an apostrophe in front.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

TRUE_WORDS = frozenset({"yes", "ja", "true", "sand", "1", "x"})
FALSE_WORDS = frozenset({"no", "nej", "false", "falsk", "0"})

_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DATE_DANISH = re.compile(r"^(\d{1,2})([-.])(\d{1,2})\2(\d{4})$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?$")
_DATETIME = re.compile(
    r"^(?P<date>[\d.-]+)(?:[ T]+|\s*,\s*)(?P<time>[\d:.,]+)\s*(?P<offset>Z|[+-]\d{2}:?\d{2})?$"
)
_WHOLE = re.compile(r"^\d+$")


class CellError(ValueError):
    """A cell that cannot be read as its column's kind of value; the message says why, in the user's words."""


def normalise(value) -> str:
    """Case- and whitespace-insensitive form of a header or a coded value, for matching."""
    return " ".join(str(value).split()).casefold()


def header_key(value) -> str:
    """A header cell as a column name: case-insensitive, spaces and dashes read as underscores."""
    return re.sub(r"[\s-]+", "_", str(value or "").strip()).casefold()


def quote(value) -> str:
    text = " ".join(str(value).split())
    return f"'{text[:QUOTE_LIMIT]}…'" if len(text) > QUOTE_LIMIT else f"'{text}'"


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value) -> str:
    """A cell as text. Excel numbers that are whole come without a trailing '.0'."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    if match := _DATE_ISO.match(text):
        year, month, day = match.groups()
    elif match := _DATE_DANISH.match(text):
        day, _sep, month, year = match.groups()
    else:
        raise CellError(
            gettext("cannot read the date %(value)s; write it as YYYY-MM-DD or DD-MM-YYYY")
            % {"value": quote(value)}
        )
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        raise CellError(
            gettext("%(value)s is not a date in the calendar") % {"value": quote(value)}
        ) from None


def parse_time(value) -> datetime.time:
    if isinstance(value, datetime.datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, datetime.time):
        return value.replace(microsecond=0)
    text = _text(value)
    match = _TIME.match(text)
    hour, minute, second = (int(part or 0) for part in match.groups()) if match else (99, 0, 0)
    if not (hour < 24 and minute < 60 and second < 60):
        raise CellError(
            gettext("cannot read the time %(value)s; write it as HH:MM, like 14:30") % {"value": quote(value)}
        )
    return datetime.time(hour, minute, second)


def _parse_offset(text: str) -> datetime.tzinfo:
    if text == "Z":
        return datetime.UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return datetime.timezone(sign * datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def parse_datetime(value) -> datetime.datetime:
    """A date and a time; without an offset it is local time in Copenhagen. The time is required."""
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, datetime.date):
        raise CellError(gettext("give the time as well as the date, like 2024-03-05 14:30"))
    else:
        match = _DATETIME.match(_text(value))
        if not match:
            raise CellError(
                gettext("cannot read the date and time %(value)s; write it as YYYY-MM-DD HH:MM")
                % {"value": quote(value)}
            )
        date = parse_date(match["date"])
        time = parse_time(match["time"])
        moment = datetime.datetime.combine(date, time)
        if match["offset"]:
            moment = moment.replace(tzinfo=_parse_offset(match["offset"]))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, LOCAL_TZ)
    return moment


def unformula(text: str) -> str:
    """Undo the apostrophe the export puts before a cell a spreadsheet would run as a formula."""
    if text.startswith("'") and text[1:2] and text[1:2] in FORMULA_STARTS:
        return text[1:]
    return text


def guard_formula(text: str) -> str:
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


# --- Columns ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a file: its header name, the service argument it fills, and how its cells read."""

    name: str
    field: str
    description: Promise
    required: bool = False
    # False for free text: an export leaves it out (notes may name people).
    export: bool = True
    # What an empty optional cell gives the service; OMIT leaves the model's default.
    empty: object = ""

    kind_label = _("text")

    def parse(self, value):
        return unformula(_text(value))

    def format(self, value) -> str:
        return "" if value is None else guard_formula(str(value))

    def value_of(self, record):
        return getattr(record, self.field)

    def accepted(self) -> str:
        """The accepted values in a few words, for the import page."""
        return str(self.kind_label)


OMIT = object()


@dataclass(frozen=True)
class IntegerColumn(Column):
    kind_label = _("a whole number, 0 or more")
    empty: object = OMIT

    def parse(self, value):
        if isinstance(value, bool):
            raise CellError(gettext("%(value)s is not a whole number") % {"value": quote(value)})
        if isinstance(value, int):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        elif _WHOLE.match(_text(value)):
            number = int(_text(value))
        else:
            raise CellError(gettext("%(value)s is not a whole number") % {"value": quote(value)})
        if number < 0:
            raise CellError(gettext("the number cannot be negative"))
        return number

    def format(self, value) -> str:
        return "" if value is None else str(value)


@dataclass(frozen=True)
class BooleanColumn(Column):
    kind_label = _("yes or no (ja/nej, true/false, 1/0, x; empty means no)")
    empty: object = False

    def parse(self, value):
        if isinstance(value, bool):
            return value
        word = normalise(_text(value))
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise CellError(gettext("%(value)s is neither yes nor no") % {"value": quote(value)})

    def format(self, value) -> str:
        return "yes" if value else "no"


@dataclass(frozen=True)
class DateColumn(Column):
    kind_label = _("a date: YYYY-MM-DD, DD-MM-YYYY or DD.MM.YYYY")
    empty: object = None

    def parse(self, value):
        return parse_date(value)

    def format(self, value) -> str:
        return value.isoformat() if value else ""


@dataclass(frozen=True)
class TimeColumn(Column):
    kind_label = _("a time: HH:MM")
    empty: object = None

    def parse(self, value):
        return parse_time(value)

    def format(self, value) -> str:
        return value.strftime("%H:%M") if value else ""


@dataclass(frozen=True)
class DateTimeColumn(Column):
    kind_label = _("a date and a time: YYYY-MM-DD HH:MM or DD-MM-YYYY HH:MM, Copenhagen time")
    empty: object = None

    def parse(self, value):
        return parse_datetime(value)

    def format(self, value) -> str:
        return timezone.localtime(value, LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if value else ""


@dataclass(frozen=True)
class ChoiceColumn(Column):
    """A coded value: the code, or its label in English or Danish."""

    choices: type[models.TextChoices] | None = None
    empty: object = OMIT

    @cached_property
    def lookup(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for code, label in self.choices.choices:
            for language in LABEL_LANGUAGES:
                with translation.override(language):
                    found.setdefault(normalise(label), code)
        # Codes win over labels: a code is never shadowed by another value's label.
        for code in self.choices.values:
            found[normalise(code)] = code
            found[normalise(code.replace("_", " "))] = code
        return found

    def parse_one(self, value) -> str:
        code = self.lookup.get(normalise(_text(value)))
        if code is None:
            raise CellError(
                gettext("unknown %(what)s %(value)s") % {"what": self.what, "value": quote(value)}
            )
        return code

    @property
    def what(self) -> str:
        return self.name.replace("_", " ")

    def parse(self, value):
        return self.parse_one(value)

    def format(self, value) -> str:
        return str(value or "")

    def accepted(self) -> str:
        return ", ".join(self.choices.values)


@dataclass(frozen=True)
class MultiChoiceColumn(ChoiceColumn):
    """Several coded values separated by semicolons."""

    empty: object = ()

    @property
    def what(self) -> str:
        return self.name.replace("_", " ").removesuffix("s")

    def parse(self, value):
        parts = [part for part in _text(value).split(LIST_SEPARATOR) if part.strip()]
        unknown = [quote(part) for part in parts if normalise(part) not in self.lookup]
        if unknown:
            message = gettext("unknown %(what)s %(values)s") % {
                "what": self.what,
                "values": ", ".join(unknown),
            }
            raise CellError(message)
        return list(dict.fromkeys(self.lookup[normalise(part)] for part in parts))

    def format(self, value) -> str:
        return LIST_SEPARATOR.join(value or [])

    def accepted(self) -> str:
        return gettext("%(values)s; several separated by ';'") % {"values": super().accepted()}


@dataclass(frozen=True)
class CountryColumn(Column):
    kind_label = _("a country: ISO code (NG, RO) or its name in English or Danish")

    def parse(self, value):
        text = _text(value)
        if len(text) in (2, 3) and text.isalpha():
            code = countries.alpha2(text.upper())
            if code:
                return code
        for language in LABEL_LANGUAGES:
            code = countries.by_name(text, language=language)
            if code:
                return code
        raise CellError(gettext("unknown country %(value)s") % {"value": quote(value)})

    def format(self, value) -> str:
        return getattr(value, "code", value) or ""


@dataclass(frozen=True)
class LanguageColumn(Column):
    kind_label = _("a language: code (en, ro, th) or its name in English or Danish")

    @cached_property
    def lookup(self) -> dict[str, str]:
        found: dict[str, str] = {}
        named = {code: info for code, info in LANG_INFO.items() if "name" in info}
        for code, info in named.items():
            found.setdefault(normalise(info["name"]), code)
            found.setdefault(normalise(info["name_local"]), code)
        with translation.override("da"):
            for code, info in named.items():
                found.setdefault(normalise(gettext(info["name"])), code)
        for code in named:
            found[normalise(code)] = code
        return found

    def parse(self, value):
        code = self.lookup.get(normalise(_text(value)))
        if code is None:
            raise CellError(gettext("unknown language %(value)s") % {"value": quote(value)})
        return code


@dataclass(frozen=True)
class CaseColumn(Column):
    """A case number; the import finds the case among those the importing user may see."""

    kind_label = _("a case number your organisation can see, like RTA-2024-00042")
    empty: object = None

    def parse(self, value):
        return _text(value).upper()

    def value_of(self, record):
        return record.case.number if record.case_id else ""


@dataclass(frozen=True)
class WorkerColumn(Column):
    """The username of an active member of the organisation; empty means the importing user."""

    kind_label = _("the username of an active member of your organisation (empty: you)")
    empty: object = None

    def parse(self, value):
        return _text(value)

    def value_of(self, record):
        return record.worker.username if record.worker_id else ""


@dataclass(frozen=True)
class OrganisationsColumn(Column):
    """Organisations by case-number prefix or name, separated by semicolons."""

    kind_label = _("organisations by case-number prefix or name; several separated by ';'")
    empty: object = ()

    def parse(self, value):
        return [part.strip() for part in _text(value).split(LIST_SEPARATOR) if part.strip()]

    def value_of(self, record):
        return sorted(org.case_prefix for org in record.organisations_present.all())

    def format(self, value) -> str:
        return LIST_SEPARATOR.join(value or [])


# --- Record kinds -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordKind:
    key: str
    label: Promise
    columns: tuple[Column, ...]

    @cached_property
    def by_name(self) -> dict[str, Column]:
        return {column.name: column for column in self.columns}

    @property
    def required(self) -> list[Column]:
        return [column for column in self.columns if column.required]

    @property
    def export_columns(self) -> list[Column]:
        return [column for column in self.columns if column.export]

    def column_for_field(self, field: str) -> str | None:
        """The column a service's error on `field` belongs to, or None for the row as a whole."""
        return next((column.name for column in self.columns if column.field == field), None)


def _note(description: Promise) -> Column:
    return Column("note", "note", description, export=False)


CONTACTS = RecordKind(
    "contacts",
    _("Outreach contacts"),
    (
        DateTimeColumn("occurred_at", "occurred_at", _("When the contact took place"), required=True),
        ChoiceColumn("venue", "venue", _("Where the person was met"), required=True, choices=Venue),
        Column("city", "city", _("City")),
        ChoiceColumn("region", "region", _("Region"), choices=Region, empty=""),
        CaseColumn("case_number", "case", _("The person's case, if they have one")),
        Column("client_code", "client_code", _("Anonymous client code, like 4K7QX-M2PA9")),
        ChoiceColumn("gender", "gender", _("Gender (empty: unknown)"), choices=Gender),
        CountryColumn("nationality", "nationality", _("Nationality")),
        ChoiceColumn("age_band", "age_band", _("Age band (empty: unknown)"), choices=AgeBand),
        IntegerColumn("group_size", "group_size", _("People met together (empty: 1)")),
        BooleanColumn("first_time_met", "first_time_met", _("First time the organisation met the person")),
        MultiChoiceColumn(
            "indicators", "indicators", _("Indicators of trafficking observed"), choices=Indicator
        ),
        MultiChoiceColumn(
            "services_offered", "services_offered", _("Services offered"), choices=OutreachService
        ),
        LanguageColumn("language", "language", _("Language used")),
        _note(_("Short note, at most 500 characters; never a name")),
        WorkerColumn("worker", "worker", _("Who met the person")),
    ),
)

HOTLINE_CALLS = RecordKind(
    "hotline_calls",
    _("Hotline calls"),
    (
        DateTimeColumn("received_at", "received_at", _("Time of the call"), required=True),
        ChoiceColumn(
            "caller_category", "caller_category", _("Who called"), required=True, choices=CallerCategory
        ),
        ChoiceColumn("purpose", "purpose", _("Purpose of the call"), required=True, choices=CallPurpose),
        BooleanColumn("wrong_number", "wrong_number", _("Wrong number (logged, not counted)")),
        CaseColumn("case_number", "case", _("The case the call concerns")),
        _note(_("Short note, at most 500 characters; never a name")),
    ),
)

MEETING_SESSIONS = RecordKind(
    "meeting_sessions",
    _("Meeting-place opening days"),
    (
        Column("place", "place", _("Name of the meeting place"), required=True),
        DateColumn("date", "date", _("Opening day"), required=True),
        TimeColumn("opens_at", "opens_at", _("Opening time")),
        TimeColumn("closes_at", "closes_at", _("Closing time")),
        IntegerColumn("visitors", "visitors", _("Visitors"), required=True),
        IntegerColumn(
            "returning_visitors", "returning_visitors", _("Of whom returning visitors"), required=True
        ),
        BooleanColumn("health_clinic_open", "health_clinic_open", _("Health clinic open that day")),
    ),
)

POLICE_RAIDS = RecordKind(
    "police_raids",
    _("Police raids"),
    (
        DateColumn("date", "date", _("Date of the raid"), required=True),
        ChoiceColumn(
            "police_district", "police_district", _("Police district"), required=True, choices=PoliceDistrict
        ),
        ChoiceColumn("location_type", "location_type", _("Type of place"), required=True, choices=Venue),
        Column("city", "city", _("City")),
        IntegerColumn("persons_met", "persons_met", _("Persons met"), required=True),
        IntegerColumn(
            "persons_with_indicators",
            "persons_with_indicators",
            _("Persons with indicators of trafficking"),
            required=True,
        ),
        IntegerColumn("contacts_made", "contacts_made", _("Contacts made (empty: 0)")),
        OrganisationsColumn(
            "organisations_present", "organisations_present", _("Other organisations present")
        ),
        _note(_("Short note, at most 1000 characters; never a name")),
    ),
)

KINDS: dict[str, RecordKind] = {
    kind.key: kind for kind in (CONTACTS, HOTLINE_CALLS, MEETING_SESSIONS, POLICE_RAIDS)
}
KIND_CHOICES = [(kind.key, kind.label) for kind in KINDS.values()]


def record_kind(key: str) -> RecordKind:
    try:
        return KINDS[key]
    except KeyError:
        raise ValueError(f"Unknown kind of record: {key!r}; one of {', '.join(KINDS)}.") from None
