"""Forms of the referral-group pages.

They check shape only; the rules (members and attendees of the group, no case numbers in what is written,
plausible dates, one active membership per organisation and representative) live in
referrals.services.groups. Field names match the keys of the ValidationErrors the services raise, so a refused
value is shown next to its field, and the pick lists come from the selectors.
"""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.forms.support import DateInput
from cmm.input_rules import InputForm
from cmm.selectors import organisation_list_for_user
from referrals.choices import MemberSector
from referrals.minutes import CASE_NUMBER_PATTERN
from referrals.models import GroupMeeting, GroupMember, ReferralGroup
from referrals.selectors.groups import (
    meeting_list_for_user,
    members_of_group,
    representative_choices,
)

# <input type="datetime-local"> takes this format only, whatever the reader's language.
LOCAL_DATETIME = "%Y-%m-%dT%H:%M"
NO_CASES = _("Never name a case or a person here, not even by case number.")


def member_label(member: GroupMember) -> str:
    """A member as a pick list shows it: organisation, representative and sector."""
    organisation = member.organisation.name if member.organisation_id else member.organisation_name
    who = member.name or (member.user.get_full_name() or member.user.username if member.user_id else "")
    parts = [organisation, who] if who else [organisation]
    return f"{' · '.join(parts)} ({member.get_sector_display()})"


def user_label(user) -> str:
    full_name = user.get_full_name()
    return f"{full_name} ({user.username})" if full_name else user.username


def _checked_text(label, *, rows: int, max_length: int, required: bool = False, help_text=NO_CASES):
    """A text area that the minutes-warning script watches for case numbers while the user types."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows, "data-case-check": CASE_NUMBER_PATTERN}),
    )


def _checked_line(label, *, required: bool, max_length: int = 200, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.TextInput(attrs={"data-case-check": CASE_NUMBER_PATTERN}),
    )


class MemberForm(InputForm):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=None,
        required=False,
        empty_label="—",
        help_text=_("An organisation that uses the app. Otherwise give its name below."),
    )
    organisation_name = forms.CharField(
        label=_("Organisation (if not in the app)"), max_length=200, required=False
    )
    user = forms.ModelChoiceField(
        label=_("Representative (a user of the app)"),
        queryset=None,
        required=False,
        empty_label="—",
        help_text=_("Must be an active member of the organisation chosen above."),
    )
    name = forms.CharField(label=_("Representative's name (if not a user)"), max_length=200, required=False)
    sector = forms.ChoiceField(label=_("Sector"), choices=[("", "—"), *MemberSector.choices])
    joined_on = forms.DateField(
        label=_("Joined on"), required=False, widget=DateInput, help_text=_("Today if left empty.")
    )

    FIELDS = ("organisation", "organisation_name", "user", "name", "sector", "joined_on")

    def __init__(self, *args, user, member: GroupMember | None = None, **kwargs):
        if member is not None:
            kwargs.setdefault("initial", {name: getattr(member, name) for name in self.FIELDS})
        super().__init__(*args, **kwargs)
        organisations = organisation_list_for_user(user=user)
        if member is not None and member.organisation_id:
            # An organisation deactivated since keeps showing too.
            organisations = organisations.model.objects.filter(
                Q(pk__in=organisations.values("pk")) | Q(pk=member.organisation_id)
            )
        self.fields["organisation"].queryset = organisations.order_by("name")
        self.fields["organisation"].label_from_instance = lambda organisation: organisation.name
        self.fields["organisation"].widget.attrs["data-filterable"] = ""
        representatives = representative_choices(user=user)
        if member is not None and member.user_id:
            # A representative who has since left keeps showing, so that saving other changes is possible.
            representatives = representatives.model.objects.filter(
                Q(pk__in=representatives.values("pk")) | Q(pk=member.user_id)
            ).order_by("first_name", "last_name", "username")
        self.fields["user"].queryset = representatives
        self.fields["user"].label_from_instance = user_label
        self.fields["user"].widget.attrs["data-filterable"] = ""

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in self.FIELDS}


class MeetingForm(InputForm):
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(format=LOCAL_DATETIME, attrs={"type": "datetime-local"}),
        help_text=_("Danish time."),
    )
    place = _checked_line(_("Place"), required=False)
    agenda = _checked_text(_("Agenda"), rows=5, max_length=10000)
    attendees = forms.ModelMultipleChoiceField(
        label=_("Attendance"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick the members who took part."),
        error_messages={"invalid_choice": _("Choose members of this group only.")},
    )
    minutes = _checked_text(
        _("Minutes"),
        rows=12,
        max_length=50000,
        help_text=_(
            "Minutes never name a case or a person, not even by case number: a case number is refused when "
            "saving."
        ),
    )

    FIELDS = ("starts_at", "place", "agenda", "minutes", "attendees")

    def __init__(self, *args, user, group: ReferralGroup, meeting: GroupMeeting | None = None, **kwargs):
        current: list[int] = []
        if meeting is not None:
            current = [member.pk for member in meeting.attendees.all()]
            initial = {name: getattr(meeting, name) for name in ("place", "agenda", "minutes")}
            initial["starts_at"] = timezone.localtime(meeting.starts_at)
            initial["attendees"] = current
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        members = members_of_group(user=user, group=group, active_only=False)
        self.fields["attendees"].queryset = members.filter(Q(is_active=True) | Q(pk__in=current))
        self.fields["attendees"].label_from_instance = member_label

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {**{name: data[name] for name in self.FIELDS}, "attendees": list(data["attendees"])}


class ActionForm(InputForm):
    description = _checked_text(_("Action"), rows=3, max_length=4000, required=True)
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=None,
        empty_label="—",
        error_messages={"invalid_choice": _("Choose an active member of this group.")},
    )
    due_on = forms.DateField(label=_("Due"), widget=DateInput)

    FIELDS = ("description", "owner", "due_on")

    def __init__(self, *args, user, meeting: GroupMeeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = members_of_group(user=user, group=meeting.group)
        self.fields["owner"].label_from_instance = member_label
        self.fields["due_on"].widget.attrs["min"] = timezone.localdate(meeting.starts_at).isoformat()

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class ActionCompleteForm(InputForm):
    done_on = forms.DateField(label=_("Done on"), widget=DateInput, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"done_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["done_on"].widget.attrs["max"] = timezone.localdate().isoformat()


class TopicForm(InputForm):
    title = _checked_line(_("Topic"), required=True, help_text=NO_CASES)
    description = _checked_text(_("Description"), rows=4, max_length=4000)
    meeting = forms.ModelChoiceField(
        label=_("Raised at meeting"),
        queryset=None,
        required=False,
        empty_label="—",
        error_messages={"invalid_choice": _("Choose a meeting of this group.")},
    )

    FIELDS = ("title", "description", "meeting")

    def __init__(self, *args, user, group: ReferralGroup, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = (
            meeting_list_for_user(user=user).filter(group=group).order_by("-starts_at", "-id")
        )
        self.fields["meeting"].label_from_instance = lambda meeting: timezone.localtime(
            meeting.starts_at
        ).strftime("%d.%m.%Y %H:%M")

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}
