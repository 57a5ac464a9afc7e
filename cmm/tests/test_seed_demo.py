import pytest
from django.core.management import CommandError, call_command

from cases.models import Case
from cmm.demo import DEMO_ORGANISATIONS, DEMO_USERS
from cmm.models import Membership, Organisation, Role, User

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_covers_every_role():
    call_command("seed_demo", "--allow-without-debug")
    counts = (Organisation.objects.count(), User.objects.count(), Membership.objects.count())
    call_command("seed_demo", "--allow-without-debug")

    assert (Organisation.objects.count(), User.objects.count(), Membership.objects.count()) == counts
    assert counts[0] == len(DEMO_ORGANISATIONS) == 7
    assert {m.role for m in Membership.objects.all()} == set(Role.values)
    assert {
        "Center mod Menneskehandel",
        "Reden International",
        "Pro Vest",
        "Kompetencecenter Prostitution",
        "Krisecenter Odense",
        "Udlændingestyrelsen",
        "IOM Denmark",
    } == set(Organisation.objects.values_list("name", flat=True))
    assert User.objects.filter(username__in=[u[0] for u in DEMO_USERS]).count() == len(DEMO_USERS)
    assert Case.objects.filter(organisation__case_prefix="REDEN").count() == 3  # not doubled by the rerun


def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")


def test_seed_demo_fills_a_referral_group_and_a_pending_referral_once():
    from referrals.choices import ReferralStatus
    from referrals.models import GroupMeeting, GroupMember, MeetingAction, Referral, ReturnPlan

    call_command("seed_demo", "--allow-without-debug")
    call_command("seed_demo", "--allow-without-debug")

    assert GroupMember.objects.filter(group__region="kobenhavn").count() == 3
    assert GroupMeeting.objects.count() == 2
    assert MeetingAction.objects.filter(done_on__isnull=True).count() == 1
    referral = Referral.objects.get()
    assert (referral.status, referral.to_organisation.case_prefix) == (ReferralStatus.PENDING, "CMM")
    assert ReturnPlan.objects.get().components.count() == 2
