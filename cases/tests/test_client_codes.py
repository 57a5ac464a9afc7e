"""Anonymous client codes: stable for the same facts, unrelated for different ones, and linkable once.

"Today" is fixed at 15 June 2026 (Copenhagen) for every test in this module: the latest valid birth year
depends on it.
"""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from cases.choices import EventKind
from cases.client_codes import CODE_PATTERN, client_code_make, client_code_normalise
from cases.models import CaseEvent, ClientCode
from cases.services import client_code_link
from cmm.models import AuditAction, AuditEvent, Role

pytestmark = pytest.mark.django_db

FACTS = {"mother_initial": "a", "own_initial": "Émilie", "birth_year": 1994, "birth_country": "ro"}


@pytest.fixture(autouse=True)
def fixed_today():
    with time_machine.travel(datetime.datetime(2026, 6, 15, 12, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))):
        yield datetime.date(2026, 6, 15)


def test_the_same_facts_give_the_same_code():
    assert client_code_make(**FACTS) == client_code_make(**FACTS)


def test_accents_case_and_spacing_do_not_change_the_code():
    typed_differently = {
        "mother_initial": " A",
        "own_initial": "e",
        "birth_year": "1994",
        "birth_country": "RO ",
    }
    assert client_code_make(**typed_differently) == client_code_make(**FACTS)
    assert client_code_make(**{**FACTS, "own_initial": "é"}) == client_code_make(
        **{**FACTS, "own_initial": "E"}
    )


@pytest.mark.parametrize(
    "change",
    [
        {"mother_initial": "B"},
        {"own_initial": "F"},
        {"birth_year": 1995},
        {"birth_country": "BG"},
        # The order of the two initials matters.
        {"mother_initial": "E", "own_initial": "A"},
    ],
)
def test_different_facts_give_a_different_code(change):
    assert client_code_make(**{**FACTS, **change}) != client_code_make(**FACTS)


def test_codes_are_two_groups_of_five_crockford_characters():
    codes = {
        client_code_make(mother_initial=m, own_initial=o, birth_year=year, birth_country=country)
        for m in "AMZ"
        for o in "BKQ"
        for year in (1950, 1988, 2010)
        for country in ("DK", "NG", "TH")
    }
    assert len(codes) == 81  # no collisions among these
    for code in codes:
        assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}", code), code
        assert CODE_PATTERN.match(code)
        assert client_code_normalise(code) == code


def test_the_code_does_not_contain_the_facts(settings):
    settings.CLIENT_CODE_PEPPER = "pepper-of-this-test"
    code = client_code_make(mother_initial="Q", own_initial="X", birth_year=1987, birth_country="TH")
    compact = code.replace("-", "")
    for fact in ("1987", "87", "TH", "QX"):
        assert fact not in compact


def test_another_pepper_gives_another_code(settings):
    before = client_code_make(**FACTS)
    settings.CLIENT_CODE_PEPPER = "another-secret-pepper"
    after = client_code_make(**FACTS)
    assert after != before
    assert client_code_make(**FACTS) == after


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"birth_year": 1850}, "birth_year"),
        ({"birth_year": 1899}, "birth_year"),
        ({"birth_year": 2027}, "birth_year"),  # next year, seen from 15 June 2026
        ({"birth_year": "nineteen"}, "birth_year"),
        ({"birth_year": None}, "birth_year"),
        ({"birth_country": "XX"}, "birth_country"),
        ({"birth_country": ""}, "birth_country"),
        ({"mother_initial": ""}, "mother_initial"),
        ({"own_initial": "  "}, "own_initial"),
        ({"own_initial": "7"}, "own_initial"),
    ],
)
def test_bad_facts_give_field_errors(change, field):
    with pytest.raises(ValidationError) as error:
        client_code_make(**{**FACTS, **change})
    assert set(error.value.message_dict) == {field}


def test_several_bad_facts_are_reported_together():
    with pytest.raises(ValidationError) as error:
        client_code_make(mother_initial="", own_initial="", birth_year=1850, birth_country="XX")
    assert set(error.value.message_dict) == {"mother_initial", "own_initial", "birth_year", "birth_country"}


def test_this_year_and_1900_are_valid_birth_years():
    client_code_make(**{**FACTS, "birth_year": 2026})
    client_code_make(**{**FACTS, "birth_year": 1900})


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("4k7qx-m2pa9", "4K7QX-M2PA9"),
        ("4K7QXM2PA9", "4K7QX-M2PA9"),
        (" 4k7qx m2pa9 ", "4K7QX-M2PA9"),
        ("O1ILX-M2PA9", "0111X-M2PA9"),  # O is zero, I and L are one
        ("oilxx-m2pa9", "011XX-M2PA9"),
    ],
)
def test_normalise_accepts_what_people_type(typed, normalised):
    assert client_code_normalise(typed) == normalised


@pytest.mark.parametrize("typed", ["", "4K7QX-M2PA", "4K7QX-M2PA99", "4K7QU-M2PA9", "4K7QX_M2PA9", None])
def test_normalise_refuses_malformed_codes(typed):
    with pytest.raises(ValidationError) as error:
        client_code_normalise(typed)
    assert "code" in error.value.message_dict


def test_linking_a_code_twice_is_idempotent(case_a, users_a):
    caseworker = users_a[Role.CASEWORKER]
    code = client_code_make(**FACTS)
    first = client_code_link(case=case_a, code=code.lower().replace("-", ""), by=caseworker)
    second = client_code_link(case=case_a, code=code, by=caseworker)
    assert first.pk == second.pk
    assert ClientCode.objects.get().code == code
    assert (second.case, second.linked_by) == (case_a, caseworker)
    assert CaseEvent.objects.filter(case=case_a, kind=EventKind.CLIENT_CODE).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.CHANGED, target_id=str(case_a.pk)).count() == 1


def test_a_code_seen_before_without_a_case_can_be_linked(case_a, users_a):
    code = client_code_make(**FACTS)
    ClientCode.objects.create(code=code)  # an outreach contact left it, anonymously
    linked = client_code_link(case=case_a, code=code, by=users_a[Role.CASEWORKER])
    assert ClientCode.objects.get(code=code).case == case_a
    assert linked.linked_at is not None


def test_linking_a_code_of_another_case_is_refused(case_a, open_case, users_a):
    caseworker = users_a[Role.CASEWORKER]
    other = open_case(by=caseworker)
    code = client_code_make(**FACTS)
    client_code_link(case=case_a, code=code, by=caseworker)
    with pytest.raises(ValidationError) as error:
        client_code_link(case=other, code=code, by=caseworker)
    assert "code" in error.value.message_dict
    assert ClientCode.objects.get(code=code).case == case_a
    assert not CaseEvent.objects.filter(case=other, kind=EventKind.CLIENT_CODE).exists()


def test_linking_a_malformed_code_is_refused(case_a, users_a):
    with pytest.raises(ValidationError):
        client_code_link(case=case_a, code="not-a-code", by=users_a[Role.CASEWORKER])
    assert not ClientCode.objects.exists()
