"""Every country name shown in Danish is Danish: the whole list is compared with a reviewed list of the names
that are the same in both languages, and the reviewed corrections show on a case page."""

import pytest
from django.urls import reverse
from django.utils import translation
from django_countries import countries

from cmm.countries import country_choices
from cmm.country_names import REVIEWED_NAMES
from cmm.models import Role

# Names that are written the same in Danish and English (CLDR's Danish agrees), reviewed one by one.
SAME_IN_DANISH = {
    "AF",
    "AD",
    "AO",
    "AI",
    "AR",
    "AW",
    "BH",
    "BD",
    "BB",
    "BZ",
    "BJ",
    "BM",
    "BT",
    "BO",
    "BW",
    "BN",
    "BF",
    "BI",
    "CA",
    "CL",
    "CO",
    "CR",
    "CU",
    "CW",
    "DJ",
    "DM",
    "EC",
    "SV",
    "ER",
    "FJ",
    "FI",
    "GA",
    "GM",
    "GH",
    "GI",
    "GD",
    "GP",
    "GU",
    "GT",
    "GG",
    "GN",
    "GW",
    "GY",
    "HT",
    "HN",
    "IR",
    "IM",
    "IL",
    "JM",
    "JP",
    "JE",
    "JO",
    "KE",
    "KI",
    "KW",
    "LA",
    "LS",
    "LR",
    "LI",
    "LU",
    "MO",
    "MW",
    "MY",
    "ML",
    "MT",
    "MQ",
    "MU",
    "YT",
    "MX",
    "MD",
    "MC",
    "ME",
    "MS",
    "MZ",
    "MM",
    "NA",
    "NP",
    "NZ",
    "NI",
    "NE",
    "NG",
    "NU",
    "NF",
    "OM",
    "PK",
    "PW",
    "PA",
    "PY",
    "PE",
    "PN",
    "PT",
    "PR",
    "QA",
    "RE",
    "RW",
    "LC",
    "WS",
    "SM",
    "SN",
    "SL",
    "SG",
    "SO",
    "LK",
    "SD",
    "TW",
    "TZ",
    "TH",
    "TG",
    "TK",
    "TO",
    "TM",
    "TV",
    "UG",
    "UA",
    "UY",
    "VU",
    "VE",
    "VN",
    "YE",
    "ZM",
    "ZW",
    "SZ",
}


def _names(language):
    with translation.override(language):
        return dict(country_choices()[1:])


def test_every_danish_name_is_danish_or_reviewed_as_the_same():
    danish, english = _names("da"), _names("en")
    assert len(danish) == len(list(countries)) > 240
    unreviewed = {
        code: name for code, name in danish.items() if name == english[code] and code not in SAME_IN_DANISH
    }
    assert unreviewed == {}


@pytest.mark.parametrize("english_name", ["Cambodia", "Chad", "Swaziland", "Cameroon", "Christmas Island"])
def test_no_english_or_old_name_in_the_danish_list(english_name):
    assert english_name not in _names("da").values()


def test_the_reviewed_names_in_both_languages():
    danish, english = _names("da"), _names("en")
    for code, (english_name, danish_name) in REVIEWED_NAMES.items():
        assert danish[code] == danish_name
        assert english[code] == english_name
    assert danish["SZ"] == english["SZ"] == "Eswatini"


@pytest.mark.django_db
def test_a_case_page_names_the_nationality_in_danish(login, users_a, open_case):
    caseworker = users_a[Role.CASEWORKER]
    case = open_case(by=caseworker, nationality="KH")
    html = login(caseworker).get(reverse("case-detail", args=[case.pk])).content.decode()
    assert "Cambodja" in html
    assert "Cambodia" not in html


def test_the_danish_list_is_in_danish_alphabetical_order():
    names = list(_names("da").values())
    assert names[-1] == "Ålandsøerne"
    assert names.index("Ålandsøerne") > names.index("Østrig") > names.index("Zimbabwe")
    assert names[0] == "Afghanistan"
