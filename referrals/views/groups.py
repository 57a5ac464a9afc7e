"""Referral-group pages: the groups a user sees, a group's page (members, meetings, open actions, topics),
its meetings with attendance, minutes and follow-up actions, and the topics regional groups escalate to the
national group.

Every object comes through referrals.selectors.groups, so another group's page is "not found" (404); what
only CMM's coordinators may do (run members, meetings, actions, escalation) answers 403 with the reason.
The rules (members of the group only, no case numbers in what is written) are the services'; a refused form
comes back with status 400, the message next to the field and everything typed kept.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import View

from cmm.forms import attach_service_errors
from referrals.choices import GroupKind, TopicStatus
from referrals.forms.groups import (
    ActionCompleteForm,
    ActionForm,
    MeetingForm,
    MemberForm,
    TopicForm,
    member_label,
)
from referrals.minutes import CASE_NUMBER_PATTERN
from referrals.selectors.groups import (
    action_get_for_user,
    can_manage_groups,
    group_get_for_user,
    group_overview_for_user,
    may_complete_action,
    meeting_get_for_user,
    member_get_for_user,
    members_of_group,
    open_actions_of_group,
    past_meetings,
    topic_get_for_user,
    topics_of_group,
    upcoming_meetings,
    visible_group_ids,
)
from referrals.services import groups as services

PAST_PAGE_SIZE = 20
RECENT_MEETINGS = 3
CLOSED_TOPICS = 20


def require_manage(user) -> None:
    """Refuse with 403 unless the user runs the referral groups (a CMM coordinator acting for CMM)."""
    if not can_manage_groups(user):
        raise PermissionDenied(
            _("Only CMM's coordinators run the referral groups: members, meetings and actions.")
        )


def _annotate_actions(actions, *, user, today) -> list:
    actions = list(actions)
    for action in actions:
        action.overdue = action.due_on < today
        action.due_today = action.due_on == today
        action.owner_label = member_label(action.owner) if action.owner is not None else ""
        action.can_complete = may_complete_action(user=user, action=action)
    return actions


def _annotate_topics(topics, *, visible: set[int]) -> list:
    topics = list(topics)
    for topic in topics:
        source = topic.escalated_from
        target = getattr(topic, "escalated_to", None)
        topic.source_group = source.group if source is not None else None
        topic.source_visible = source is not None and source.group_id in visible
        topic.target_group = target.group if target is not None else None
        topic.target_visible = target is not None and target.group_id in visible
    return topics


# --- The groups -----------------------------------------------------------------------------------------


class GroupListView(LoginRequiredMixin, View):
    """The groups the user sees, with their next meeting and open actions counted in the database."""

    def get(self, request):
        groups = list(group_overview_for_user(user=request.user))
        return render(
            request,
            "referrals/group_list.html",
            {"groups": groups, "can_manage": can_manage_groups(request.user)},
        )


class GroupDetailView(LoginRequiredMixin, View):
    """A group's page: members, upcoming and recent meetings, open actions (overdue first in colour) and
    topics, with those escalated from regional groups on the national group's page."""

    def get(self, request, pk):
        user = request.user
        group = group_get_for_user(user=user, group_id=pk)
        today = timezone.localdate()
        can_manage = can_manage_groups(user)
        members = list(members_of_group(user=user, group=group, active_only=not can_manage))
        visible = visible_group_ids(user=user)
        past = list(past_meetings(user=user, group=group)[: RECENT_MEETINGS + 1])
        context = {
            "group": group,
            "can_manage": can_manage,
            "members": [m for m in members if m.is_active],
            "former_members": [m for m in members if not m.is_active],
            "upcoming": list(upcoming_meetings(user=user, group=group)),
            "recent": past[:RECENT_MEETINGS],
            "more_past": len(past) > RECENT_MEETINGS,
            "actions": _annotate_actions(
                open_actions_of_group(user=user, group=group), user=user, today=today
            ),
            "topics": _annotate_topics(topics_of_group(user=user, group=group), visible=visible),
            "closed_topics": _annotate_topics(
                topics_of_group(user=user, group=group, closed=True)[:CLOSED_TOPICS], visible=visible
            ),
            "regional_groups": (
                [g for g in group.regional_groups.all() if g.pk in visible]
                if group.kind == GroupKind.NATIONAL
                else []
            ),
            "parent_visible": group.parent_id in visible,
            "today": today,
        }
        return render(request, "referrals/group_detail.html", context)


