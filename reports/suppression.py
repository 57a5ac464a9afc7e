"""The small-cell rule of DESIGN.md §3: published figures protect people.

For anyone outside CMM, and in every export marked external, a count from 1 to 4 is shown as "<5" (primary
suppression). Where a row or a column would then have exactly one suppressed cell, the next smallest
non-zero cell in it is suppressed too (secondary suppression), repeated until no row or column has a single
suppressed cell, so that no hidden count can be recomputed from the totals. Zero stays 0. Totals are shown
as they are unless a total is itself 1-4.

Only counts are suppressed. An average or a share is not a count, but one computed from a suppressed count
would let a reader work the count back out (average bed-days x persons = bed-days), so it is hidden (shown
as a dash) whenever one of the counts it is computed from is suppressed. Which cells are averages is
declared by the table's builder (`derived_columns` / `derived_rows`); nothing is guessed from the values.

Known limit of the rule as specified: zeros are published, so a row or column whose lone suppressed cell
has no other non-zero cell to take with it keeps that cell alone, and a total shown next to it (not itself
1-4) can still give it away. Closing that needs cell-suppression optimisation, which DESIGN.md does not ask
for; the rule here is exactly the published one.

`table_suppress` returns a copy of the table in which the protected cells already hold their printed
marks, so a page, the API, a CSV/XLSX export and the PDF can print the copy as it is and never see the exact
number; the sets of suppressed and hidden cells and the footnote come with it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from cmm.permissions import active_membership
from cmm.selectors import is_cmm

from .tables import Row, Table

SMALLEST_PUBLISHED = 5  # counts 1 .. SMALLEST_PUBLISHED - 1 are suppressed
SUPPRESSED = "<5"  # printed instead of a suppressed count
HIDDEN = "\N{EN DASH}"  # printed instead of an average or share computed from a suppressed count
TOTALS = "__totals__"  # the row key used for the totals row in `SuppressedTable.suppressed` / `.hidden`

SUPPRESSION_NOTE = _(
    'Counts from 1 to 4 are shown as "<5". Where needed, a further count in the same row or column is also '
    'shown as "<5" so that no hidden count can be worked out from the totals, and averages and shares '
    "computed from a hidden count are shown as a dash."
)

Cell = tuple[str, str]  # (row key, column key); the totals row is TOTALS


@dataclass(frozen=True)
class SuppressedTable:
    """A table as a reader outside CMM may see it.

    `table` is a copy whose suppressed cells hold SUPPRESSED and whose hidden averages hold HIDDEN, with the
    footnote appended to its notes when anything was changed; `suppressed` and `hidden` name the changed
    cells (row key TOTALS for the totals row), for templates that style them and for tests.
    """

    table: Table
    suppressed: frozenset[Cell]
    hidden: frozenset[Cell]

    @property
    def changed(self) -> bool:
        """Whether any figure is protected, i.e. whether the footnote must be shown."""
        return bool(self.suppressed or self.hidden)

    @property
    def note(self) -> str | None:
        return SUPPRESSION_NOTE if self.changed else None

    def display(self, row_key: str, column_key: str):
        """The printed value of one cell (row key TOTALS for the totals row)."""
        if row_key == TOTALS:
            return self.table.totals.get(column_key)
        return self.table.cell(row_key, column_key)

    @classmethod
    def exact(cls, table: Table) -> SuppressedTable:
        """Wrap a table shown with exact counts (a CMM internal view), so callers handle one type."""
        return cls(table=table, suppressed=frozenset(), hidden=frozenset())


def _is_small(value) -> bool:
    return value is not None and 0 < value < SMALLEST_PUBLISHED


def _check_count(table: Table, where: str, value) -> None:
    # A float in a count column means the builder forgot to declare an average: refuse rather than publish.
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise TypeError(f"{table.key}: {where} is declared a count but holds {value!r}.")


def _secondary(groups: list[list[Cell]], values: Mapping[Cell, int | None], suppressed: set[Cell]) -> bool:
    """Suppress the next smallest non-zero cell in every group (a row or a column) with exactly one
    suppressed cell; return whether anything was added."""
    added = False
    for group in groups:
        if sum(cell in suppressed for cell in group) != 1:
            continue
        candidates = [cell for cell in group if cell not in suppressed and values[cell]]
        if candidates:
            # min() keeps the first of equal values, so the result follows the table's column/row order.
            suppressed.add(min(candidates, key=lambda cell: values[cell]))
            added = True
    return added


def table_suppress(
    *,
    table: Table,
    count_columns: Collection[str] | None = None,
    total_columns: Collection[str] = (),
    derived_columns: Mapping[str, Collection[str]] | None = None,
    derived_rows: Mapping[str, Collection[str]] | None = None,
    row_section: Callable[[str], str] | None = None,
) -> SuppressedTable:
    """Apply the small-cell rule (DESIGN.md §3) to a copy of `table`.

    A count from 1 to 4 becomes "<5"; while a row or a column of counts has exactly one suppressed cell, its
    next smallest non-zero count is suppressed too; zeros stay; totals (the totals row and the row-total
    columns named in `total_columns`) are shown unless they are themselves 1-4. Cells are counts when their
    column is in `count_columns` (default: every column), is not a total column and their row is not in
    `derived_rows`. An average or share (`derived_columns`: column -> the count columns of the same row it is
    computed from; `derived_rows`: row -> the count rows of the same column) is hidden when any of its
    sources is suppressed. A table whose rows fall into sections that each add up to the totals (by gender,
    by age band, ...) names each row's section with `row_section`: a column is then one group per section,
    so that a lone suppressed cell in a section takes another cell of that section with it. The input table
    is not changed.
    """
    derived_columns = dict(derived_columns or {})
    derived_rows = dict(derived_rows or {})
    column_keys = [key for key, _label in table.columns]
    counted = set(column_keys if count_columns is None else count_columns)
    unknown = (counted | set(total_columns) | set(derived_columns)) - set(column_keys)
    if unknown:
        raise KeyError(f"{table.key}: no such columns {sorted(unknown)}")
    body_columns = [key for key in column_keys if key in counted and key not in total_columns]
    body_rows = [row.key for row in table.rows if row.key not in derived_rows]
    cells_by_row = {row.key: row.cells for row in table.rows}

    values: dict[Cell, int | None] = {}
    for row_key in body_rows:
        for column_key in body_columns:
            value = cells_by_row[row_key].get(column_key)
            _check_count(table, f"cell ({row_key}, {column_key})", value)
            values[row_key, column_key] = value

    # Primary: every small count. Secondary: until no row and no column has a lone suppressed cell.
    suppressed: set[Cell] = {cell for cell, value in values.items() if _is_small(value)}
    rows = [[(r, c) for c in body_columns] for r in body_rows]
    sections: dict[str, list[str]] = {}
    for row_key in body_rows:
        sections.setdefault(row_section(row_key) if row_section else "", []).append(row_key)
    columns = [[(r, c) for r in section] for section in sections.values() for c in body_columns]
    while _secondary(rows, values, suppressed) | _secondary(columns, values, suppressed):
        pass

    # Margins: shown as they are unless small themselves.
    for row_key in body_rows:
        for column_key in total_columns:
            value = cells_by_row[row_key].get(column_key)
            _check_count(table, f"row total ({row_key}, {column_key})", value)
            if _is_small(value):
                suppressed.add((row_key, column_key))
    for column_key in [*body_columns, *total_columns]:
        value = table.totals.get(column_key)
        _check_count(table, f"total of {column_key}", value)
        if _is_small(value):
            suppressed.add((TOTALS, column_key))

    hidden: set[Cell] = set()
    for row_key in [*body_rows, TOTALS]:
        for column_key, sources in derived_columns.items():
            if any((row_key, source) in suppressed for source in sources):
                hidden.add((row_key, column_key))
    for row_key, sources in derived_rows.items():
        for column_key in column_keys:
            if any((source, column_key) in suppressed for source in sources):
                hidden.add((row_key, column_key))

    result = copy.deepcopy(table)
    marks = {**dict.fromkeys(hidden, HIDDEN), **dict.fromkeys(suppressed, SUPPRESSED)}
    for (row_key, column_key), mark in marks.items():
        if row_key == TOTALS:
            result.totals[column_key] = mark
        else:
            _row(result, row_key).cells[column_key] = mark
    if marks:
        result.notes.append(SUPPRESSION_NOTE)
    return SuppressedTable(table=result, suppressed=frozenset(suppressed), hidden=frozenset(hidden))


def _row(table: Table, row_key: str) -> Row:
    return next(row for row in table.rows if row.key == row_key)


def should_suppress(*, user, external: bool) -> bool:
    """Decide whether `user` sees small counts suppressed: every export marked external is, and only a user
    acting for the designated CMM sees exact counts in an internal view (DESIGN.md §3)."""
    if external:
        return True
    membership = active_membership(user)
    return membership is None or not is_cmm(membership.organisation)
