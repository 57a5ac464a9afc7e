"""What the three PDF reports share: HTML to PDF with WeasyPrint, offline, and statistics tables as printed.

A report is a Django template under templates/reports/pdf/ rendered to an HTML string and laid out by
WeasyPrint with the one print stylesheet, static/reports/pdf.css (A4 portrait, running header, "Page X of Y",
tables that split across pages with their header row repeated; a statistics table with many columns on
landscape pages, and no table wider than its page: `boxes_off_page` checks the layout). Nothing is fetched
from the network: the URL fetcher serves data: URLs and files under the static folders only, and fonts come
from the system (fontconfig). The page furniture that has words in it (the running header, "Page X of Y",
"CONFIDENTIAL") is set from elements of the document (CSS `string-set`), so the stylesheet itself holds no
translatable text.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from weasyprint import CSS, HTML
from weasyprint.formatting_structure import boxes
from weasyprint.urls import URLFetcher

from cmm.input_rules import strip_excess_combining_marks
from reports.documents import RenderedReport
from reports.suppression import SuppressedTable

logger = logging.getLogger(__name__)

STYLESHEET = Path("reports") / "pdf.css"  # under a static folder
NO_VALUE = "\N{EM DASH}"  # printed for an average with nothing to average (null in the API)
# A statistics table with this many columns of figures (besides its row labels) is printed on a landscape
# page: eight columns of six-digit Danish numbers under long Danish headers do not fit the 178 mm of an A4
# portrait page (the meeting-place table lost its last columns there, issue 18).
LANDSCAPE_FROM_COLUMNS = 7


# --- Rendering ------------------------------------------------------------------------------------------


def _static_roots() -> list[Path]:
    return [Path(root).resolve() for root in [*settings.STATICFILES_DIRS, settings.STATIC_ROOT]]


class LocalOnlyFetcher(URLFetcher):
    """Fetch data: URLs and files under the static folders; refuse everything else (http, https, ftp, other
    files), so that a report never calls out to the network nor reads a file it has no business with."""

    def __init__(self, **kwargs):
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False, **kwargs)

    def fetch(self, url, headers=None):
        scheme = urlsplit(url).scheme.lower()
        if scheme == "file":
            path = Path(unquote(urlsplit(url).path)).resolve()
            if not any(path.is_relative_to(root) for root in _static_roots()):
                raise ValueError(f"Refused to read a file outside the static folders: {path.name}")
        elif scheme != "data":
            raise ValueError(f"Refused to fetch a {scheme or 'relative'} URL: reports are rendered offline.")
        return super().fetch(url, headers)


def stylesheet_path() -> Path:
    """The print stylesheet as a file (WeasyPrint reads it directly, not through a web server)."""
    for root in _static_roots():
        candidate = root / STYLESHEET
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(str(STYLESHEET))


def html_to_document(html: str):
    """Lay out an HTML document with the print stylesheet (offline) and return WeasyPrint's document."""
    fetcher = LocalOnlyFetcher()
    base_url = _static_roots()[0].as_uri() + "/"
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
        stylesheets=[CSS(filename=str(stylesheet_path()), url_fetcher=fetcher)]
    )


@dataclass(frozen=True)
class Overflow:
    """A page on which something reaches past the edges of the page's content area."""

    page: int  # from 1
    tag: str  # the HTML element of the outermost box that does
    by_mm: float  # how far past the edge, at most


PX_PER_MM = 96 / 25.4  # WeasyPrint lays out in CSS pixels
TOLERANCE_PX = 0.5


def _past(box, left: float, right: float) -> float:
    """How far a box reaches past the left or right edge given (negative when it keeps inside)."""
    start = box.border_box_x()
    return max(start + box.border_width() - right, left - start)


def _laid_out(box) -> bool:
    return isinstance(box, boxes.Box) and isinstance(box.width, int | float)


def boxes_off_page(document) -> list[Overflow]:
    """Find the pages of a laid-out document where something is cut off: a box wider than the page's content
    area (a table too wide for the page loses its last columns off the paper), or the content of a table
    cell running out of its cell (over the next column). One entry per such page, the worst one."""
    found = []
    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box
        left = page_box.content_box_x()
        right = left + page_box.width
        worst: tuple[float, str] | None = None

        def note(past: float, box) -> None:
            nonlocal worst
            if past > TOLERANCE_PX and (worst is None or past > worst[0] + TOLERANCE_PX):
                worst = (past, box.element_tag or type(box).__name__)

        for child in page_box.children:
            if isinstance(child, boxes.MarginBox):  # the running header and the page number
                continue
            for box in filter(_laid_out, child.descendants()):
                note(_past(box, left, right), box)
                if isinstance(box, boxes.TableCellBox):
                    cell_left = box.border_box_x()
                    cell_right = cell_left + box.border_width()
                    for inner in filter(_laid_out, box.descendants()):
                        note(_past(inner, cell_left, cell_right), box)
        if worst is not None:
            found.append(Overflow(page=number, tag=worst[1], by_mm=round(worst[0] / PX_PER_MM, 1)))
    return found


