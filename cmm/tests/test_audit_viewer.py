"""The audit viewer (/audit/ and /api/audit/): CMM coordinators only, filters shared by page and API,
newest first, 50 a page, a constant number of queries, and every read of the log is itself audited."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from rest_framework.test import APIClient

from cmm.audit.filters import AuditEventFilter
from cmm.models import AuditAction, AuditEvent, Role
from cmm.services import audit_record
from cmm.tests.test_api import token_client

pytestmark = pytest.mark.django_db

CPH = ZoneInfo("Europe/Copenhagen")


def log_reads():
    return AuditEvent.objects.filter(action=AuditAction.VIEWED, detail__what="audit_log")


def listed(response):
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def api(cmm_coordinator):
    return token_client(APIClient(), cmm_coordinator)


def test_coordinator_sees_every_organisations_events_newest_first(cmm_coordinator, case_a, users_b, login):
    older = audit_record(actor=users_b[Role.CASEWORKER], action=AuditAction.LOGIN, ip_address="10.0.0.2")
    client = login(cmm_coordinator)

    response = client.get("/audit/")

    assert response.status_code == 200
    events = [event for event, _type, _items in response.context["rows"]]
    assert older in events
    assert any(e.target_id == str(case_a.pk) for e in events)  # organisation A's case
    assert [e.pk for e in events] == sorted((e.pk for e in events), reverse=True)
    assert b'id="audit-events"' in response.content


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.ORG_ADMIN, Role.ANALYST, Role.OUTREACH_WORKER])
def test_other_roles_get_403_on_page_and_api(role, users_a, login):
    user = users_a[role]
    assert login(user).get("/audit/").status_code == 403
    assert token_client(APIClient(), user).get("/api/audit/").status_code == 403
    assert not log_reads().exists()


def test_coordinator_role_outside_cmm_does_not_open_the_log(org_a, make_member, login):
    appointed = make_member(org_a, Role.COORDINATOR)  # an NGO's admin may hand out the role
    assert login(appointed).get("/audit/").status_code == 403
    assert token_client(APIClient(), appointed).get("/api/audit/").status_code == 403


def test_menu_shows_the_audit_log_to_coordinators_only(cmm_coordinator, users_a, login):
    assert b'href="/audit/"' in login(cmm_coordinator).get("/").content
    assert b'href="/audit/"' not in login(users_a[Role.CASEWORKER]).get("/").content


def test_reading_the_log_is_audited_with_the_filters(cmm_coordinator, org_cmm, login, api):
    login(cmm_coordinator).get("/audit/", {"action": "login", "actor": "someone", "page": "1"})
    api.get("/api/audit/", {"ip_address": "10.0.0.1"})

    page_read, api_read = log_reads().order_by("id")
    assert page_read.actor == cmm_coordinator and page_read.organisation == org_cmm
    assert page_read.detail == {
        "what": "audit_log",
        "filters": {"action": "login", "actor": "someone"},
        "page": 1,
        "purpose": "page",
    }
    assert api_read.detail["filters"] == {"ip_address": "10.0.0.1"} and api_read.detail["purpose"] == "api"


def test_filters_narrow_page_and_api_alike(cmm_coordinator, users_a, users_b, org_a, case_a, login, api):
    caseworker_b = users_b[Role.CASEWORKER]
    caseworker_b.username = "zebra-auditee"  # unique: "user1" would also find user10, user11 ...
    caseworker_b.save(update_fields=["username"])
    with time_machine.travel(datetime.datetime(2026, 3, 2, 0, 30, tzinfo=CPH), tick=False):
        early = audit_record(actor=caseworker_b, action=AuditAction.LOGIN, ip_address="10.1.1.1")
    with time_machine.travel(datetime.datetime(2026, 3, 3, 23, 30, tzinfo=CPH), tick=False):
        late = audit_record(actor=caseworker_b, action=AuditAction.LOGOUT, ip_address="10.2.2.2")
    case_type = ContentType.objects.get(app_label="cases", model="case")
    client = login(cmm_coordinator)

    cases = {
        "date_from=2026-03-02&date_to=2026-03-02": {early.pk},  # 00:30 Copenhagen is the day before in UTC
        "date_from=2026-03-03&date_to=2026-03-03": {late.pk},  # 23:30 Copenhagen is still 3 March
        "actor=ZEBRA": {early.pk, late.pk},
        "action=logout": {late.pk},
        "ip_address=10.1.1.1": {early.pk},
    }
    for query, expected in cases.items():
        page_ids = {e.pk for e, _t, _i in client.get(f"/audit/?{query}").context["rows"]}
        api_ids = set(listed(api.get(f"/api/audit/?{query}")))
        assert page_ids & {early.pk, late.pk} == expected, query
        assert api_ids & {early.pk, late.pk} == expected, query

    by_case = api.get("/api/audit/", {"object": case_a.number, "object_type": case_type.pk}).json()["results"]
    assert by_case and all(row["target_label"] == case_a.number for row in by_case)
    assert all(row["target_type"] == "cases.case" for row in by_case)
    by_org = api.get("/api/audit/", {"organisation": org_a.pk}).json()["results"]
    assert by_org and all(row["organisation"]["id"] == org_a.pk for row in by_org)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("date_from=2026-03-05&date_to=2026-03-01", "date_to"),
        ("date_from=yesterday", "date_from"),
        ("ip_address=not-an-ip", "ip_address"),
        ("action=shouting", "action"),
        ("organisation=999999", "organisation"),
    ],
)
def test_bad_filters_answer_400_with_the_field(query, field, cmm_coordinator, login, api):
    response = login(cmm_coordinator).get(f"/audit/?{query}")
    assert response.status_code == 400
    assert field in response.context["filter"].form.errors
    assert b"field__error" in response.content

    api_response = api.get(f"/api/audit/?{query}")
    assert api_response.status_code == 400
    assert field in api_response.json()


def test_pages_hold_50_events(cmm_coordinator, users_a, login, api):
    AuditEvent.objects.bulk_create(
        [AuditEvent(actor=users_a[Role.CASEWORKER], action=AuditAction.LOGIN) for _ in range(60)]
    )
    client = login(cmm_coordinator)
    first = client.get("/audit/")
    assert len(first.context["rows"]) == 50
    assert first.context["page"].paginator.num_pages == 2
    assert len(api.get("/api/audit/").json()["results"]) == 50
    assert api.get("/api/audit/?page=2").status_code == 200


def test_query_count_does_not_grow_with_rows(
    cmm_coordinator, users_a, users_b, org_a, case_a, login, api, django_assert_max_num_queries
):
    client = login(cmm_coordinator)
    client.get("/audit/")
    api.get("/api/audit/")  # warm the caches (content types, role permissions) of both
    with django_assert_max_num_queries(20) as page_few:
        client.get("/audit/")
    with django_assert_max_num_queries(20) as api_few:
        api.get("/api/audit/")
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=users_b[Role.CASEWORKER] if i % 2 else users_a[Role.CASEWORKER],
                organisation=org_a,
                action=AuditAction.VIEWED,
                target_type=ContentType.objects.get_for_model(case_a),
                target_id=str(case_a.pk),
                target_label=case_a.number,
                detail={"fields": ["full_name"]},
            )
            for i in range(40)
        ]
    )
    with django_assert_max_num_queries(len(page_few.captured_queries)):
        client.get("/audit/")
    with django_assert_max_num_queries(len(api_few.captured_queries)):
        api.get("/api/audit/")


def test_audit_api_is_in_the_openapi_schema(cmm_coordinator, api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/audit/"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    filters = set(AuditEventFilter.base_filters)
    assert len(filters) >= 8  # dates, user, organisation, action, object type, object, address
    assert filters <= names


def test_page_renders_in_english_and_danish(cmm_coordinator, users_a, login):
    audit_record(actor=users_a[Role.CASEWORKER], action=AuditAction.LOGIN, detail={"fields": ["a", "b"]})
    client = login(cmm_coordinator)
    danish = client.get("/audit/")
    assert danish.status_code == 200 and "<dt>Felter</dt><dd>a, b</dd>" in danish.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/audit/")
    assert english.status_code == 200 and b"Audit log" in english.content
    assert b"<dt>Fields</dt><dd>a, b</dd>" in english.content


def test_every_detail_key_the_code_writes_has_a_label():
    """A key a service writes into an audit detail is named for the reader (unknown keys would show raw).
    The scan reads the `detail={...}` literals of the services; details built elsewhere are not seen."""
    import re
    from pathlib import Path

    from django.conf import settings

    from cmm.audit.views import DETAIL_LABELS

    written = set()
    for path in Path(settings.BASE_DIR).glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts or "migrations" in path.parts:
            continue
        for block in re.findall(r"detail=\{([^}]*)\}", path.read_text()):
            written |= set(re.findall(r'"(\w+)":', block))
    assert written, "the scan found the services' audit details"
    assert written - set(DETAIL_LABELS) == set()
