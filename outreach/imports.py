"""Import of historical outreach registrations from CSV and Excel files, all or nothing.

Each row goes through the same service a page would call (contact_log, hotline_call_save,
meeting_session_save, police_raid_save), in its own savepoint, so that every rule applies to imported rows
as it does to typed ones. The whole file is one transaction: if any row is bad, or the run is a dry run,
nothing is kept. Every bad row is reported with the line (CSV) or row (Excel) number the user sees and the
column at fault. Messages never quote free text (notes, client codes, names), only coded values.

The column format is outreach.columns; docs/import-format.md describes it for people.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

import openpyxl
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl.utils.exceptions import InvalidFileException

from cases.selectors import case_list_for_user
from cmm.models import AuditAction, Organisation, User
from cmm.permissions import active_membership, has_role_permission, set_active_membership
from cmm.selectors import member_choices_for_organisation, organisation_list_for_user
from cmm.services import audit_record
from outreach.columns import (
    OMIT,
    CaseColumn,
    CellError,
    Column,
    OrganisationsColumn,
    RecordKind,
    WorkerColumn,
    header_key,
    is_blank,
    normalise,
    quote,
    record_kind,
)
from outreach.services import contact_log, hotline_call_save, meeting_session_save, police_raid_save

MAX_ROWS = 20_000
MAX_BYTES = 10 * 1024 * 1024
IMPORT_PERMISSION = "outreach.import_activity"


class RowError(NamedTuple):
    """One problem: the line (None for the file as a whole), the column (None for the row) and why."""

    line: int | None
    column: str | None
    message: str


@dataclass
class ImportReport:
    kind: str
    dry_run: bool
    rows_total: int = 0
    rows_ok: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def saved(self) -> bool:
        """Whether the rows were kept: a real run without a single error."""
        return not self.dry_run and not self.errors and self.rows_ok > 0

    @property
    def bad_lines(self) -> list[int]:
        return sorted({error.line for error in self.errors if error.line is not None})

    @property
    def file_errors(self) -> list[RowError]:
        return [error for error in self.errors if error.line is None]


class ImportFileError(Exception):
    """The file as a whole cannot be imported (format, size, header)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class Table:
    header_line: int
    header: list
    rows: list[tuple[int, list]]


# --- Reading the file ---------------------------------------------------------------------------------


def _read_bytes(file) -> bytes:
    size = getattr(file, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ImportFileError(_too_large())
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ImportFileError(_too_large())
    return data


def _too_large() -> str:
    return _("The file is larger than %(size)s MB. Split it into smaller files.") % {
        "size": MAX_BYTES // (1024 * 1024)
    }


def _too_many_rows() -> str:
    return _("The file has more than %(rows)s rows. Split it into smaller files.") % {"rows": f"{MAX_ROWS:,}"}


def _table(numbered_rows: Iterator[tuple[int, list]]) -> Table:
    """The first non-empty row is the header; empty rows are skipped, and at most MAX_ROWS are read."""
    header_line, header = None, None
    rows: list[tuple[int, list]] = []
    for line, cells in numbered_rows:
        if all(is_blank(cell) for cell in cells):
            continue
        if header is None:
            header_line, header = line, list(cells)
            continue
        if len(rows) == MAX_ROWS:
            raise ImportFileError(_too_many_rows())
        rows.append((line, list(cells)))
    if header is None:
        raise ImportFileError(_("The file is empty."))
    if not rows:
        raise ImportFileError(_("The file has a header but no rows to import."), line=header_line)
    return Table(header_line, header, rows)


def _csv_rows(data: bytes) -> Iterator[tuple[int, list]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            _("The file is not UTF-8 text. In Excel, save it as “CSV UTF-8”, or upload the .xlsx file.")
        ) from None
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    # Danish Excel separates with semicolons; everyone else with commas. The header tells which.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    while True:
        # A quoted cell may hold line breaks: a row's number is the line it starts on.
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            raise ImportFileError(
                _("Line %(line)s cannot be read as CSV (check the quotes).") % {"line": start}, line=start
            ) from None
        yield start, cells


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list]]:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
        raise ImportFileError(_("The file cannot be read as an Excel workbook (.xlsx).")) from None
    try:
        sheet = workbook.worksheets[0]
        # The size a file declares may be wrong; read every row there is.
        sheet.reset_dimensions()
        # Read-only sheets fill in missing rows, so counting from 1 gives the sheet's row numbers.
        yield from enumerate((list(row) for row in sheet.iter_rows(values_only=True)), start=1)
    finally:
        workbook.close()