def html_to_pdf(html: str, *, on_progress: Callable[[int], None] | None = None) -> RenderedReport:
    """Lay out an HTML document with the print stylesheet and return the PDF and its number of pages.

    Relative URLs resolve against the first static folder; `on_progress(80)` is called after the layout,
    the slow part, before the PDF is written. Runs of combining marks longer than any writing needs (text
    stored before cmm.input_rules refused them) are cut, or a few thousand accents on one letter would be
    drawn over the rest of the page and off it. A page with something too wide for it is logged (the page
    and the element only, never text), so that a table that runs off the paper does not go unnoticed.
    """
    html = strip_excess_combining_marks(html)
    document = html_to_document(html)
    for overflow in boxes_off_page(document):
        logger.warning(
            "PDF report: a %s reaches %s mm past the content area on page %s",
            overflow.tag,
            overflow.by_mm,
            overflow.page,
        )
    if on_progress is not None:
        on_progress(80)
    pdf = document.write_pdf()
    return RenderedReport(pdf=pdf, pages=len(document.pages))


def render_document(
    template: str, context: dict, *, on_progress: Callable[[int], None] | None = None
) -> RenderedReport:
    """Render a report template (in the active language) and lay it out as a PDF."""
    html = render_to_string(template, {**furniture(), **context})
    if on_progress is not None:
        on_progress(50)
    return html_to_pdf(html, on_progress=on_progress)


def furniture() -> dict:
    """The words of the page footer ("Page X of Y" in the active language) split around the two numbers, so
    that the stylesheet can put CSS counters between them whatever the word order of the language; and the
    time of generation in Europe/Copenhagen."""
    marker = gettext("Page %(number)s of %(total)s") % {"number": "\x00", "total": "\x01"}
    before, rest = marker.split("\x00", 1)
    between, after = rest.split("\x01", 1)
    now = timezone.now().astimezone(ZoneInfo(settings.TIME_ZONE))
    return {
        "page_before": before,
        "page_between": between,
        "page_after": after,
        "generated_at": date_format(now, "DATETIME_FORMAT"),
    }


# --- Statistics tables as printed -----------------------------------------------------------------------


def cell_text(value) -> str:
    """A published cell as the PDF prints it: numbers in the active language's format (a decimal comma in
    Danish), "<5" and the dash of a hidden average as they are, a dash for nothing to average."""
    if value is None:
        return NO_VALUE
    if isinstance(value, bool):  # not expected in a table; never print True as 1
        return str(value)
    if isinstance(value, int | float):
        return number_format(value, use_l10n=True)
    return str(value)


@dataclass
class PrintedTable:
    """One published statistics table, ready for templates/reports/pdf/_table.html."""

    anchor: str
    number: int
    title: str
    columns: list[str]
    rows: list[tuple[str, list[str]]]
    totals: list[str]
    notes: list[str]
    chart: SafeString | None = None
    extra: dict = field(default_factory=dict)

    @property
    def heading(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def wide(self) -> bool:
        """Whether the table is printed on a landscape page of its own (see LANDSCAPE_FROM_COLUMNS)."""
        return len(self.columns) >= LANDSCAPE_FROM_COLUMNS

    @property
    def label_width(self) -> int:
        """The share of the page width (per cent) the row labels get; the columns of figures share the rest
        equally. Each figure column gets about 24 mm (six digits and a two-line header), never less than
        19 mm; the labels at least a quarter of the width."""
        column = 9 if self.wide else 14  # per cent of 265 mm (landscape) or 178 mm (portrait)
        return max(24, 100 - column * len(self.columns))


def printed_table(
    published: SuppressedTable, *, number: int, chart: SafeString | None = None
) -> PrintedTable:
    """Turn a published table (small counts already "<5" when suppressed) into the strings the PDF prints."""
    table = published.table
    keys = [key for key, _label in table.columns]
    return PrintedTable(
        anchor=f"table-{table.key}",
        number=number,
        title=str(table.title),
        columns=[str(label) for _key, label in table.columns],
        rows=[(str(row.label), [cell_text(row.cells.get(key)) for key in keys]) for row in table.rows],
        totals=[cell_text(table.totals.get(key)) for key in keys],
        notes=[str(note) for note in table.notes],
        chart=chart,
    )


@dataclass(frozen=True)
class Comparison:
    """One total of a table in this period and the one before, for the comparison section."""

    table: str
    column: str
    now: str
    before: str
    change: str


def _change(now, before) -> str:
    if isinstance(now, int) and isinstance(before, int) and not isinstance(now, bool):
        difference = now - before
        sign = "+" if difference > 0 else ""
        return f"{sign}{number_format(difference, use_l10n=True)}"
    return NO_VALUE


def comparisons(current: Iterable[SuppressedTable], previous: Iterable[SuppressedTable]) -> list[Comparison]:
    """Pair every total of each table of this period with the same total of the previous period (both as
    published); the change is only given when both are shown as exact counts."""
    before_by_key = {published.table.key: published.table for published in previous}
    rows = []
    for published in current:
        table = published.table
        before = before_by_key.get(table.key)
        for key, label in table.columns:
            now_value = table.totals.get(key)
            before_value = before.totals.get(key) if before is not None else None
            rows.append(
                Comparison(
                    table=str(table.title),
                    column=str(label),
                    now=cell_text(now_value),
                    before=cell_text(before_value),
                    change=_change(now_value, before_value),
                )
            )
    return rows


def day(value: datetime.date | None) -> str:
    """A date as the reports print it (e.g. "1. marts 2026" / "March 1, 2026"); a dash when there is none."""
    return date_format(value, "DATE_FORMAT") if value else NO_VALUE
