"""The small-cell rule of DESIGN.md §3, checked cell by cell on hand-built tables with known answers."""

import pytest
from django.contrib.auth.models import AnonymousUser

from cmm.models import Role
from cmm.permissions import set_active_membership
from cmm.services import membership_add
from reports.suppression import (
    HIDDEN,
    SUPPRESSED,
    SUPPRESSION_NOTE,
    TOTALS,
    SuppressedTable,
    should_suppress,
    table_suppress,
)
from reports.tables import Row, Table

pytestmark = pytest.mark.django_db

S = SUPPRESSED


def make_table(grid, *, totals=None, columns=None, key="t"):
    """A table from {row key: {column key: value}}; totals are the column sums unless given."""
    columns = columns or list(next(iter(grid.values())))
    rows = [Row(key=row_key, label=row_key.upper(), cells=dict(cells)) for row_key, cells in grid.items()]
    if totals is None:
        totals = {c: sum(cells[c] for cells in grid.values()) for c in columns}
    return Table(key=key, title="T", columns=[(c, c.upper()) for c in columns], rows=rows, totals=totals)


def shown(result):
    """Every printed cell, as {row key: {column key: value}}, with the totals row under TOTALS."""
    grid = {row.key: dict(row.cells) for row in result.table.rows}
    grid[TOTALS] = dict(result.table.totals)
    return grid


def test_counts_from_1_to_4_become_lt5_and_0_and_5_stay():
    # Every row and column has 0 or 2 small cells, so no secondary suppression is needed.
    table = make_table(
        {
            "r1": {"a": 2, "b": 3, "c": 10},
            "r2": {"a": 4, "b": 1, "c": 20},
            "r3": {"a": 0, "b": 0, "c": 5},
        }
    )

    result = table_suppress(table=table)

    assert shown(result) == {
        "r1": {"a": S, "b": S, "c": 10},
        "r2": {"a": S, "b": S, "c": 20},
        "r3": {"a": 0, "b": 0, "c": 5},
        TOTALS: {"a": 6, "b": S, "c": 35},  # b's total is 4: itself small
    }
    assert result.suppressed == {("r1", "a"), ("r1", "b"), ("r2", "a"), ("r2", "b"), (TOTALS, "b")}
    assert result.hidden == frozenset()


def test_a_lone_suppressed_cell_in_a_row_takes_the_next_smallest_cell_of_that_row_with_it():
    table = make_table(
        {
            "r1": {"a": 2, "b": 7, "c": 5, "d": 20},  # a alone in r1 -> c (5 < 7 < 20)
            "r2": {"a": 3, "b": 0, "c": 1, "d": 9},  # already two; c column then has two
            "r3": {"a": 0, "b": 6, "c": 0, "d": 8},
        }
    )

    result = table_suppress(table=table)

    assert shown(result) == {
        "r1": {"a": S, "b": 7, "c": S, "d": 20},
        "r2": {"a": S, "b": 0, "c": S, "d": 9},
        "r3": {"a": 0, "b": 6, "c": 0, "d": 8},
        TOTALS: {"a": 5, "b": 13, "c": 6, "d": 37},
    }
    assert ("r1", "c") in result.suppressed  # 5 is not small: it is the secondary cell


def test_a_lone_suppressed_cell_in_a_column_takes_the_next_smallest_cell_of_that_column_with_it():
    table = make_table(
        {
            "r1": {"a": 2, "b": 3, "c": 40},  # two small cells: the row is safe, columns a and b are not
            "r2": {"a": 6, "b": 8, "c": 50},  # next smallest in a (6 < 7) and in b (8 < 9): the same row
            "r3": {"a": 7, "b": 9, "c": 60},
        }
    )

    result = table_suppress(table=table)

    assert shown(result) == {
        "r1": {"a": S, "b": S, "c": 40},
        "r2": {"a": S, "b": S, "c": 50},
        "r3": {"a": 7, "b": 9, "c": 60},
        TOTALS: {"a": 15, "b": 20, "c": 150},
    }


