"""The main menu: which entries a role sees. Later apps add their entries here."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from cmm.permissions import role_permissions


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    label: str
    # The model permission the role must carry to see the entry; None means every member sees it.
    perm: str | None = None


NAV_ENTRIES = [
    NavEntry("home", _("Overview")),
    NavEntry("case-list", _("Cases"), "cases.view_case"),
    NavEntry("reflection-dashboard", _("Deadlines"), "reflection.view_reflectionperiod"),
    NavEntry("referral-incoming", _("Referrals"), "referrals.view_referral"),
    NavEntry("return-plan-list", _("Returns"), "referrals.view_returnplan"),
    NavEntry("identification-queue", _("Decisions to make"), "identification.add_decision"),
    NavEntry("identification-tasks", _("Tasks"), "identification.view_identificationtask"),
    NavEntry("contact-create", _("Log a contact"), "outreach.add_contact"),
    NavEntry("contact-list", _("Contacts"), "outreach.view_contact"),
    NavEntry("hotline-list", _("Hotline"), "outreach.view_hotlinecall"),
    NavEntry("outreach-home", _("Activity"), "outreach.view_meetingplacesession"),
    NavEntry("activity-import", _("Import activity"), "outreach.import_activity"),
    NavEntry("referral-group-list", _("Referral groups"), "referrals.view_referralgroup"),
    NavEntry("reports-statistics", _("Statistics"), "reports.view_statistics"),
    NavEntry("reports-job-list", _("Reports"), "reports.view_statistics"),
    NavEntry("member-list", _("Members"), "cmm.view_membership"),
    NavEntry("audit-event-list", _("Audit log"), "cmm.view_auditevent"),
    NavEntry("api-docs", _("API")),
]


def nav_entries_for(membership) -> list[NavEntry]:
    """Return the menu entries the membership's role may see, in menu order."""
    if membership is None:
        return []
    allowed = role_permissions(membership)
    return [entry for entry in NAV_ENTRIES if entry.perm is None or entry.perm in allowed]
