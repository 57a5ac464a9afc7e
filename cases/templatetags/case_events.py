"""Turn a case timeline event into a sentence in the reader's language.

Services store only choice values, field names and flags in `CaseEvent.data` (never identifying values);
this module is the one place that reads them back. Anything it does not recognise shows the kind's label.
"""

from __future__ import annotations

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import gettext as _

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


def _sentence(kind: str, data: dict) -> str:
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
