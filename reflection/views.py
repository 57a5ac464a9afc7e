"""Reflection-period pages: the deadline dashboard, a case's periods and their changes, the reminders and the
calendar feed.

Each view gets the case or the period through a selector, so "missing" and "not yours" both answer 404; what
the role may not do answers 403 with the reason. The date arithmetic and the 30/100-day rules are never worked
out here: the services refuse, and a refused form is shown again with status 400 and nothing typed is lost.
No page shows identifying details: periods are known by the case number.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext, pgettext
from django.views import View
from django.views.decorators.cache import never_cache

from cases.selectors import case_get_for_user
from cmm.forms import attach_service_errors
from cmm.permissions import has_role_permission
from identification.selectors import task_list_for_user
from referrals.selectors.returns import return_plan_of_case_for_user
from reflection import services
from reflection.choices import PeriodKind
from reflection.dates import MAX_DAYS, days_counted, days_left, extension_limit
from reflection.forms import (
    PeriodCorrectForm,
    PeriodEndForm,
    PeriodExtendForm,
    PeriodLiftForm,
    PeriodPostponeForm,
    PeriodStartForm,
)
from reflection.models import CalendarToken
from reflection.selectors import (
    calendar_periods_for_user,
    calendar_token_get,
    notification_list_for_user,
    period_get_for_user,
    periods_of_case,
    running_periods_for_user,
)

PAGE_SIZE = 50
NOTIFICATION_PAGE_SIZE = 25
TASK_ROWS = 20
VIEW = "reflection.view_reflectionperiod"
ADD = "reflection.add_reflectionperiod"
CHANGE = "reflection.change_reflectionperiod"


# --- Helpers ------------------------------------------------------------------------------------------


def _require(user, perm: str, reason: str) -> None:
    if not has_role_permission(user, perm):
        raise PermissionDenied(reason)


def _short(day: datetime.date | None) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT") if day else ""


def urgency(left: int | None) -> str:
    """The colour band of a deadline: overdue, within 3, 7 or 14 days, later, or postponed (no deadline)."""
    if left is None:
        return "postponed"
    if left < 0:
        return "overdue"
    for band in (3, 7, 14):
        if left <= band:
            return f"d{band}"
    return "later"


def urgency_label(left: int | None) -> str:
    if left is None:
        return _("postponed")
    if left < 0:
        return ngettext("%(days)s day overdue", "%(days)s days overdue", -left) % {"days": -left}
    if left == 0:
        return _("today")
    return ngettext("%(days)s day left", "%(days)s days left", left) % {"days": left}


def _annotate(period, today: datetime.date) -> None:
    period.days_left = days_left(period.ends_on, today)
    period.urgency = urgency(period.days_left)
    period.urgency_label = urgency_label(period.days_left)
    period.extended = period.total_days > period.initial_days


def _deadline_message(period) -> str:
    if period.ends_on is None:
        return _("Saved. The period is postponed: no deadline runs until the postponement is lifted.")
    return _("Saved. The deadline in case %(number)s is now %(day)s.") % {
        "number": period.case.number,
        "day": _short(period.ends_on),
    }


# --- The deadline dashboard ---------------------------------------------------------------------------


class DeadlineDashboardView(LoginRequiredMixin, View):
    """The running periods the user may see, the nearest deadline first, and the organisation's open tasks."""

    def get(self, request):
        _require(request.user, VIEW, _("Your role does not give access to reflection periods."))
        mine = request.GET.get("mine") == "1"
        kind = request.GET.get("kind", "")
        if kind not in PeriodKind.values:
            kind = ""
        periods = running_periods_for_user(user=request.user, mine=mine, kind=kind)
        page = Paginator(periods, PAGE_SIZE).get_page(request.GET.get("page"))
        today = timezone.localdate()
        for period in page:
            _annotate(period, today)
        tasks = list(task_list_for_user(user=request.user)[:TASK_ROWS])
        for task in tasks:
            task.overdue = task.due_on < today
        query = [f"mine={int(mine)}"] + ([f"kind={kind}"] if kind else [])
        return render(
            request,
            "reflection/dashboard.html",
            {
                "page": page,
                "mine": mine,
                "kind": kind,
                "kinds": PeriodKind.choices,
                "tasks": tasks,
                "query_string": "&".join(query),
                "today": today,
            },
        )


# --- A case's periods ---------------------------------------------------------------------------------