# --- A form page, and a confirmation page ---------------------------------------------------------------


class GroupFormView(LoginRequiredMixin, View):
    """A page with one form that one service saves. Subclasses name the object, the form and the service.

    The object is looked up first (404 when not visible), then the role is checked (403), so an id of a group
    the user cannot see tells nothing; a refused form is shown again with status 400.
    """

    template_name = "referrals/group_form.html"
    title = ""
    intro = ""
    manage_only = True
    submit_label = _lazy("Save")

    def get_object(self):
        raise ImproperlyConfigured(f"{type(self).__name__} must provide get_object().")

    def group_of(self, obj):
        return obj

    def make_form(self, obj, data=None):
        raise ImproperlyConfigured(f"{type(self).__name__} must provide make_form().")

    def save(self, obj, form):
        raise ImproperlyConfigured(f"{type(self).__name__} must provide save().")

    def success_url(self, obj, saved) -> str:
        return reverse("referral-group-detail", args=[self.group_of(obj).pk])

    def success_message(self, saved) -> str:
        return _("Saved.")

    def extra_context(self, obj) -> dict:
        return {}

    def checked(self):
        obj = self.get_object()
        if self.manage_only:
            require_manage(self.request.user)
        return obj

    def render_form(self, obj, form, status=200):
        group = self.group_of(obj)
        context = {
            "group": group,
            "object": obj,
            "form": form,
            "title": self.title,
            "intro": self.intro,
            "submit_label": self.submit_label,
            "cancel_url": self.success_url(obj, None),
            "case_number_pattern": CASE_NUMBER_PATTERN,
            **self.extra_context(obj),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, **kwargs):
        obj = self.checked()
        return self.render_form(obj, self.make_form(obj))

    def post(self, request, **kwargs):
        obj = self.checked()
        form = self.make_form(obj, request.POST)
        if form.is_valid():
            try:
                saved = self.save(obj, form)
            except ValidationError as exc:
                attach_service_errors(form, exc)
            else:
                messages.success(request, self.success_message(saved))
                return redirect(self.success_url(obj, saved))
        return self.render_form(obj, form, status=400)


class GroupConfirmView(GroupFormView):
    """A page asking to confirm one step (no fields, or only a date)."""

    template_name = "referrals/group_confirm.html"

    def make_form(self, obj, data=None):
        return forms.Form(data)


# --- Members --------------------------------------------------------------------------------------------


class MemberAddView(GroupFormView):
    title = _lazy("Add a member")
    intro = _lazy(
        "A member organisation and its representative: a user of the app (an active member of that "
        "organisation) or just a name."
    )

    def get_object(self):
        return group_get_for_user(user=self.request.user, group_id=self.kwargs["pk"])

    def make_form(self, obj, data=None):
        return MemberForm(data, user=self.request.user)

    def save(self, obj, form):
        return services.member_add(group=obj, by=self.request.user, **form.service_kwargs())

    def success_message(self, saved) -> str:
        return _("The member was added.")


class MemberEditView(GroupFormView):
    title = _lazy("Change a member")

    def get_object(self):
        return member_get_for_user(user=self.request.user, member_id=self.kwargs["pk"])

    def group_of(self, obj):
        return obj.group

    def make_form(self, obj, data=None):
        return MemberForm(data, user=self.request.user, member=obj)

    def save(self, obj, form):
        return services.member_update(member=obj, by=self.request.user, **form.service_kwargs())


