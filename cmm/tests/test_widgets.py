"""QuickSelect renders the same <select> as Django's Select, without a template per option."""

import re

import pytest
from django import forms

from cmm.widgets import QuickSelect

CHOICES = [("", "—"), ("DK", "Danmark"), ("XX", "<b>Tom & Jerry</b>"), (7, "Seven")]


def _normalised(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()


@pytest.mark.parametrize("value", [None, "", "DK", "XX", 7, "unknown"])
def test_the_markup_equals_djangos_select(value):
    attrs = {"id": "id_nationality", "required": True, "data-filterable": ""}
    expected = forms.Select(choices=CHOICES).render("nationality", value, attrs)
    rendered = QuickSelect(choices=CHOICES).render("nationality", value, attrs)
    assert _normalised(rendered) == _normalised(expected)


def test_labels_and_values_are_escaped():
    rendered = QuickSelect(choices=CHOICES).render("n", "XX")
    assert "&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;" in rendered
    assert '<option value="XX" selected>' in rendered


def test_option_groups_are_left_to_django():
    grouped = [("Nordic", [("DK", "Danmark"), ("SE", "Sverige")]), ("Other", [("DE", "Tyskland")])]
    rendered = QuickSelect(choices=grouped).render("n", "SE")
    assert _normalised(rendered) == _normalised(forms.Select(choices=grouped).render("n", "SE"))
    assert '<optgroup label="Nordic">' in rendered
