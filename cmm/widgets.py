"""Form widgets of the platform."""

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


class QuickSelect(forms.Select):
    """A <select> whose options are rendered in Python instead of one template each.

    Django renders every <option> through a template of its own: for the ~250 countries of a nationality
    list that is most of a page's rendering time (measured on the case list: 50 of 130 ms). The markup is the
    same as Django's for a flat list of options; a list with option groups is left to Django.
    """

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)["widget"]
        if any(group is not None for group, _options, _index in context["optgroups"]):
            return super().render(name, value, attrs, renderer)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (
                    "" if option["value"] is None else option["value"],
                    _attributes(option["attrs"]),  # holds selected=True for the chosen one(s)
                    option["label"],
                )
                for _group, group_options, _index in context["optgroups"]
                for option in group_options
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', context["name"], _attributes(context["attrs"]), options
        )


def _attributes(attrs: dict) -> SafeString:
    """The attributes as Django's attrs.html writes them: in order, True as a bare name, False left out."""
    return mark_safe(  # noqa: S308 - every part is built by format_html, which escapes
        "".join(
            format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
            for name, value in attrs.items()
            if value is not False
        )
    )
