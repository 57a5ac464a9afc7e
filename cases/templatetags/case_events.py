"""Turn a case timeline event into a sentence in the reader's language.

Services store only choice values, field names and flags in `CaseEvent.data` (never identifying values);
this module is the one place that reads them back. Anything it does not recognise shows the kind's label.
"""

from __future__ import annotations

import datetime

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from cases.choices import (
    ActivityKind,
    ActivityStatus,
    CloseReason,
    DischargeReason,
    EventKind,
    HousingType,
    ServiceMode,
    ServiceType,
    TracingStatus,
)
from cases.models import Case, PersonalDetails

register = template.Library()


def _label(choices, value) -> str:
    """The translated label of a choice value; ValueError for anything that is not one."""
    return str(choices(value).label)


def _field_labels(model, names) -> str:
    if not isinstance(names, list) or not names:
        raise ValueError(names)
    labels = []
    for name in names:
        if name == "exploitations":
            labels.append(_("forms of exploitation"))
            continue
        if name == "control_means":
            labels.append(_("means of control"))
            continue
        try:
            labels.append(str(model._meta.get_field(name).verbose_name))
        except (FieldDoesNotExist, TypeError) as exc:
            raise ValueError(name) from exc
    return ", ".join(labels)


def _day(value) -> str:
    """A date stored as ISO text, written out in the reader's language: "5 Feb 2027", "5. februar 2027"."""
    if not isinstance(value, str):
        raise ValueError(value)
    day = datetime.date.fromisoformat(value)
    # A format of its own (translated): Django's English DATE_FORMAT puts the month first.
    return formats.date_format(day, pgettext("date in a timeline sentence", "j M Y"))


