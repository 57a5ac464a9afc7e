"""Generate a synthetic, seeded dataset at national scale (or a small one for tests) through the real models.

Everything is drawn from one `random.Random(seed)` and dated relative to `--today`, so the same seed and day
give the same rows. Rows are written with `bulk_create`; the rules the services enforce (case numbers, the
case team's object permissions, the authority routing, reflection deadlines, one running period per case,
one return plan in progress per case) are followed here by construction, and every row passes
`full_clean()` (cmm/tests/test_generate_synthetic.py checks a sample of each model). Identifying details are
invented from short name lists and stored encrypted through the model's own fields. No history rows
(django-simple-history) and no audit events are written for the generated records.
"""

from __future__ import annotations

import datetime
import random
import time
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from cases.choices import (
    CaseStatus,
    CloseReason,
    DischargeReason,
    EventKind,
    ExploitationType,
    ForcedLabourSector,
    Gender,
    HousingType,
    ResidenceStatus,
    age_band,
)
from cases.models import (
    Case,
    CaseEvent,
    CaseExploitation,
    CaseGroupObjectPermission,
    CaseNumberSequence,
    CaseTeamMember,
    CaseUserObjectPermission,
    ClientCode,
    PersonalDetails,
    PersonalRepresentative,
    ShelterStay,
)
from cases.services import age_from_birth_date
from cmm.models import Designation, Membership, Organisation, OrganisationKind, Region, Role, User
from cmm.services import organisation_create, organisation_designate
from identification.choices import Outcome, PresentedBy
from identification.models import Decision, Presentation
from identification.rules import MUST_LEAVE, competent_authority
from outreach.choices import CallerCategory, CallPurpose, Indicator, OutreachService, PoliceDistrict, Venue
from outreach.models import ClinicConsultation, Contact, HotlineCall, MeetingPlaceSession, PoliceRaid
from referrals.choices import (
    ConsentScope,
    FollowUpMilestone,
    ReferralReason,
    ReferralStatus,
    ReturnChannel,
    ReturnStatus,
    TravelDocumentStatus,
)
from referrals.models import Referral, ReturnFollowUp, ReturnPlan
from referrals.routing import DEFAULT_CHANNEL, return_responsible_body
from reflection.choices import ExtensionGround, PeriodKind, PeriodOutcome
from reflection.dates import period_deadline
from reflection.models import Extension, Postponement, ReflectionPeriod

BATCH = 5000
YEARS = 10
ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Scale:
    organisations: int
    users: int
    cases: int
    contacts: int
    hotline_calls: int
    police_raids: int
    shelter_stays: int
    presentations: int
    reflection_periods: int
    return_plans: int
    meeting_places: int
    shared_share: float = 0.05  # cases shared with another organisation by referral


SCALES = {
    "national": Scale(
        organisations=30,
        users=600,
        cases=50_000,
        contacts=1_000_000,
        hotline_calls=100_000,
        police_raids=5_000,
        shelter_stays=20_000,
        presentations=10_000,
        reflection_periods=8_000,
        return_plans=3_000,
        meeting_places=4,
    ),
    "small": Scale(
        organisations=6,
        users=24,
        cases=50,
        contacts=1_000,
        hotline_calls=100,
        police_raids=5,
        shelter_stays=20,
        presentations=10,
        reflection_periods=8,
        return_plans=3,
        meeting_places=1,
    ),
}

# name, kind, case prefix, region, home city. The first of each kind are taken at small scale.
ORGANISATIONS = [
    ("Center mod Menneskehandel", OrganisationKind.CMM, "CMM", Region.NATIONAL, "København"),
    ("Udlændingestyrelsen", OrganisationKind.AUTHORITY, "US", Region.NATIONAL, "København"),
    ("IOM Danmark", OrganisationKind.IOM, "IOM", Region.NATIONAL, "København"),
    ("Reden København", OrganisationKind.NGO, "REDK", Region.HOVEDSTADEN, "København"),
    ("Reden Aarhus", OrganisationKind.NGO, "REDA", Region.MIDTJYLLAND, "Aarhus"),
    ("Reden Odense", OrganisationKind.NGO, "REDO", Region.SYDDANMARK, "Odense"),
    ("Reden Aalborg", OrganisationKind.NGO, "REDAL", Region.NORDJYLLAND, "Aalborg"),
    ("Pro Vest", OrganisationKind.NGO, "PROVEST", Region.SYDDANMARK, "Esbjerg"),
    ("Hope Now", OrganisationKind.NGO, "HOPE", Region.HOVEDSTADEN, "København"),
    ("Dansk Røde Kors Asyl", OrganisationKind.NGO, "DRKA", Region.NATIONAL, "Roskilde"),
    ("Kirkens Korshær Nat", OrganisationKind.NGO, "KKN", Region.HOVEDSTADEN, "København"),
    ("Kompetencecenter Prostitution", OrganisationKind.NGO, "KCP", Region.NATIONAL, "København"),
    ("Gadejuristen", OrganisationKind.NGO, "GADEJ", Region.HOVEDSTADEN, "København"),
    ("Mændenes Hjem", OrganisationKind.NGO, "MAEND", Region.HOVEDSTADEN, "København"),
    ("Projekt Udenfor", OrganisationKind.NGO, "UDENFOR", Region.HOVEDSTADEN, "København"),
    ("Sundhedsklinikken Vest", OrganisationKind.NGO, "SKV", Region.MIDTJYLLAND, "Herning"),
    ("Reden Vejle", OrganisationKind.NGO, "REDV", Region.SYDDANMARK, "Vejle"),
    ("Natcafeen Randers", OrganisationKind.NGO, "NCR", Region.MIDTJYLLAND, "Randers"),
    ("Redenfonden Sjælland", OrganisationKind.NGO, "REDS", Region.SJAELLAND, "Næstved"),
    ("Street Health Kolding", OrganisationKind.NGO, "SHK", Region.SYDDANMARK, "Kolding"),
    ("Krisecenter Odense", OrganisationKind.SHELTER, "KCO", Region.SYDDANMARK, "Odense"),
    ("Krisecenter København", OrganisationKind.SHELTER, "KCK", Region.HOVEDSTADEN, "København"),
    ("Krisecenter Aarhus", OrganisationKind.SHELTER, "KCA", Region.MIDTJYLLAND, "Aarhus"),
    ("Krisecenter Aalborg", OrganisationKind.SHELTER, "KCAL", Region.NORDJYLLAND, "Aalborg"),
    ("Røde Kors Kvindecenter", OrganisationKind.SHELTER, "RKKC", Region.SJAELLAND, "Roskilde"),
    ("Alternativt Herrebo", OrganisationKind.SHELTER, "ALTH", Region.HOVEDSTADEN, "Helsingør"),
    ("Krisecenter Esbjerg", OrganisationKind.SHELTER, "KCE", Region.SYDDANMARK, "Esbjerg"),
    ("Krisecenter Herning", OrganisationKind.SHELTER, "KCH", Region.MIDTJYLLAND, "Herning"),
    ("Krisecenter Næstved", OrganisationKind.SHELTER, "KCN", Region.SJAELLAND, "Næstved"),
    ("Krisecenter Kolding", OrganisationKind.SHELTER, "KCKO", Region.SYDDANMARK, "Kolding"),
]
SMALL_ORGANISATIONS = ["CMM", "US", "REDK", "REDA", "KCO", "KCK"]
# Which organisation is CMM and which the Immigration Service (designated unless already designated).
DESIGNATIONS = {Designation.CMM: "CMM", Designation.IMMIGRATION_SERVICE: "US"}

