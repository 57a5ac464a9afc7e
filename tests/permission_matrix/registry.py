"""The registry: one entry per URL name (pages and API alike), saying who may do what on which objects.

Every named URL of the resolver and every operation of the OpenAPI schema needs an entry here; the meta-tests
in tests/test_permission_matrix.py fail for a URL without one and for an entry whose URL is gone.

An entry names the object kind that fills the URL's kwargs (see world.py) and, per kind of request, an
`Access`: which principals may, and for object URLs on which variants. Everyone and everything else must be
refused. `grp` (model-wide permissions through a Django group) always gets exactly what `out_a` gets, and
`deact` (a deactivated user with a live session) exactly what `anon` gets: the test derives both.

Issue 17's principals are written out: `former` (moved from A to B) gets what a caseworker of B on none of B's
case teams gets, and nothing of A's; `former_us` (the authority a case of A was routed away from) gets what a
liaison gets on URLs without an object, and no object at all. The variant `rerouted` (A's case now decided by
CMM) is seen by A and by CMM's coordinator, never by either authority.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Access = dict  # principal -> frozenset of variants ("-" for URLs without an object)

LOGGED_IN = ("out_a", "cw_a", "admin_a", "cw_b", "coord", "analyst", "liaison", "former", "former_us")
NOBODY: Access = {}


# On URLs without an object, issue 17's principals hold their role as these do: `former` is a caseworker of
# B as cw_b is, `former_us` a liaison as `liaison` is.
ROLE_TWINS = {"cw_b": "former", "liaison": "former_us"}


def who(*principals: str) -> Access:
    """Access to a URL without an object (with the ROLE_TWINS of the principals named)."""
    named = (*principals, *(ROLE_TWINS[p] for p in principals if p in ROLE_TWINS))
    return {p: frozenset({"-"}) for p in dict.fromkeys(named)}


def on(**variants_by_principal: str) -> Access:
    """Access to an object URL: on(cw_a="own referred", cw_b="other") ."""
    return {p: frozenset(v.split()) for p, v in variants_by_principal.items()}


EVERYONE = who(*LOGGED_IN)

# --- Cases -------------------------------------------------------------------------------------------------
# Seen by the roles that carry view_case, for their organisation's cases and those shared with it: A's through
# the accepted referral, the Immigration Service's through the presentations of `own` and `other`.
# CMM's coordinator sees `rerouted`, which CMM decides now.
CASE_VIEW = on(
    out_a="own referred rerouted",
    cw_a="own referred rerouted",
    cw_b="other referred revoked",
    former="other referred revoked",
    coord="rerouted",
    liaison="own other",
)
# Changed by roles carrying change_case (the liaison's share is view only).
CASE_CHANGE = on(cw_a="own referred rerouted", cw_b="other referred revoked", former="other referred revoked")
# Personal details: the case team (the openers; the referral shared the facts only).
CASE_DETAILS = on(cw_a="own rerouted", cw_b="other referred revoked")
# Deleting and referring: the owning organisation only (a share never lends them).
CASE_OWNER = on(cw_a="own rerouted", cw_b="other referred revoked", former="other referred revoked")
# Case work pages that only a case worker role reaches (owners and shares with change_case).
CASE_ROLES = who("cw_a", "cw_b", "coord")

# --- Identification: presentations of own, other and deleted ------------------------------------------------
# `rerouted`: the former authority is out; CMM decides it (EU citizen).
PRESENTATION_VIEW = on(
    out_a="own rerouted",
    cw_a="own rerouted",
    cw_b="other",
    former="other",
    coord="rerouted",
    liaison="own other",
)
PRESENTATION_PRESENTER = on(cw_a="own rerouted", cw_b="other", former="other")
# residence status, police, verdict
PRESENTATION_CHANGE = on(
    cw_a="own rerouted", cw_b="other", former="other", coord="rerouted", liaison="own other"
)
PRESENTATION_DECIDE = on(liaison="own other", coord="rerouted")  # the authority routed to decides
ATTACHMENT_VIEW = on(cw_a="own rerouted", cw_b="other", coord="rerouted", liaison="own other")

# --- Reflection periods on every case variant ---------------------------------------------------------------
PERIOD_VIEW = on(
    cw_a="own referred rerouted",
    cw_b="other referred revoked",
    former="other referred revoked",
    coord="rerouted",
    liaison="own other",
)
PERIOD_CHANGE = on(
    cw_a="own referred rerouted", cw_b="other referred revoked", former="other referred revoked"
)

# --- Return plans on every case variant ---------------------------------------------------------------------
PLAN_VIEW = on(
    cw_a="own referred rerouted",
    cw_b="other referred revoked",
    former="other referred revoked",
    coord="rerouted",
    liaison="own other",
)
PLAN_CHANGE = PLAN_VIEW

# --- Referrals: own = A's case to CMM (pending), other = B's to CMM (pending), referred/revoked = B's to A
REFERRAL_VIEW = on(
    cw_a="own referred revoked",
    cw_b="other referred revoked",
    former="other referred revoked",
    coord="own other",
)
REFERRAL_CHANGE = REFERRAL_VIEW  # which answer fits which side and state is the service's (a 400, not a leak)

STATISTICS = who("cw_a", "admin_a", "cw_b", "coord", "analyst")  # roles carrying reports.view_statistics

# --- Report jobs: each user's own ---------------------------------------------------------------------------
JOB_VIEW = on(cw_a="own", cw_b="other")

# --- Members: the organisation admin's own organisation -----------------------------------------------------
MEMBER = on(admin_a="own")

# --- Outreach records: the recording organisation's ---------------------------------------------------------
OUTREACH_OBJECT = on(out_a="own", cw_a="own", cw_b="other", former="other")
OUTREACH_ROLES = who("out_a", "cw_a", "cw_b", "coord")
# Opening a case from a contact: the roles that open cases (not the outreach worker), on a contact they see.
CONTACT_OPEN_CASE = on(cw_a="own", cw_b="other", former="other")

# --- Referral groups: own = the group A is a member of, other = the one B is a member of; CMM runs them all
# (CMM's analysts neither run nor belong to a group.)
GROUP_VIEW = on(out_a="own", cw_a="own", admin_a="own", cw_b="other", former="other", coord="own other")
GROUP_MANAGE = on(coord="own other")
# An action is completed by the group's runner or by its owner: here A's member in `own`, B's in `other`.
GROUP_ACTION_OWNER = GROUP_VIEW

# Who sees each variant of each object kind at all: refusing a principal what it cannot see must look exactly
# like a missing id (the test compares), and where the principal's role may use the URL it must be 404.
VISIBLE: dict[str, Access] = {
    "case": CASE_VIEW,
    "stay": CASE_VIEW,
    "team_member": CASE_VIEW,
    "activity": CASE_VIEW,
    "presentation": PRESENTATION_VIEW,
    "attachment": PRESENTATION_VIEW,
    "period": PERIOD_VIEW,
    "plan": PLAN_VIEW,
    "component": PLAN_VIEW,
    "referral": REFERRAL_VIEW,
    "job": JOB_VIEW,
    "member": MEMBER,
    "contact": OUTREACH_OBJECT,
    "hotline": OUTREACH_OBJECT,
    "session": OUTREACH_OBJECT,
    "group": GROUP_VIEW,
    "group_member": GROUP_VIEW,
    "meeting": GROUP_VIEW,
    "action": GROUP_VIEW,
    "topic": GROUP_VIEW,
}


@dataclass(frozen=True)
class Entry:
    kind: str | None = None  # object kind filling the kwargs (world.py); None: no object
    get: Access | None = None  # who may GET (None when the URL has no GET)
    write: Access = field(default_factory=dict)  # who may POST/PUT/PATCH/DELETE; everyone else is refused
    ok: tuple[int, ...] = (200,)  # what an allowed GET answers
    public: bool = False  # open to anyone, logged in or not
    query: str = ""  # a query string the GET needs (e.g. the period of the statistics)
    note: str = ""


def page(kind=None, get=None, write=None, **kw) -> Entry:
    return Entry(kind=kind, get=get, write=write if write is not None else (get or {}), **kw)


PUBLIC = Entry(public=True)

ENTRIES: dict[str, Entry] = {
    # --- Accounts, the platform -----------------------------------------------------------------------------
    "home": page(get=EVERYONE),
    "login": Entry(public=True, note="the login form"),
    "logout": Entry(public=True, note="logging out is harmless for anyone"),
    "password_change": page(get=EVERYONE),
    "password_reset": Entry(public=True),
    "password_reset_done": Entry(public=True),
    "password_reset_confirm": Entry(public=True, note="protected by the signed token in the URL"),
    "password_reset_complete": Entry(public=True),
    "organisation-select": page(get=EVERYONE),
    "two-factor-settings": page(get=EVERYONE),
    "two-factor-setup": page(get=EVERYONE, ok=(200, 302), note="302 to the settings once set up"),
    "two-factor-verify": page(get=EVERYONE),
    "two-factor-recovery-codes": page(get=EVERYONE, ok=(200, 302)),
    "two-factor-reset": page(kind="member", get=MEMBER),
    "member-list": page(get=who("admin_a")),
    "member-create": page(get=who("admin_a")),
    "member-change": page(kind="member", get=MEMBER),
    "audit-event-list": page(get=who("coord")),
    "set_language": Entry(public=True, note="the language switch, for anyone"),
    "healthz": Entry(public=True, note="the health check"),
    # --- Cases ----------------------------------------------------------------------------------------------
    "case-list": page(get=who("out_a", "cw_a", "cw_b", "coord", "liaison")),
    "case-create": page(get=CASE_ROLES),
    "case-detail": page("case", CASE_VIEW),
    "case-update": page("case", CASE_CHANGE),
    "case-close": page("case", CASE_CHANGE),
    "case-reopen": page("case", None, CASE_CHANGE),
    "case-delete": page("case", CASE_OWNER),
    "case-erase": page("case", on(coord="rerouted"), note="CMM coordinators, on the cases they see"),
    "case-personal": page("case", CASE_DETAILS),
    "case-personal-update": page("case", CASE_DETAILS),
    "case-team": page("case", CASE_VIEW, CASE_CHANGE),
    "case-timeline": page("case", CASE_VIEW),
    "case-history": page("case", CASE_VIEW),
    "case-service-create": page("case", CASE_CHANGE),
    "case-stay-create": page("case", CASE_CHANGE),
    "case-stay-update": page("stay", CASE_CHANGE),
    "case-minor": page("case", CASE_VIEW, CASE_CHANGE),
    "case-plan": page("case", CASE_VIEW, CASE_CHANGE),
    "case-activity-create": page("case", CASE_CHANGE),
    "case-activity-update": page("activity", CASE_CHANGE),
    "case-client-code": page("case", CASE_VIEW, CASE_CHANGE),
    # --- Outreach -------------------------------------------------------------------------------------------
    "outreach-home": page(get=OUTREACH_ROLES),
    "contact-list": page(get=OUTREACH_ROLES),
    "contact-create": page(get=OUTREACH_ROLES),
    "contact-export": page(get=OUTREACH_ROLES),
    "contact-update": page("contact", OUTREACH_OBJECT),
    "contact-link": page("contact", OUTREACH_OBJECT),
    "contact-open-case": page("contact", CONTACT_OPEN_CASE, note="roles opening cases, contacts they see"),
    "meeting-session-list": page(get=OUTREACH_ROLES),
    "meeting-session-create": page(get=OUTREACH_ROLES),
    "meeting-session-export": page(get=OUTREACH_ROLES),
    "meeting-session-update": page("session", OUTREACH_OBJECT),
    "clinic-list": page(get=OUTREACH_ROLES),
    "clinic-create": page(get=OUTREACH_ROLES),
    "clinic-export": page(get=OUTREACH_ROLES),
    "clinic-update": page("clinic", OUTREACH_OBJECT),
    "hotline-list": page(get=OUTREACH_ROLES),
    "hotline-create": page(get=OUTREACH_ROLES),
    "hotline-export": page(get=OUTREACH_ROLES),
    "hotline-update": page("hotline", OUTREACH_OBJECT),
    "raid-list": page(get=OUTREACH_ROLES),
    "raid-create": page(get=OUTREACH_ROLES),
    "raid-export": page(get=OUTREACH_ROLES),
    "raid-update": page("raid", OUTREACH_OBJECT),
    "activity-import": page(get=who("coord")),
    # --- Identification -------------------------------------------------------------------------------------
    "identification-queue": page(get=who("liaison", "coord")),
    "identification-tasks": page(get=who("cw_a", "cw_b", "coord", "liaison")),
    "identification-task-done": page("task", None, NOBODY),
    "case-presentations": page("case", CASE_VIEW),
    "presentation-create": page("case", CASE_CHANGE),
    "presentation-detail": page("presentation", PRESENTATION_VIEW),
    "presentation-residence": page("presentation", PRESENTATION_CHANGE),
    "police-assessment-create": page("presentation", PRESENTATION_CHANGE),
    "identification-form-create": page("presentation", PRESENTATION_PRESENTER),
    "attachment-create": page("presentation", PRESENTATION_PRESENTER),
    "attachment-download": page("attachment", ATTACHMENT_VIEW),
    "verdict-create": page("presentation", PRESENTATION_CHANGE),
    "decision-create": page("presentation", PRESENTATION_DECIDE),
    # --- Reflection -----------------------------------------------------------------------------------------
    "reflection-dashboard": page(get=who("cw_a", "cw_b", "coord", "liaison")),
    "case-reflection": page("case", PERIOD_VIEW),
    "reflection-start": page("case", PERIOD_CHANGE),
    "reflection-extend": page("period", PERIOD_CHANGE),
    "reflection-correct": page("period", PERIOD_CHANGE),
    "reflection-postpone": page("period", PERIOD_CHANGE),
    "reflection-lift": page("period", PERIOD_CHANGE),
    "reflection-end": page("period", PERIOD_CHANGE),
    "notification-list": page(get=EVERYONE),
    "calendar-settings": page(get=EVERYONE),
    "calendar-feed": Entry(kind="calendar_token", public=True, note="a secret token; a wrong one is 404"),
    # --- Referrals ------------------------------------------------------------------------------------------
    "case-referrals": page(
        "case",
        {**CASE_CHANGE, **on(coord="rerouted")},
        note="lists only the referrals the caller's organisation sent or received",
    ),
    "referral-create": page("case", CASE_OWNER),
    "referral-incoming": page(get=who("cw_a", "cw_b", "coord")),
    "referral-detail": page("referral", REFERRAL_VIEW),
    "referral-accept": page("referral", None, REFERRAL_CHANGE),
    "referral-decline": page("referral", None, REFERRAL_CHANGE),
    "referral-withdraw": page("referral", None, REFERRAL_CHANGE),
    "referral-revoke": page("referral", None, REFERRAL_CHANGE),
    "referral-close": page("referral", None, REFERRAL_CHANGE),
    "case-returns": page("case", PLAN_VIEW, CASE_CHANGE),
    "return-plan-list": page(get=who("cw_a", "cw_b", "coord", "liaison")),
    "return-plan-detail": page("plan", PLAN_VIEW),
    "return-plan-update": page("plan", PLAN_CHANGE),
    "return-plan-transition": page("plan", PLAN_CHANGE, ok=(302,), note="GET goes back to the plan"),
    "return-plan-representative": page("plan", PLAN_CHANGE),
    "return-component-add": page("plan", PLAN_CHANGE),
    "return-component-update": page("component", PLAN_CHANGE),
    "return-component-remove": page("component", PLAN_CHANGE),
    "return-follow-up-record": page("follow_up", NOBODY),
    "return-plan-summary": page("plan", PLAN_VIEW),
    "referral-group-list": page(get=EVERYONE),
    "referral-group-detail": page("group", GROUP_VIEW),
    "referral-group-member-add": page("group", GROUP_MANAGE),
    "referral-group-member-edit": page("group_member", GROUP_MANAGE),
    "referral-group-member-end": page("group_member", GROUP_MANAGE),
    "referral-group-meeting-list": page("group", GROUP_VIEW),
    "referral-group-meeting-create": page("group", GROUP_MANAGE),
    "referral-group-meeting-detail": page("meeting", GROUP_VIEW),
    "referral-group-meeting-edit": page("meeting", GROUP_MANAGE),
    "referral-group-action-add": page("meeting", GROUP_MANAGE),
    "referral-group-action-complete": page("action", GROUP_ACTION_OWNER),
    "referral-group-topic-add": page("group", GROUP_VIEW, note="every member raises topics"),
    "referral-group-topic-escalate": page("topic", GROUP_MANAGE),
    "referral-group-topic-close": page("topic", GROUP_MANAGE),
    # --- Reports --------------------------------------------------------------------------------------------
    "reports-statistics": page(get=who("cw_a", "admin_a", "cw_b", "coord", "analyst")),
    "reports-statistics-export": page(get=STATISTICS, query="?period=2026Q1&format=csv"),
    "reports-job-list": page(get=EVERYONE),
    "reports-job-create": page(get=who("cw_a", "admin_a", "cw_b", "coord", "analyst")),
    "reports-job-detail": page("job", JOB_VIEW),
    "reports-job-download": page("job", JOB_VIEW, ok=(404,)),
    "reports-job-regenerate": page("job", None, JOB_VIEW),
    "reports-case-report": page("case", None, CASE_VIEW),
    "reports-case-export": page(get=STATISTICS),
    # --- API: the platform ----------------------------------------------------------------------------------
    "api-root": page(get=EVERYONE),
    "api-token": Entry(public=True, note="username, password and a code; refusals are 400 for anyone"),
    "api-me": page(get=EVERYONE),
    "api-session-keep-alive": page(write=EVERYONE, note="stay logged in: renews the caller's own session"),
    "api-me-agenda": page(get=EVERYONE, note="the caller's own work items"),
    "api-organisation-list": page(get=EVERYONE),
    "api-member-list": page(get=who("admin_a")),
    "api-member-detail": page("member", MEMBER),
    "api-audit-event-list": page(get=who("coord")),
    "api-schema": Entry(
        public=True, note="the API's description, no data (drf-spectacular serves it to anyone)"
    ),
    "api-docs": Entry(public=True, note="Swagger UI of the schema, no data"),
    "api-redoc": Entry(public=True, note="ReDoc of the schema, no data"),
    # --- API: cases -----------------------------------------------------------------------------------------
    "api-case-list": page(get=who("out_a", "cw_a", "cw_b", "coord", "liaison"), write=CASE_ROLES),
    "api-case-detail": page("case", CASE_VIEW, CASE_CHANGE),
    "api-case-close": page("case", None, CASE_CHANGE),
    "api-case-reopen": page("case", None, CASE_CHANGE),
    "api-case-delete": page("case", None, CASE_OWNER),
    "api-case-erase": page("case", None, on(coord="rerouted")),
    "api-case-personal-details": page("case", CASE_DETAILS),
    "api-case-team": page("case", CASE_VIEW, CASE_CHANGE),
    "api-case-team-member": page("team_member", None, CASE_CHANGE),
    "api-case-timeline": page("case", CASE_VIEW),
    "api-case-history": page("case", CASE_VIEW),
    "api-case-services": page("case", CASE_VIEW, CASE_CHANGE),
    "api-case-stays": page("case", CASE_VIEW, CASE_CHANGE),
    "api-case-stay": page("stay", None, CASE_CHANGE),
    "api-case-representatives": page("case", CASE_VIEW, CASE_CHANGE),
    "api-case-parent-tracings": page("case", CASE_VIEW, CASE_CHANGE),
    "api-case-action-plan": page("case", CASE_VIEW, CASE_CHANGE),
    "api-case-activities": page("case", CASE_VIEW, CASE_CHANGE),
    "api-case-activity": page("activity", None, CASE_CHANGE),
    "api-case-plan-reviews": page("case", None, CASE_CHANGE),
    "api-case-client-codes": page("case", CASE_VIEW, CASE_CHANGE),
    # --- API: outreach --------------------------------------------------------------------------------------
    "api-outreach-contact-list": page(get=OUTREACH_ROLES),
    "api-outreach-contact-detail": page("contact", OUTREACH_OBJECT),
    "api-outreach-contact-link": page("contact", None, OUTREACH_OBJECT),
    "api-outreach-contact-open-case": page("contact", None, CONTACT_OPEN_CASE),
    "api-outreach-meeting-session-list": page(get=OUTREACH_ROLES),
    "api-outreach-meeting-session-detail": page("session", OUTREACH_OBJECT),
    "api-outreach-clinic-consultation-list": page(get=OUTREACH_ROLES),
    "api-outreach-clinic-consultation-detail": page("clinic", OUTREACH_OBJECT),
    "api-outreach-hotline-call-list": page(get=OUTREACH_ROLES),
    "api-outreach-hotline-call-detail": page("hotline", OUTREACH_OBJECT),
    "api-outreach-police-raid-list": page(get=OUTREACH_ROLES),
    "api-outreach-police-raid-detail": page("raid", OUTREACH_OBJECT),
    # --- API: identification --------------------------------------------------------------------------------
    "api-identification-presentation-list": page(
        get=who("out_a", "cw_a", "cw_b", "coord", "liaison"), write=who("cw_a", "cw_b", "coord")
    ),
    "api-identification-presentation-detail": page("presentation", PRESENTATION_VIEW),
    "api-identification-residence-status": page("presentation", None, PRESENTATION_CHANGE),
    "api-identification-police-assessments": page("presentation", None, PRESENTATION_CHANGE),
    "api-identification-forms": page("presentation", None, PRESENTATION_PRESENTER),
    "api-identification-attachments": page("presentation", None, PRESENTATION_PRESENTER),
    "api-identification-attachment": page("attachment", ATTACHMENT_VIEW),
    "api-identification-verdicts": page("presentation", None, PRESENTATION_CHANGE),
    "api-identification-decisions": page("presentation", None, PRESENTATION_DECIDE),
    "api-identification-queue": page(get=who("liaison", "coord")),
    "api-identification-tasks": page(get=who("cw_a", "cw_b", "coord", "liaison")),
    "api-identification-task-done": page("task", None, NOBODY),
    # --- API: reflection ------------------------------------------------------------------------------------
    "api-reflection-period-list": page(get=who("cw_a", "cw_b", "coord", "liaison"), write=CASE_ROLES),
    "api-reflection-period-detail": page("period", PERIOD_VIEW),
    "api-reflection-extensions": page("period", None, PERIOD_CHANGE),
    "api-reflection-correction": page("period", None, PERIOD_CHANGE),
    "api-reflection-postponements": page("period", None, PERIOD_CHANGE),
    "api-reflection-lift": page("period", None, PERIOD_CHANGE),
    "api-reflection-outcome": page("period", None, PERIOD_CHANGE),
    "api-reflection-notifications": page(get=EVERYONE),
    "api-reflection-notifications-read": page(write=EVERYONE),
    # --- API: referrals, returns, groups --------------------------------------------------------------------
    "api-referral-list": page(get=who("cw_a", "cw_b", "coord"), write=who("cw_a", "cw_b", "coord")),
    "api-referral-detail": page("referral", REFERRAL_VIEW),
    "api-referral-accept": page("referral", None, REFERRAL_CHANGE),
    "api-referral-decline": page("referral", None, REFERRAL_CHANGE),
    "api-referral-withdraw": page("referral", None, REFERRAL_CHANGE),
    "api-referral-revoke": page("referral", None, REFERRAL_CHANGE),
    "api-referral-close": page("referral", None, REFERRAL_CHANGE),
    "api-return-plan-list": page(get=who("cw_a", "cw_b", "coord", "liaison"), write=CASE_ROLES),
    "api-return-plan-detail": page("plan", PLAN_VIEW, PLAN_CHANGE),
    "api-return-plan-transition": page("plan", None, PLAN_CHANGE),
    "api-return-plan-representative": page("plan", None, PLAN_CHANGE),
    "api-return-components": page("plan", PLAN_VIEW, PLAN_CHANGE),
    "api-return-component": page("component", PLAN_VIEW, PLAN_CHANGE),
    "api-return-follow-up": page("follow_up", None, NOBODY),
    "api-referral-group-list": page(get=EVERYONE),
    "api-referral-group-detail": page("group", GROUP_VIEW),
    "api-referral-group-members": page("group", GROUP_VIEW, GROUP_MANAGE),
    "api-referral-group-member-detail": page("group_member", None, GROUP_MANAGE),
    "api-referral-group-meetings": page("group", GROUP_VIEW, GROUP_MANAGE),
    "api-referral-group-meeting-detail": page("meeting", GROUP_VIEW, GROUP_MANAGE),
    "api-referral-group-meeting-actions": page("meeting", None, GROUP_MANAGE),
    "api-referral-group-action-complete": page("action", None, GROUP_ACTION_OWNER),
    "api-referral-group-topics": page("group", GROUP_VIEW, GROUP_VIEW),
    "api-referral-group-topic-escalate": page("topic", None, GROUP_MANAGE),
    "api-referral-group-topic-close": page("topic", None, GROUP_MANAGE),
    # --- API: reports ---------------------------------------------------------------------------------------
    "api-reports-statistics": page(get=STATISTICS, query="?period=2026Q1"),
    "api-reports-statistics-export": page(get=STATISTICS, query="?period=2026Q1&format=csv"),
    "api-report-job-list": page(
        get=EVERYONE, write=EVERYONE, note="a case status report needs only the case"
    ),
    "api-report-job-detail": page("job", JOB_VIEW),
    "api-report-job-download": page("job", JOB_VIEW, ok=(404,)),
    "api-report-job-regenerate": page("job", None, JOB_VIEW),
    "api-reports-case-export": page(get=STATISTICS, query="?format=csv"),
}