def read_table(file, filename: str) -> Table:
    """Read the header and the rows of a CSV or XLSX file; raise ImportFileError if it cannot be imported."""
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        reader: Callable[[bytes], Iterator[tuple[int, list]]] = _xlsx_rows
    elif name.endswith(".csv"):
        reader = _csv_rows
    else:
        raise ImportFileError(_("Upload a .csv or an .xlsx file."))
    return _table(reader(_read_bytes(file)))


def match_header(kind: RecordKind, header: list, line: int) -> list[Column | None]:
    """The column of each header cell (None for an empty one); ImportFileError if the header is wrong."""
    columns: list[Column | None] = []
    unknown, seen, twice = [], set(), []
    for cell in header:
        key = header_key(cell)
        if not key:
            columns.append(None)
            continue
        column = kind.by_name.get(key)
        if column is None:
            unknown.append(quote(cell))
        elif key in seen:
            twice.append(key)
        seen.add(key)
        columns.append(column)
    problems = []
    if unknown:
        problems.append(
            ngettext("Unknown column: %(names)s.", "Unknown columns: %(names)s.", len(unknown))
            % {"names": ", ".join(unknown)}
        )
    if twice:
        problems.append(_("Columns given twice: %(names)s.") % {"names": ", ".join(twice)})
    missing = [column.name for column in kind.required if column.name not in seen]
    if missing:
        problems.append(
            ngettext(
                "Missing required column: %(names)s.", "Missing required columns: %(names)s.", len(missing)
            )
            % {"names": ", ".join(missing)}
        )
    if problems:
        problems.append(
            _("The columns of this kind of record are: %(names)s.")
            % {"names": ", ".join(column.name for column in kind.columns)}
        )
        raise ImportFileError(" ".join(problems), line=line)
    return columns


# --- Rows ---------------------------------------------------------------------------------------------


class _Lookups:
    """Cases, workers and organisations named in the file, found once each, within what the user may see."""

    def __init__(self, *, by: User, organisation: Organisation):
        self.by = by
        self.organisation = organisation
        self._cases: dict = {}
        self._members = None
        self._members_folded: dict = {}
        self._organisations = None

    def case(self, number: str):
        if number not in self._cases:
            self._cases[number] = case_list_for_user(user=self.by).filter(number=number).first()
        if self._cases[number] is None:
            raise CellError(_("no case with this number that your organisation can see"))
        return self._cases[number]

    def worker(self, username: str) -> User:
        if username == self.by.username:
            return self.by
        if self._members is None:
            self._members = {}
            for membership in member_choices_for_organisation(organisation=self.organisation):
                # The service checks the worker's rights in this organisation, so they act under it.
                set_active_membership(membership.user, membership)
                self._members[membership.user.username] = membership.user
            self._members_folded = {name.casefold(): user for name, user in self._members.items()}
        worker = self._members.get(username) or self._members_folded.get(username.casefold())
        if worker is None:
            raise CellError(_("not the username of an active member of your organisation"))
        return worker

    def organisations(self, keys: list[str]) -> list[Organisation]:
        if self._organisations is None:
            self._organisations = {}
            for organisation in organisation_list_for_user(user=self.by):
                self._organisations.setdefault(normalise(organisation.case_prefix), organisation)
                self._organisations.setdefault(normalise(organisation.name), organisation)
        found = []
        for key in keys:
            organisation = self._organisations.get(normalise(key))
            if organisation is None:
                raise CellError(_("unknown organisation %(value)s") % {"value": quote(key)})
            found.append(organisation)
        return list(dict.fromkeys(found))


def _row_values(
    columns: list[Column | None], cells: list, lookups: _Lookups
) -> tuple[dict, list[tuple[str | None, str]]]:
    """The service's keyword arguments for one row, and the cells that could not be read."""
    values: dict = {}
    errors: list[tuple[str | None, str]] = []
    stray = any(not is_blank(cell) for cell in cells[len(columns) :]) or any(
        column is None and not is_blank(cell) for column, cell in zip(columns, cells, strict=False)
    )
    if stray:
        errors.append((None, _("The row has a value in a column without a name in the header.")))
    for position, column in enumerate(columns):
        if column is None:
            continue
        cell = cells[position] if position < len(cells) else None
        if is_blank(cell):
            if column.required:
                errors.append((column.name, _("A value is required.")))
            elif column.empty is not OMIT:
                values[column.field] = list(column.empty) if isinstance(column.empty, tuple) else column.empty
            continue
        try:
            value = column.parse(cell)
            if isinstance(column, CaseColumn):
                value = lookups.case(value)
            elif isinstance(column, WorkerColumn):
                value = lookups.worker(value)
            elif isinstance(column, OrganisationsColumn):
                value = lookups.organisations(value)
        except CellError as exc:
            errors.append((column.name, _("Cannot read this cell: %(reason)s.") % {"reason": exc}))
        else:
            values[column.field] = value
    return values, errors


