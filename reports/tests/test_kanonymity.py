"""The k-anonymity rule of DESIGN.md §3: rare combinations of broad categories are dropped."""

import pytest

from cases.choices import Gender
from cases.models import Case
from cases.tests.factories import CaseFactory
from reports.kanonymity import GROUP_SIZE, k_anonymous

pytestmark = pytest.mark.django_db

KEYS = ("gender", "nationality", "age_at_opening")


@pytest.fixture
def cases(org_a):
    """5 x (female, NG, 24), 2 x (male, RO, 30), 1 x (female, RO, 24), 5 x (female, TH, unknown age)."""

    def make(n, **fields):
        return [CaseFactory(organisation=org_a, **fields) for _ in range(n)]

    return {
        "f_ng": make(5, gender=Gender.FEMALE, nationality="NG", age_at_opening=24),
        "m_ro": make(2, gender=Gender.MALE, nationality="RO", age_at_opening=30),
        "f_ro": make(1, gender=Gender.FEMALE, nationality="RO", age_at_opening=24),
        "f_th": make(5, gender=Gender.FEMALE, nationality="TH", age_at_opening=None),
    }


def pks(objects):
    return sorted(obj.pk for obj in objects)


def test_combinations_shared_by_fewer_than_k_records_are_dropped_in_the_database(cases):
    kept = k_anonymous(Case.objects.all(), k=5, keys=KEYS)

    # Unknown age is one category: the five Thai cases with no age form a group of five.
    assert pks(kept) == pks(cases["f_ng"] + cases["f_th"])
    assert {case.k_group_size for case in kept} == {5}


def test_k_decides_which_groups_are_big_enough(cases):
    assert pks(k_anonymous(Case.objects.all(), k=2, keys=KEYS)) == pks(
        cases["f_ng"] + cases["m_ro"] + cases["f_th"]
    )
    assert len(k_anonymous(Case.objects.all(), k=1, keys=KEYS)) == 13
    assert list(k_anonymous(Case.objects.all(), k=6, keys=KEYS)) == []
    # Fewer keys make bigger groups: by gender alone, 11 women and 2 men.
    assert pks(k_anonymous(Case.objects.all(), k=5, keys=("gender",))) == pks(
        cases["f_ng"] + cases["f_ro"] + cases["f_th"]
    )


def test_an_export_row_queryset_keeps_only_its_own_columns_and_no_identifiers(cases):
    rows = k_anonymous(
        Case.objects.order_by("pk").values("gender", "nationality", "age_at_opening"), k=5, keys=KEYS
    )

    rows = list(rows)
    assert len(rows) == 10
    assert {tuple(sorted(row)) for row in rows} == {
        ("age_at_opening", "gender", "k_group_size", "nationality")
    }  # no case number, no name, no date of birth
    assert {(row["gender"], row["nationality"]) for row in rows} == {("female", "NG"), ("female", "TH")}


def test_records_in_memory_are_counted_in_memory_in_their_order():
    records = [{"g": "f", "c": "NG"}] * 3 + [{"g": "m", "c": "NG"}] + [{"g": "f", "c": "NG"}]

    kept = k_anonymous(records, k=4, keys=("g", "c"))

    assert kept == [{"g": "f", "c": "NG"}] * 4


def test_k_and_keys_must_make_sense():
    with pytest.raises(ValueError):
        k_anonymous([], k=0, keys=("g",))
    with pytest.raises(ValueError):
        k_anonymous([], k=5, keys=())


def test_the_filter_is_one_query_however_many_records(org_a, django_assert_num_queries):
    def run():
        with django_assert_num_queries(1):
            return len(k_anonymous(Case.objects.all(), k=5, keys=KEYS))

    CaseFactory.create_batch(6, organisation=org_a, nationality="NG")
    assert run() == 6
    CaseFactory.create_batch(30, organisation=org_a, nationality="SE")
    CaseFactory.create_batch(3, organisation=org_a, nationality="DK")
    assert run() == 36
    assert GROUP_SIZE == "k_group_size"
