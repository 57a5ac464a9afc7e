"""The minutes rule: anything shaped like a case number is found, ordinary text is not."""

import re

import pytest

from referrals.minutes import CASE_NUMBER_PATTERN, case_number_errors, case_numbers_in


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("We discussed CMM-2026-00042 briefly.", ["CMM-2026-00042"]),
        ("we discussed cmm-2026-00042 briefly", ["cmm-2026-00042"]),
        (
            "Sag RTA - 2026 - 00007 og PVB\u20132025\u201300123.",
            ["RTA - 2026 - 00007", "PVB\u20132025\u201300123"],
        ),
        ("(CMM-2026-00042),CMM-2026-00042", ["CMM-2026-00042"]),
        ("Line one\nABCDEFGH-2030-123456 at the end", ["ABCDEFGH-2030-123456"]),
        # Other separators people type, and invisible characters that would split a number.
        ("CMM 2026 00042", ["CMM 2026 00042"]),
        ("CMM/2026/00042 and CMM_2026_00043", ["CMM/2026/00042", "CMM_2026_00043"]),
        ("sag cmm.2026.00042", ["cmm.2026.00042"]),
        ("CMM\u200b-2026-\u00ad00042", ["CMM-2026-00042"]),
        ("CMM\uff0d2026\uff0d00042", ["CMM\uff0d2026\uff0d00042"]),
    ],
)
def test_case_numbers_are_found_in_any_letter_case_and_with_spaces_around_dashes(text, found):
    assert case_numbers_in(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "",
        None,
        "Meeting 2026-04-15 at 10:00 in Aalborg",
        "Referat-2026-03",  # a month, not a serial
        "Handlingsplan-2026-2027",  # the prefix would be longer than 8 letters
        "Møde-2026-003",  # part of a Danish word
        "ABCDEFGHI-2026-00042",  # nine letters: not a prefix
        "CMM-2026-0004212345",  # too long a serial
        "Phone +45 12 34 56 78",
        "I juni 2026 150 henvendelser",  # spaces only: a number only with a prefix in capitals
        "Mødet 26.11.2026 kl. 10",
    ],
)
def test_ordinary_text_is_not_taken_for_a_case_number(text):
    assert case_numbers_in(text) == []


def test_each_field_with_a_case_number_gets_its_own_error_naming_the_number():
    errors = case_number_errors(
        minutes="About CMM-2026-00042.", agenda="No cases here", title="cmm-2026-00042"
    )

    assert set(errors) == {"minutes", "title"}
    assert "CMM-2026-00042" in errors["minutes"]
    assert "cmm-2026-00042" in errors["title"]


def test_the_pattern_given_to_the_browser_finds_what_the_server_finds():
    # The script reads group 1 of the same pattern; Python's re is the closest check without a browser.
    text = "x CMM-2026-00042 y rta-2026-00001"
    assert [m.group(1) for m in re.finditer(CASE_NUMBER_PATTERN, text)] == case_numbers_in(text)
    assert "(?<" not in CASE_NUMBER_PATTERN  # no look-behind, which older browsers cannot read
