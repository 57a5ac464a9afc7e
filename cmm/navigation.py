"""The main menu: which entries a role sees, and which of them the page being shown belongs to."""

from dataclasses import dataclass
from fnmatch import fnmatchcase

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cmm.permissions import role_permissions


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    label: str
    # The model permission the role must carry to see the entry; None means every member sees it.
    perm: str | None = None
    # Names of other pages (shell-style patterns, e.g. "case-*") that belong to this section, so a sub-page
    # whose address does not start with the entry's address still marks it as the current section.
    section: tuple[str, ...] = ()


NAV_ENTRIES = [
    NavEntry("home", _("Overview")),
    # Every page of one case belongs to "Cases", whichever app serves it (its URL names start with "case-"
    # or it takes a case_id, see current_url_for).
    NavEntry("case-list", _("Cases"), "cases.view_case", ("case-*",)),
    NavEntry("reflection-dashboard", _("Deadlines"), "reflection.view_reflectionperiod", ("reflection-*",)),
    NavEntry("referral-incoming", _("Referrals"), "referrals.view_referral", ("referral-*",)),
    NavEntry("return-plan-list", _("Returns"), "referrals.view_returnplan"),
    NavEntry(
        "identification-queue",
        _("Decisions to make"),
        "identification.add_decision",
        ("presentation-*", "decision-create", "police-assessment-create", "verdict-create"),
    ),
    NavEntry("identification-tasks", _("Tasks"), "identification.view_identificationtask"),
    NavEntry("contact-create", _("Log a contact"), "outreach.add_contact"),
    NavEntry("contact-list", _("Contacts"), "outreach.view_contact", ("contact-*",)),
    NavEntry("hotline-list", _("Hotline"), "outreach.view_hotlinecall", ("hotline-*",)),
    NavEntry(
        "outreach-home",
        _("Activity"),
        "outreach.view_meetingplacesession",
        ("meeting-session-*", "clinic-*", "raid-*"),
    ),
    NavEntry("activity-import", _("Import activity"), "outreach.import_activity"),
    NavEntry(
        "referral-group-list", _("Referral groups"), "referrals.view_referralgroup", ("referral-group-*",)
    ),
    NavEntry("reports-statistics", _("Statistics"), "reports.view_statistics", ("reports-statistics-*",)),
    NavEntry(
        "reports-job-list", _("Reports"), "reports.view_statistics", ("reports-job-*", "reports-case-export")
    ),
    NavEntry("member-list", _("Members"), "cmm.view_membership", ("member-*",)),
    NavEntry("audit-event-list", _("Audit log"), "cmm.view_auditevent"),
    NavEntry("api-docs", _("API")),
]


def nav_entries_for(membership) -> list[NavEntry]:
    """Return the menu entries the membership's role may see, in menu order."""
    if membership is None:
        return []
    allowed = role_permissions(membership)
    return [entry for entry in NAV_ENTRIES if entry.perm is None or entry.perm in allowed]


def _section_score(entry: NavEntry, url: str, *, path: str, url_name: str | None) -> int:
    """How well the page matches the entry: 3 its own page, 2 a named sub-page, 1 an address below it."""
    if url_name == entry.url_name:
        return 3
    if url_name and any(fnmatchcase(url_name, pattern) for pattern in entry.section):
        return 2
    if url != "/" and path.startswith(url):
        return 1
    return 0


def nav_menu(*, membership, path: str, url_name: str | None = None, kwargs: dict | None = None) -> list[dict]:
    """Return the role's menu as dicts (url, label, current), marking the section the page belongs to.

    The page's own entry wins; then an entry that names the page as one of its sub-pages (a case's tabs mark
    "Cases", a referral marks "Referrals"); then the entry with the longest address the page's path starts
    with. A page about one case (it takes a case_id) belongs to "Cases" whichever app serves it.
    """
    entries = [(entry, reverse(entry.url_name)) for entry in nav_entries_for(membership)]
    if url_name and url_name != "case-list" and "case_id" in (kwargs or {}):
        url_name = "case-" + url_name
    best, best_key = None, (0, 0)
    for entry, url in entries:
        score = _section_score(entry, url, path=path, url_name=url_name)
        key = (score, len(url))
        if score and key > best_key:
            best, best_key = entry, key
    return [{"url": url, "label": entry.label, "current": entry is best} for entry, url in entries]