def _days(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(value)
    return value


def _reflection(data: dict) -> str:
    """The sentence of a reflection-period event (reflection.services stores the step, the days granted, the
    deadline as an ISO date and choice values)."""
    from reflection.choices import PeriodOutcome  # reflection builds on cases

    step = data["step"]
    deadline = data.get("ends_on")
    if step == "started":
        days = _days(data["days"])
        if deadline:
            return ngettext(
                "Reflection period started: %(days)s day, deadline %(day)s",
                "Reflection period started: %(days)s days, deadline %(day)s",
                days,
            ) % {"days": days, "day": _day(deadline)}
        return ngettext(
            "Reflection period started: %(days)s day", "Reflection period started: %(days)s days", days
        ) % {"days": days}
    if step == "extended":
        days = _days(data["days"])
        if deadline:
            return ngettext(
                "Reflection period extended to %(days)s day, new deadline %(day)s",
                "Reflection period extended to %(days)s days, new deadline %(day)s",
                days,
            ) % {"days": days, "day": _day(deadline)}
        return ngettext(
            "Reflection period extended to %(days)s day",
            "Reflection period extended to %(days)s days",
            days,
        ) % {"days": days}
    if step == "corrected":
        if deadline:
            return _("Start of the reflection period corrected to %(start)s, new deadline %(day)s") % {
                "start": _day(data["starts_on"]),
                "day": _day(deadline),
            }
        return _("Start of the reflection period corrected to %(start)s") % {"start": _day(data["starts_on"])}
    if step == "postponed":
        return _("Reflection period postponed: no deadline runs until the postponement is lifted")
    if step == "lifted":
        if deadline and data.get("decided") is True:
            return _("Postponement lifted, new deadline decided: %(day)s") % {"day": _day(deadline)}
        if deadline:
            return _("Postponement lifted, the remaining days continue: new deadline %(day)s") % {
                "day": _day(deadline)
            }
        return _("Postponement of the reflection period lifted")
    if step == "ended":
        return _("Reflection period ended: %(outcome)s") % {"outcome": _label(PeriodOutcome, data["outcome"])}
    raise ValueError(step)


def _opened(data: dict) -> str:
    """Case opened, from an outreach contact when it was (cases.services.case_open_from_contact)."""
    if "contact_venue" in data:
        from outreach.choices import Venue  # outreach builds on cases

        return _("Case opened from an outreach contact (%(venue)s)") % {
            "venue": _label(Venue, data["contact_venue"]).lower()
        }
    return str(EventKind.OPENED.label)


def _sentence(kind: str, data: dict) -> str:
    if kind == EventKind.OPENED:
        return _opened(data)
    if kind == EventKind.REFLECTION:
        return _reflection(data)
    if kind == EventKind.SERVICE:
        return _("%(service)s (%(mode)s)") % {
            "service": _label(ServiceType, data["service_type"]),
            "mode": _label(ServiceMode, data["mode"]).lower(),
        }
    if kind == EventKind.IDENTIFICATION:
        from identification.choices import Authority, Outcome  # identification builds on cases

        authority = _label(Authority, data["authority"]) if data.get("authority") else _("nobody yet")
        if data.get("step") == "presented":
            return _("Presented for identification; decided by: %(authority)s") % {"authority": authority}
        outcome = _label(Outcome, data["outcome"])
        if data.get("step") == "corrected":
            return _("Identification decision corrected: %(outcome)s (%(authority)s)") % {
                "outcome": outcome,
                "authority": authority,
            }
        return _("Identification decision: %(outcome)s (%(authority)s)") % {
            "outcome": outcome,
            "authority": authority,
        }
    if kind == EventKind.CONTACT:
        from outreach.choices import Venue  # outreach builds on cases, not the other way round

        venue = _label(Venue, data["venue"])
        if data.get("indicators"):
            return _("Outreach contact: %(venue)s, indicators of trafficking observed") % {"venue": venue}
        return _("Outreach contact: %(venue)s") % {"venue": venue}
    if kind == EventKind.ADMISSION:
        return _("Admitted to housing: %(housing)s") % {"housing": _label(HousingType, data["housing_type"])}
    if kind == EventKind.DISCHARGE:
        return _("Discharged from housing: %(reason)s") % {"reason": _label(DischargeReason, data["reason"])}
    if kind == EventKind.CLOSED:
        return _("Case closed: %(reason)s") % {"reason": _label(CloseReason, data["reason"])}
    if kind == EventKind.CHANGED:
        return _("Case facts changed: %(fields)s") % {"fields": _field_labels(Case, data["fields"])}
    if kind == EventKind.DETAILS_CHANGED:
        return _("Personal details changed: %(fields)s") % {
            "fields": _field_labels(PersonalDetails, data["fields"])
        }
    if kind == EventKind.TEAM:
        if "added" in data:
            return _("%(user)s was added to the case team") % {"user": str(data["added"])}
        if "removed" in data and data.get("left_organisation") and data.get("contact_person"):
            return _(
                "%(user)s left the organisation: taken off the case team, and no longer the contact person"
            ) % {"user": str(data["removed"])}
        if "removed" in data and data.get("left_organisation"):
            return _("%(user)s left the organisation: taken off the case team") % {
                "user": str(data["removed"])
            }
        if "removed" in data:
            return _("%(user)s was taken off the case team") % {"user": str(data["removed"])}
        raise KeyError("added")
    if kind == EventKind.REPRESENTATIVE:
        if not isinstance(data["professional"], bool):
            raise ValueError(data["professional"])
        if data["professional"]:
            return _("Personal representative appointed (a professional)")
        return _("Personal representative appointed (not a professional)")
    if kind == EventKind.TRACING:
        return _("Parent tracing: %(status)s") % {"status": _label(TracingStatus, data["status"])}
    if kind == EventKind.ACTIVITY:
        return _("Planned activity: %(kind)s, %(status)s") % {
            "kind": _label(ActivityKind, data["activity_kind"]),
            "status": _label(ActivityStatus, data["status"]).lower(),
        }
    if kind == EventKind.REFERRAL:
        from referrals.sentences import referral  # referrals builds on cases

        return referral.sentence(data)
    if kind == EventKind.RETURN:
        from referrals.sentences import returns

        return returns.sentence(data)
    raise KeyError(kind)


def event_kind_label(kind: str) -> str:
    try:
        return str(EventKind(kind).label)
    except ValueError:
        return kind


@register.filter
def event_sentence(event) -> str:
    """The event as a sentence, e.g. "Admitted to housing: Specialised crisis centre"."""
    data = event.data if isinstance(event.data, dict) else {}
    try:
        return capfirst(_sentence(event.kind, data))
    except (KeyError, ValueError, TypeError):
        return event_kind_label(event.kind)
