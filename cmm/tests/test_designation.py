"""Issue 17: which organisation is the Immigration Service and which is CMM is a platform admin's explicit
designation: at most one of each, checked by `manage.py check`, set only in the Django admin (superusers) or
with `manage.py designate_organisation`, never by an organisation admin."""

import importlib
import io
import os
import subprocess
import sys

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError
from django.db import IntegrityError, transaction

from cmm.checks import check_designated_organisations
from cmm.models import AuditAction, AuditEvent, Designation, Organisation, OrganisationKind, Role
from cmm.selectors import designated_organisation, is_cmm
from cmm.services import organisation_create, organisation_designate
from cmm.tests.factories import UserFactory
from cmm.tests.test_api import token_client
from cmm.two_factor.testing import pass_second_factor

pytestmark = pytest.mark.django_db


def _org(prefix, kind, **kwargs):
    return organisation_create(
        name=f"Org {prefix}", kind=kind, case_prefix=prefix, region="national", **kwargs
    )


def _error_ids():
    return sorted(error.id for error in check_designated_organisations())


# --- At most one of each, of the right kind ----------------------------------------------------------


def test_a_second_organisation_cannot_take_a_designation_in_the_database(org_us):
    police = _org("POL", OrganisationKind.AUTHORITY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.filter(pk=police.pk).update(designation=Designation.IMMIGRATION_SERVICE)


def test_the_designation_must_fit_the_kind(db):
    ngo = _org("NGO", OrganisationKind.NGO)
    with pytest.raises(ValidationError):
        organisation_designate(organisation=ngo, designation=Designation.IMMIGRATION_SERVICE)
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.filter(pk=ngo.pk).update(designation=Designation.CMM)


def test_designating_moves_the_designation_and_is_audited(org_us):
    police = _org("POL", OrganisationKind.AUTHORITY)

    organisation_designate(organisation=police, designation=Designation.IMMIGRATION_SERVICE)

    org_us.refresh_from_db()
    assert org_us.designation == ""
    assert designated_organisation(Designation.IMMIGRATION_SERVICE) == police
    changes = AuditEvent.objects.filter(action=AuditAction.CHANGED, detail__fields=["designation"])
    assert sorted((e.organisation_id, tuple(e.detail["designation"])) for e in changes) == [
        (org_us.pk, ("", "immigration_service")),  # designated when it was created
        (org_us.pk, ("immigration_service", "")),
        (police.pk, ("", "immigration_service")),
    ]


def test_only_the_designated_and_active_cmm_is_cmm(org_cmm):
    other = _org("CMF", OrganisationKind.CMM)
    assert is_cmm(org_cmm) and not is_cmm(other) and not is_cmm(None)
    org_cmm.is_active = False
    org_cmm.save()
    assert not is_cmm(org_cmm)
    assert designated_organisation(Designation.CMM) is None


# --- The system check --------------------------------------------------------------------------------


def test_the_check_is_quiet_without_organisations(db):
    assert Organisation.objects.count() == 0
    assert check_designated_organisations() == []


def test_the_check_reports_each_missing_designation(db):
    _org("POL", OrganisationKind.AUTHORITY)
    _org("CMX", OrganisationKind.CMM)
    assert _error_ids() == ["cmm.E001", "cmm.E002"]


def test_the_check_reports_an_inactive_designated_organisation(org_us, org_cmm):
    assert _error_ids() == []
    org_us.is_active = False
    org_us.save()
    assert _error_ids() == ["cmm.E003"]


def test_manage_py_check_fails_until_both_are_designated_and_the_command_fixes_it(db):
    police = _org("POL", OrganisationKind.AUTHORITY)
    _org("UST", OrganisationKind.AUTHORITY)
    _org("CMX", OrganisationKind.CMM)
    with pytest.raises(SystemCheckError, match=r"cmm\.E001"):
        call_command("check")

    out = io.StringIO()
    call_command("designate_organisation", immigration_service="ust", cmm="CMX", stdout=out)

    call_command("check")
    assert designated_organisation(Designation.IMMIGRATION_SERVICE).case_prefix == "UST"
    assert designated_organisation(Designation.CMM).case_prefix == "CMX"
    police.refresh_from_db()
    assert police.designation == ""
    assert "UST" in out.getvalue() and "CMX" in out.getvalue()


def test_the_command_refuses_what_cannot_be_designated(db):
    _org("NGO", OrganisationKind.NGO)
    inactive = _org("OLD", OrganisationKind.AUTHORITY)
    inactive.is_active = False
    inactive.save()
    with pytest.raises(CommandError, match="No organisation"):
        call_command("designate_organisation", cmm="NOPE")
    with pytest.raises(CommandError):
        call_command("designate_organisation", cmm="NGO")
    with pytest.raises(CommandError, match="inactive"):
        call_command("designate_organisation", immigration_service="OLD")
    assert not Organisation.objects.exclude(designation="").exists()


def test_the_migration_designates_only_where_it_is_unambiguous(db):
    migration = importlib.import_module("cmm.migrations.0005_organisation_designation")
    _org("CMX", OrganisationKind.CMM)
    _org("POL", OrganisationKind.AUTHORITY)
    _org("UST", OrganisationKind.AUTHORITY)

    migration.designate_where_unambiguous(apps, None)

    assert designated_organisation(Designation.CMM).case_prefix == "CMX"
    # Two authorities: which one is the Immigration Service is left to the platform admin.
    assert designated_organisation(Designation.IMMIGRATION_SERVICE) is None


def test_a_fresh_database_migrates_checks_and_seeds_the_demo(tmp_path):
    """In fresh processes, as `make run` does: the check neither breaks migrate on an empty database nor
    seed_demo, and passes once the demo is seeded (seed_demo designates)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cmm.settings.base",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        "DEBUG": "true",
    }
    env.pop("REPORTS_DATABASE_URL", None)
    manage = [sys.executable, "manage.py"]

    def run(*args):
        result = subprocess.run(
            [*manage, *args], env=env, capture_output=True, text=True, timeout=600, check=False
        )
        assert result.returncode == 0, (args, result.stdout[-2000:], result.stderr[-2000:])
        return result

    run("check")  # no database file yet
    run("migrate", "--noinput", "-v0")
    run("check")  # tables, no organisations
    run("seed_demo")
    run("check")
    shown = run("designate_organisation").stdout
    assert "US (Udlændingestyrelsen)" in shown and "CMM (Center mod Menneskehandel)" in shown


# --- Only a platform admin sets it -------------------------------------------------------------------


def test_organisation_admins_neither_see_nor_change_the_designation_through_the_api(
    api_client, users_a, org_us, org_a
):
    admin = users_a[Role.ORG_ADMIN]
    client = token_client(api_client, admin)
    listed = client.get("/api/organisations/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert rows and all("designation" not in row for row in rows)
    assert client.patch("/api/organisations/", {"designation": "cmm"}, format="json").status_code in (
        403,
        405,
    )
    membership = admin.memberships.get()
    client.patch(f"/api/members/{membership.pk}/", {"designation": "immigration_service"}, format="json")
    org_a.refresh_from_db()
    org_us.refresh_from_db()
    assert (org_a.designation, org_us.designation) == ("", Designation.IMMIGRATION_SERVICE)


def test_organisation_admins_member_pages_do_not_show_or_take_the_designation(client, users_a, org_a, login):
    admin = users_a[Role.ORG_ADMIN]
    client = login(admin)
    page = client.get("/members/")
    assert page.status_code == 200
    assert b"designation" not in page.content.lower()
    membership = users_a[Role.CASEWORKER].memberships.get()
    client.post(
        f"/members/{membership.pk}/",
        {"role": Role.CASEWORKER, "is_active": "on", "designation": "immigration_service"},
    )
    org_a.refresh_from_db()
    assert org_a.designation == ""
    # Nor does the Django admin open to them.
    assert client.get(f"/admin/cmm/organisation/{org_a.pk}/change/").status_code == 302


def _admin_form(organisation, **changes):
    data = {
        "name": organisation.name,
        "kind": organisation.kind,
        "region": organisation.region,
        "case_prefix": organisation.case_prefix,
        "is_active": "on",
        "designation": organisation.designation,
    }
    data.update(changes)
    return data


def test_staff_without_superuser_status_cannot_change_the_designation_in_the_django_admin(client, org_us):
    police = _org("POL", OrganisationKind.AUTHORITY)
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_organisation", "change_organisation"])
    )
    client.force_login(staff)
    pass_second_factor(client, staff)
    url = f"/admin/cmm/organisation/{police.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="designation"' not in page.content.decode()

    response = client.post(url, _admin_form(police, designation="immigration_service", name="Politiet"))

    assert response.status_code == 302
    police.refresh_from_db()
    assert (police.name, police.designation) == ("Politiet", "")
    assert designated_organisation(Designation.IMMIGRATION_SERVICE) == org_us


def test_a_superuser_designates_in_the_django_admin(client, org_us):
    police = _org("POL", OrganisationKind.AUTHORITY)
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    pass_second_factor(client, admin)

    # Taken: the other organisation must give it up first.
    taken = client.post(
        f"/admin/cmm/organisation/{police.pk}/change/", _admin_form(police, designation="immigration_service")
    )
    assert taken.status_code == 200
    assert taken.context["adminform"].form.errors
    police.refresh_from_db()
    assert police.designation == ""

    assert (
        client.post(
            f"/admin/cmm/organisation/{org_us.pk}/change/", _admin_form(org_us, designation="")
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/admin/cmm/organisation/{police.pk}/change/",
            _admin_form(police, designation="immigration_service"),
        ).status_code
        == 302
    )
    assert designated_organisation(Designation.IMMIGRATION_SERVICE) == police
    assert AuditEvent.objects.filter(
        organisation=police, detail__fields=["designation"], actor=admin
    ).exists()
