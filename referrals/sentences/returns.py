"""Case-timeline sentences of return-plan events. The services store only choice values, dates, ids and flags
in CaseEvent.data; anything this module does not recognise raises KeyError or ValueError, and the timeline
then shows the kind's label."""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _
from django_countries import countries

from referrals.choices import ComponentKind, FollowUpMilestone, ReturnBody, ReturnStatus


def _label(choices, value) -> str:
    """The translated label of a choice value; ValueError for anything that is not one."""
    return str(choices(value).label)


def _country(code) -> str:
    name = countries.name(code) if isinstance(code, str) and code else ""
    if not name:
        raise ValueError(code)
    return str(name)


def _fields(names) -> str:
    from referrals.models import ReturnPlan

    if not isinstance(names, list) or not names:
        raise ValueError(names)
    try:
        return ", ".join(str(ReturnPlan._meta.get_field(name).verbose_name) for name in names)
    except (FieldDoesNotExist, TypeError) as exc:
        raise ValueError(names) from exc


def sentence(data: dict) -> str:
    """The timeline sentence of a return-plan event; KeyError/ValueError for data it does not know."""
    step = data["step"]
    if step == "created":
        return _("Return plan created (%(body)s, to %(country)s)") % {
            "body": _label(ReturnBody, data["body"]),
            "country": _country(data["country"]),
        }
    if step == "status":
        return _("Return plan: %(status)s") % {"status": _label(ReturnStatus, data["status"])}
    if step == "changed":
        return _("Return plan changed: %(fields)s") % {"fields": _fields(data["fields"])}
    if step == "representative":
        if not isinstance(data["professional"], bool):
            raise ValueError(data["professional"])
        return _("The personal representative's involvement in the return plan was recorded")
    if step == "component":
        kind = _label(ComponentKind, data["component"])
        change = data["change"]
        if change == "added":
            return _("Reintegration component added: %(kind)s") % {"kind": kind}
        if change == "changed":
            return _("Reintegration component changed: %(kind)s") % {"kind": kind}
        if change == "removed":
            return _("Reintegration component removed: %(kind)s") % {"kind": kind}
        raise ValueError(change)
    if step == "follow_up":
        return _("Follow-up after return recorded: %(milestone)s") % {
            "milestone": _label(FollowUpMilestone, data["milestone"]).lower()
        }
    raise ValueError(step)
