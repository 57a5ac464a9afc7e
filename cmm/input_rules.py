"""The shape every typed-in value must have, pages and API alike: dates within sane bounds, free text
without stacks of combining marks (issue 17).

Dates. A date before the bound is a typing error, and one in the year 1 broke things downstream: a case
opened on 0001-01-01 was numbered `REDEN-1-00001` (the minutes' case-number guard looks for four-digit
years), and a time in the year 1 cannot even be converted to UTC. The bound depends on the kind of date:

- dates of birth: from 1900 (the oldest person a case can be about; the client code's year of birth has the
  same bound, cases.client_codes);
- every other date and time (openings, presentations, decisions, periods, stays, meetings, contacts, report
  periods, filters): from 1990, the bound the API already had for reflection periods, returns and outreach
  (and the first year of the statistics, reports.periods): nothing this system records happened earlier;
- and no date after 9998-12-31, a year short of the calendar's end, so that a deadline, a reminder or the
  conversion to UTC never overflows. How far ahead a date may be is each service's rule ("not in the future",
  "at most five years ahead").

Pages get it through `InputForm`, the base of every form (a test holds them to it), which gives each date and
time field the bound (a field that names its own, like a date of birth, keeps it) and the browser's
date picker the same `min`/`max`. The API gets it through `DayField` and `MomentField`, the serializer fields
of every date and time it takes (a test holds every serializer to them). Both answer with a field error.

Combining marks. 3,000 accents on one letter draw far above and below the line: over the rest of a page and
off a PDF page. No writing needs more than a few on one character (Vietnamese and Yoruba two once composed,
pointed Hebrew with its accents four), so more than MAX_COMBINING_MARKS in a row, counted on the NFC form of
the text, is refused with a field error: in every text field of a page form (`InputForm`) and in every string
of an API body (cmm.request_guard, with the field's name). Text stored before the rule is cleaned where it is
printed: `strip_excess_combining_marks` keeps the first marks of each run (reports.documents.base).
"""

from __future__ import annotations

import datetime
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

EARLIEST_BIRTH = datetime.date(1900, 1, 1)
EARLIEST_DAY = datetime.date(1990, 1, 1)
LATEST_DAY = datetime.date(9998, 12, 31)
MAX_COMBINING_MARKS = 4

TOO_EARLY = _("Give a date in %(year)s or later.")
TOO_LATE = _("Give a date before the year %(year)s.")
TOO_MANY_MARKS = _(
    "Too many accents or other combining marks on one character (at most %(count)s): "
    "check the text, or type it again."
)


# --- Dates ------------------------------------------------------------------------------------------------


@deconstructible
class DateBounds:
    """Refuse a date (or the calendar day of a date and time, as typed) outside [earliest, LATEST_DAY]."""

    def __init__(self, earliest: datetime.date = EARLIEST_DAY):
        self.earliest = earliest

    def __call__(self, value) -> None:
        if value is None:
            return
        # The day as typed, never converted: a time in the year 1 overflows on the way to UTC.
        day = value.date() if isinstance(value, datetime.datetime) else value
        if day < self.earliest:
            raise ValidationError(TOO_EARLY, code="too_early", params={"year": self.earliest.year})
        if day > LATEST_DAY:
            raise ValidationError(TOO_LATE, code="too_late", params={"year": LATEST_DAY.year + 1})

    def __eq__(self, other):
        return isinstance(other, DateBounds) and other.earliest == self.earliest


BIRTH_DATE = DateBounds(EARLIEST_BIRTH)


def _bounds_of(field) -> DateBounds | None:
    return next((validator for validator in field.validators if isinstance(validator, DateBounds)), None)


class DayField(serializers.DateField):
    """An API date (YYYY-MM-DD) within the bounds; `earliest=EARLIEST_BIRTH` for a date of birth."""

    def __init__(self, *, earliest: datetime.date = EARLIEST_DAY, **kwargs):
        kwargs["validators"] = [*kwargs.get("validators", []), DateBounds(earliest)]
        super().__init__(**kwargs)


