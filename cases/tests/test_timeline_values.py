"""Timeline rows say what happened, with the values (issue 18): reflection-period steps with days and
deadlines in the reader's language, a case opened from a contact; old rows without the values still read."""

import pytest
from django.utils import translation

from cases.choices import EventKind
from cases.models import CaseEvent
from cases.templatetags.case_events import event_sentence


def sentence(kind, data, lang="en"):
    with translation.override(lang):
        return event_sentence(CaseEvent(kind=kind, data=data))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"step": "started", "days": 30, "ends_on": "2027-01-06"},
            "Reflection period started: 30 days, deadline 6 Jan 2027",
        ),
        ({"step": "started", "days": 30}, "Reflection period started: 30 days"),
        (
            {"step": "extended", "days": 60, "ground": "medical", "ends_on": "2027-02-05"},
            "Reflection period extended to 60 days, new deadline 5 Feb 2027",
        ),
        ({"step": "extended", "days": 60, "ground": "medical"}, "Reflection period extended to 60 days"),
        (
            {"step": "corrected", "starts_on": "2026-12-01", "was": "2026-12-03", "ends_on": "2026-12-31"},
            "Start of the reflection period corrected to 1 Dec 2026, new deadline 31 Dec 2026",
        ),
        (
            {"step": "postponed"},
            "Reflection period postponed: no deadline runs until the postponement is lifted",
        ),
        (
            {"step": "lifted", "decided": False, "ends_on": "2027-01-20"},
            "Postponement lifted, the remaining days continue: new deadline 20 Jan 2027",
        ),
        ({"step": "lifted"}, "Postponement of the reflection period lifted"),
        ({"step": "ended", "outcome": "prepared_return"}, "Reflection period ended: Prepared return (IOM)"),
    ],
)
def test_reflection_rows_say_the_days_and_the_deadline(data, expected):
    assert sentence(EventKind.REFLECTION, data) == expected


def test_a_month_is_never_first_in_english():
    text = sentence(EventKind.REFLECTION, {"step": "extended", "days": 60, "ends_on": "2027-02-05"})
    assert "5 Feb 2027" in text
    assert "Feb 5" not in text


@pytest.mark.parametrize(
    "data",
    [
        {"step": "extended", "days": "60"},
        {"step": "extended", "days": 60, "ends_on": "5 Feb"},
        {"step": "sideways"},
        {"step": "ended", "outcome": "nonsense"},
    ],
)
def test_unknown_reflection_data_falls_back_to_the_kinds_label(data):
    assert sentence(EventKind.REFLECTION, data) == "Reflection period"


def test_case_opened_from_a_contact_and_plainly():
    assert (
        sentence(EventKind.OPENED, {"contact_venue": "street"})
        == "Case opened from an outreach contact (street)"
    )
    assert sentence(EventKind.OPENED, {}) == "Case opened"
