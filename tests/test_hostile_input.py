"""Hostile input never reaches a 500 nor the database (issue 17): dates before a sane bound and stacks of
combining marks, on the pages and in the API alike (cmm.input_rules).

A case opened on 0001-01-01 was accepted by the page and the API and numbered `RTA-1-00001`; 3,000 combining
marks in a text were stored and drawn over the PDF page. Each kind of input is tried on a page form (the
error is next to the field and what was typed stays) and on the API (400 with the field), and every date field
of every form and serializer is held to the bound.
"""

from __future__ import annotations

import copy
import datetime
import io
import unicodedata

import pytest
from django import forms
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader
from rest_framework import serializers

from cases.choices import ExploitationType, ForcedLabourSector, Gender, ResidenceStatus
from cases.models import Case, PersonalDetails, ShelterStay
from cases.services import personal_details_update
from cmm.input_rules import (
    EARLIEST_BIRTH,
    EARLIEST_DAY,
    MAX_COMBINING_MARKS,
    DateBounds,
    InputForm,
    apply_input_rules,
    longest_mark_run,
    strip_excess_combining_marks,
    validate_combining_marks,
)
from cmm.models import Role
from cmm.two_factor.services import api_token_issue
from identification.models import Presentation
from outreach.models import Contact
from reports.documents import render_report
from reports.models import ReportJob, ReportKind

pytestmark = pytest.mark.django_db

APPS = ("cases", "cmm", "identification", "outreach", "referrals", "reflection", "reports")
YEAR_ONE = "0001-01-01"
ZALGO = "Z" + "\u0301\u0316\u0324" * 1000  # one letter carrying 3,000 combining marks
# Real names keep their accents: Vietnamese typed decomposed (two marks on one letter before NFC), Yoruba.
REAL_NAMES = [unicodedata.normalize("NFD", "Nguyễn Thị Ánh"), "Ọlọ́runfẹ́mi Ẹ̀kọ́"]


def case_page_data(**overrides):
    data = {
        "opened_on": "2026-03-01",
        "gender": Gender.FEMALE,
        "estimated_age": "24",
        "nationality": "RO",
        "languages": ["ro"],
        "residence_status": ResidenceStatus.EU_CITIZEN,
        "exploitation_types": [ExploitationType.FORCED_LABOUR],
        "forced_labour_sector": ForcedLabourSector.AGRICULTURE,
        "contact_person": "",
        "full_name": "Marker Person Gamma",
    }
    data.update(overrides)
    return data


CASE_BODY = {
    "opened_on": "2026-03-01",
    "gender": "female",
    "residence_status": "eu_citizen",
    "nationality": "RO",
    "personal": {"full_name": "Marker Person Gamma"},
}


@pytest.fixture
def caseworker(users_a):
    return users_a[Role.CASEWORKER]


@pytest.fixture
def api(caseworker, api_client):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=caseworker).key}")
    return api_client


def assert_refused_on_the_page(response, field, typed):
    assert response.status_code == 400, response.status_code
    form = response.context["form"]
    assert field in form.errors, form.errors
    page = response.content.decode()
    assert str(form.errors[field][0]) in page or form.errors[field][0] in page
    assert typed in page  # what was typed is still there


# --- Dates before the bound ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("opened_on", YEAR_ONE),
        ("opened_on", "1989-12-31"),
        ("date_of_birth", YEAR_ONE),
        ("date_of_birth", "1899-12-31"),
    ],
)
def test_an_ancient_date_on_the_case_page_is_a_field_error_and_no_case(caseworker, login, field, value):
    client = login(caseworker)
    overrides = {field: value, "estimated_age": ""} if field == "date_of_birth" else {field: value}
    response = client.post(reverse("case-create"), case_page_data(**overrides))
    assert_refused_on_the_page(response, field, "Marker Person Gamma")
    assert f'value="{value}"' in response.content.decode()
    assert not Case.objects.exists()
    assert not PersonalDetails.objects.exists()


def test_the_bounds_themselves_are_accepted_on_the_case_page(caseworker, login):
    client = login(caseworker)
    data = case_page_data(opened_on=EARLIEST_DAY.isoformat(), date_of_birth=EARLIEST_BIRTH.isoformat())
    response = client.post(reverse("case-create"), {**data, "estimated_age": ""})
    assert response.status_code == 302, response.context["form"].errors
    assert Case.objects.get().number.startswith("RTA-1990-")


