"""The shape every statistics table has, so that the page, the API, the exports and the PDF print the same
numbers: rows of cells keyed by column, with the totals computed from the same query."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Row:
    key: str  # a stable value (a choice value, an organisation id, a country code)
    label: str  # what the reader sees, translated
    cells: dict[str, int | float | None]  # column key -> value


@dataclass
class Table:
    key: str  # e.g. "persons_met"; stable, used by the API, the exports and the tests
    title: str
    columns: list[tuple[str, str]]  # (column key, label)
    rows: list[Row]
    totals: dict[str, int | float | None] = field(default_factory=dict)  # column key -> total
    notes: list[str] = field(default_factory=list)  # counting notes shown under the table

    def cell(self, row_key: str, column_key: str):
        """The value of one cell (for tests and exports); KeyError when there is no such row or column."""
        for row in self.rows:
            if row.key == row_key:
                return row.cells[column_key]
        raise KeyError(row_key)
