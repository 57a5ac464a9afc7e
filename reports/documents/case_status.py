"""The case status report (issue 9, report 2): one case as its team sees it now, for the user who asked.

Everything is read through the selectors of the apps, for the requester (`job.requested_by`), at render
time: a requester who can no longer see the case gets Http404 (the job fails, as it should), and a section
their role may not see comes out empty, as on the pages. Identifying details appear only when the requester
may see them on this case now (the check the personal-details page makes), and reading them is audited
the same way; so do the services' providers (cases.personal_texts); free-text notes are left out. Marked
confidential on every page.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django_countries import countries

from cases.housing import bed_days
from cases.models import PersonalDetails
from cases.personal_texts import MASK, personal_texts_for
from cases.selectors import case_get_for_user, case_services, case_stays
from cases.services import can_view_personal_details, personal_details_view
from identification.choices import Authority
from identification.selectors import presentations_of_case
from referrals.selectors.returns import return_plans_of_case
from reflection.selectors import periods_of_case
from reports.documents import RenderedReport
from reports.documents.base import NO_VALUE, day, render_document


@dataclass(frozen=True)
class Event:
    """One step of a reflection period's timeline."""

    on: str
    what: str


def _user_name(user) -> str:
    if user is None:
        return gettext("None appointed")
    return user.get_full_name() or user.username


def _facts(case) -> list[tuple[str, str]]:
    exploitations = [
        f"{item.get_type_display()} ({item.get_sector_display()})" if item.sector else item.get_type_display()
        for item in case.exploitations.all()
    ]
    if case.age_at_opening is None:
        age = gettext("Unknown")
    else:
        age = gettext("Age band %(band)s (%(age)s when the case was opened)") % {
            "band": case.age_band,
            "age": case.age_at_opening,
        }
    yes, no = gettext("Yes"), gettext("No")
    return [
        (gettext("Gender"), case.get_gender_display()),
        (gettext("Age"), age),
        (gettext("Nationality"), countries.name(case.nationality) if case.nationality else NO_VALUE),
        (gettext("Residence status"), case.get_residence_status_display()),
        (gettext("Forms of exploitation"), ", ".join(exploitations) or NO_VALUE),
        (
            gettext("Means of control"),
            ", ".join(item.get_type_display() for item in case.control_means.all()) or NO_VALUE,
        ),
        (gettext("Minor"), yes if case.is_minor else no),
        (gettext("Unaccompanied minor"), yes if case.unaccompanied_minor else no),
    ]


def _personal_details(case, user) -> list[tuple[str, str]] | None:
    """The identifying details for a requester who may see them now (the read is audited as on the page);
    None for anyone else."""
    if not can_view_personal_details(user=user, case=case):
        return None
    details = personal_details_view(case=case, by=user, purpose="report")
    rows = []
    for name in PersonalDetails.FIELDS:
        value = getattr(details, name) if details is not None else None
        if value in (None, ""):
            continue
        label = str(PersonalDetails._meta.get_field(name).verbose_name)
        rows.append((label[:1].upper() + label[1:], day(value) if name == "date_of_birth" else str(value)))
    return rows


def _presentations(case, user) -> list[dict]:
    presentations = []
    for presentation in presentations_of_case(user=user, case=case).order_by("presented_on", "id"):
        decisions = sorted(presentation.decisions.all(), key=lambda d: (d.decided_on, d.recorded_at, d.pk))
        corrected = {decision.corrects_id for decision in decisions if decision.corrects_id}
        presentations.append(
            {
                "presented_on": day(presentation.presented_on),
                "presented_by": presentation.get_presented_by_display(),
                "residence_status": presentation.get_residence_status_display(),
                "authority": presentation.get_authority_display() or gettext("Not yet determined"),
                "organisation": presentation.authority_organisation.name
                if presentation.authority_organisation
                else "",
                "decisions": [
                    {
                        "decided_on": day(decision.decided_on),
                        "outcome": decision.get_outcome_display(),
                        "authority": dict(Authority.choices).get(decision.authority, decision.authority),
                        "corrected": decision.pk in corrected,
                    }
                    for decision in decisions
                ],
            }
        )
    return presentations


