"""Demo organisations and users for trying the app. Never for production data."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cmm.models import Designation, Membership, Organisation, OrganisationKind, Region, Role, User
from cmm.services import membership_add, organisation_create, organisation_designate

DEMO_PASSWORD = "demo-cmm-2026!"  # noqa: S105 - documented in the README, refused in production

# DEMO ONLY, published here and in the README: every demo user's authenticator (two-factor authentication)
# uses this key, RFC 6238's test secret "12345678901234567890", so that `make run` users and the browser tests
# can log in. Add DEMO_TOTP_SECRET (Base32) to any authenticator app as a time-based key. Never in production.
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"
DEMO_TOTP_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # noqa: S105 - the same key in Base32, documented

DEMO_ORGANISATIONS = [
    # name, kind, case prefix, region
    ("Center mod Menneskehandel", OrganisationKind.CMM, "CMM", Region.NATIONAL),
    ("Reden International", OrganisationKind.NGO, "REDEN", Region.HOVEDSTADEN),
    ("Pro Vest", OrganisationKind.NGO, "PROVEST", Region.SYDDANMARK),
    ("Kompetencecenter Prostitution", OrganisationKind.NGO, "KCP", Region.NATIONAL),
    ("Krisecenter Odense", OrganisationKind.SHELTER, "KCO", Region.SYDDANMARK),
    ("Udlændingestyrelsen", OrganisationKind.AUTHORITY, "US", Region.NATIONAL),
    ("IOM Denmark", OrganisationKind.IOM, "IOM", Region.NATIONAL),
]

# Which demo organisation is the Immigration Service and which is CMM (a platform admin's designation).
DEMO_DESIGNATIONS = {Designation.CMM: "CMM", Designation.IMMIGRATION_SERVICE: "US"}

DEMO_USERS = [
    # username, first name, last name, [(organisation prefix, role)]
    ("outreach", "Olivia", "Opsøgende", [("REDEN", Role.OUTREACH_WORKER)]),
    ("caseworker", "Karen", "Kontaktperson", [("REDEN", Role.CASEWORKER)]),
    ("coordinator", "Christian", "Koordinator", [("CMM", Role.COORDINATOR)]),
    ("liaison", "Lars", "Udlændingestyrelsen", [("US", Role.AUTHORITY_LIAISON)]),
    ("analyst", "Anna", "Analytiker", [("CMM", Role.ANALYST)]),
    ("orgadmin", "Ole", "Administrator", [("REDEN", Role.ORG_ADMIN)]),
    ("shelter", "Sofie", "Krisecenter", [("KCO", Role.CASEWORKER), ("PROVEST", Role.OUTREACH_WORKER)]),
]


@transaction.atomic
def seed_demo() -> dict:
    """Create what is missing of the demo organisations and users; running it again changes nothing."""
    created = {"organisations": 0, "users": 0, "memberships": 0, "cases": 0}
    by_prefix = {}
    for name, kind, prefix, region in DEMO_ORGANISATIONS:
        organisation = Organisation.objects.filter(case_prefix=prefix).first()
        if organisation is None:
            organisation = organisation_create(name=name, kind=kind, case_prefix=prefix, region=region)
            created["organisations"] += 1
        by_prefix[prefix] = organisation
    for designation, prefix in DEMO_DESIGNATIONS.items():
        if not Organisation.objects.filter(designation=designation).exists():
            organisation_designate(organisation=by_prefix[prefix], designation=designation)

    for username, first_name, last_name, roles in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                first_name=first_name,
                last_name=last_name,
                email=f"{username}@demo.cmm.localhost",
                language="da",
            )
            user.set_password(DEMO_PASSWORD)
            user.full_clean()
            user.save()
            created["users"] += 1
        for prefix, role in roles:
            if not Membership.objects.filter(user=user, organisation=by_prefix[prefix]).exists():
                membership_add(user=user, organisation=by_prefix[prefix], role=role)
                created["memberships"] += 1

    created["cases"] = _seed_demo_cases(by_prefix)
    created["referral_groups"] = _seed_demo_referrals(by_prefix)

    if not User.objects.filter(username="admin").exists():
        admin = User(
            username="admin",
            first_name="Platform",
            last_name="Admin",
            is_staff=True,
            is_superuser=True,
            email="admin@demo.cmm.localhost",
            language="en",
        )
        admin.set_password(DEMO_PASSWORD)
        admin.save()
        created["users"] += 1
    for user in User.objects.filter(username__in=[u[0] for u in DEMO_USERS] + ["admin"]):
        _demo_authenticator(user)
    return created


def _demo_authenticator(user: User) -> None:
    """Give a demo user a confirmed authenticator with the published demo key (if they have none)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if (settings.SETTINGS_MODULE or "").endswith(".production"):
        raise RuntimeError("Demo authenticators with a published key are never created in production.")
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name="demo authenticator", key=DEMO_TOTP_KEY, confirmed=True)


