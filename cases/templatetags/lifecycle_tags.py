"""Whether the reader may erase a person's data (cases.lifecycle.can_erase_case), for the case page's link."""

from django import template

from cases.lifecycle import can_erase_case

register = template.Library()


@register.simple_tag
def may_erase_case(user) -> bool:
    # The active membership is read once per request by the middleware; no query here.
    return can_erase_case(user=user)