def _timeline(period) -> list[Event]:
    """The period's steps in date order: start, extensions, postponements and their lifting, the end."""
    events = [
        (
            period.starts_on,
            0,
            gettext("Started: %(days)s days, deadline %(deadline)s")
            % {
                "days": period.initial_days,
                "deadline": day(period.starts_on + datetime.timedelta(days=period.initial_days)),
            },
        )
    ]
    for extension in period.extensions.all():
        events.append(
            (
                extension.decided_on,
                1,
                gettext("Extended to %(days)s days in total (%(ground)s)")
                % {"days": extension.new_total_days, "ground": extension.get_ground_display()},
            )
        )
    for postponement in period.postponements.all():
        events.append((postponement.from_date, 2, gettext("Postponed: no deadline runs")))
        if postponement.lifted_on:
            text = gettext("Postponement lifted")
            if postponement.new_ends_on:
                text = gettext("Postponement lifted, new deadline %(deadline)s") % {
                    "deadline": day(postponement.new_ends_on)
                }
            events.append((postponement.lifted_on, 3, text))
    if period.outcome:
        events.append(
            (period.outcome_on, 4, gettext("Ended: %(outcome)s") % {"outcome": period.get_outcome_display()})
        )
    events.sort(key=lambda event: (event[0], event[1]))
    return [Event(on=day(on), what=what) for on, _order, what in events]


def _periods(case, user) -> list[dict]:
    return [
        {
            "kind": period.get_kind_display(),
            "starts_on": day(period.starts_on),
            "total_days": period.total_days,
            "deadline": day(period.ends_on) if period.ends_on else gettext("None while postponed"),
            "outcome": period.get_outcome_display() if period.outcome else gettext("Still running"),
            "timeline": _timeline(period),
        }
        for period in periods_of_case(user=user, case=case).order_by("starts_on", "id")
    ]


def _stays(case) -> list[dict]:
    today = timezone.localdate()
    stays = []
    for stay in sorted(case_stays(case=case), key=lambda s: (s.admitted_on, s.pk)):
        # The rule of the case page's "bed-days so far": nights up to today, or up to the discharge.
        nights = bed_days(
            admitted_on=stay.admitted_on, discharged_on=stay.discharged_on, start=stay.admitted_on, end=today
        )
        stays.append(
            {
                "housing_type": stay.get_housing_type_display(),
                "admitted_on": day(stay.admitted_on),
                "discharged_on": day(stay.discharged_on) if stay.discharged_on else gettext("Still staying"),
                "reason": stay.get_discharge_reason_display() if stay.discharged_on else "",
                "bed_days": nights,
            }
        )
    return stays


def _returns(case, user) -> list[dict]:
    return [
        {
            "channel": plan.get_channel_display(),
            "responsible": plan.get_responsible_body_display(),
            "country": countries.name(plan.destination_country) or NO_VALUE,
            "status": plan.get_status_display(),
            "planned_departure": day(plan.planned_departure_on),
            "actual_departure": day(plan.actual_departure_on),
            "follow_ups": [
                {
                    "milestone": follow_up.get_milestone_display(),
                    "due_on": day(follow_up.due_on),
                    "done_on": day(follow_up.done_on) if follow_up.done_on else gettext("Not done yet"),
                }
                for follow_up in follow_up_list(plan)
            ],
        }
        for plan in return_plans_of_case(user=user, case=case)
    ]


def _services(case, user) -> list[dict]:
    """The services; their providers (personal texts) only for a requester who may read them (audited)."""
    services = sorted(case_services(case=case), key=lambda s: (s.provided_on, s.pk))
    visible = personal_texts_for(
        user=user, case=case, rows=services, purpose="report", only=["caseservice.provider"]
    )
    return [
        {
            "provided_on": day(service.provided_on),
            "service": service.get_service_type_display(),
            "mode": service.get_mode_display(),
            "provider": (service.provider or NO_VALUE) if visible else MASK,
        }
        for service in services
    ]


def follow_up_list(plan) -> list:
    return sorted(plan.follow_ups.all(), key=lambda f: (f.due_on, f.pk))


def render(job, *, on_progress: Callable[[int], None]) -> RenderedReport:
    """Render the status report of the job's case for the user who asked for it, as they may see it now
    (acting for the organisation they asked for: reports.services.jobs sets that membership)."""
    user = job.requested_by
    if user is None:
        raise Http404
    case = case_get_for_user(user=user, case_id=job.case_id)  # Http404 when no longer visible
    context = {
        "title": gettext("Case status report"),
        "case": case,
        "status": case.get_status_display(),
        "opened_on": day(case.opened_on),
        "closed_on": day(case.closed_on) if case.closed_on else "",
        "close_reason": case.get_close_reason_display(),
        "contact_person": _user_name(case.contact_person),
        "requested_by": _user_name(user),
        "facts": _facts(case),
        "personal": _personal_details(case, user),
        "presentations": _presentations(case, user),
        "periods": _periods(case, user),
        "services": _services(case, user),
        "stays": _stays(case),
        "returns": _returns(case, user),
        "today": date_format(timezone.localdate(), "DATE_FORMAT"),
    }
    on_progress(20)
    rendered = render_document("reports/pdf/case_status.html", context, on_progress=on_progress)
    return dataclasses.replace(rendered, identifying=context["personal"] is not None)
