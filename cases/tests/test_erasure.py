"""GDPR erasure on the person's request: CMM coordinators only, a typed confirmation, everything personal
goes (also access, open referrals and client-code links), an open case is closed, and it is audited."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse

from cases.choices import CaseStatus, EventKind
from cases.lifecycle import case_erase, case_get_for_erasure
from cases.models import (
    Case,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    ClientCode,
    PersonalDetails,
)
from cases.services import client_code_link, personal_details_view
from cmm.models import AuditAction, AuditEvent, Role
from cmm.permissions import user_can
from identification.models import Attachment
from identification.services import attachment_add
from referrals.choices import ConsentScope, ReferralKind, ReferralReason, ReferralStatus
from referrals.services.referrals import referral_accept, referral_send

pytestmark = pytest.mark.django_db

REASON = "Request by letter, journal 2026-114"


@pytest.fixture
def cmm_case(cmm_coordinator, open_case):
    """A case of CMM itself, opened by its coordinator."""
    return open_case(by=cmm_coordinator)


def _share_with(case, *, by, to, accepter):
    referral = referral_send(
        case=case,
        by=by,
        to_organisation=to,
        kind=ReferralKind.SHARE,
        reason=ReferralReason.choices[0][0],
        request_note="please help",
        consent_given=True,
        consent_on=datetime.date(2026, 3, 2),
        consent_scope=ConsentScope.choices[-1][0],
    )
    return referral_accept(referral=referral, by=accepter)


# --- Who may erase --------------------------------------------------------------------------------------


def test_only_a_cmm_coordinator_who_sees_the_case_may_erase(case_a, users_a, cmm_coordinator, cmm_case):
    assert case_get_for_erasure(user=cmm_coordinator, case_id=cmm_case.pk) == cmm_case
    with pytest.raises(Http404):  # not shared with CMM: not visible
        case_get_for_erasure(user=cmm_coordinator, case_id=case_a.pk)
    with pytest.raises(PermissionDenied):  # sees it, but is no CMM coordinator
        case_get_for_erasure(user=users_a[Role.COORDINATOR], case_id=case_a.pk)
    with pytest.raises(PermissionDenied):
        case_get_for_erasure(user=users_a[Role.CASEWORKER], case_id=case_a.pk)


# --- The service ----------------------------------------------------------------------------------------


def test_erasure_removes_details_access_referrals_and_client_codes_and_closes_the_case(
    case_a, users_a, cmm_coordinator, org_cmm, deciders, private_storage, django_capture_on_commit_callbacks
):
    caseworker = users_a[Role.CASEWORKER]
    referral = _share_with(case_a, by=caseworker, to=org_cmm, accepter=cmm_coordinator)
    client_code_link(case=case_a, code="4K7QX-M2PA9", by=caseworker)
    from identification.services import presentation_create

    presentation = presentation_create(
        case=case_a, by=caseworker, presented_on=datetime.date(2026, 3, 10), presented_by="police"
    )
    attachment = attachment_add(
        presentation=presentation,
        by=caseworker,
        uploaded_file=SimpleUploadedFile("passport.pdf", b"%PDF-1.4 data", content_type="application/pdf"),
    )
    storage, name = attachment.file.storage, attachment.file.name
    assert storage.exists(name)
    assert CaseGroupObjectPermission.objects.filter(content_object=case_a).exists()

    with django_capture_on_commit_callbacks(execute=True):
        removal = case_erase(case=case_a, by=cmm_coordinator, reason=REASON, confirm_number=case_a.number)

    case_a.refresh_from_db()
    assert case_a.status == CaseStatus.CLOSED and case_a.anonymised_at is not None
    assert removal.counts["case_closed"] == 1 and removal.counts["attachments"] == 1
    assert not PersonalDetails.objects.filter(case=case_a).exists()
    assert not PersonalDetails.history.filter(case_id=case_a.pk).exists()
    assert not Attachment.objects.filter(pk=attachment.pk).exists() and not storage.exists(name)
    assert not CaseGroupObjectPermission.objects.filter(content_object=case_a).exists()
    assert not CaseUserObjectPermission.objects.filter(content_object=case_a).exists()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CLOSED and referral.request_note == ""
    assert not ClientCode.objects.filter(case=case_a).exists()
    assert ClientCode.objects.filter(code="4K7QX-M2PA9").exists()  # the code itself identifies nobody
    # The coordinator no longer sees the case through the share; the owner sees no details.
    assert not user_can(cmm_coordinator, "cases.view_case", case_a)
    with pytest.raises(PermissionDenied):
        personal_details_view(case=case_a, by=caseworker)
    assert case_a.events.filter(kind=EventKind.ERASED).count() == 1
    audit = AuditEvent.objects.get(target_id=str(case_a.pk), action=AuditAction.DELETED)
    assert audit.actor == cmm_coordinator
    assert audit.detail["reason"] == "erasure" and audit.detail["request"] == REASON
    assert "Marker Person Alpha" not in str(audit.detail)


def test_erasure_needs_the_case_number_and_a_reason_without_the_persons_details(
    cmm_case, cmm_coordinator, in_english
):
    with pytest.raises(ValidationError) as wrong:
        case_erase(case=cmm_case, by=cmm_coordinator, reason=REASON, confirm_number="CMT-2026-99999")
    assert "confirm_number" in wrong.value.message_dict
    with pytest.raises(ValidationError) as empty:
        case_erase(case=cmm_case, by=cmm_coordinator, reason="  ", confirm_number=cmm_case.number)
    assert "reason" in empty.value.message_dict
    with pytest.raises(ValidationError) as named:
        case_erase(
            case=cmm_case,
            by=cmm_coordinator,
            reason="Asked by alpha on the phone",
            confirm_number=cmm_case.number,
        )
    assert "person's own details" in named.value.message_dict["reason"][0]
    assert PersonalDetails.objects.filter(case=cmm_case).exists()
    assert Case.objects.get(pk=cmm_case.pk).anonymised_at is None


def test_erasing_twice_does_no_harm(cmm_case, cmm_coordinator):
    case_erase(case=cmm_case, by=cmm_coordinator, reason=REASON, confirm_number=cmm_case.number)
    second = case_erase(case=cmm_case, by=cmm_coordinator, reason=REASON, confirm_number=cmm_case.number)
    assert "personal_details" not in second.counts and "case_closed" not in second.counts
    assert Case.objects.get(pk=cmm_case.pk).status == CaseStatus.CLOSED


# --- Page -----------------------------------------------------------------------------------------------


def test_erase_page_shows_counts_and_erases_after_typed_confirmation(cmm_case, cmm_coordinator, login):
    client = login(cmm_coordinator)
    url = reverse("case-erase", args=[cmm_case.pk])
    detail = client.get(reverse("case-detail", args=[cmm_case.pk]))
    assert b'id="case-erase-link"' in detail.content

    page = client.get(url)
    assert page.status_code == 200
    assert b'id="erase-preview"' in page.content and b'name="confirm_number"' in page.content

    refused = client.post(url, {"confirm_number": "wrong", "reason": REASON})
    assert refused.status_code == 400
    assert "confirm_number" in refused.context["form"].errors
    assert PersonalDetails.objects.filter(case=cmm_case).exists()

    done = client.post(url, {"confirm_number": cmm_case.number, "reason": REASON})
    assert done.status_code == 302 and done.url == reverse("case-detail", args=[cmm_case.pk])
    assert not PersonalDetails.objects.filter(case=cmm_case).exists()


def test_erase_page_is_404_for_an_invisible_case_and_403_for_other_roles(
    case_a, users_a, cmm_coordinator, login
):
    url = reverse("case-erase", args=[case_a.pk])
    assert login(cmm_coordinator).get(url).status_code == 404
    client = login(users_a[Role.CASEWORKER])
    assert client.get(url).status_code == 403
    assert client.post(url, {"confirm_number": case_a.number, "reason": REASON}).status_code == 403
    assert b'id="case-erase-link"' not in client.get(reverse("case-detail", args=[case_a.pk])).content
    assert PersonalDetails.objects.filter(case=case_a).exists()


# --- API ------------------------------------------------------------------------------------------------


def test_erase_api(cmm_case, case_a, users_a, cmm_coordinator, api_client):
    url = reverse("api-case-erase", args=[cmm_case.pk])
    api_client.force_authenticate(cmm_coordinator)

    bad = api_client.post(url, {"confirm_number": cmm_case.number}, format="json")
    assert bad.status_code == 400 and "reason" in bad.json()
    wrong = api_client.post(url, {"confirm_number": "nope", "reason": REASON}, format="json")
    assert wrong.status_code == 400 and "confirm_number" in wrong.json()
    assert (
        api_client.post(
            reverse("api-case-erase", args=[case_a.pk]), {"confirm_number": case_a.number, "reason": REASON}
        ).status_code
        == 404
    )

    ok = api_client.post(url, {"confirm_number": cmm_case.number, "reason": REASON}, format="json")
    assert ok.status_code == 200
    assert ok.json()["number"] == cmm_case.number and ok.json()["counts"]["personal_details"] == 1

    api_client.force_authenticate(users_a[Role.COORDINATOR])
    refused = api_client.post(
        reverse("api-case-erase", args=[case_a.pk]), {"confirm_number": case_a.number, "reason": REASON}
    )
    assert refused.status_code == 403


def test_erase_api_is_in_the_openapi_schema(cmm_coordinator, api_client):
    api_client.force_authenticate(cmm_coordinator)
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/cases/{id}/erase/"]["post"]
    assert "CaseErase" in str(operation["requestBody"]) and "200" in operation["responses"]
