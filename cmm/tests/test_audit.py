import pytest

from cmm.models import AuditAction, AuditEvent, Role
from cmm.services import audit_record

pytestmark = pytest.mark.django_db


def test_audit_records_who_what_which_object_and_when(users_a, org_a):
    actor = users_a[Role.COORDINATOR]
    target = users_a[Role.CASEWORKER].memberships.get()
    event = audit_record(
        actor=actor,
        action=AuditAction.VIEWED,
        organisation=org_a,
        target=target,
        detail={"fields": ["role"]},
        ip_address="10.1.2.3",
    )
    event.refresh_from_db()
    assert event.actor == actor
    assert event.organisation == org_a
    assert event.target_type.model == "membership"
    assert event.target_id == str(target.pk)
    assert event.detail == {"fields": ["role"]}
    assert event.at is not None


def test_audit_events_cannot_be_changed_or_deleted(users_a):
    event = audit_record(actor=users_a[Role.CASEWORKER], action=AuditAction.LOGIN)

    event.action = AuditAction.LOGOUT
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action=AuditAction.LOGOUT)
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == AuditAction.LOGIN


def test_anonymous_actor_is_recorded_as_nobody():
    from django.contrib.auth.models import AnonymousUser

    event = audit_record(actor=AnonymousUser(), action=AuditAction.ACCESS_REFUSED)
    assert event.actor is None


def test_admin_shows_the_audit_log_read_only(client, django_user_model):
    from cmm.tests.factories import UserFactory
    from cmm.two_factor.testing import pass_second_factor

    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    pass_second_factor(client, admin)  # staff use two-factor authentication too
    audit_record(actor=admin, action=AuditAction.LOGIN)
    assert client.get("/admin/cmm/auditevent/").status_code == 200
    event = AuditEvent.objects.get()
    assert client.post(f"/admin/cmm/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_private_files_have_no_url():
    from django.core.files.storage import storages

    with pytest.raises(ValueError):
        storages["private"].url("identification/1/abc")