def test_the_date_pickers_offer_no_day_before_the_bound(caseworker, login):
    page = login(caseworker).get(reverse("case-create")).content.decode()
    assert f'min="{EARLIEST_DAY.isoformat()}"' in page
    assert f'min="{EARLIEST_BIRTH.isoformat()}"' in page


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**CASE_BODY, "opened_on": YEAR_ONE}, "opened_on"),
        ({**CASE_BODY, "opened_on": "1989-12-31"}, "opened_on"),
        ({**CASE_BODY, "date_of_birth": YEAR_ONE}, "date_of_birth"),
        ({**CASE_BODY, "date_of_birth": "1899-12-31"}, "date_of_birth"),
    ],
)
def test_an_ancient_date_in_the_case_api_is_a_400_with_the_field_and_no_case(api, body, field):
    response = api.post("/api/cases/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not Case.objects.exists()


def test_ancient_dates_elsewhere_in_the_api_are_400s_with_the_field(api, users_a, case_a):
    outreach = api_client_for(users_a[Role.OUTREACH_WORKER])
    for client, url, body, field in [
        (
            api,
            f"/api/cases/{case_a.pk}/stays/",
            {"housing_type": "crisis_centre", "admitted_on": YEAR_ONE},
            "admitted_on",
        ),
        (
            api,
            "/api/identification/presentations/",
            {"case": case_a.pk, "presented_on": YEAR_ONE, "presented_by": "police"},
            "presented_on",
        ),
        (
            api,
            "/api/reflection/periods/",
            {"case": case_a.pk, "kind": "action_plan", "starts_on": YEAR_ONE},
            "starts_on",
        ),
        (
            outreach,
            "/api/outreach/contacts/",
            {"venue": "street", "occurred_at": "0001-01-01T10:00:00"},
            "occurred_at",
        ),
        (
            outreach,
            "/api/outreach/contacts/",
            {"venue": "street", "occurred_at": "0001-01-01T00:00:00Z"},
            "occurred_at",
        ),
        (
            outreach,
            "/api/outreach/contacts/",
            {"venue": "street", "occurred_at": "9999-12-31T23:59:59-12:00"},
            "occurred_at",
        ),
    ]:
        response = client.post(url, body, format="json")
        assert response.status_code == 400, (url, response.status_code, response.content[:200])
        assert list(response.json()) == [field], (url, response.json())
    assert not ShelterStay.objects.exists()
    assert not Presentation.objects.exists()
    assert not Contact.objects.exists()


def api_client_for(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=user).key}")
    return client


def test_ancient_dates_on_other_pages_are_field_errors(caseworker, users_a, case_a, login):
    worker = login(users_a[Role.OUTREACH_WORKER])
    response = worker.post(
        reverse("contact-create"),
        {"venue": "street", "occurred_at": "0001-01-01T10:00", "note": "Typed note"},
    )
    assert_refused_on_the_page(response, "occurred_at", "Typed note")
    assert not Contact.objects.exists()

    client = login(caseworker)
    response = client.post(
        reverse("reflection-start", args=[case_a.pk]),
        {"kind": "action_plan", "starts_on": YEAR_ONE, "initial_days": "30"},
    )
    assert_refused_on_the_page(response, "starts_on", YEAR_ONE)
    response = client.post(reverse("case-personal-update", args=[case_a.pk]), {"date_of_birth": YEAR_ONE})
    assert_refused_on_the_page(response, "date_of_birth", YEAR_ONE)
    assert PersonalDetails.objects.get(case=case_a).date_of_birth is None


# --- Every date field of every form and serializer takes the bound ------------------------------------------


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _ours(classes):
    return sorted(
        {cls for cls in classes if cls.__module__.split(".")[0] in APPS and "tests" not in cls.__module__},
        key=lambda cls: f"{cls.__module__}.{cls.__qualname__}",
    )


def _all_loaded():
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports every view, form and serializer module)


def _django_auth_form(cls) -> bool:
    # Django's own login and password forms: a username, a password, an e-mail address, no text kept.
    return any(base.__module__.startswith("django.contrib.auth") for base in cls.__mro__)


def test_every_form_of_the_pages_is_an_input_form():
    _all_loaded()
    plain = [
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in _ours(_subclasses(forms.BaseForm))
        if not issubclass(cls, InputForm) and cls is not InputForm and not _django_auth_form(cls)
    ]
    assert not plain, f"derive these from cmm.input_rules.InputForm: {plain}"


def test_every_date_and_text_field_of_every_form_refuses_what_the_rules_refuse():
    _all_loaded()
    checked = 0
    for cls in _ours(_subclasses(InputForm)):
        form = cls.__new__(cls)  # the declared fields, without the form's own arguments
        form.fields = copy.deepcopy(cls.base_fields)
        apply_input_rules(form)
        for field in form.fields.values():
            if isinstance(field, forms.DateField | forms.DateTimeField):
                bounds = [validator for validator in field.validators if isinstance(validator, DateBounds)]
                assert bounds, (cls, field)
                for value in (datetime.date(1, 1, 1), datetime.datetime(1, 1, 1, 10)):  # noqa: DTZ001
                    with pytest.raises(forms.ValidationError):
                        bounds[0](value)
                checked += 1
            elif isinstance(field, forms.CharField):
                assert validate_combining_marks in field.validators, (cls, field)
                checked += 1
    assert checked > 80, checked


