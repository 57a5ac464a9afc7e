"""Issue 17: the competent authority is the organisation a platform admin designated, never the first one of
its kind; and routing a presentation elsewhere takes back the access it gave.

"Today" is 1 April 2026; cases are presented on 10 March 2026.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from cases.choices import ResidenceStatus
from cases.grounds import case_view_grounds
from cases.selectors import case_list_for_user
from cmm.models import AuditAction, AuditEvent, Designation, OrganisationKind, Role
from cmm.services import organisation_create, organisation_designate
from cmm.tests.test_api import token_client
from identification.choices import Authority, Outcome
from identification.models import Decision
from identification.services import (
    decision_record,
    presentation_set_residence_status,
)

pytestmark = pytest.mark.django_db

CPH = ZoneInfo("Europe/Copenhagen")


@pytest.fixture(autouse=True)
def fixed_today():
    with time_machine.travel(datetime.datetime(2026, 4, 1, 12, 0, tzinfo=CPH), tick=False):
        yield


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def caseworker(users_a):
    return users_a[Role.CASEWORKER]


@pytest.fixture
def police(db, make_member):
    """A police organisation, of kind authority like the Immigration Service, and its liaison."""
    organisation = organisation_create(
        name="Politi Test", kind=OrganisationKind.AUTHORITY, case_prefix="POL", region="national"
    )
    return make_member(organisation, Role.AUTHORITY_LIAISON)


def _api(user):
    return token_client(APIClient(), user)


def _decide(presentation, by, outcome=Outcome.NOT_IDENTIFIED):
    return decision_record(
        presentation=presentation, by=by, outcome=outcome, decided_on=datetime.date(2026, 3, 20)
    )


# --- The designated Immigration Service decides, whoever was created first ---------------------------


def test_an_authority_created_before_the_immigration_service_gets_nothing(
    police, org_us, liaison, org_cmm, case_a, caseworker, present, login
):
    # The police organisation (kind authority) exists before the Immigration Service: it has the lower id.
    police_org = police.memberships.get().organisation
    assert police_org.pk < org_us.pk

    presentation = present(case_a, by=caseworker)

    assert presentation.authority == Authority.IMMIGRATION_SERVICE
    assert presentation.authority_organisation == org_us
    assert case_a in case_list_for_user(user=liaison)
    assert case_a not in case_list_for_user(user=police)
    # The police liaison can neither open the case nor record the decision, on the page or through the API.
    client = login(police)
    assert client.get(reverse("case-detail", args=[case_a.pk])).status_code == 404
    assert client.get(reverse("decision-create", args=[presentation.pk])).status_code == 404
    assert _api(police).get(f"/api/cases/{case_a.pk}/").status_code == 404
    decided = _api(police).post(
        f"/api/identification/presentations/{presentation.pk}/decisions/",
        {"outcome": "not_identified", "decided_on": "2026-03-20"},
        format="json",
    )
    assert decided.status_code == 404
    with pytest.raises(PermissionDenied):
        _decide(presentation, police)
    assert not Decision.objects.exists()
    # The designated Immigration Service decides.
    _decide(presentation, liaison)


def test_a_liaison_of_an_undesignated_authority_cannot_decide_even_where_it_was_routed(
    police, org_us, liaison, org_cmm, case_a, caseworker, present
):
    # Routed to the police while it was (wrongly) designated; the designation then moves to the Immigration
    # Service: the waiting presentation follows it, and the police loses the case.
    police_org = police.memberships.get().organisation
    organisation_designate(organisation=police_org, designation=Designation.IMMIGRATION_SERVICE)
    presentation = present(case_a, by=caseworker)
    assert presentation.authority_organisation == police_org
    assert case_a in case_list_for_user(user=police)

    organisation_designate(organisation=org_us, designation=Designation.IMMIGRATION_SERVICE)

    presentation.refresh_from_db()
    police_org.refresh_from_db()
    assert police_org.designation == ""
    assert presentation.authority_organisation == org_us
    assert case_a not in case_list_for_user(user=police)
    assert case_a in case_list_for_user(user=liaison)
    _decide(presentation, liaison)


@pytest.mark.parametrize(
    ("status", "designated"),
    [(ResidenceStatus.NO_LEGAL_RESIDENCE, "org_cmm"), (ResidenceStatus.EU_CITIZEN, "org_us")],
)
def test_presenting_without_a_designation_is_a_400_naming_the_field(
    status, designated, request, police, users_a, open_case, login
):
    # Organisations of both kinds exist, but only one of the two deciders is designated.
    request.getfixturevalue(designated)
    organisation_create(name="CMM Other", kind=OrganisationKind.CMM, case_prefix="CMO", region="national")
    caseworker = users_a[Role.CASEWORKER]
    case = open_case(by=caseworker, residence_status=status)

    response = _api(caseworker).post(
        "/api/identification/presentations/",
        {"case": case.pk, "presented_on": "2026-03-10", "presented_by": "police"},
        format="json",
    )
    assert response.status_code == 400
    assert "designate" in response.json()["residence_status"][0]

    page = login(caseworker).post(
        reverse("presentation-create", kwargs={"case_id": case.pk}),
        {"presented_on": "2026-03-10", "presented_by": "police"},
    )
    assert page.status_code == 400
    assert "designate" in str(page.context["form"].errors)


def test_an_undesignated_cmm_organisation_has_no_cmm_powers(users_a, org_cmm, make_member):
    from cases.lifecycle import can_erase_case
    from cmm.audit.selectors import can_view_audit_log
    from referrals.selectors.groups import can_manage_groups
    from reports.selectors.statistics import _sees_national
    from reports.suppression import should_suppress

    other = organisation_create(
        name="CMM Filial", kind=OrganisationKind.CMM, case_prefix="CMF", region="national"
    )
    for organisation, powers in ((org_cmm, True), (other, False)):
        coordinator = make_member(organisation, Role.COORDINATOR)
        analyst = make_member(organisation, Role.ANALYST)
        assert can_erase_case(user=coordinator) is powers
        assert can_view_audit_log(user=coordinator) is powers
        assert can_manage_groups(coordinator) is powers
        assert _sees_national(analyst, analyst.memberships.get()) is powers
        assert should_suppress(user=analyst, external=False) is not powers


# --- Re-routing takes the access back ----------------------------------------------------------------


def test_rerouting_to_cmm_takes_the_former_authoritys_access_and_gives_it_to_cmm(
    case_a, caseworker, deciders, org_us, org_cmm, present, login
):
    presentation = present(case_a, by=caseworker)
    liaison, coordinator = deciders["us"], deciders["cmm"]
    assert case_a in case_list_for_user(user=liaison)
    assert case_a not in case_list_for_user(user=coordinator)

    presentation_set_residence_status(
        presentation=presentation, by=caseworker, residence_status=ResidenceStatus.EU_CITIZEN
    )

    presentation.refresh_from_db()
    assert presentation.authority_organisation == org_cmm
    assert case_view_grounds(case=case_a, organisation=org_us) == []
    # The former liaison: 404 on the case's pages and API, as for any case it never saw.
    client = login(liaison)
    for name in ("case-detail", "case-presentations"):
        key = "case_id" if name == "case-presentations" else "pk"
        assert client.get(reverse(name, kwargs={key: case_a.pk})).status_code == 404, name
    assert client.get(reverse("presentation-detail", args=[presentation.pk])).status_code == 404
    api = _api(liaison)
    assert api.get(f"/api/cases/{case_a.pk}/").status_code == 404
    assert api.get(f"/api/identification/presentations/{presentation.pk}/").status_code == 404
    assert presentation.pk not in [p["id"] for p in api.get("/api/identification/queue/").json()["results"]]
    # The new deciding organisation sees the case and decides.
    assert case_a in case_list_for_user(user=coordinator)
    assert _api(coordinator).get(f"/api/cases/{case_a.pk}/").status_code == 200
    _decide(presentation, coordinator)
    # Both changes are in the audit log, naming organisations and permissions, never the person.
    revoked = AuditEvent.objects.get(action=AuditAction.PERMISSION_REVOKED, target_id=str(case_a.pk))
    assert revoked.detail == {
        "what": "identification",
        "step": "rerouted_from",
        "organisation": org_us.pk,
        "perms": ["cases.view_case"],
    }
    granted = AuditEvent.objects.get(action=AuditAction.PERMISSION_GRANTED, target_id=str(case_a.pk))
    assert granted.detail["step"] == "rerouted_to"
    assert granted.detail["organisation"] == org_cmm.pk


def test_rerouting_through_the_api_takes_the_access_back_too(case_a, caseworker, deciders, present):
    presentation = present(case_a, by=caseworker)
    liaison = deciders["us"]
    assert _api(liaison).get(f"/api/cases/{case_a.pk}/").status_code == 200

    response = _api(caseworker).patch(
        f"/api/identification/presentations/{presentation.pk}/residence-status/",
        {"residence_status": "danish_citizen"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert _api(liaison).get(f"/api/cases/{case_a.pk}/").status_code == 404


def test_rerouting_through_the_page_takes_the_access_back_too(case_a, caseworker, deciders, present, login):
    presentation = present(case_a, by=caseworker)
    liaison = deciders["us"]

    response = login(caseworker).post(
        reverse("presentation-residence", args=[presentation.pk]), {"residence_status": "residence_permit"}
    )

    assert response.status_code == 302
    assert case_a not in case_list_for_user(user=liaison)


def test_the_access_stays_while_another_presentation_is_routed_to_the_former_authority(
    case_a, caseworker, deciders, org_us, present
):
    # An earlier presentation the Immigration Service decided on: it keeps seeing the case it decided.
    earlier = present(case_a, by=caseworker, presented_on=datetime.date(2026, 3, 2))
    _decide(earlier, deciders["us"])
    later = present(case_a, by=caseworker)

    presentation_set_residence_status(
        presentation=later, by=caseworker, residence_status=ResidenceStatus.EU_CITIZEN
    )

    assert case_view_grounds(case=case_a, organisation=org_us) == ["presentation"]
    assert case_a in case_list_for_user(user=deciders["us"])
    kept = AuditEvent.objects.get(target_id=str(case_a.pk), detail__step="rerouted_from")
    assert kept.action == AuditAction.CHANGED
    assert kept.detail["perms"] == []


def test_the_access_stays_while_an_accepted_referral_shares_the_case(
    case_a, caseworker, deciders, org_cmm, present, make_member
):
    # CMM decides first (EU citizen), and has the case shared with it by an accepted referral as well;
    # re-routed to the Immigration Service, CMM still sees it through the referral.
    from referrals.services.referrals import referral_accept, referral_send

    presentation = present(case_a, by=caseworker)
    presentation_set_residence_status(
        presentation=presentation, by=caseworker, residence_status=ResidenceStatus.EU_CITIZEN
    )
    referral = referral_send(
        case=case_a,
        by=caseworker,
        to_organisation=org_cmm,
        kind="share",
        reason="housing",
        consent_given=True,
        consent_on=datetime.date(2026, 3, 30),
        consent_scope="facts",
    )
    referral_accept(referral=referral, by=make_member(org_cmm, Role.CASEWORKER))

    presentation_set_residence_status(
        presentation=presentation, by=caseworker, residence_status=ResidenceStatus.ASYLUM_SEEKER
    )

    assert case_view_grounds(case=case_a, organisation=org_cmm) == ["referral"]
    assert case_a in case_list_for_user(user=deciders["cmm"])
    assert case_a in case_list_for_user(user=deciders["us"])


def test_a_residence_status_that_keeps_the_authority_changes_no_access(case_a, caseworker, deciders, present):
    presentation = present(case_a, by=caseworker)

    presentation_set_residence_status(
        presentation=presentation, by=caseworker, residence_status=ResidenceStatus.ASYLUM_SEEKER
    )

    assert case_a in case_list_for_user(user=deciders["us"])
    assert not AuditEvent.objects.filter(detail__step__in=["rerouted_from", "rerouted_to"]).exists()


def test_rerouting_to_an_undesignated_authority_is_refused_and_changes_nothing(
    case_a, caseworker, org_us, liaison, present
):
    presentation = present(case_a, by=caseworker)  # no CMM is designated

    with pytest.raises(ValidationError) as error:
        presentation_set_residence_status(
            presentation=presentation, by=caseworker, residence_status=ResidenceStatus.EU_CITIZEN
        )

    assert "residence_status" in error.value.message_dict
    presentation.refresh_from_db()
    assert presentation.authority_organisation == org_us
    assert case_a in case_list_for_user(user=liaison)