class CasePeriodsView(LoginRequiredMixin, View):
    def get(self, request, case_id):
        case = case_get_for_user(user=request.user, case_id=case_id)
        _require(request.user, VIEW, _("Your role does not give access to reflection periods."))
        today = timezone.localdate()
        periods = list(periods_of_case(user=request.user, case=case).order_by("-starts_on", "-id"))
        for period in periods:
            _annotate(period, today)
            period.extension_list = list(period.extensions.all())
            period.postponement_list = list(period.postponements.all())
            period.open_postponement = next(
                (p for p in period.postponement_list if p.lifted_on is None), None
            )
            # What the 100-day rule counts: the days from the start to the deadline, postponed days not run.
            period.days_counted = days_counted(
                starts_on=period.starts_on,
                total_days=period.total_days,
                postponements=period.postponement_list,
            )
        running = next((p for p in periods if p.is_running), None)
        return render(
            request,
            "reflection/case_periods.html",
            {
                "case": case,
                # A return plan being prepared is a ground for extension: the page shows it with a link.
                "return_plan": return_plan_of_case_for_user(user=request.user, case=case),
                "periods": periods,
                "running": running,
                "can_start": running is None and has_role_permission(request.user, ADD),
                "can_change": has_role_permission(request.user, CHANGE),
                "max_days": MAX_DAYS,
            },
        )


class PeriodStartView(LoginRequiredMixin, View):
    template_name = "reflection/period_form.html"

    def get_case(self):
        # The organisation working on the case starts its period; one that only sees it (deciding) does not.
        case_id = self.kwargs["case_id"]
        case = case_get_for_user(user=self.request.user, case_id=case_id, perm="cases.change_case")
        _require(self.request.user, ADD, _("Your role does not allow starting reflection periods."))
        return case

    def render_form(self, case, form, status=200):
        context = {
            "case": case,
            "form": form,
            "title": _("Start a reflection period"),
            "intro": _(
                "A statutory period (Aliens Act § 33(14)) follows the Immigration Service's decision "
                "identifying a person without legal residence; legal residents get an action-plan period. "
                "The period is 30 days unless special reasons speak against it."
            ),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, case_id):
        return self.render_form(self.get_case(), PeriodStartForm())

    def post(self, request, case_id):
        case = self.get_case()
        form = PeriodStartForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                period = services.period_start(
                    case=case,
                    by=request.user,
                    kind=data["kind"],
                    starts_on=data["starts_on"],
                    initial_days=data["initial_days"],
                    short_reason=data["short_reason"],
                )
            except ValidationError as exc:
                attach_service_errors(form, exc)
            else:
                messages.success(request, _deadline_message(period))
                return redirect("case-reflection", case_id=case.pk)
        return self.render_form(case, form, status=400)