def _seed_demo_cases(by_prefix: dict) -> int:
    """A few made-up cases for Reden International, opened by the demo caseworker (only on the first run)."""
    import datetime

    from cases.choices import (
        ExploitationType,
        ForcedLabourSector,
        Gender,
        HousingType,
        ResidenceStatus,
        ServiceMode,
        ServiceType,
    )
    from cases.models import Case
    from cases.services import case_open, service_record, stay_save

    reden = by_prefix["REDEN"]
    if Case.objects.filter(organisation=reden).exists():
        return 0
    caseworker = User.objects.get(username="caseworker")
    today = timezone.localdate()
    first = case_open(
        by=caseworker,
        organisation=reden,
        opened_on=today - datetime.timedelta(days=40),
        gender=Gender.FEMALE,
        residence_status=ResidenceStatus.NO_LEGAL_RESIDENCE,
        nationality="NG",
        languages=["en"],
        exploitations=[(ExploitationType.SEXUAL, "")],
        contact_person=caseworker,
        estimated_age=24,
        personal={"full_name": "Demo Person (made up)", "phone_numbers": "+45 00 00 00 00"},
    )
    service_record(
        case=first,
        by=caseworker,
        service_type=ServiceType.HEALTH_DOCTOR,
        mode=ServiceMode.ACCOMPANIED,
        provided_on=today - datetime.timedelta(days=30),
        provider="Demo clinic",
    )
    stay_save(
        case=first,
        by=caseworker,
        housing_type=HousingType.CRISIS_CENTRE,
        housing_name="Demo shelter",
        admitted_on=today - datetime.timedelta(days=35),
    )
    case_open(
        by=caseworker,
        organisation=reden,
        opened_on=today - datetime.timedelta(days=12),
        gender=Gender.MALE,
        residence_status=ResidenceStatus.EU_CITIZEN,
        nationality="RO",
        languages=["ro"],
        exploitations=[(ExploitationType.FORCED_LABOUR, ForcedLabourSector.CONSTRUCTION)],
        estimated_age=31,
    )
    case_open(
        by=caseworker,
        organisation=reden,
        opened_on=today - datetime.timedelta(days=3),
        gender=Gender.FEMALE,
        residence_status=ResidenceStatus.ASYLUM_SEEKER,
        nationality="VN",
        unaccompanied_minor=True,
        exploitations=[(ExploitationType.FORCED_CRIME, "")],
        estimated_age=16,
    )
    return 3


def _seed_demo_referrals(by_prefix: dict) -> int:
    """Members and a meeting for the København referral group, a referral of the first demo case to CMM
    waiting for an answer, and a draft return plan (only on the first run). Returns the members added."""
    import datetime
    from decimal import Decimal

    from cases.models import Case
    from referrals.choices import ComponentKind, ConsentScope, MemberSector, ReferralKind, ReferralReason
    from referrals.models import GroupMember, ReferralGroup
    from referrals.services.groups import action_add, meeting_create, member_add, referral_groups_ensure
    from referrals.services.referrals import referral_send
    from referrals.services.returns import component_add, return_plan_create

    referral_groups_ensure()
    group = ReferralGroup.objects.get(region="kobenhavn")
    if GroupMember.objects.filter(group=group).exists():
        return 0
    coordinator = User.objects.get(username="coordinator")
    caseworker = User.objects.get(username="caseworker")
    today = timezone.localdate()
    cmm_member = member_add(
        group=group, by=coordinator, sector=MemberSector.CMM, organisation=by_prefix["CMM"], user=coordinator
    )
    reden_member = member_add(
        group=group, by=coordinator, sector=MemberSector.NGO, organisation=by_prefix["REDEN"], user=caseworker
    )
    member_add(
        group=group,
        by=coordinator,
        sector=MemberSector.POLICE,
        organisation_name="Københavns Politi",
        name="Politikommissær (demo)",
    )
    meeting = meeting_create(
        group=group,
        by=coordinator,
        starts_at=timezone.now() - datetime.timedelta(days=14),
        place="CMM, København",
        agenda="1. Erfaringer fra razziaer\n2. Boligsituationen for mænd",
        minutes="Drøftet samarbejdet om razziaer og behovet for flere alternative boliger til mænd.",
        attendees=[cmm_member, reden_member],
    )
    action_add(
        meeting=meeting,
        by=coordinator,
        description="Send oversigt over ledige alternative boliger til gruppen",
        due_on=today + datetime.timedelta(days=5),
        owner=reden_member,
    )
    meeting_create(
        group=group,
        by=coordinator,
        starts_at=timezone.now() + datetime.timedelta(days=30),
        place="CMM, København",
        agenda="1. Opfølgning\n2. Emner til den nationale gruppe",
    )
    first = Case.objects.filter(organisation=by_prefix["REDEN"]).order_by("opened_on", "pk").first()
    if first is not None:
        referral_send(
            case=first,
            by=caseworker,
            to_organisation=by_prefix["CMM"],
            kind=ReferralKind.SHARE,
            reason=ReferralReason.CONTACT_PERSON,
            request_note="Udpegning af kontaktperson efter identifikation.",
            consent_given=True,
            consent_on=today - datetime.timedelta(days=2),
            consent_scope=ConsentScope.FACTS,
        )
        plan = return_plan_create(
            case=first, by=caseworker, destination_country="NG", destination_city="Benin City"
        )
        component_add(plan=plan, by=caseworker, kind=ComponentKind.RECEPTION, budget_amount=Decimal("2000"))
        component_add(plan=plan, by=caseworker, kind=ComponentKind.HOUSING, budget_amount=Decimal("6000"))
    return 3
