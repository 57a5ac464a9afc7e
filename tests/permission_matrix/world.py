"""The principals and objects of the permission matrix, built once per test module through the services.

Principals (keys of `World.clients`):
  anon      nobody logged in
  out_a     outreach worker of organisation A
  cw_a      caseworker of A (opened A's cases, so on their team; accepted the referrals from B)
  admin_a   organisation admin of A (the member pages need one)
  cw_b      caseworker of B (opened B's cases)
  coord     CMM coordinator
  analyst   CMM analyst
  liaison   Immigration Service liaison
  deact     was a caseworker of A, logged in and passed the second step, then deactivated
  grp       outreach worker of A whose Django group holds every model permission globally (must gain nothing)
  former    was a caseworker of A, on the team of A's case `own` and its contact person, logged in and passed
            the second step; then their membership of A ended (cmm.services.membership_end) and they became
            a caseworker of B: an active user, logged in again, acting for B (on none of B's case teams)
  former_us liaison of an authority that was the designated Immigration Service when A's case `rerouted` was
            presented to it; the presentation was then routed to CMM by a residence-status change, and the
            designation moved to the Immigration Service (US)

Object variants (keys of `World.objects[kind]`):
  own       organisation A's case (or the thing belonging to it)
  other     organisation B's case, not shared with A
  referred  B's case shared with A by an accepted referral
  revoked   B's case whose referral to A was accepted and then revoked
  deleted   A's case, soft-deleted
  rerouted  A's case presented to the former authority, then routed to CMM (CMM decides now); only the case,
            its presentation and attachment have this variant
  missing   an id that does not exist (what "not visible" must look like)
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from cases.choices import ResidenceStatus
from cases.services import activity_save, case_soft_delete, case_update, stay_save
from cases.tests.factories import case_open_for_test
from cmm.models import Designation, Membership, OrganisationKind, Role
from cmm.permissions import set_active_membership
from cmm.services import membership_add, membership_end, organisation_create, organisation_designate
from cmm.tests.factories import UserFactory
from cmm.two_factor.selectors import two_factor_required
from cmm.two_factor.testing import pass_second_factor
from identification.choices import PresentedBy
from identification.services import attachment_add, presentation_create, presentation_set_residence_status
from outreach.choices import CallerCategory, CallPurpose, Indicator, Venue
from outreach.services import contact_log, hotline_call_save, meeting_session_save
from referrals.choices import ConsentScope, ReferralKind, ReferralReason
from referrals.models import ReferralGroup
from referrals.services.groups import action_add, meeting_create, member_add, topic_add
from referrals.services.referrals import referral_accept, referral_revoke, referral_send
from referrals.services.returns import component_add, return_plan_create
from reflection.choices import PeriodKind
from reflection.services import period_start
from reports.models import ReportKind
from reports.services.jobs import report_job_request

PRINCIPALS = (
    "anon",
    "out_a",
    "cw_a",
    "admin_a",
    "cw_b",
    "coord",
    "analyst",
    "liaison",
    "deact",
    "grp",
    "former",
    "former_us",
)
CASE_VARIANTS = ("own", "other", "referred", "revoked", "deleted", "rerouted")
MISSING_ID = 987654321
# The object kinds that fill URL kwargs. Those built below have variants; the rest (no cheap way to make one
# through the services here) are tried with a missing id only, which still checks every refusal.
KINDS = frozenset(
    {
        "case",
        "presentation",
        "attachment",
        "period",
        "plan",
        "component",
        "stay",
        "activity",
        "referral",
        "job",
        "member",
        "team_member",
        "contact",
        "hotline",
        "session",
        "group",
        "group_member",
        "meeting",
        "action",
        "topic",
        # missing only:
        "clinic",
        "raid",
        "task",
        "follow_up",
        "calendar_token",
    }
)

D = datetime.date


@dataclass
class World:
    users: dict = field(default_factory=dict)
    clients: dict = field(default_factory=dict)
    # kind -> variant -> object (or a tuple of ids for URLs with two kwargs)
    objects: dict = field(default_factory=dict)


def _case(by, organisation, **overrides):
    return case_open_for_test(by=by, organisation=organisation, **overrides)


def _refer(case, *, by, to):
    return referral_send(
        case=case,
        by=by,
        to_organisation=to,
        kind=ReferralKind.SHARE,
        reason=ReferralReason.HOUSING,
        request_note="Needs a shelter place.",
        consent_given=True,
        consent_on=D(2026, 3, 30),
        consent_scope=ConsentScope.FACTS,
    )


def _logged_in(user) -> Client:
    """A client with the user's session, past the second step where the user needs one (the real view)."""
    client = Client()
    client.force_login(user)
    if two_factor_required(user):
        pass_second_factor(client, user)
    return client


