import datetime

import pytest
from django.core.exceptions import PermissionDenied

from cases.choices import CaseStatus
from cmm.models import Role
from identification.choices import Authority, Outcome, TaskKind
from identification.services import decision_record

pytestmark = pytest.mark.django_db


def test_us_decides_for_a_person_without_legal_residence_and_cmm_must_appoint_a_contact_person(
    case_a, users_a, deciders, present
):
    presentation = present(case_a, by=users_a[Role.CASEWORKER])
    assert presentation.authority == Authority.IMMIGRATION_SERVICE

    with pytest.raises(PermissionDenied):
        decision_record(
            presentation=presentation,
            by=deciders["cmm"],
            outcome=Outcome.IDENTIFIED,
            decided_on=datetime.date(2026, 3, 20),
            exploitation_types=["forced_labour"],
        )
    decision_record(
        presentation=presentation,
        by=deciders["us"],
        outcome=Outcome.IDENTIFIED,
        decided_on=datetime.date(2026, 3, 20),
        exploitation_types=["forced_labour"],
    )

    case_a.refresh_from_db()
    assert case_a.status == CaseStatus.IDENTIFIED
    kinds = set(presentation.tasks.values_list("kind", flat=True))
    assert {TaskKind.APPOINT_CONTACT_PERSON, TaskKind.START_REFLECTION} <= kinds


def test_the_case_timeline_tells_the_presentation_and_the_decision(case_a, users_a, deciders, present):
    from django.utils import translation

    from cases.models import CaseEvent
    from cases.templatetags.case_events import event_sentence

    presentation = present(case_a, by=users_a[Role.CASEWORKER])
    decision_record(
        presentation=presentation,
        by=deciders["us"],
        outcome=Outcome.NOT_IDENTIFIED,
        decided_on=datetime.date(2026, 3, 20),
    )
    with translation.override("en"):
        sentences = [event_sentence(e) for e in CaseEvent.objects.filter(case=case_a, kind="identification")]
    assert "Identification decision: Not identified (Danish Immigration Service)" in sentences
    assert "Presented for identification; decided by: Danish Immigration Service" in sentences