class MomentField(serializers.DateTimeField):
    """An API date and time (ISO 8601; without an offset it is Danish time) within the bounds."""

    def __init__(self, *, earliest: datetime.date = EARLIEST_DAY, **kwargs):
        self.bounds = DateBounds(earliest)
        kwargs["validators"] = [*kwargs.get("validators", []), self.bounds]
        super().__init__(**kwargs)

    def enforce_timezone(self, value):
        # Before DRF converts it to UTC, which overflows at the ends of the calendar (year 1, 9999).
        try:
            self.bounds(value)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages, code=error.code) from error
        try:
            return super().enforce_timezone(value)
        except OverflowError as error:
            raise serializers.ValidationError(TOO_EARLY % {"year": self.bounds.earliest.year}) from error


class BoundedModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose fields made from the model's date and time fields take the bounds too."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: DayField,
        models.DateTimeField: MomentField,
    }


# --- Combining marks --------------------------------------------------------------------------------------


def _is_mark(character: str) -> bool:
    return unicodedata.category(character).startswith("M")


def longest_mark_run(text: str) -> int:
    """The most combining marks on one character of `text` (in its NFC form)."""
    if text.isascii():
        return 0
    longest = run = 0
    for character in unicodedata.normalize("NFC", text):
        if _is_mark(character):
            run += 1
            longest = max(longest, run)
        else:
            run = 0
    return longest


def validate_combining_marks(value) -> None:
    """Refuse text with more than MAX_COMBINING_MARKS combining marks on one character."""
    if isinstance(value, str) and longest_mark_run(value) > MAX_COMBINING_MARKS:
        raise ValidationError(TOO_MANY_MARKS, code="combining_marks", params={"count": MAX_COMBINING_MARKS})


def strip_excess_combining_marks(text: str, *, keep: int = MAX_COMBINING_MARKS) -> str:
    """Return `text` (NFC) with at most `keep` combining marks on each character: for text stored before the
    rule, where it is printed."""
    if text.isascii() or longest_mark_run(text) <= keep:
        return text
    kept, run = [], 0
    for character in unicodedata.normalize("NFC", text):
        if _is_mark(character):
            run += 1
            if run > keep:
                continue
        else:
            run = 0
        kept.append(character)
    return "".join(kept)


# --- Pages ------------------------------------------------------------------------------------------------


def apply_input_rules(form: forms.BaseForm) -> None:
    """Give every field of `form` the rules of its kind: date bounds (and the date picker's min/max) to date
    and time fields that name none, the combining-mark limit to text fields."""
    for field in form.fields.values():
        if isinstance(field, forms.DateField | forms.DateTimeField):
            bounds = _bounds_of(field)
            if bounds is None:
                bounds = DateBounds()
                field.validators = [*field.validators, bounds]
            _picker_limits(field.widget, bounds)
        elif isinstance(field, forms.CharField) and validate_combining_marks not in field.validators:
            field.validators = [*field.validators, validate_combining_marks]


def _picker_limits(widget, bounds: DateBounds) -> None:
    kind = widget.attrs.get("type") or getattr(widget, "input_type", "")
    if kind == "date":
        limits = (bounds.earliest.isoformat(), LATEST_DAY.isoformat())
    elif kind == "datetime-local":
        limits = (f"{bounds.earliest.isoformat()}T00:00", f"{LATEST_DAY.isoformat()}T23:59")
    else:
        return
    widget.attrs = {"min": limits[0], "max": limits[1], **widget.attrs}  # a form's own limits win


class InputForm(forms.Form):
    """The base of every form of the pages: the fields get the input rules of this module."""

    def __init__(self, *args, **kwargs):
        if (args[0] if args else kwargs.get("data")) is None:
            # A form sent after the session had ended is shown again filled in (cmm.kept_forms).
            from cmm.kept_forms import kept_data_for_form

            kept = kept_data_for_form(type(self), kwargs.get("prefix"))
            if kept is not None:
                if args:
                    args = (kept, *args[1:])
                else:
                    kwargs["data"] = kept
        super().__init__(*args, **kwargs)
        apply_input_rules(self)

    def full_clean(self):
        apply_input_rules(self)  # again: for fields a form adds after its own __init__
        super().full_clean()