class PeriodFormView(LoginRequiredMixin, View):
    """Change a running period through one service (extend, postpone, lift, end).

    Subclasses declare the form, the service and the texts of the page. The period is looked up with the
    change permission, so another organisation's period, or a role that may not change periods, gets 404.
    """

    template_name = "reflection/period_form.html"
    form_class = None
    save = None  # the service: save(period=, by=, **form.cleaned_data)
    title = ""
    intro = ""

    def get_period(self):
        return period_get_for_user(user=self.request.user, period_id=self.kwargs["pk"], perm=CHANGE)

    def form_context(self, period, form) -> dict:
        _annotate(period, timezone.localdate())
        return {"case": period.case, "period": period, "form": form, "title": self.title, "intro": self.intro}

    def render_form(self, period, form, status=200):
        return render(self.request, self.template_name, self.form_context(period, form), status=status)

    def success_message(self, period) -> str:
        return _deadline_message(period)

    def get(self, request, pk):
        return self.render_form(self.get_period(), self.form_class())

    def post(self, request, pk):
        period = self.get_period()
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                type(self).save(period=period, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                attach_service_errors(form, exc)
            else:
                period.refresh_from_db()
                messages.success(request, self.success_message(period))
                return redirect("case-reflection", case_id=period.case_id)
        return self.render_form(period, form, status=400)


LENGTH_FIELDS = ("extend_by", "new_total_days", "new_ends_on")


def extension_context(period) -> dict:
    """What the extension page shows of the 100-day rule (reflection.dates.extension_limit) and what its
    live preview mirrors (static/js/reflection-extension.js): the current length and deadline, the longest
    extension the rule allows and the deadline it gives. The server stays the authority."""
    postponements = list(period.postponements.all())
    limit = extension_limit(
        starts_on=period.starts_on, total_days=period.total_days, postponements=postponements
    )
    return {
        "limit": limit,
        "limit_latest": _long(limit.latest_deadline),
        "preview_data": {
            "current-total": period.total_days,
            "current-deadline": period.ends_on.isoformat() if period.ends_on else "",
            "max-total": limit.max_total_days,
            "latest": limit.latest_deadline.isoformat() if limit.latest_deadline else "",
        },
    }


def _long(day: datetime.date | None) -> str:
    """A date written out in the reader's language, day first in English too ("5 Feb 2027")."""
    return formats.date_format(day, pgettext("date in a timeline sentence", "j M Y")) if day else ""


class PeriodExtendView(PeriodFormView):
    """Extend by the new total length or the new deadline, with a preview of the new deadline: live in the
    browser (progressive enhancement), or from the server after "Preview" without JavaScript."""

    template_name = "reflection/period_extend.html"
    form_class = PeriodExtendForm
    save = services.period_extend
    title = _lazy("Extend the reflection period")
    intro = _lazy(
        "The period can be extended to at most 100 days in total, counted from its start, when the person "
        "cooperates on a prepared return or for special reasons."
    )

    def render_form(self, period, form, status=200, preview=None):
        context = {
            **self.form_context(period, form),
            "preview": preview,
            "preview_day": _long(preview.deadline) if preview else "",
            "current_day": _long(period.ends_on),
            **extension_context(period),
        }
        return render(self.request, self.template_name, context, status=status)

    def post(self, request, pk):
        period = self.get_period()
        form = self.form_class(request.POST)
        valid = form.is_valid()
        if "preview" in request.POST:
            return self._preview(period, form)
        if valid:
            try:
                services.period_extend(period=period, by=request.user, **form.service_values())
            except ValidationError as exc:
                attach_service_errors(form, exc)
            else:
                period.refresh_from_db()
                messages.success(request, self.success_message(period))
                return redirect("case-reflection", case_id=period.case_id)
        return self.render_form(period, form, status=400)

    def _preview(self, period, form):
        """Show the new deadline without saving: only the length is checked, the rest waits for Save."""
        for name in [name for name in form.errors if name not in LENGTH_FIELDS]:
            del form.errors[name]
        if form.errors:
            return self.render_form(period, form, status=400)
        try:
            preview = services.period_extension_preview(period=period, **form.extension_values())
        except ValidationError as exc:
            attach_service_errors(form, exc)
            return self.render_form(period, form, status=400)
        return self.render_form(period, form, preview=preview)


class PeriodCorrectView(PeriodFormView):
    form_class = PeriodCorrectForm
    save = services.period_correct
    title = _lazy("Correct the start date")
    intro = _lazy(
        "If the period's start date was recorded wrongly, give the right one: the deadline moves with it. A "
        "period runs at most 100 days in total, postponed days not counted."
    )

    def get(self, request, pk):
        period = self.get_period()
        return self.render_form(period, self.form_class(initial={"starts_on": period.starts_on}))


class PeriodPostponeView(PeriodFormView):
    form_class = PeriodPostponeForm
    save = services.period_postpone
    title = _lazy("Postpone the deadline")
    intro = _lazy(
        "While the authorities examine conditions in the home country no deadline runs, until the "
        "postponement is lifted."
    )


class PeriodLiftView(PeriodFormView):
    form_class = PeriodLiftForm
    save = services.period_lift_postponement
    title = _lazy("Lift the postponement")
    intro = _lazy(
        "By default the remaining days continue after the lift. Give a new deadline only if one was decided."
    )


class PeriodEndView(PeriodFormView):
    form_class = PeriodEndForm
    save = services.period_end
    title = _lazy("End the reflection period")
    intro = _lazy("Record how the period ended. An ended period cannot change any more.")

    def success_message(self, period) -> str:
        return _("The outcome of the reflection period in case %(number)s was recorded.") % {
            "number": period.case.number
        }


# --- Reminders ----------------------------------------------------------------------------------------


def notification_message(notification) -> str:
    """The text of a reminder, built from its milestone; it names the case number only."""
    milestone = notification.milestone
    left = notification.days_left
    if notification.group_action_id is not None:
        group = notification.group_action.meeting.group.name
        if milestone.startswith("overdue"):
            return _("A follow-up action of %(group)s is overdue.") % {"group": group}
        if left <= 0:
            return _("A follow-up action of %(group)s is due today.") % {"group": group}
        return ngettext(
            "A follow-up action of %(group)s is due in %(days)s day.",
            "A follow-up action of %(group)s is due in %(days)s days.",
            left,
        ) % {"group": group, "days": left}
    number = notification.case.number
    if notification.return_follow_up_id is not None:
        return _("A follow-up after the return in case %(number)s is due.") % {"number": number}
    if milestone.startswith("expired"):
        return _("The deadline in case %(number)s has passed and no outcome is recorded.") % {
            "number": number
        }
    if milestone == "consider_extension":
        return ngettext(
            "Consider an extension of the period in case %(number)s: %(days)s day to the deadline.",
            "Consider an extension of the period in case %(number)s: %(days)s days to the deadline.",
            left,
        ) % {"number": number, "days": left}
    if left <= 0:
        return _("The deadline in case %(number)s is today.") % {"number": number}
    return ngettext(
        "%(days)s day to the deadline in case %(number)s.",
        "%(days)s days to the deadline in case %(number)s.",
        left,
    ) % {"number": number, "days": left}


def notification_link(notification) -> str:
    """Where a reminder leads: the referral group, the return plan or the case's reflection periods."""
    if notification.group_action_id is not None:
        return reverse("referral-group-detail", args=[notification.group_action.meeting.group_id])
    if notification.return_follow_up_id is not None:
        return reverse("return-plan-detail", args=[notification.return_follow_up.plan_id])
    return reverse("case-reflection", args=[notification.case_id])


class NotificationListView(LoginRequiredMixin, View):
    """The user's reminders, newest first, unread ones highlighted; a POST marks them all as read."""

    def get(self, request):
        page = Paginator(notification_list_for_user(user=request.user), NOTIFICATION_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        for notification in page:
            notification.message = notification_message(notification)
            notification.link = notification_link(notification)
        return render(request, "reflection/notification_list.html", {"page": page})

    def post(self, request):
        marked = services.notifications_mark_read(user=request.user)
        if marked:
            messages.success(
                request,
                ngettext("%(count)s reminder marked as read.", "%(count)s reminders marked as read.", marked)
                % {"count": marked},
            )
        return redirect("notification-list")


# --- The calendar feed --------------------------------------------------------------------------------


def _calendar_token(user) -> CalendarToken | None:
    try:
        return user.calendar_token
    except ObjectDoesNotExist:
        return None


# The page shows the secret address of the feed: never cache it.
@method_decorator(never_cache, name="dispatch")
class CalendarSettingsView(LoginRequiredMixin, View):
    def get(self, request):
        calendar = _calendar_token(request.user)
        feed_url = (
            request.build_absolute_uri(reverse("calendar-feed", args=[calendar.token])) if calendar else ""
        )
        return render(request, "reflection/calendar_settings.html", {"feed_url": feed_url})

    def post(self, request):
        action = request.POST.get("action")
        if action == "renew":
            services.calendar_token_renew(user=request.user)
            messages.success(request, _("Your calendar has a new address. The old address no longer works."))
        elif action == "revoke":
            services.calendar_token_revoke(user=request.user)
            messages.success(request, _("The calendar address was revoked and no longer works."))
        return redirect("calendar-settings")


def _ics_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 §3.3.11)."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _ics_fold(line: str) -> str:
    """Fold a content line longer than 75 octets (RFC 5545 §3.1)."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts, chunk = [], b""
    for char in line:
        encoded = char.encode()
        if len(chunk) + len(encoded) > (75 if not parts else 74):
            parts.append(chunk.decode())
            chunk = b""
        chunk += encoded
    parts.append(chunk.decode())
    return "\r\n ".join(parts)


def calendar_ics(periods, *, stamp: datetime.datetime) -> str:
    """An iCalendar file with one all-day event on each period's deadline, named by the case number only."""
    dtstamp = stamp.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//CMM//Reflection deadlines//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:CMM",
    ]
    for period in periods:
        lines += [
            "BEGIN:VEVENT",
            f"UID:period-{period.pk}@cmm",
            f"DTSTAMP:{dtstamp}",
            f"DTSTART;VALUE=DATE:{period.ends_on:%Y%m%d}",
            f"DTEND;VALUE=DATE:{period.ends_on + datetime.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_ics_text(f'Refleksionsfrist / Deadline {period.case.number}')}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(f"{_ics_fold(line)}\r\n" for line in lines)


class CalendarFeedView(View):
    """The user's deadlines as iCalendar. No login: the token in the address is the secret, so an unknown or
    revoked token, or a user who is no longer active in any organisation, answers 404."""

    http_method_names = ["get", "head"]

    def get(self, request, token):
        calendar = calendar_token_get(token=token)
        body = calendar_ics(calendar_periods_for_user(user=calendar.user), stamp=timezone.now())
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Cache-Control"] = "no-store"
        response["Content-Disposition"] = 'inline; filename="cmm-deadlines.ics"'
        response["X-Robots-Tag"] = "noindex"
        return response