CITIES = {
    "København": (Region.HOVEDSTADEN, PoliceDistrict.KOEBENHAVN),
    "Aarhus": (Region.MIDTJYLLAND, PoliceDistrict.OESTJYLLAND),
    "Odense": (Region.SYDDANMARK, PoliceDistrict.FYN),
    "Aalborg": (Region.NORDJYLLAND, PoliceDistrict.NORDJYLLAND),
    "Esbjerg": (Region.SYDDANMARK, PoliceDistrict.SYD_SOENDERJYLLAND),
    "Roskilde": (Region.SJAELLAND, PoliceDistrict.MIDT_VESTSJAELLAND),
    "Vejle": (Region.SYDDANMARK, PoliceDistrict.SYDOESTJYLLAND),
    "Randers": (Region.MIDTJYLLAND, PoliceDistrict.OESTJYLLAND),
    "Helsingør": (Region.HOVEDSTADEN, PoliceDistrict.NORDSJAELLAND),
    "Næstved": (Region.SJAELLAND, PoliceDistrict.SYDSJAELLAND_LF),
    "Kolding": (Region.SYDDANMARK, PoliceDistrict.SYDOESTJYLLAND),
    "Herning": (Region.MIDTJYLLAND, PoliceDistrict.MIDT_VESTJYLLAND),
}

# Roles of the users of an organisation, by kind (drawn in this proportion).
ROLE_MIX = {
    OrganisationKind.CMM: [
        (Role.COORDINATOR, 4),
        (Role.CASEWORKER, 8),
        (Role.OUTREACH_WORKER, 4),
        (Role.ANALYST, 2),
        (Role.ORG_ADMIN, 1),
    ],
    OrganisationKind.AUTHORITY: [(Role.AUTHORITY_LIAISON, 6), (Role.ORG_ADMIN, 1)],
    OrganisationKind.IOM: [(Role.CASEWORKER, 3), (Role.ORG_ADMIN, 1)],
    OrganisationKind.NGO: [(Role.OUTREACH_WORKER, 6), (Role.CASEWORKER, 4), (Role.ORG_ADMIN, 1)],
    OrganisationKind.SHELTER: [(Role.CASEWORKER, 5), (Role.ORG_ADMIN, 1)],
}
CASE_ROLES = {Role.CASEWORKER, Role.COORDINATOR}
OUTREACH_ROLES = {Role.OUTREACH_WORKER, Role.CASEWORKER, Role.COORDINATOR}

# Nationality, weight, language: roughly the mix of CMM's annual reports.
NATIONALITIES = [
    ("NG", 22, "en"),
    ("RO", 16, "ro"),
    ("TH", 10, "th"),
    ("BG", 6, "bg"),
    ("VN", 5, "vi"),
    ("PH", 4, "en"),
    ("UG", 4, "en"),
    ("GH", 3, "en"),
    ("HU", 3, "hu"),
    ("CN", 3, "zh"),
    ("UA", 3, "uk"),
    ("PL", 3, "pl"),
    ("LT", 2, "lt"),
    ("BR", 2, "pt"),
    ("ER", 2, "ti"),
    ("SY", 2, "ar"),
    ("AF", 2, "fa"),
    ("MA", 2, "ar"),
    ("KE", 2, "en"),
    ("DK", 1, "da"),
    ("", 3, ""),
]


def _words(text: str) -> list[str]:
    return text.split()


FEMALE_NAMES = _words(
    "Blessing Joy Precious Mercy Ioana Elena Maria Andreea Siriporn Malee Nok Lan Mai Anna Olena"
)
MALE_NAMES = _words(
    "Emeka Chinedu Ion Mihai Andrei Somchai Minh Tuan Pavel Ivan Marek Samuel Tesfay Omar Ali"
)
SURNAMES = _words(
    "Okafor Adeyemi Eze Popescu Ionescu Dumitru Saetang Wongsa Nguyen Tran Petrov Ivanova Nagy "
    "Kowalski Haile Mensah Santos Hassan Wang Kovalenko"
)


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


class DayPicker:
    """Draw days from `first` to `last` with a linearly growing rate (the work grew over the decade)."""

    def __init__(self, first: datetime.date, last: datetime.date, growth: float = 3.0):
        self.first = first
        span = (last - first).days + 1
        self.cumulative = list(accumulate(1 + (growth - 1) * day / span for day in range(span)))

    def day(self, rng: random.Random, after: datetime.date | None = None) -> datetime.date:
        low = 0.0
        if after is not None and after > self.first:
            index = min((after - self.first).days, len(self.cumulative) - 1)
            low = self.cumulative[index - 1] if index else 0.0
        point = low + rng.random() * (self.cumulative[-1] - low)
        return self.first + datetime.timedelta(days=bisect_right(self.cumulative, point))