# Serializers that only answer (their date fields are never read from a request).
OUTPUT_ONLY = {
    "TeamMemberSerializer",
    "HistoryChangeSerializer",
    "ReportJobSerializer",
    "PeriodRangeSerializer",
}


def test_every_date_field_the_api_takes_refuses_a_date_before_the_bound():
    _all_loaded()
    checked, unbounded = 0, []
    for cls in _ours(_subclasses(serializers.Serializer)):
        if cls.__name__ in OUTPUT_ONLY or (
            issubclass(cls, serializers.ModelSerializer) and not hasattr(cls, "Meta")
        ):
            continue
        for name, field in cls(context={}).fields.items():
            if field.read_only or not isinstance(field, serializers.DateField | serializers.DateTimeField):
                continue
            checked += 1
            try:
                field.run_validation(
                    YEAR_ONE if isinstance(field, serializers.DateField) else f"{YEAR_ONE}T10:00"
                )
            except serializers.ValidationError:
                continue
            unbounded.append(f"{cls.__module__}.{cls.__qualname__}.{name}")
    assert not unbounded, f"use cmm.input_rules.DayField / MomentField for: {unbounded}"
    assert checked > 40, checked


def test_date_bounds_are_per_kind():
    DateBounds(EARLIEST_BIRTH)(datetime.date(1900, 1, 1))
    with pytest.raises(forms.ValidationError):
        DateBounds()(datetime.date(1900, 1, 1))
    with pytest.raises(forms.ValidationError):
        DateBounds()(datetime.date(9999, 1, 1))


# --- Combining marks ----------------------------------------------------------------------------------------


def test_a_stack_of_combining_marks_on_a_page_is_a_field_error_and_the_text_stays(caseworker, case_a, login):
    client = login(caseworker)
    response = client.post(reverse("case-delete", args=[case_a.pk]), {"reason": f"Typed {ZALGO}"})
    assert_refused_on_the_page(response, "reason", "Typed Z")
    assert Case.objects.filter(pk=case_a.pk, deleted_at__isnull=True).exists()
    response = client.post(reverse("case-personal-update", args=[case_a.pk]), {"full_name": ZALGO})
    assert_refused_on_the_page(response, "full_name", ZALGO[:20])
    assert PersonalDetails.objects.get(case=case_a).full_name != ZALGO


def test_a_stack_of_combining_marks_in_the_api_is_a_400_with_the_field(api, users_a, case_a):
    outreach = api_client_for(users_a[Role.OUTREACH_WORKER])
    before = Contact.objects.count()
    response = outreach.post("/api/outreach/contacts/", {"venue": "street", "note": ZALGO}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["note"]
    assert Contact.objects.count() == before
    response = api.patch(f"/api/cases/{case_a.pk}/personal-details/", {"aliases": ZALGO}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["aliases"]
    response = api.post("/api/cases/", {**CASE_BODY, "personal": {"full_name": ZALGO}}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["personal"]
    # Form-encoded too.
    response = outreach.post(
        "/api/outreach/contacts/",
        f"venue=street&note={ZALGO}",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["note"]


def test_real_names_with_their_accents_are_accepted(api, case_a):
    for name in REAL_NAMES:
        assert longest_mark_run(name) <= MAX_COMBINING_MARKS
        response = api.patch(f"/api/cases/{case_a.pk}/personal-details/", {"full_name": name}, format="json")
        assert response.status_code == 200, response.json()


def test_the_case_report_cuts_a_stack_of_marks_stored_before_the_rule(caseworker, case_a):
    def pages_and_text(full_name):
        personal_details_update(
            case=case_a, by=caseworker, full_name=full_name
        )  # the service stores it as is
        job = ReportJob.objects.create(
            kind=ReportKind.CASE_STATUS, language="en", case=case_a, requested_by=caseworker, suppressed=False
        )
        with translation.override("en"):
            rendered = render_report(job, on_progress=lambda _progress: None)
        reader = PdfReader(io.BytesIO(rendered.pdf))
        return rendered.pages, " ".join(page.extract_text() for page in reader.pages)

    plain_pages, _text = pages_and_text("Marker Zed")
    pages, text = pages_and_text(f"Marker {ZALGO}ed")
    assert PersonalDetails.objects.get(case=case_a).full_name == f"Marker {ZALGO}ed"  # stored as it came
    assert pages == plain_pages
    assert "Marker " in text and "ed" in text
    assert longest_mark_run(text) <= MAX_COMBINING_MARKS


def test_strip_keeps_the_first_marks_of_each_run_and_leaves_real_text_alone():
    # NFC first: "a" and the first acute become "á", which may carry two more.
    assert strip_excess_combining_marks("a" + "\u0301" * 10 + "b", keep=2) == "\u00e1\u0301\u0301b"
    for name in REAL_NAMES:
        assert strip_excess_combining_marks(name) == name
