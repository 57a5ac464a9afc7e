"""CSV export of outreach records in the import's column format (outreach.columns), without free-text notes,
so that an exported file can be imported again.

The separator follows the reader's language, as the statistics CSV does (reports.exports): semicolons for a
Danish reader, whose Excel splits a double-clicked CSV on semicolons, commas otherwise; the import tells the
two apart by the header. The header keeps the import's column names and the cells its codes (a documented
choice: the file must import again; the import page lists each column with its meaning and accepted labels).

The caller passes a queryset it got from a selector: this module decides the format, never who sees what.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import get_language

from outreach.columns import record_kind

# Excel opens a UTF-8 CSV correctly only when it starts with a byte-order mark; the import accepts one.
BOM = "\ufeff"
CHUNK_SIZE = 2000

_RELATED = {
    "contacts": (("worker", "case"), ()),
    "hotline_calls": (("case",), ()),
    "meeting_sessions": ((), ()),
    "police_raids": ((), ("organisations_present",)),
}


def csv_rows(*, kind: str, queryset) -> Iterator[list[str]]:
    """Yield the header and then one row per record of `kind`, as the import reads them."""
    spec = record_kind(kind)
    columns = spec.export_columns
    yield [column.name for column in columns]
    related, prefetch = _RELATED[kind]
    if related:
        queryset = queryset.select_related(*related)
    if prefetch:
        queryset = queryset.prefetch_related(*prefetch)
    for record in queryset.iterator(chunk_size=CHUNK_SIZE):
        yield [column.format(column.value_of(record)) for column in columns]


class _Echo:
    """A file-like object whose write() hands the line back, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def csv_delimiter() -> str:
    """The separator for the reader's language: ";" in Danish (as Danish Excel expects), "," otherwise."""
    return ";" if (get_language() or "").startswith("da") else ","


def csv_response(*, kind: str, queryset, filename: str) -> StreamingHttpResponse:
    """Stream `queryset` as a CSV download in the import format (UTF-8 with BOM, separated as the reader's
    language wants, see csv_delimiter)."""
    writer = csv.writer(_Echo(), delimiter=csv_delimiter())

    def lines() -> Iterator[str]:
        yield BOM
        for row in csv_rows(kind=kind, queryset=queryset):
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Cache-Control"] = "no-store"
    return response