class Generator:
    def __init__(self, *, scale: Scale, seed: int, today: datetime.date, say):
        self.scale, self.rng, self.today, self.say = scale, random.Random(seed), today, say  # noqa: S311 - synthetic, not secret
        self.first_day = today.replace(year=today.year - YEARS)
        self.last_day = today - ONE_DAY  # timed events end yesterday, so none lies in the future
        self.days = DayPicker(self.first_day, self.last_day)
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.started = time.monotonic()
        self.counts: dict[str, int] = {}
        self.case_ct = ContentType.objects.get_for_model(Case)
        self.perms = {
            codename: Permission.objects.get(content_type=self.case_ct, codename=codename)
            for codename in ("view_case", "change_case", "view_personal_details", "change_personal_details")
        }

    # --- helpers --------------------------------------------------------------------------------------

    def _progress(self, label: str, count: int) -> None:
        self.counts[label] = self.counts.get(label, 0) + count
        self.say(f"  {label:<32} {self.counts[label]:>9,}   ({time.monotonic() - self.started:6.1f} s)")

    def _bulk(self, model, objects: list, label: str | None = None) -> list:
        created = []
        for start in range(0, len(objects), BATCH):
            created += model.objects.bulk_create(objects[start : start + BATCH], batch_size=BATCH)
        if label:
            self._progress(label, len(objects))
        return created

    def _at(self, day: datetime.date, hour_from: int = 8, hour_to: int = 23) -> datetime.datetime:
        minutes = self.rng.randrange(hour_from * 60, hour_to * 60)
        return datetime.datetime.combine(day, datetime.time(minutes // 60, minutes % 60), tzinfo=self.zone)

    def _after(self, day: datetime.date, low: int, high: int, *, cap: datetime.date | None = None):
        later = day + datetime.timedelta(days=self.rng.randint(low, high))
        return min(later, cap or self.today)

    def _nationality(self) -> tuple[str, str]:
        nationality, _weight, language = self.rng.choices(
            NATIONALITIES, weights=[weight for _n, weight, _l in NATIONALITIES]
        )[0]
        return nationality, language

    def _gender(self) -> str:
        return _weighted(
            self.rng, [(Gender.FEMALE, 70), (Gender.MALE, 26), (Gender.OTHER, 1), (Gender.UNKNOWN, 3)]
        )

    def _name(self, gender: str) -> str:
        first = self.rng.choice(MALE_NAMES if gender == Gender.MALE else FEMALE_NAMES)
        return f"{first} {self.rng.choice(SURNAMES)}"

    # --- steps ----------------------------------------------------------------------------------------

    def run(self) -> dict[str, int]:
        for step in (
            self.organisations,
            self.users,
            self.cases,
            self.case_details,
            self.identification,
            self.reflection,
            self.returns,
            self.referrals,
            self.shelter_stays,
            self.police_raids,
            self.contacts,
            self.hotline_calls,
            self.meeting_places,
        ):
            with transaction.atomic():
                step()
        return self.counts

    def organisations(self) -> None:
        wanted = ORGANISATIONS
        if self.scale.organisations < len(ORGANISATIONS):
            wanted = [row for row in ORGANISATIONS if row[2] in SMALL_ORGANISATIONS]
        existing = {
            o.case_prefix: o for o in Organisation.objects.filter(case_prefix__in=[r[2] for r in wanted])
        }
        self.orgs: list[Organisation] = []
        self.home: dict[int, str] = {}
        for name, kind, prefix, region, city in wanted:
            organisation = existing.get(prefix) or organisation_create(
                name=name, kind=kind, case_prefix=prefix, region=region
            )
            self.orgs.append(organisation)
            self.home[organisation.pk] = city
        for designation, prefix in DESIGNATIONS.items():
            if not Organisation.objects.filter(designation=designation).exists():
                chosen = next(o for o in self.orgs if o.case_prefix == prefix)
                organisation_designate(organisation=chosen, designation=designation)
                chosen.designation = designation
        self.by_kind: dict[str, list[Organisation]] = {}
        for organisation in self.orgs:
            self.by_kind.setdefault(organisation.kind, []).append(organisation)
        self.cmm = self.by_kind[OrganisationKind.CMM][0]
        self.authority = self.by_kind[OrganisationKind.AUTHORITY][0]
        self.shelters = self.by_kind[OrganisationKind.SHELTER]
        # Who does outreach and who owns cases, with a weight for how much.
        self.outreach_orgs = [(self.cmm, 3)] + [
            (o, 2 if i < 4 else 1) for i, o in enumerate(self.by_kind["ngo"])
        ]
        self.case_orgs = self.outreach_orgs + [(o, 1) for o in self.shelters]
        self._progress("organisations", len(self.orgs))

    def users(self) -> None:
        # No one can log in as a synthetic user (benchmarks log them in with force_login): a known password
        # must never reach a database that might be real.
        password = make_password(None)
        per_org = max(1, self.scale.users // len(self.orgs))
        users, plan = [], []
        for organisation in self.orgs:
            mix = ROLE_MIX[organisation.kind]
            # Every organisation has at least one of each of its roles; the rest in proportion.
            roles = [role for role, _w in mix] + [_weighted(self.rng, mix) for _ in range(per_org - len(mix))]
            for number, role in enumerate(roles, start=1):
                gender = self.rng.choice([Gender.FEMALE, Gender.MALE])
                first, last = self._name(gender).split(" ", 1)
                username = f"syn-{organisation.case_prefix.lower()}-{number:03d}"
                users.append(
                    User(
                        username=username,
                        first_name=first,
                        last_name=last,
                        email=f"{username}@synthetic.invalid",
                        password=password,
                        language=self.rng.choice(["da", "da", "en"]),
                    )
                )
                plan.append((organisation, role))
        existing = set(
            User.objects.filter(username__in=[u.username for u in users]).values_list("username", flat=True)
        )
        keep = [i for i, user in enumerate(users) if user.username not in existing]
        created = self._bulk(User, [users[i] for i in keep], "users")
        memberships = [
            Membership(user=user, organisation=plan[i][0], role=plan[i][1])
            for user, i in zip(created, keep, strict=True)
        ]
        # A few coordinators also work for a second organisation (several memberships).
        for membership in list(memberships):
            if membership.role == Role.COORDINATOR and self.rng.random() < 0.3:
                other = self.rng.choice([o for o, _w in self.outreach_orgs if o != membership.organisation])
                memberships.append(Membership(user=membership.user, organisation=other, role=Role.CASEWORKER))
        self._bulk(Membership, memberships, "memberships")
        # Read back, so that a forced second run also uses the users made before.
        self.staff: dict[tuple[int, str], list[User]] = {}
        self._staff_cache: dict[tuple[int, tuple[str, ...]], list[User]] = {}
        for membership in (
            Membership.objects.active()
            .filter(organisation__in=self.orgs)
            .select_related("user")
            .order_by("pk")
        ):
            key = (membership.organisation_id, membership.role)
            self.staff.setdefault(key, []).append(membership.user)

    def _staff(self, organisation: Organisation, roles: set[str]) -> list[User]:
        key = (organisation.pk, tuple(sorted(roles)))
        if key not in self._staff_cache:
            self._staff_cache[key] = [
                user for role in key[1] for user in self.staff.get((organisation.pk, role), [])
            ]
        return self._staff_cache[key]

    def cases(self) -> None:
        n = self.scale.cases
        residence = [
            (ResidenceStatus.NO_LEGAL_RESIDENCE, 38),
            (ResidenceStatus.ASYLUM_SEEKER, 14),
            (ResidenceStatus.REJECTED_ASYLUM_SEEKER, 8),
            (ResidenceStatus.EU_CITIZEN, 26),
            (ResidenceStatus.RESIDENCE_PERMIT, 5),
            (ResidenceStatus.DANISH_CITIZEN, 1),
            (ResidenceStatus.UNKNOWN, 8),
        ]
        opened_days = sorted(self.days.day(self.rng) for _ in range(n))
        self.case_list: list[Case] = []
        self.dob: dict[int, datetime.date] = {}
        sequences: dict[tuple[int, int], int] = {}
        for index, opened_on in enumerate(opened_days):
            organisation = _weighted(self.rng, self.case_orgs)
            gender = self._gender()
            nationality, language = self._nationality()
            age, born, estimate = None, None, True
            draw = self.rng.random()
            # Every 25th person is a minor (so even the small scale has some), a few more by chance.
            minor = index % 25 == 3 or draw < 0.02
            if minor:
                age = self.rng.randint(12, 17)
            elif draw < 0.95:
                age = min(int(self.rng.lognormvariate(3.25, 0.25)), 70)
                age = max(age, 18)
            if age is not None and self.rng.random() < 0.45:
                born = opened_on - datetime.timedelta(days=int(age * 365.25) + self.rng.randint(1, 360))
                age, estimate = age_from_birth_date(born, opened_on), False
            closed_on, reason, status = None, "", CaseStatus.POSSIBLE_VICTIM
            age_days = (self.today - opened_on).days
            if self.rng.random() < (0.9 if age_days > 730 else 0.3) and age_days > 14:
                closed_on = self._after(opened_on, 14, min(age_days, 900))
                reason = _weighted(
                    self.rng,
                    [
                        (CloseReason.RETURNED, 25),
                        (CloseReason.INTEGRATED, 20),
                        (CloseReason.LEFT_ON_OWN, 15),
                        (CloseReason.DISAPPEARED, 20),
                        (CloseReason.DECLINED_SUPPORT, 8),
                        (CloseReason.NOT_TRAFFICKING, 7),
                        (CloseReason.OTHER, 5),
                    ],
                )
                status = CaseStatus.CLOSED
            caseworkers = self._staff(organisation, CASE_ROLES) or self._staff(organisation, set(Role.values))
            key = (organisation.pk, opened_on.year)
            sequences[key] = sequences.get(key, 0) + 1
            case = Case(
                number=f"{organisation.case_prefix}-{opened_on.year}-{sequences[key]:05d}",
                organisation=organisation,
                status=status,
                opened_on=opened_on,
                closed_on=closed_on,
                close_reason=reason,
                gender=gender,
                age_at_opening=age,
                age_is_estimate=estimate,
                nationality=nationality,
                languages=[language] if language else [],
                residence_status=_weighted(self.rng, residence),
                unaccompanied_minor=minor and (index % 25 == 3 or self.rng.random() < 0.6),
                contact_person=self.rng.choice(caseworkers) if self.rng.random() < 0.75 else None,
                created_by=self.rng.choice(caseworkers),
            )
            self.case_list.append(case)
            if born:
                self.dob[index] = born
        # Numbers already handed out (a forced second run) move the new ones on.
        taken = {
            (s.organisation_id, s.year): s
            for s in CaseNumberSequence.objects.filter(organisation__in=self.orgs)
        }
        if taken:
            counters: dict[tuple[int, int], int] = {}
            for case in self.case_list:
                key = (case.organisation_id, case.opened_on.year)
                counters[key] = counters.get(key, taken[key].last_value if key in taken else 0) + 1
                case.number = f"{case.organisation.case_prefix}-{case.opened_on.year}-{counters[key]:05d}"
            sequences = counters
        self.case_list = self._bulk(Case, self.case_list, "cases")
        for (organisation_id, year), last_value in sequences.items():
            CaseNumberSequence.objects.update_or_create(
                organisation_id=organisation_id, year=year, defaults={"last_value": last_value}
            )
        self.cases_of: dict[int, list[Case]] = {}
        for case in self.case_list:
            self.cases_of.setdefault(case.organisation_id, []).append(case)

    def case_details(self) -> None:
        exploitations, details, team, user_perms, events, representatives = [], [], [], [], [], []
        types = [
            (ExploitationType.SEXUAL, 60),
            (ExploitationType.FORCED_LABOUR, 22),
            (ExploitationType.FORCED_CRIME, 9),
            (ExploitationType.BEGGING, 4),
            (ExploitationType.OTHER, 4),
            (ExploitationType.ORGAN_REMOVAL, 1),
        ]
        self.representative: dict[int, PersonalRepresentative] = {}
        self.types_of: dict[int, list[str]] = {}
        self.details_perms: set[tuple[int, int]] = set()
        for index, case in enumerate(self.case_list):
            chosen = {_weighted(self.rng, types)}
            if self.rng.random() < 0.12:
                chosen.add(_weighted(self.rng, types))
            self.types_of[case.pk] = sorted(chosen)
            for kind in sorted(chosen):
                sector = ""
                if kind == ExploitationType.FORCED_LABOUR:
                    sector = self.rng.choice(ForcedLabourSector.values)
                exploitations.append(CaseExploitation(case=case, type=kind, sector=sector))
            if self.rng.random() < 0.9:
                details.append(
                    PersonalDetails(
                        case=case,
                        full_name=self._name(case.gender),
                        aliases=self._name(case.gender) if self.rng.random() < 0.2 else "",
                        date_of_birth=self.dob.get(index),
                        phone_numbers=f"+45 {self.rng.randint(20000000, 99999999)}"
                        if self.rng.random() < 0.6
                        else "",
                        updated_by=case.created_by,
                    )
                )
            # The opener and the contact person form the case team and see the personal details.
            for member in dict.fromkeys(u for u in (case.created_by, case.contact_person) if u is not None):
                team.append(CaseTeamMember(case=case, user=member, added_by=case.created_by))
                self.details_perms.add((member.pk, case.pk))
                for codename in ("view_personal_details", "change_personal_details"):
                    user_perms.append(
                        CaseUserObjectPermission(
                            user=member, permission=self.perms[codename], content_object=case
                        )
                    )
            events.append(
                CaseEvent(case=case, kind=EventKind.OPENED, occurred_on=case.opened_on, actor=case.created_by)
            )
            if case.closed_on:
                events.append(
                    CaseEvent(
                        case=case,
                        kind=EventKind.CLOSED,
                        occurred_on=case.closed_on,
                        actor=case.created_by,
                        data={"reason": case.close_reason},
                    )
                )
            if case.unaccompanied_minor:
                representatives.append(
                    PersonalRepresentative(
                        case=case,
                        name=self._name(Gender.FEMALE),
                        organisation_name="Kommunen",
                        is_professional=True,
                        appointed_on=self._after(case.opened_on, 0, 20, cap=case.closed_on),
                        created_by=case.created_by,
                    )
                )
        self._bulk(CaseExploitation, exploitations, "case exploitation types")
        self._bulk(PersonalDetails, details, "personal details (encrypted)")
        self._bulk(CaseTeamMember, team, "case team members")
        self._bulk(CaseUserObjectPermission, user_perms, "user object permissions")
        self._bulk(CaseEvent, events, "case events")
        for representative in self._bulk(PersonalRepresentative, representatives, "personal representatives"):
            self.representative[representative.case_id] = representative
        self.group_perms: set[tuple[int, int, int]] = set()

    def _grant_group(self, case: Case, organisation: Organisation, codename: str) -> None:
        if organisation.pk != case.organisation_id:
            self.group_perms.add((case.pk, organisation.group_id, self.perms[codename].pk))

    def identification(self) -> None:
        decidable = [c for c in self.case_list if (self.today - c.opened_on).days > 3]
        chosen = self.rng.sample(decidable, min(self.scale.presentations, len(decidable)))
        chosen.sort(key=lambda c: (c.opened_on, c.pk))
        deciders = {"immigration_service": self.authority, "cmm": self.cmm}
        presented_by = [
            (PresentedBy.CMM, 30),
            (PresentedBy.NGO, 30),
            (PresentedBy.POLICE, 25),
            (PresentedBy.RED_CROSS, 5),
            (PresentedBy.ASYLUM_PROCEDURE, 8),
            (PresentedBy.OTHER, 2),
        ]
        presentations = []
        for case in chosen:
            presented_on = self._after(case.opened_on, 0, 60, cap=case.closed_on)
            authority = competent_authority(case.residence_status).authority or ""
            presentations.append(
                Presentation(
                    case=case,
                    presented_on=presented_on,
                    presented_by=_weighted(self.rng, presented_by),
                    residence_status=case.residence_status,
                    authority=authority,
                    authority_organisation=deciders.get(authority),
                    age_at_presentation=case.age_on(presented_on),
                    unaccompanied_minor=case.unaccompanied_minor,
                    created_by=case.created_by,
                )
            )
            if authority:
                self._grant_group(case, deciders[authority], "view_case")
        presentations = self._bulk(Presentation, presentations, "presentations")
        decisions, self.decided = [], []
        for presentation in presentations:
            decided_on = presentation.presented_on + datetime.timedelta(days=self.rng.randint(5, 120))
            if not presentation.authority or decided_on >= self.today:
                continue  # still waiting for the authority (or its residence status)
            outcome = _weighted(
                self.rng, [(Outcome.IDENTIFIED, 80), (Outcome.NOT_IDENTIFIED, 17), (Outcome.WITHDRAWN, 3)]
            )
            decider = presentation.authority_organisation
            liaisons = self._staff(decider, {Role.AUTHORITY_LIAISON, Role.COORDINATOR})
            decisions.append(
                Decision(
                    presentation=presentation,
                    outcome=outcome,
                    decided_on=decided_on,
                    authority=presentation.authority,
                    exploitation_types=self.types_of[presentation.case_id]
                    if outcome == Outcome.IDENTIFIED
                    else [],
                    decided_by=self.rng.choice(liaisons) if liaisons else None,
                    organisation=decider,
                )
            )
        decisions = self._bulk(Decision, decisions, "decisions")
        # A few decisions are corrected by a later one (the first stays, superseded).
        corrections = []
        for decision in decisions:
            if self.rng.random() < 0.01 and decision.decided_on + datetime.timedelta(days=30) < self.today:
                corrections.append(
                    Decision(
                        presentation=decision.presentation,
                        outcome=Outcome.IDENTIFIED
                        if decision.outcome != Outcome.IDENTIFIED
                        else Outcome.NOT_IDENTIFIED,
                        decided_on=self._after(decision.decided_on, 1, 30),
                        authority=decision.authority,
                        decided_by=decision.decided_by,
                        organisation=decision.organisation,
                        corrects=decision,
                    )
                )
        corrected = {d.corrects_id for d in corrections}
        decisions = [d for d in decisions if d.pk not in corrected] + self._bulk(
            Decision, corrections, "decisions"
        )
        status_of = {
            Outcome.IDENTIFIED: CaseStatus.IDENTIFIED,
            Outcome.NOT_IDENTIFIED: CaseStatus.NOT_IDENTIFIED,
            Outcome.WITHDRAWN: CaseStatus.POSSIBLE_VICTIM,
        }
        changed = []
        for decision in decisions:
            case = decision.presentation.case
            if case.status != CaseStatus.CLOSED:
                case.status = status_of[decision.outcome]
                changed.append(case)
            self.decided.append(decision)
        Case.objects.bulk_update(changed, ["status"], batch_size=BATCH)

    def reflection(self) -> None:
        identified = [d for d in self.decided if d.outcome == Outcome.IDENTIFIED]
        outcomes = [
            (PeriodOutcome.PREPARED_RETURN, 30),
            (PeriodOutcome.LEFT_ON_OWN, 10),
            (PeriodOutcome.POLICE_SUPERVISED, 10),
            (PeriodOutcome.DISAPPEARED, 15),
            (PeriodOutcome.ASYLUM_APPLICATION, 10),
            (PeriodOutcome.RESIDENCE_PERMIT, 10),
            (PeriodOutcome.REMANDED, 2),
            (PeriodOutcome.OTHER, 13),
        ]
        starts: list[tuple[Case, datetime.date, Decision | None]] = [
            (d.presentation.case, self._after(d.decided_on, 0, 5), d) for d in identified
        ]
        # Where identifications are too few, some people get a second, later period.
        index = 0
        while len(starts) < self.scale.reflection_periods and index < len(identified):
            case = identified[index].presentation.case
            later = identified[index].decided_on + datetime.timedelta(days=self.rng.randint(150, 400))
            if later < self.today - datetime.timedelta(days=120):
                starts.append((case, later, None))
            index += 1
        starts = starts[: self.scale.reflection_periods]
        periods, extension_plan, postponement_plan = [], [], []
        for number, (case, starts_on, decision) in enumerate(starts):
            total = 30
            extensions = []
            if self.rng.random() < 0.4:
                for _ in range(self.rng.randint(1, 2)):
                    decided_on = starts_on + datetime.timedelta(days=self.rng.randint(10, total - 1))
                    total = min(100, total + self.rng.choice([30, 40, 60]))
                    if decided_on < self.today:
                        extensions.append((total, decided_on))
                total = extensions[-1][0] if extensions else 30
            postponements = []
            if number % 20 == 1:  # one period in twenty is postponed for a while
                from_date = starts_on + datetime.timedelta(days=self.rng.randint(5, 25))
                lifted = from_date + datetime.timedelta(days=self.rng.randint(10, 60))
                if from_date < self.today:
                    postponements.append(
                        Postponement(
                            from_date=from_date,
                            recorded_by=case.created_by,
                            reason="Forhold i hjemlandet undersøges",
                            lifted_on=lifted if lifted < self.today else None,
                        )
                    )
            ends_on = period_deadline(starts_on=starts_on, total_days=total, postponements=postponements)
            outcome, outcome_on = "", None
            end = case.closed_on if case.closed_on and case.closed_on >= starts_on else None
            if ends_on is not None and ends_on < self.today:
                outcome_on = ends_on if end is None else min(ends_on, end)
            elif end is not None:
                outcome_on = end
            if outcome_on is not None:
                outcome = _weighted(self.rng, outcomes)
                for postponement in postponements:
                    if postponement.lifted_on is None:
                        postponement.lifted_on = max(outcome_on, postponement.from_date)
                ends_on = period_deadline(starts_on=starts_on, total_days=total, postponements=postponements)
            periods.append(
                ReflectionPeriod(
                    case=case,
                    kind=PeriodKind.STATUTORY
                    if case.residence_status in MUST_LEAVE
                    else PeriodKind.ACTION_PLAN,
                    starts_on=starts_on,
                    initial_days=30,
                    total_days=total,
                    ends_on=ends_on,
                    decision=decision,
                    outcome=outcome,
                    outcome_on=outcome_on,
                    created_by=case.created_by,
                )
            )
            extension_plan.append(extensions)
            postponement_plan.append(postponements)
        # One running period per case: a second period only once the first has ended.
        running = set()
        for period in periods:
            if not period.outcome:
                if period.case_id in running:
                    period.outcome, period.outcome_on = PeriodOutcome.OTHER, period.starts_on
                running.add(period.case_id)
        periods = self._bulk(ReflectionPeriod, periods, "reflection periods")
        extensions, postponements = [], []
        grounds = [
            (ExtensionGround.PREPARED_RETURN, 5),
            (ExtensionGround.MEDICAL, 2),
            (ExtensionGround.TESTIMONY, 2),
            (ExtensionGround.OTHER, 1),
        ]
        for period, planned, postponed in zip(periods, extension_plan, postponement_plan, strict=True):
            for total, decided_on in planned:
                extensions.append(
                    Extension(
                        period=period,
                        new_total_days=total,
                        ground=_weighted(self.rng, grounds),
                        decided_on=decided_on,
                        recorded_by=period.created_by,
                    )
                )
            for postponement in postponed:
                postponement.period = period
                postponements.append(postponement)
        self._bulk(Extension, extensions, "reflection extensions")
        self._bulk(Postponement, postponements, "reflection postponements")
        self.periods = periods

    def returns(self) -> None:
        preferred = [p.case for p in self.periods if p.outcome == PeriodOutcome.PREPARED_RETURN]
        others = [c for c in self.case_list if c.residence_status != ResidenceStatus.UNKNOWN]
        candidates = list(
            dict.fromkeys(preferred + self.rng.sample(others, min(len(others), self.scale.return_plans * 2)))
        )
        candidates = [c for c in candidates if (self.today - c.opened_on).days > 30][
            : self.scale.return_plans
        ]
        statuses = [
            (ReturnStatus.COMPLETED, 60),
            (ReturnStatus.FOLLOW_UP, 5),
            (ReturnStatus.DEPARTED, 4),
            (ReturnStatus.APPROVED, 5),
            (ReturnStatus.SENT_TO_IOM, 5),
            (ReturnStatus.DRAFT, 6),
            (ReturnStatus.DECLINED, 5),
            (ReturnStatus.CANCELLED, 10),
        ]
        departed = {ReturnStatus.DEPARTED, ReturnStatus.FOLLOW_UP, ReturnStatus.COMPLETED}
        plans = []
        for number, case in enumerate(candidates):
            status = ReturnStatus.COMPLETED if number == 0 else _weighted(self.rng, statuses)
            body = return_responsible_body(case.residence_status).body
            channel = DEFAULT_CHANNEL[body]
            if self.rng.random() < 0.2:
                channel = self.rng.choice([ReturnChannel.NGO, ReturnChannel.EMBASSY])
            planned = self._after(case.opened_on, 20, 200)
            representative = self.representative.get(case.pk)
            plans.append(
                ReturnPlan(
                    case=case,
                    responsible_body=body,
                    channel=channel,
                    status=status,
                    destination_country=case.nationality or "NG",
                    planned_departure_on=planned,
                    actual_departure_on=self._after(planned, 0, 10) if status in departed else None,
                    travel_documents=TravelDocumentStatus.READY
                    if status in departed
                    else TravelDocumentStatus.APPLIED,
                    representative=representative,
                    representative_involved_on=representative.appointed_on if representative else None,
                    created_by=case.created_by,
                )
            )
        plans = self._bulk(ReturnPlan, plans, "return plans")
        follow_ups = []
        for plan in plans:
            if plan.actual_departure_on is None:
                continue
            for milestone, days in ((FollowUpMilestone.ONE_MONTH, 30), (FollowUpMilestone.THREE_MONTHS, 90)):
                due_on = plan.actual_departure_on + datetime.timedelta(days=days)
                done = plan.status == ReturnStatus.COMPLETED or (
                    plan.status == ReturnStatus.FOLLOW_UP and milestone == FollowUpMilestone.ONE_MONTH
                )
                follow_ups.append(
                    ReturnFollowUp(
                        plan=plan,
                        milestone=milestone,
                        due_on=due_on,
                        done_on=min(due_on, self.today) if done else None,
                    )
                )
        self._bulk(ReturnFollowUp, follow_ups, "return follow-ups")

    def referrals(self) -> None:
        n = int(len(self.case_list) * self.scale.shared_share)
        receivers = [o for o, _w in self.case_orgs]
        referrals, details_grants = [], []
        for case in self.rng.sample(self.case_list, n):
            to = self.rng.choice([o for o in receivers if o.pk != case.organisation_id])
            status = _weighted(
                self.rng,
                [(ReferralStatus.ACCEPTED, 80), (ReferralStatus.PENDING, 10), (ReferralStatus.CLOSED, 10)],
            )
            sent_on = self._after(case.opened_on, 0, 90, cap=case.closed_on)
            scope = self.rng.choice(ConsentScope.values)
            responders = self._staff(to, CASE_ROLES)
            responder = (
                self.rng.choice(responders) if responders and status != ReferralStatus.PENDING else None
            )
            answered = self._at(self._after(sent_on, 0, 7))
            referrals.append(
                Referral(
                    case=case,
                    from_organisation=case.organisation,
                    to_organisation=to,
                    reason=self.rng.choice(ReferralReason.values),
                    consent_given=True,
                    consent_on=sent_on,
                    consent_scope=scope,
                    consent_recorded_by=case.created_by,
                    status=status,
                    sent_by=case.created_by,
                    responded_at=answered if responder else None,
                    responded_by=responder,
                    ended_at=answered if status == ReferralStatus.CLOSED else None,
                    ended_by=case.created_by if status == ReferralStatus.CLOSED else None,
                    end_reason="Forløbet er afsluttet" if status == ReferralStatus.CLOSED else "",
                )
            )
            if status == ReferralStatus.ACCEPTED:
                # referrals.services.referral_accept: the receiver's group sees and changes the case, and the
                # person who accepted sees the details when the person agreed to share them.
                self._grant_group(case, to, "view_case")
                self._grant_group(case, to, "change_case")
                if (
                    scope == ConsentScope.FACTS_AND_DETAILS
                    and responder
                    and (responder.pk, case.pk) not in self.details_perms
                ):
                    self.details_perms.add((responder.pk, case.pk))
                    details_grants.append(
                        CaseUserObjectPermission(
                            user=responder,
                            permission=self.perms["view_personal_details"],
                            content_object=case,
                        )
                    )
        self._bulk(Referral, referrals, "referrals (shared cases)")
        self._bulk(CaseUserObjectPermission, details_grants, "user object permissions")
        grants = [
            CaseGroupObjectPermission(content_object_id=case_id, group_id=group_id, permission_id=perm_id)
            for case_id, group_id, perm_id in sorted(self.group_perms)
        ]
        self._bulk(CaseGroupObjectPermission, grants, "group object permissions")

    def shelter_stays(self) -> None:
        housing = [
            (HousingType.CRISIS_CENTRE, 50),
            (HousingType.LOKK_SHELTER, 15),
            (HousingType.RED_CROSS_WOMENS_CENTRE, 10),
            (HousingType.ALTERNATIVE_HOUSING_MEN, 10),
            (HousingType.ASYLUM_CENTRE, 5),
            (HousingType.MUNICIPAL_PLACEMENT, 5),
            (HousingType.OTHER, 5),
        ]
        reasons = [(r, 1) for r in DischargeReason.values]
        stays, target = [], self.scale.shelter_stays
        for case in self.rng.sample(self.case_list, min(len(self.case_list), target)):
            if len(stays) >= target:
                break
            # Stays of one person follow each other (cases.services refuses overlaps).
            admitted = self._after(case.opened_on, 0, 30, cap=case.closed_on)
            for _ in range(1 if self.rng.random() < 0.75 else 2):
                if len(stays) >= target or admitted > self.last_day:
                    break
                if case.closed_on and admitted >= case.closed_on:
                    break
                kind = _weighted(self.rng, housing)
                shelter = (
                    self.rng.choice(self.shelters)
                    if kind not in (HousingType.MUNICIPAL_PLACEMENT, HousingType.OTHER)
                    else None
                )
                length = int(self.rng.expovariate(1 / 60)) + 1
                discharged = admitted + datetime.timedelta(days=length)
                limit = case.closed_on or self.today
                if discharged > limit:
                    discharged = case.closed_on if case.closed_on and case.closed_on >= admitted else None
                stays.append(
                    ShelterStay(
                        case=case,
                        shelter=shelter,
                        housing_type=kind,
                        housing_name=shelter.name if shelter else "",
                        admitted_on=admitted,
                        discharged_on=discharged,
                        discharge_reason=_weighted(self.rng, reasons) if discharged else "",
                        created_by=case.created_by,
                    )
                )
                if discharged is None:
                    break
                admitted = self._after(discharged, 0, 60, cap=case.closed_on)
        self._bulk(ShelterStay, stays, "shelter stays")

    def police_raids(self) -> None:
        raids, present = [], []
        days = sorted(self.days.day(self.rng) for _ in range(self.scale.police_raids))
        for day in days:
            organisation = _weighted(self.rng, self.outreach_orgs)
            city = self.home[organisation.pk] if self.rng.random() < 0.8 else self.rng.choice(list(CITIES))
            met = self.rng.randint(1, 25)
            workers = self._staff(organisation, OUTREACH_ROLES)
            raids.append(
                PoliceRaid(
                    organisation=organisation,
                    date=day,
                    police_district=CITIES[city][1],
                    location_type=_weighted(
                        self.rng,
                        [
                            (Venue.MASSAGE_CLINIC, 50),
                            (Venue.BAR, 15),
                            (Venue.ESCORT, 15),
                            (Venue.STREET, 10),
                            (Venue.OTHER, 10),
                        ],
                    ),
                    city=city,
                    persons_met=met,
                    persons_with_indicators=self.rng.randint(0, met),
                    contacts_made=self.rng.randint(0, met),
                    recorded_by=self.rng.choice(workers) if workers else None,
                )
            )
        raids = self._bulk(PoliceRaid, raids, "police raids")
        through = PoliceRaid.organisations_present.through
        for raid in raids:
            if self.rng.random() < 0.3:
                other = _weighted(self.rng, self.outreach_orgs)
                if other.pk != raid.organisation_id:
                    present.append(through(policeraid_id=raid.pk, organisation_id=other.pk))
        self._bulk(through, present, "police raid partners")
        self.raids = raids
        self.raids_on: dict[tuple[int, datetime.date], PoliceRaid] = {
            (r.organisation_id, r.date): r for r in raids
        }

    def contacts(self) -> None:
        """Write the contacts in time order: persons with a case, client codes with repeat visits,
        anonymous contacts and a few met at police raids; planned as small tuples, written in batches."""
        rng = self.rng
        total = self.scale.contacts
        # (epoch seconds, organisation index, kind, reference); kind: 0 case, 1 code, 2 anonymous, 3 raid.
        plan: list[tuple[int, int, int, int]] = []
        orgs = [o for o, _w in self.outreach_orgs]
        org_index = {o.pk: i for i, o in enumerate(orgs)}
        weights = [w for _o, w in self.outreach_orgs]

        def stamp(day: datetime.date) -> int:
            evening = day.weekday() >= 4
            return int(self._at(day, 14 if evening else 9, 23 if evening else 20).timestamp())

        # Persons with a case: some of the outreach organisations' cases are met again and again.
        self.case_codes: dict[int, str] = {}
        client_codes = []
        case_budget = int(total * 0.10)
        own_cases = [c for c in self.case_list if c.organisation_id in org_index]
        rng.shuffle(own_cases)
        for case in own_cases:
            if case_budget <= 0:
                break
            visits = min(case_budget, 1 + int(rng.expovariate(1 / 6)))
            end = min(
                case.closed_on or self.last_day, case.opened_on + datetime.timedelta(days=540), self.last_day
            )
            start = max(case.opened_on - datetime.timedelta(days=60), self.first_day)
            if end < start:
                continue
            for _ in range(visits):
                day = start + datetime.timedelta(days=rng.randint(0, (end - start).days))
                plan.append((stamp(day), org_index[case.organisation_id], 0, case.pk))
            case_budget -= visits
            if rng.random() < 0.4:
                code = self._code()
                self.case_codes[case.pk] = code
                client_codes.append(
                    ClientCode(
                        code=code, case=case, linked_at=self._at(case.opened_on), linked_by=case.created_by
                    )
                )
        self._bulk(ClientCode, client_codes, "client codes linked to cases")
        # Client codes: persons known by a code, visiting over weeks to years (heavy-tailed).
        self.codes: list[tuple[str, str, str, str, str]] = []
        code_budget = int(total * 0.35)
        while code_budget > 0:
            organisation = rng.choices(range(len(orgs)), weights=weights)[0]
            gender = self._gender()
            nationality, language = self._nationality()
            band = age_band(max(18, int(rng.lognormvariate(3.25, 0.25))))
            venue = _weighted(
                rng,
                [
                    (Venue.STREET, 45),
                    (Venue.MASSAGE_CLINIC, 35),
                    (Venue.MEETING_PLACE, 10),
                    (Venue.INTERNET, 5),
                    (Venue.ESCORT, 5),
                ],
            )
            self.codes.append((self._code(), gender, nationality, band, venue))
            visits = min(code_budget, 1 + int(rng.paretovariate(1.6)) * 2)
            first = self.days.day(rng)
            span = min(int(rng.expovariate(1 / 200)) + visits, (self.last_day - first).days)
            for _ in range(visits):
                day = first + datetime.timedelta(days=rng.randint(0, span))
                plan.append((stamp(day), organisation, 1, len(self.codes) - 1))
            code_budget -= visits
        # Police raids: the persons met there who were registered (anonymous).
        raid_contacts = 0
        for number, raid in enumerate(self.raids):
            if raid.organisation_id in org_index and rng.random() < 0.3:
                for _ in range(min(raid.contacts_made, 3)):
                    plan.append((stamp(raid.date), org_index[raid.organisation_id], 3, number))
                    raid_contacts += 1
        anonymous = max(0, total - len(plan))
        for _ in range(anonymous):
            plan.append((stamp(self.days.day(rng)), rng.choices(range(len(orgs)), weights=weights)[0], 2, 0))
        plan.sort()
        self.say(f"  planned {len(plan):,} contacts ({len(self.codes):,} client codes)")
        cases_by_pk = {c.pk: c for c in self.case_list}
        workers = [self._staff(o, {Role.OUTREACH_WORKER}) or self._staff(o, OUTREACH_ROLES) for o in orgs]
        seen_codes: set[int] = set()
        batch: list[Contact] = []
        indicator_values, service_values = Indicator.values, OutreachService.values
        venues_anonymous = [
            (Venue.STREET, 40),
            (Venue.MASSAGE_CLINIC, 25),
            (Venue.MEETING_PLACE, 8),
            (Venue.HEALTH_CLINIC, 6),
            (Venue.BAR, 5),
            (Venue.ASYLUM_CENTRE, 5),
            (Venue.INTERNET, 4),
            (Venue.ESCORT, 3),
            (Venue.PRISON, 1),
            (Venue.MOBILE_HEALTH_UNIT, 2),
            (Venue.OTHER, 1),
        ]
        for seconds, org_number, kind, reference in plan:
            organisation = orgs[org_number]
            city = self.home[organisation.pk] if rng.random() < 0.85 else rng.choice(list(CITIES))
            values = {
                "organisation": organisation,
                "worker": rng.choice(workers[org_number]) if workers[org_number] else None,
                "occurred_at": datetime.datetime.fromtimestamp(seconds, tz=self.zone),
                "city": city,
                "region": CITIES[city][0],
            }
            indicator_rate = 0.08
            if kind == 0:
                case = cases_by_pk[reference]
                values.update(
                    case=case,
                    client_code=self.case_codes.get(case.pk, ""),
                    gender=case.gender,
                    nationality=case.nationality,
                    age_band=case.age_band,
                    venue=_weighted(rng, venues_anonymous),
                    language=case.languages[0] if case.languages else "",
                )
                indicator_rate = 0.5
            elif kind == 1:
                code, gender, nationality, band, venue = self.codes[reference]
                values.update(
                    client_code=code,
                    gender=gender,
                    nationality=nationality,
                    age_band=band,
                    venue=venue if rng.random() < 0.8 else _weighted(rng, venues_anonymous),
                    first_time_met=reference not in seen_codes,
                )
                seen_codes.add(reference)
                indicator_rate = 0.2
            else:
                raid = self.raids[reference] if kind == 3 else None
                group = 1 if rng.random() < 0.93 else rng.randint(2, 6)
                nationality, language = self._nationality()
                values.update(
                    gender=self._gender() if group == 1 else Gender.UNKNOWN,
                    nationality=nationality if group == 1 else "",
                    language=language,
                    age_band=age_band(max(16, int(rng.lognormvariate(3.25, 0.3))))
                    if rng.random() < 0.7
                    else "unknown",
                    group_size=group,
                    first_time_met=rng.random() < 0.35,
                    venue=Venue.POLICE_RAID if raid else _weighted(rng, venues_anonymous),
                    police_raid=raid,
                )
            if rng.random() < indicator_rate:
                values["indicators"] = rng.sample(indicator_values, rng.randint(1, 3))
                values["has_indicators"] = True
            values["services_offered"] = rng.sample(service_values, rng.randint(0, 2))
            batch.append(Contact(**values))
            if len(batch) >= BATCH:
                Contact.objects.bulk_create(batch, batch_size=BATCH)
                self._progress("contacts", len(batch))
                batch = []
        if batch:
            Contact.objects.bulk_create(batch, batch_size=BATCH)
            self._progress("contacts", len(batch))

    def _code(self) -> str:
        alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
        raw = "".join(self.rng.choice(alphabet) for _ in range(10))
        return f"{raw[:5]}-{raw[5:]}"

    def hotline_calls(self) -> None:
        rng = self.rng
        calls = []
        hotline_orgs = [(self.cmm, 90)] + [(o, 1) for o, _w in self.outreach_orgs[1:4]]
        days = sorted(self.days.day(rng) for _ in range(self.scale.hotline_calls))
        for day in days:
            organisation = _weighted(rng, hotline_orgs)
            purpose = _weighted(
                rng,
                [
                    (CallPurpose.INFORMATION, 40),
                    (CallPurpose.RAID_WARNING, 10),
                    (CallPurpose.VICTIM_NEEDS_ASSISTANCE, 20),
                    (CallPurpose.CASE_FOLLOW_UP, 20),
                    (CallPurpose.OTHER, 10),
                ],
            )
            case = None
            if purpose == CallPurpose.CASE_FOLLOW_UP and rng.random() < 0.3:
                candidate = rng.choice(self.cases_of.get(organisation.pk) or [None])
                case = candidate if candidate and candidate.opened_on <= day else None
            calls.append(
                HotlineCall(
                    organisation=organisation,
                    received_at=self._at(day, 8, 18),
                    caller_category=_weighted(
                        rng,
                        [
                            (CallerCategory.POLICE, 20),
                            (CallerCategory.PARTNER, 30),
                            (CallerCategory.INFORMANT, 15),
                            (CallerCategory.STUDENT, 10),
                            (CallerCategory.POSSIBLE_VICTIM, 15),
                            (CallerCategory.OTHER, 10),
                        ],
                    ),
                    purpose=purpose,
                    wrong_number=rng.random() < 0.07,
                    case=case,
                    police_raid=self.raids_on.get((organisation.pk, day))
                    if purpose == CallPurpose.RAID_WARNING
                    else None,
                    recorded_by=rng.choice(self._staff(organisation, OUTREACH_ROLES) or [None]),
                )
            )
            if len(calls) >= BATCH:
                self._bulk(HotlineCall, calls, "hotline calls")
                calls = []
        self._bulk(HotlineCall, calls, "hotline calls")

    def meeting_places(self) -> None:
        """Drop-in meeting places open four days a week; the health clinic is open there on Tuesdays."""
        rng = self.rng
        hosts = self.by_kind["ngo"][: self.scale.meeting_places]
        if self.scale.organisations < len(ORGANISATIONS):
            first = self.last_day - datetime.timedelta(days=365)  # a year of opening days at small scale
        else:
            first = self.first_day
        sessions, consultations = [], []
        # A forced second run adds no second row for a place and day.
        taken = set(
            MeetingPlaceSession.objects.filter(organisation__in=hosts).values_list("organisation", "date")
        )
        for host in hosts:
            place = f"Mødestedet {self.home[host.pk]}"
            clinic = f"Sundhedsklinikken {self.home[host.pk]}"
            recorder = rng.choice(self._staff(host, OUTREACH_ROLES) or [None])
            day = first
            while day <= self.last_day:
                if day.weekday() < 4 and (host.pk, day) not in taken:
                    visitors = rng.randint(5, 45)
                    clinic_open = day.weekday() == 1
                    sessions.append(
                        MeetingPlaceSession(
                            organisation=host,
                            place=place,
                            date=day,
                            opens_at=datetime.time(10),
                            closes_at=datetime.time(16),
                            visitors=visitors,
                            returning_visitors=int(visitors * rng.uniform(0.5, 0.9)),
                            health_clinic_open=clinic_open,
                            recorded_by=recorder,
                        )
                    )
                    if clinic_open:
                        consultations.append(
                            ClinicConsultation(
                                organisation=host,
                                clinic=clinic,
                                date=day,
                                consultations=rng.randint(2, 15),
                                recorded_by=recorder,
                            )
                        )
                day += ONE_DAY
        self._bulk(MeetingPlaceSession, sessions, "meeting-place sessions")
        self._bulk(ClinicConsultation, consultations, "clinic consultations")


class Command(BaseCommand):
    help = (
        "Generate a seeded synthetic dataset through the real models: --scale national (30 organisations, "
        "50,000 cases, 1,000,000 contacts, ...) or --scale small (about 1/1000, for tests). No real data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), required=True)
        parser.add_argument(
            "--seed", type=int, default=20260101, help="The same seed and day give the same rows."
        )
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="The day the data ends (YYYY-MM-DD); default today. Fix it to reproduce a dataset exactly.",
        )
        parser.add_argument("--force", action="store_true", help="Add to a database that already has cases.")

    def handle(self, *args, scale, seed, today=None, force=False, verbosity=1, **options):
        if (settings.SETTINGS_MODULE or "").endswith(".production"):
            raise CommandError("Synthetic data is never generated with the production settings.")
        if Case.objects.exists() and not force:
            raise CommandError(
                "The database already has cases: refusing to mix synthetic data into it (use --force)."
            )
        today = today or timezone.localdate()

        def say(message: str) -> None:
            if verbosity > 0:
                self.stdout.write(message)

        say(f"Generating the {scale} synthetic dataset (seed {seed}, data up to {today}):")
        started = time.monotonic()
        counts = Generator(scale=SCALES[scale], seed=seed, today=today, say=say).run()
        say(
            self.style.SUCCESS(
                f"Done in {time.monotonic() - started:.1f} s: {counts.get('cases', 0):,} cases, "
                f"{counts.get('contacts', 0):,} contacts. The synthetic users cannot log in (no password)."
            )
        )