def build_world() -> World:
    w = World()
    org_a = organisation_create(
        name="Matrix A", kind=OrganisationKind.NGO, case_prefix="MXA", region="nordjylland"
    )
    org_b = organisation_create(
        name="Matrix B", kind=OrganisationKind.NGO, case_prefix="MXB", region="syddanmark"
    )
    org_cmm = organisation_create(
        name="Matrix CMM",
        kind=OrganisationKind.CMM,
        case_prefix="MXC",
        region="national",
        designation=Designation.CMM,
    )
    # The authority that was the Immigration Service when `rerouted` was presented (see below); US is
    # designated once that case has been routed to CMM.
    org_former_us = organisation_create(
        name="Matrix former authority",
        kind=OrganisationKind.AUTHORITY,
        case_prefix="MXF",
        region="national",
        designation=Designation.IMMIGRATION_SERVICE,
    )
    org_us = organisation_create(
        name="Matrix US", kind=OrganisationKind.AUTHORITY, case_prefix="MXU", region="national"
    )

    def member(organisation, role):
        user = UserFactory()
        membership_add(user=user, organisation=organisation, role=role)
        return user

    u = w.users
    u["out_a"] = member(org_a, Role.OUTREACH_WORKER)
    u["cw_a"] = member(org_a, Role.CASEWORKER)
    u["admin_a"] = member(org_a, Role.ORG_ADMIN)
    u["cw_b"] = member(org_b, Role.CASEWORKER)
    u["coord"] = member(org_cmm, Role.COORDINATOR)
    u["analyst"] = member(org_cmm, Role.ANALYST)
    u["liaison"] = member(org_us, Role.AUTHORITY_LIAISON)
    u["deact"] = member(org_a, Role.CASEWORKER)
    u["grp"] = member(org_a, Role.OUTREACH_WORKER)
    u["former"] = member(org_a, Role.CASEWORKER)
    u["former_us"] = member(org_former_us, Role.AUTHORITY_LIAISON)
    everything = Group.objects.create(name="matrix: every model permission, model-wide")
    everything.permissions.set(Permission.objects.all())
    u["grp"].groups.add(everything)

    cw_a, cw_b, coord = u["cw_a"], u["cw_b"], u["coord"]
    for user in u.values():
        set_active_membership(user, user.memberships.get())

    # --- The re-routed case: presented to the former authority, routed to CMM ----------------------------
    rerouted = _case(cw_a, org_a)
    rerouted_presentation = presentation_create(
        case=rerouted, by=cw_a, presented_on=D(2026, 3, 10), presented_by=PresentedBy.POLICE
    )
    rerouted_attachment = attachment_add(
        presentation=rerouted_presentation,
        by=cw_a,
        uploaded_file=SimpleUploadedFile("note.txt", b"matrix", content_type="text/plain"),
    )
    assert rerouted_presentation.authority_organisation == org_former_us
    presentation_set_residence_status(
        presentation=rerouted_presentation, by=cw_a, residence_status=ResidenceStatus.EU_CITIZEN
    )
    organisation_designate(organisation=org_us, designation=Designation.IMMIGRATION_SERVICE)

    # --- Cases ------------------------------------------------------------------------------------------
    cases = {
        "own": _case(cw_a, org_a),
        "other": _case(cw_b, org_b),
        "referred": _case(cw_b, org_b),
        "revoked": _case(cw_b, org_b),
        "deleted": _case(cw_a, org_a),
    }
    owner = {"own": cw_a, "other": cw_b, "referred": cw_b, "revoked": cw_b, "deleted": cw_a}

    # Things on the cases, made before sharing and deleting so that every variant has them.
    presentations, periods, plans, stays, activities, components, attachments = {}, {}, {}, {}, {}, {}, {}
    for variant, case in cases.items():
        by = owner[variant]
        if variant in ("own", "other", "deleted"):  # presenting shares the case with the Immigration Service
            presentations[variant] = presentation_create(
                case=case, by=by, presented_on=D(2026, 3, 10), presented_by=PresentedBy.POLICE
            )
            attachments[variant] = (
                presentations[variant].pk,
                attachment_add(
                    presentation=presentations[variant],
                    by=by,
                    uploaded_file=SimpleUploadedFile("note.txt", b"matrix", content_type="text/plain"),
                ).pk,
            )
        periods[variant] = period_start(
            case=case, by=by, kind=PeriodKind.ACTION_PLAN, starts_on=D(2026, 3, 5)
        )
        plans[variant] = return_plan_create(case=case, by=by, destination_country="NG")
        components[variant] = (
            plans[variant].pk,
            component_add(plan=plans[variant], by=by, kind="housing", budget_amount=Decimal(100)).pk,
        )
        stays[variant] = (
            case.pk,
            stay_save(case=case, by=by, housing_type="crisis_centre", admitted_on=D(2026, 3, 2)).pk,
        )
        activities[variant] = (case.pk, activity_save(case=case, by=by, kind="course", title="Danish").pk)

    referrals = {}
    referrals["referred"] = referral_accept(referral=_refer(cases["referred"], by=cw_b, to=org_a), by=cw_a)
    revoked = referral_accept(referral=_refer(cases["revoked"], by=cw_b, to=org_a), by=cw_a)
    referrals["revoked"] = referral_revoke(referral=revoked, by=cw_b, reason="No longer needed.")
    referrals["own"] = _refer(
        cases["own"], by=cw_a, to=org_cmm
    )  # pending: CMM sees the referral, not the case
    referrals["other"] = _refer(cases["other"], by=cw_b, to=org_cmm)
    case_soft_delete(case=cases["deleted"], by=cw_a, reason="Registered by mistake.")

    # --- Report jobs, members, outreach, referral groups --------------------------------------------------
    jobs = {
        "own": report_job_request(
            user=cw_a, kind=ReportKind.CASE_STATUS, language="en", case_id=cases["own"].pk
        ),
        "other": report_job_request(
            user=cw_b, kind=ReportKind.CASE_STATUS, language="en", case_id=cases["other"].pk
        ),
    }
    members = {"own": u["out_a"].memberships.get(), "other": cw_b.memberships.get()}
    hour_ago = timezone.now() - datetime.timedelta(hours=1)
    contacts, calls, sessions = {}, {}, {}
    for variant, (by, organisation) in {"own": (u["out_a"], org_a), "other": (cw_b, org_b)}.items():
        contacts[variant] = contact_log(
            by=by,
            organisation=organisation,
            occurred_at=hour_ago,
            venue=Venue.STREET,
            city="Aalborg",
            region="nordjylland",
            gender="female",
            nationality="NG",
            age_band="21-23",
            first_time_met=True,
            indicators=[Indicator.WITHHOLDS_DOCUMENTS],
        )
        calls[variant] = hotline_call_save(
            by=by,
            organisation=organisation,
            received_at=hour_ago,
            caller_category=CallerCategory.POLICE,
            purpose=CallPurpose.INFORMATION,
        )
        sessions[variant] = meeting_session_save(
            by=by,
            organisation=organisation,
            place="Mødestedet",
            date=timezone.localdate() - datetime.timedelta(days=1),
            visitors=20,
            returning_visitors=12,
            health_clinic_open=False,
        )

    groups = {
        "own": ReferralGroup.objects.get(region="nordjylland"),  # A is a member
        "other": ReferralGroup.objects.get(region="syddanmark"),  # A is not
    }
    group_members, meetings, actions, topics = {}, {}, {}, {}
    for variant, group in groups.items():
        organisation, user = (org_a, cw_a) if variant == "own" else (org_b, cw_b)
        group_members[variant] = member_add(
            group=group, by=coord, organisation=organisation, user=user, sector="ngo"
        )
        meetings[variant] = meeting_create(
            group=group,
            by=coord,
            starts_at=datetime.datetime(2026, 3, 3, 10, tzinfo=datetime.UTC),
            attendees=[group_members[variant]],
        )
        actions[variant] = action_add(
            meeting=meetings[variant],
            by=coord,
            description="Call back",
            due_on=D(2026, 12, 1),
            owner=group_members[variant],
        )
        topics[variant] = topic_add(group=group, by=coord, title="Housing", meeting=meetings[variant])

    o = w.objects
    # --- The former member: on own's team and its contact person, logged in, then moved from A to B -------
    former = u["former"]
    case_update(case=cases["own"], by=cw_a, contact_person=former)
    w.clients["former_before_leaving"] = _logged_in(former)
    membership_end(membership=former.memberships.get(organisation=org_a), by=u["admin_a"])
    set_active_membership(former, membership_add(user=former, organisation=org_b, role=Role.CASEWORKER))
    assert not Membership.objects.active().filter(user=former, organisation=org_a).exists()

    o["case"] = {**cases, "rerouted": rerouted}
    o["presentation"] = {**presentations, "rerouted": rerouted_presentation}
    o["attachment"] = {**attachments, "rerouted": (rerouted_presentation.pk, rerouted_attachment.pk)}
    o["period"] = periods
    o["plan"] = plans
    o["component"] = components
    o["stay"] = stays
    o["team_member"] = {variant: (case.pk, owner[variant].pk) for variant, case in cases.items()}
    o["activity"] = activities
    o["referral"] = referrals
    o["job"] = jobs
    o["member"] = members
    o["contact"] = contacts
    o["hotline"] = calls
    o["session"] = sessions
    o["group"] = groups
    o["group_member"] = group_members
    o["meeting"] = meetings
    o["action"] = actions
    o["topic"] = topics

    # --- Sessions ----------------------------------------------------------------------------------------
    w.clients["anon"] = Client()
    for key in PRINCIPALS[1:]:
        w.clients[key] = _logged_in(u[key])
    type(u["deact"]).objects.filter(pk=u["deact"].pk).update(is_active=False)
    return w


def object_ids(world: World, kind: str | None, variant: str) -> tuple:
    """The URL kwargs values (in order) for `variant` of `kind`; MISSING_ID for all of them when missing."""
    if variant == "missing":
        return (MISSING_ID, MISSING_ID)
    value = world.objects[kind][variant]
    if isinstance(value, tuple):
        return value
    return (value.pk,)
