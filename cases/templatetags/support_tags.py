"""Template filters of the support pages. The rules they show live in cases.housing and cases.selectors."""

from django import template
from django.utils import timezone

from cases.housing import bed_days

register = template.Library()


@register.filter
def stay_nights(stay) -> int:
    """Bed-days of a stay so far: its nights up to today, or up to the discharge (cases.housing)."""
    return bed_days(
        admitted_on=stay.admitted_on,
        discharged_on=stay.discharged_on,
        start=stay.admitted_on,
        end=timezone.localdate(),
    )


@register.filter
def current_representative(representatives):
    """The representative whose appointment has not ended, from a list the view already loaded."""
    return next((r for r in representatives if r.ended_on is None), None)