class MemberEndView(GroupConfirmView):
    title = _lazy("End the membership")
    intro = _lazy(
        "The organisation and its representative no longer see the group. Their past attendance and actions "
        "stay on record."
    )
    submit_label = _lazy("End the membership")

    def get_object(self):
        return member_get_for_user(user=self.request.user, member_id=self.kwargs["pk"])

    def group_of(self, obj):
        return obj.group

    def extra_context(self, obj) -> dict:
        return {"subject": member_label(obj)}

    def save(self, obj, form):
        return services.member_end(member=obj, by=self.request.user)

    def success_message(self, saved) -> str:
        return _("The membership was ended.")


# --- Meetings -------------------------------------------------------------------------------------------


class MeetingFormMixin:
    template_name = "referrals/group_meeting_form.html"

    def success_url(self, obj, saved) -> str:
        if saved is not None:
            return reverse("referral-group-meeting-detail", args=[saved.pk])
        return super().success_url(obj, saved)


class MeetingCreateView(MeetingFormMixin, GroupFormView):
    title = _lazy("Plan a meeting")

    def get_object(self):
        return group_get_for_user(user=self.request.user, group_id=self.kwargs["pk"])

    def make_form(self, obj, data=None):
        return MeetingForm(data, user=self.request.user, group=obj)

    def save(self, obj, form):
        return services.meeting_create(group=obj, by=self.request.user, **form.service_kwargs())

    def success_message(self, saved) -> str:
        return _("The meeting was saved.")


class MeetingEditView(MeetingFormMixin, GroupFormView):
    title = _lazy("Change the meeting and its minutes")

    def get_object(self):
        return meeting_get_for_user(user=self.request.user, meeting_id=self.kwargs["pk"])

    def group_of(self, obj):
        return obj.group

    def success_url(self, obj, saved) -> str:
        return reverse("referral-group-meeting-detail", args=[obj.pk])

    def make_form(self, obj, data=None):
        return MeetingForm(data, user=self.request.user, group=obj.group, meeting=obj)

    def save(self, obj, form):
        return services.meeting_update(meeting=obj, by=self.request.user, **form.service_kwargs())

    def success_message(self, saved) -> str:
        return _("The meeting was saved.")


class MeetingDetailView(LoginRequiredMixin, View):
    """A meeting: time, place, agenda, attendance, minutes, its follow-up actions and the topics raised."""

    def get(self, request, pk):
        user = request.user
        meeting = meeting_get_for_user(user=user, meeting_id=pk)
        today = timezone.localdate()
        attendees = list(meeting.attendees.select_related("organisation", "user"))
        actions = meeting.actions.select_related(
            "meeting", "owner", "owner__organisation", "owner__user"
        ).order_by("done_on", "due_on", "id")
        context = {
            "group": meeting.group,
            "meeting": meeting,
            "attendees": [member_label(member) for member in attendees],
            "actions": _annotate_actions(actions, user=user, today=today),
            "topics": list(meeting.topics.order_by("-created_at", "-id")),
            "can_manage": can_manage_groups(user),
            "today": today,
        }
        return render(request, "referrals/group_meeting_detail.html", context)


