"""The statistics as files: CSV (for any tool) and XLSX (for Excel), with the page's and the API's numbers.

Both print the published tables as they are (`SuppressedTable.table`: suppressed counts already "<5",
hidden averages a dash), so a file holds exactly what the API's `table_data` holds, never an exact count the
reader may not see. Each starts with a header block: the period, the scope, whether small counts are
suppressed, and when it was generated (Europe/Copenhagen). A text cell that a spreadsheet would run as a
formula (one beginning with = + - @, a tab or a carriage return) is prefixed with a quote, although every
label comes from us.

The CSV's dialect: the page's download is for a spreadsheet in the reader's language (`dialect="language"`):
in Danish it is separated by semicolons with decimal commas, as Danish Excel opens it with a double click; in
English by commas with decimal points. The API's file keeps its contract (`dialect="comma"`): commas and
decimal points whatever the language, for programs.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterator, Sequence
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from reports.periods import Period
from reports.suppression import SuppressedTable

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_text(value: str) -> str:
    """Neutralise a text cell that a spreadsheet would read as a formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _cell(value, empty=""):
    """A cell as a file holds it: numbers as numbers, None as `empty`, text made safe."""
    if value is None:
        return empty
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    return safe_text(str(value))


def _danish_spreadsheet(dialect: str) -> bool:
    """Whether the file is for Danish Excel: semicolons and decimal commas."""
    if dialect not in ("comma", "language"):
        raise ValueError(f"Unknown CSV dialect {dialect!r}.")
    return dialect == "language" and (get_language() or "").startswith("da")


def _csv_cell(value, *, decimal_comma: bool):
    """A CSV cell: like `_cell`, with a decimal comma in a number with decimals when asked."""
    value = _cell(value)
    if decimal_comma and isinstance(value, float):
        return str(value).replace(".", ",")
    return value


def _generated(generated_at: datetime.datetime | None) -> str:
    moment = timezone.localtime(generated_at or timezone.now(), COPENHAGEN)
    return f"{moment:%Y-%m-%d %H:%M} (Europe/Copenhagen)"


def _period_text(period: Period) -> str:
    return f"{period.label()} ({period.start.isoformat()} - {period.end.isoformat()})"


def header_rows(
    *, period: Period, scope_label: str, suppressed: bool, generated_at: datetime.datetime | None = None
) -> list[list[str]]:
    """The header block both files start with."""
    return [
        [_("CMM statistics")],
        [_("Period"), _period_text(period)],
        [_("Organisations"), str(scope_label)],
        [_("Small counts suppressed"), _("yes") if suppressed else _("no")],
        [_("Generated at"), _generated(generated_at)],
    ]


def table_rows(published: SuppressedTable) -> Iterator[list]:
    """One table as rows: its title, the column labels, the rows, the totals and the notes (raw values)."""
    table = published.table
    keys = [key for key, _label in table.columns]
    yield [str(table.title)]
    yield ["", *(str(label) for _key, label in table.columns)]
    for row in table.rows:
        yield [str(row.label), *(row.cells.get(key) for key in keys)]
    yield [_("Total"), *(table.totals.get(key) for key in keys)]
    for note in table.notes:
        yield [str(note)]


def statistics_csv(
    published_tables: Sequence[SuppressedTable],
    *,
    period: Period,
    scope_label: str,
    suppressed: bool,
    generated_at: datetime.datetime | None = None,
    dialect: str = "comma",
) -> bytes:
    """Render the tables as one CSV file (UTF-8 with a byte-order mark so Excel reads it, quoted where
    needed): the header block, then each table after an empty line. Separated by commas, or, for a Danish
    reader when `dialect="language"`, by semicolons with decimal commas (see the module's docstring)."""
    danish = _danish_spreadsheet(dialect)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if danish else ",", lineterminator="\r\n")
    for row in header_rows(
        period=period, scope_label=scope_label, suppressed=suppressed, generated_at=generated_at
    ):
        writer.writerow([_csv_cell(value, decimal_comma=danish) for value in row])
    for published in published_tables:
        writer.writerow([])
        for row in table_rows(published):
            writer.writerow([_csv_cell(value, decimal_comma=danish) for value in row])
    return out.getvalue().encode("utf-8-sig")


def _sheet_title(number: int, title: str, taken: set[str]) -> str:
    """An Excel sheet name: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    cleaned = "".join(" " if char in "[]:*?/\\" else char for char in title).strip("' ")
    name = f"{number}. {cleaned}"[:31].rstrip()
    suffix = 2
    while name.lower() in taken:
        name = f"{number}. {cleaned}"[: 31 - len(f" ({suffix})")].rstrip() + f" ({suffix})"
        suffix += 1
    taken.add(name.lower())
    return name


def statistics_xlsx(
    published_tables: Sequence[SuppressedTable],
    *,
    period: Period,
    scope_label: str,
    suppressed: bool,
    generated_at: datetime.datetime | None = None,
    dialect: str = "comma",
) -> bytes:
    """Render the tables as an XLSX workbook: a first sheet with the header block and the list of tables,
    then one sheet per table (its title, the period and scope, the table with its totals, its notes)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    bold = Font(bold=True)
    header = header_rows(
        period=period, scope_label=scope_label, suppressed=suppressed, generated_at=generated_at
    )
    workbook = Workbook()
    about = workbook.active
    about.title = str(_("About"))[:31]
    taken = {about.title.lower()}
    for row in header:
        about.append([_cell(value) for value in row])
    about["A1"].font = Font(bold=True, size=14)
    about.append([])
    about.append([_("Tables")])
    about.cell(row=about.max_row, column=1).font = bold
    about.column_dimensions["A"].width = 28
    about.column_dimensions["B"].width = 60

    for number, published in enumerate(published_tables, start=1):
        table = published.table
        sheet = workbook.create_sheet(_sheet_title(number, str(table.title), taken))
        about.append([number, _cell(str(table.title))])
        rows = list(table_rows(published))
        sheet.append([_cell(rows[0][0])])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([_cell(header[1][1]), _cell(str(scope_label))])
        sheet.append([])
        first_table_row = sheet.max_row + 1
        body = rows[1 : 2 + len(table.rows) + 1]  # column labels, rows, totals
        for row in body:
            sheet.append([_cell(value, empty=None) for value in row])
        totals_row = sheet.max_row
        for cell in sheet[first_table_row]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for cell in sheet[totals_row]:
            cell.font = bold
        for row in sheet.iter_rows(min_row=first_table_row + 1, max_row=totals_row, min_col=2):
            for cell in row:
                if isinstance(cell.value, float):
                    cell.number_format = "0.0"
                elif isinstance(cell.value, str):
                    cell.alignment = Alignment(horizontal="right")
        for note in rows[2 + len(table.rows) + 1 :]:
            sheet.append([_cell(note[0])])
        sheet.freeze_panes = sheet.cell(row=first_table_row + 1, column=2)
        sheet.column_dimensions["A"].width = 40
        for column in range(2, len(table.columns) + 2):
            sheet.column_dimensions[sheet.cell(row=1, column=column).column_letter].width = 16

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
