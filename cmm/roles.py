"""Roles and the model permissions each one carries.

Each role is a Django group named ``role:<role>`` that holds the role's model permissions. Users are never
put into these groups: what a user may do is the permission set of the role they hold in the organisation
they are acting for (see cmm.permissions), so a role in one organisation never lends rights in another.
Later apps add their permissions here; `roles_sync` writes the mapping into the groups after every migrate.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from cmm.models import Role

ROLE_GROUP_PREFIX = "role:"

_EVERYONE = ["cmm.view_organisation", "referrals.view_referralgroup"]

_CASE_WORK = [
    "cases.view_case",
    "cases.add_case",
    "cases.change_case",
    "cases.delete_case",
    "cases.view_personal_details",
    "cases.change_personal_details",
]

_OUTREACH = [
    f"outreach.{action}_{model}"
    for model in ("contact", "meetingplacesession", "clinicconsultation", "hotlinecall", "policeraid")
    for action in ("view", "add", "change")
]

_PRESENT = [
    "identification.view_presentation",
    "identification.add_presentation",
    "identification.change_presentation",
    "identification.add_policeassessment",
    "identification.add_identificationform",
    "identification.add_attachment",
    "identification.view_attachment",
    "identification.add_courtverdict",
    "identification.view_identificationtask",
    "identification.change_identificationtask",
]

_REFLECTION = [
    "reflection.view_reflectionperiod",
    "reflection.add_reflectionperiod",
    "reflection.change_reflectionperiod",
]

_REFERRALS = ["referrals.view_referral", "referrals.add_referral", "referrals.change_referral"]

_RETURNS = ["referrals.view_returnplan", "referrals.add_returnplan", "referrals.change_returnplan"]

# Statistics of one's own organisation; national ones only when acting for CMM (reports.selectors).
_STATISTICS = ["reports.view_statistics"]
_NATIONAL_STATISTICS = ["reports.view_statistics", "reports.view_national_statistics"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    # Outreach workers see their organisation's cases (to link contacts), and details only on a case team.
    Role.OUTREACH_WORKER: [
        *_EVERYONE,
        "cases.view_case",
        "cases.view_personal_details",
        *_OUTREACH,
        "identification.view_presentation",
    ],
    Role.CASEWORKER: [
        *_EVERYONE,
        *_CASE_WORK,
        *_OUTREACH,
        *_PRESENT,
        *_REFLECTION,
        *_REFERRALS,
        *_RETURNS,
        *_STATISTICS,
    ],
    # Coordinators run the hotline and police-raid coordination and import historical registrations.
    Role.COORDINATOR: [
        *_EVERYONE,
        *_CASE_WORK,
        *_OUTREACH,
        *_PRESENT,
        *_REFLECTION,
        *_REFERRALS,
        *_RETURNS,
        "identification.add_decision",
        "outreach.import_activity",
        # Only a coordinator may send a referral without the person's consent (with a written reason), and
        # CMM's coordinators run the referral groups.
        "referrals.override_consent",
        "referrals.manage_referralgroup",
        "cmm.view_auditevent",
        *_NATIONAL_STATISTICS,
    ],
    # The Immigration Service liaison sees the cases presented to it, records police assessments and decides.
    Role.AUTHORITY_LIAISON: [
        *_EVERYONE,
        "cases.view_case",
        "cases.view_personal_details",
        "identification.view_presentation",
        "identification.change_presentation",
        "identification.add_policeassessment",
        "identification.view_attachment",
        "identification.add_courtverdict",
        "identification.add_decision",
        "identification.view_identificationtask",
        "reflection.view_reflectionperiod",
        # The Immigration Service plans the returns of people without legal residence with IOM.
        "referrals.view_returnplan",
        "referrals.change_returnplan",
    ],
    # Analysts see counts, never identities, and no case files.
    Role.ANALYST: [*_EVERYONE, *_NATIONAL_STATISTICS],
    Role.ORG_ADMIN: [
        *_EVERYONE,
        "cmm.view_membership",
        "cmm.add_membership",
        "cmm.change_membership",
        *_STATISTICS,
    ],
}


def role_group_name(role: str) -> str:
    return f"{ROLE_GROUP_PREFIX}{role}"


def roles_sync() -> None:
    """Make each role's group hold exactly the permissions ROLE_PERMISSIONS lists for it.

    Permissions of models that do not exist yet are left out; running it twice changes nothing.
    """
    for role in Role.values:
        group, _created = Group.objects.get_or_create(name=role_group_name(role))
        wanted = Q(pk__in=[])
        for dotted in ROLE_PERMISSIONS.get(role, []):
            app_label, codename = dotted.split(".", 1)
            wanted |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(Permission.objects.filter(wanted))
