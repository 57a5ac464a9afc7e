"""Who decides (DESIGN.md §2 "Identification (who decides)"): the authority routing for every residence
status, and the rule shown in plain words in Danish and English."""

import pytest
from django.utils import translation

from cases.choices import ResidenceStatus
from identification.choices import Authority
from identification.rules import MUST_LEAVE, competent_authority

pytestmark = pytest.mark.django_db

EXPECTED = {
    ResidenceStatus.NO_LEGAL_RESIDENCE: Authority.IMMIGRATION_SERVICE,
    ResidenceStatus.ASYLUM_SEEKER: Authority.IMMIGRATION_SERVICE,
    ResidenceStatus.REJECTED_ASYLUM_SEEKER: Authority.IMMIGRATION_SERVICE,
    ResidenceStatus.EU_CITIZEN: Authority.CMM,
    ResidenceStatus.RESIDENCE_PERMIT: Authority.CMM,
    ResidenceStatus.DANISH_CITIZEN: Authority.CMM,
    ResidenceStatus.UNKNOWN: None,
}


def test_every_residence_status_has_an_expected_route():
    # A residence status added later must be routed on purpose, not fall through to "unknown".
    assert set(EXPECTED) == set(ResidenceStatus)


@pytest.mark.parametrize(("status", "authority"), list(EXPECTED.items()))
def test_competent_authority_follows_the_residence_status(status, authority):
    assert competent_authority(status).authority == authority


@pytest.mark.parametrize("status", [s.value for s in ResidenceStatus])
def test_routing_accepts_the_plain_stored_value(status):
    # Rows hand the rule plain strings, not enum members.
    assert competent_authority(status).authority == EXPECTED[ResidenceStatus(status)]


def test_unknown_residence_status_has_no_authority_and_says_it_must_be_resolved():
    with translation.override("en"):
        route = competent_authority(ResidenceStatus.UNKNOWN)
    assert route.authority is None
    assert "unknown" in route.explanation
    assert "record it on the presentation" in route.explanation


def test_a_value_that_is_not_a_residence_status_is_treated_as_unknown():
    assert competent_authority("tourist").authority is None
    assert competent_authority("").authority is None


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (ResidenceStatus.ASYLUM_SEEKER, "The Immigration Service decides"),
        (ResidenceStatus.REJECTED_ASYLUM_SEEKER, "The Immigration Service decides"),
        (ResidenceStatus.NO_LEGAL_RESIDENCE, "The Immigration Service decides"),
        (ResidenceStatus.EU_CITIZEN, "CMM decides"),
        (ResidenceStatus.RESIDENCE_PERMIT, "CMM decides"),
        (ResidenceStatus.DANISH_CITIZEN, "CMM decides"),
    ],
)
def test_english_explanation_names_the_deciding_body(status, words):
    with translation.override("en"):
        explanation = competent_authority(status).explanation
    assert explanation.startswith(words)


def test_cmm_rule_says_it_applies_to_minors_too():
    with translation.override("en"):
        assert "minors" in competent_authority(ResidenceStatus.EU_CITIZEN).explanation


@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize("status", list(ResidenceStatus))
def test_explanation_is_plain_text_in_each_language(status, language):
    with translation.override(language):
        explanation = competent_authority(status).explanation
    assert isinstance(explanation, str)
    assert len(explanation.strip()) > 20


def test_a_reflection_period_is_due_only_for_those_who_must_leave():
    assert {ResidenceStatus.NO_LEGAL_RESIDENCE, ResidenceStatus.REJECTED_ASYLUM_SEEKER} == MUST_LEAVE
    # Asylum seekers stay in the asylum procedure; they are routed to the Immigration Service all the same.
    assert ResidenceStatus.ASYLUM_SEEKER not in MUST_LEAVE