def test_in_a_table_of_sections_each_section_protects_its_own_small_cell():
    """By gender and by age band each add up to the total: a small cell in one section must not be
    "covered" by a small cell in another, or total - rest gives it away (male = 23 - 20)."""
    table = make_table(
        {
            "gender:female": {"n": 20},
            "gender:male": {"n": 3},
            "age:18-20": {"n": 3},
            "age:21-23": {"n": 20},
        },
        totals={"n": 23},
    )

    unsectioned = table_suppress(table=table)
    assert shown(unsectioned)["gender:female"] == {"n": 20}  # the column as one group: not enough

    result = table_suppress(table=table, row_section=lambda key: key.split(":", 1)[0])

    assert shown(result) == {
        "gender:female": {"n": S},
        "gender:male": {"n": S},
        "age:18-20": {"n": S},
        "age:21-23": {"n": S},
        TOTALS: {"n": 23},
    }


def test_secondary_suppression_repeats_until_no_row_or_column_has_a_lone_suppressed_cell():
    # r1a (1) is alone in r1 -> r1b (6); that leaves r1b alone in column b -> r3b (8); that leaves r3b alone
    # in r3 -> r3c (9); that leaves r3c alone in column c -> r1c (30). r2a is alone in r2 but r2 has no other
    # non-zero cell to take, and zeros are never suppressed.
    table = make_table(
        {
            "r1": {"a": 1, "b": 6, "c": 30},
            "r2": {"a": 3, "b": 0, "c": 0},
            "r3": {"a": 0, "b": 8, "c": 9},
        }
    )

    result = table_suppress(table=table)

    assert shown(result) == {
        "r1": {"a": S, "b": S, "c": S},
        "r2": {"a": S, "b": 0, "c": 0},
        "r3": {"a": 0, "b": S, "c": S},
        TOTALS: {"a": S, "b": 14, "c": 39},
    }


def test_equal_candidates_are_taken_in_column_order():
    table = make_table({"r1": {"a": 2, "b": 6, "c": 6}, "r2": {"a": 2, "b": 9, "c": 9}})

    result = table_suppress(table=table)

    assert shown(result)["r1"] == {"a": S, "b": S, "c": 6}
    assert shown(result)["r2"] == {"a": S, "b": S, "c": 9}


def test_zero_cells_and_a_table_without_small_counts_are_untouched():
    table = make_table({"r1": {"a": 0, "b": 5}, "r2": {"a": 0, "b": 0}})

    result = table_suppress(table=table)

    assert shown(result) == {"r1": {"a": 0, "b": 5}, "r2": {"a": 0, "b": 0}, TOTALS: {"a": 0, "b": 5}}
    assert not result.changed
    assert result.note is None
    assert result.table.notes == []


def test_totals_are_shown_unless_themselves_small_and_row_totals_are_never_taken_as_secondary_cells():
    table = make_table(
        {
            "r1": {"a": 3, "b": 0, "total": 3},
            "r2": {"a": 10, "b": 6, "total": 16},
            "r3": {"a": 0, "b": 0, "total": 0},
        }
    )

    result = table_suppress(table=table, total_columns=["total"])

    # r1a is alone in column a -> r2a; r2a alone in r2 -> r2b (6, not the row total 16). The row-total
    # column is a margin: its 3 becomes "<5" but it does not make r2's total a secondary cell.
    assert shown(result) == {
        "r1": {"a": S, "b": 0, "total": S},
        "r2": {"a": S, "b": S, "total": 16},
        "r3": {"a": 0, "b": 0, "total": 0},
        TOTALS: {"a": 13, "b": 6, "total": 19},
    }


def test_an_average_computed_from_a_suppressed_count_is_hidden():
    columns = ["admissions", "bed_days", "persons", "avg_bed_days"]
    table = make_table(
        {
            "s1": {"admissions": 2, "bed_days": 40, "persons": 3, "avg_bed_days": 13.3},
            "s2": {"admissions": 6, "bed_days": 50, "persons": 7, "avg_bed_days": 7.1},
            "s3": {"admissions": 9, "bed_days": 60, "persons": 10, "avg_bed_days": 6.0},
        },
        columns=columns,
        totals={"admissions": 17, "bed_days": 150, "persons": 20, "avg_bed_days": 7.5},
    )

    result = table_suppress(
        table=table,
        count_columns=["admissions", "bed_days", "persons"],
        derived_columns={"avg_bed_days": ["bed_days", "persons"]},
    )

    # Column admissions: s1 alone -> s2 (6 < 9); row s2: admissions alone -> persons (7 < 50); the
    # average is not a count, so it is never a secondary cell, but it would give persons away.
    assert shown(result) == {
        "s1": {"admissions": S, "bed_days": 40, "persons": S, "avg_bed_days": HIDDEN},
        "s2": {"admissions": S, "bed_days": 50, "persons": S, "avg_bed_days": HIDDEN},
        "s3": {"admissions": 9, "bed_days": 60, "persons": 10, "avg_bed_days": 6.0},
        TOTALS: {"admissions": 17, "bed_days": 150, "persons": 20, "avg_bed_days": 7.5},
    }
    assert result.hidden == {("s1", "avg_bed_days"), ("s2", "avg_bed_days")}


