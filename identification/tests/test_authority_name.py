"""The competent authority is named once: "Udlændingestyrelsen", never "Udlændingestyrelsen
(Udlændingestyrelsen)" when the organisation's name is the authority's."""

import pytest
from django.urls import reverse

from cases.choices import ResidenceStatus
from cmm.models import Role

pytestmark = pytest.mark.django_db


def _authority_cell(html: str) -> str:
    start = html.index("<dd><strong>")
    return html[start : html.index("</dd>", start)]


def test_the_authority_is_not_repeated_when_the_organisation_bears_its_name(
    login, users_a, open_case, deciders, present, org_us
):
    org_us.name = "Udlændingestyrelsen"
    org_us.save(update_fields=["name"])
    caseworker = users_a[Role.CASEWORKER]
    case = open_case(by=caseworker, residence_status=ResidenceStatus.ASYLUM_SEEKER)
    presentation = present(case, by=caseworker)
    html = login(caseworker).get(reverse("presentation-detail", args=[presentation.pk])).content.decode()
    cell = _authority_cell(html)
    assert cell.count("Udlændingestyrelsen") == 1


def test_a_differently_named_organisation_is_named_beside_the_authority(
    login, users_a, open_case, deciders, present, org_us
):
    caseworker = users_a[Role.CASEWORKER]
    case = open_case(by=caseworker, residence_status=ResidenceStatus.ASYLUM_SEEKER)
    presentation = present(case, by=caseworker)
    html = login(caseworker).get(reverse("presentation-detail", args=[presentation.pk])).content.decode()
    assert "<strong>Udlændingestyrelsen</strong> (Udlændingestyrelsen Test)" in _authority_cell(html)