class MeetingListView(LoginRequiredMixin, View):
    """A group's past meetings, the latest first, paginated."""

    def get(self, request, pk):
        group = group_get_for_user(user=request.user, group_id=pk)
        page = Paginator(past_meetings(user=request.user, group=group), PAST_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        return render(request, "referrals/group_meeting_list.html", {"group": group, "page": page})


# --- Follow-up actions ----------------------------------------------------------------------------------


class ActionAddView(GroupFormView):
    title = _lazy("Add a follow-up action")
    intro = _lazy(
        "The owner is reminded 7 days and 1 day before the due date, on the day, and daily after it."
    )

    def get_object(self):
        return meeting_get_for_user(user=self.request.user, meeting_id=self.kwargs["pk"])

    def group_of(self, obj):
        return obj.group

    def success_url(self, obj, saved) -> str:
        return reverse("referral-group-meeting-detail", args=[obj.pk])

    def extra_context(self, obj) -> dict:
        return {"meeting": obj}

    def make_form(self, obj, data=None):
        return ActionForm(data, user=self.request.user, meeting=obj)

    def save(self, obj, form):
        return services.action_add(meeting=obj, by=self.request.user, **form.service_kwargs())

    def success_message(self, saved) -> str:
        return _("The follow-up action was added.")


class ActionCompleteView(GroupFormView):
    """Mark an action done: the group's runner, or the owner (their user or their organisation)."""

    template_name = "referrals/group_confirm.html"
    title = _lazy("Mark the action done")
    submit_label = _lazy("Mark done")
    manage_only = False

    def get_object(self):
        action = action_get_for_user(user=self.request.user, action_id=self.kwargs["pk"])
        if not may_complete_action(user=self.request.user, action=action):
            raise PermissionDenied(_("Only the action's owner or CMM's coordinators can mark it done."))
        return action

    def group_of(self, obj):
        return obj.meeting.group

    def _back(self) -> str:
        return self.request.POST.get("back") or self.request.GET.get("back") or ""

    def success_url(self, obj, saved) -> str:
        if self._back() == "meeting":
            return reverse("referral-group-meeting-detail", args=[obj.meeting_id])
        return reverse("referral-group-detail", args=[obj.meeting.group_id])

    def extra_context(self, obj) -> dict:
        return {"subject": obj.description, "back": "meeting" if self._back() == "meeting" else ""}

    def make_form(self, obj, data=None):
        return ActionCompleteForm(data)

    def save(self, obj, form):
        return services.action_complete(
            action=obj, by=self.request.user, done_on=form.cleaned_data["done_on"]
        )

    def success_message(self, saved) -> str:
        return _("The action is marked done.")


# --- Topics ---------------------------------------------------------------------------------------------


class TopicAddView(GroupFormView):
    """Raise a topic: every member of the group may, as may the group's runner."""

    title = _lazy("Raise a topic")
    manage_only = False

    def get_object(self):
        return group_get_for_user(user=self.request.user, group_id=self.kwargs["pk"])

    def make_form(self, obj, data=None):
        return TopicForm(data, user=self.request.user, group=obj)

    def save(self, obj, form):
        return services.topic_add(group=obj, by=self.request.user, **form.service_kwargs())

    def success_message(self, saved) -> str:
        return _("The topic was added.")


class TopicEscalateView(GroupConfirmView):
    title = _lazy("Escalate the topic to the national group")
    intro = _lazy(
        "The topic opens in the national referral group, linked to this one, which is marked escalated."
    )
    submit_label = _lazy("Escalate")

    def get_object(self):
        return topic_get_for_user(user=self.request.user, topic_id=self.kwargs["pk"])

    def group_of(self, obj):
        return obj.group

    def extra_context(self, obj) -> dict:
        return {"subject": obj.title}

    def save(self, obj, form):
        return services.topic_escalate(topic=obj, by=self.request.user)

    def success_message(self, saved) -> str:
        return _("The topic was escalated to %(group)s.") % {"group": saved.group.name}


class TopicCloseView(GroupConfirmView):
    title = _lazy("Close the topic")
    submit_label = _lazy("Close the topic")

    def get_object(self):
        return topic_get_for_user(user=self.request.user, topic_id=self.kwargs["pk"])

    def group_of(self, obj):
        return obj.group

    def extra_context(self, obj) -> dict:
        return {"subject": obj.title, "already": obj.status == TopicStatus.CLOSED}

    def save(self, obj, form):
        return services.topic_close(topic=obj, by=self.request.user)

    def success_message(self, saved) -> str:
        return _("The topic was closed.")