def _save_contact(*, by: User, organisation: Organisation, values: dict) -> None:
    # The worker who met the person logs it, so that the service checks the case against their rights.
    worker = values.pop("worker", None) or by
    contact_log(by=worker, organisation=organisation, **values)


def _save_call(*, by: User, organisation: Organisation, values: dict) -> None:
    hotline_call_save(by=by, organisation=organisation, **values)


def _save_session(*, by: User, organisation: Organisation, values: dict) -> None:
    meeting_session_save(by=by, organisation=organisation, **values)


def _save_raid(*, by: User, organisation: Organisation, values: dict) -> None:
    present = values.pop("organisations_present", None)
    police_raid_save(by=by, organisation=organisation, organisations_present=present, **values)


SAVERS: dict[str, Callable[..., None]] = {
    "contacts": _save_contact,
    "hotline_calls": _save_call,
    "meeting_sessions": _save_session,
    "police_raids": _save_raid,
}


def _service_errors(kind: RecordKind, exc: ValidationError) -> list[tuple[str | None, str]]:
    """One error per field of a service's ValidationError, on the column that field comes from."""
    if not hasattr(exc, "error_dict"):
        return [(None, " ".join(exc.messages))]
    found = []
    for name, messages in exc.message_dict.items():
        column = None if name == NON_FIELD_ERRORS else kind.column_for_field(name)
        found.append((column, " ".join(messages)))
    return found


# --- The import ---------------------------------------------------------------------------------------


def _require_import_right(by: User, organisation: Organisation) -> None:
    membership = active_membership(by)
    if membership is None or membership.organisation_id != organisation.pk:
        raise PermissionDenied(_("Act for the organisation you import for."))
    if not has_role_permission(by, IMPORT_PERMISSION):
        raise PermissionDenied(_("Your role does not allow importing activity."))


def import_activity(
    *, kind: str, file, filename: str, by: User, organisation: Organisation, dry_run: bool
) -> ImportReport:
    """Check every row of a CSV or XLSX file of `kind` and, unless it is a dry run, save them all or none.

    Each row goes through its kind's service in a savepoint, so the same rules apply as on the pages; any
    error, in any row, rolls the whole file back. The report lists every error with its line and column.
    The user must act for `organisation` with a role that carries outreach.import_activity.
    """
    spec = record_kind(kind)
    _require_import_right(by, organisation)
    report = ImportReport(kind=kind, dry_run=dry_run)
    try:
        table = read_table(file, filename)
        columns = match_header(spec, table.header, table.header_line)
    except ImportFileError as exc:
        report.errors.append(RowError(exc.line, None, exc.message))
        return report
    lookups = _Lookups(by=by, organisation=organisation)
    save = SAVERS[kind]
    with transaction.atomic():
        for line, cells in table.rows:
            report.rows_total += 1
            values, errors = _row_values(columns, cells, lookups)
            if not errors:
                try:
                    with transaction.atomic():
                        save(by=by, organisation=organisation, values=values)
                except ValidationError as exc:
                    errors = _service_errors(spec, exc)
                except IntegrityError:
                    errors = [(None, _("The row conflicts with a record already saved."))]
            if errors:
                report.errors.extend(RowError(line, column, message) for column, message in errors)
            else:
                report.rows_ok += 1
        if dry_run or report.errors:
            transaction.set_rollback(True)
        else:
            audit_record(
                actor=by,
                action=AuditAction.CREATED,
                organisation=organisation,
                target_label=f"import: {kind}",
                detail={"import": kind, "rows": report.rows_ok},
            )
    return report


def report_lines(report: ImportReport) -> Iterator[str]:
    """The report's errors as text lines, "line: column: message", for the command line."""
    for error in report.errors:
        where = _("file") if error.line is None else _("line %(line)s") % {"line": error.line}
        yield f"{where}: {error.column}: {error.message}" if error.column else f"{where}: {error.message}"