def test_a_share_row_computed_from_a_suppressed_count_row_is_hidden():
    table = make_table(
        {
            "visits": {"p1": 12, "p2": 20, "p3": 30},
            "returning": {"p1": 3, "p2": 4, "p3": 15},
            "share_returning": {"p1": 0.25, "p2": 0.2, "p3": 0.5},
        },
        totals={},
    )

    result = table_suppress(table=table, derived_rows={"share_returning": ["visits", "returning"]})

    # Two small counts in "returning"; columns p1 and p2 each have one -> their visits are suppressed too.
    assert shown(result) == {
        "visits": {"p1": S, "p2": S, "p3": 30},
        "returning": {"p1": S, "p2": S, "p3": 15},
        "share_returning": {"p1": HIDDEN, "p2": HIDDEN, "p3": 0.5},
        TOTALS: {},
    }


def test_a_float_in_a_count_column_is_refused_rather_than_published():
    table = make_table({"r1": {"a": 2, "avg": 1.5}}, totals={})

    with pytest.raises(TypeError):
        table_suppress(table=table)
    with pytest.raises(KeyError):
        table_suppress(table=table, count_columns=["nope"])


def test_the_copy_carries_the_marks_and_the_note_and_the_input_is_unchanged():
    table = make_table({"r1": {"a": 1, "b": 2}, "r2": {"a": 7, "b": 8}})

    result = table_suppress(table=table)

    assert table.cell("r1", "a") == 1  # the caller's table keeps its exact numbers
    assert table.notes == []
    assert result.display("r1", "a") == "<5"
    assert result.display(TOTALS, "a") == 8
    assert result.table.notes == [SUPPRESSION_NOTE]
    assert result.note == SUPPRESSION_NOTE
    # No exact small number left anywhere in what is printed.
    printed = [v for row in result.table.rows for v in row.cells.values()] + list(
        result.table.totals.values()
    )
    assert not [v for v in printed if isinstance(v, int) and 0 < v < 5]
    assert SuppressedTable.exact(table).display("r1", "a") == 1


def test_suppression_runs_no_queries_however_large_the_table(django_assert_num_queries):
    grid = {f"r{i}": {f"c{j}": (i * 7 + j * 3) % 11 for j in range(20)} for i in range(200)}
    table = make_table(grid)

    with django_assert_num_queries(0):
        result = table_suppress(table=table)

    # Stable: no row or column is left with exactly one suppressed cell that could be taken with another.
    for row_key in grid:
        in_row = [c for c in grid[row_key] if (row_key, c) in result.suppressed]
        others = [c for c in grid[row_key] if c not in in_row and grid[row_key][c]]
        assert len(in_row) != 1 or not others


def test_a_cmm_analyst_sees_exact_counts_internally_but_not_in_an_external_export(org_cmm, make_member):
    analyst = make_member(org_cmm, Role.ANALYST)

    assert should_suppress(user=analyst, external=False) is False
    assert should_suppress(user=analyst, external=True) is True


def test_an_ngo_user_and_an_anonymous_user_always_see_suppressed_counts(users_a):
    ngo_analyst = users_a[Role.ANALYST]

    assert should_suppress(user=ngo_analyst, external=False) is True
    assert should_suppress(user=ngo_analyst, external=True) is True
    assert should_suppress(user=AnonymousUser(), external=False) is True


def test_the_organisation_the_user_acts_for_decides(org_a, org_cmm, make_member):
    user = make_member(org_a, Role.ANALYST)
    cmm_membership = membership_add(user=user, organisation=org_cmm, role=Role.ANALYST)

    # Two memberships and no choice made: acting for no one, so suppressed.
    assert should_suppress(user=user, external=False) is True
    set_active_membership(user, cmm_membership)
    assert should_suppress(user=user, external=False) is False
    set_active_membership(user, user.memberships.get(organisation=org_a))
    assert should_suppress(user=user, external=False) is True
