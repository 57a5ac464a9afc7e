"""Charts of the statistics as server-rendered SVG: no JavaScript, no external service, the same markup on the
page and in the PDF.

Every chart is an `<svg role="img">` with a `<title>` and an `aria-label`, a fixed `viewBox` and
`width="100%"`, so it scales down to a 360-px phone; colours come from one small palette and all styling is
by SVG presentation attributes (the Content-Security-Policy forbids inline styles). Every piece of text goes
through `format_html`, so a label holding "<" or "&" is escaped. A value that may not be shown (a count
suppressed as "<5", an average hidden as a dash, nothing to average) is passed as None: it draws no bar and
no point, and its label is a dash; the chart never prints a number the table does not.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

# Okabe-Ito: distinguishable with the common colour-vision deficiencies, and in greyscale print.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#333333")
INK = "#1d2433"
MUTED = "#5b6475"
GRID = "#d8dce4"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
DASH = "\N{EN DASH}"

_PAD = 8
_TITLE_SIZE = 15
_TEXT_SIZE = 12
_CHAR_WIDTH = 0.58  # an average glyph is about this many font sizes wide; enough to lay out labels
_MIN_WIDTH = 240

Number = float | int
Series = Sequence[tuple[str, Sequence[Number | None]]]


# --- Helpers --------------------------------------------------------------------------------------------


def _number(value) -> Number | None:
    """The value as a number to draw, or None for anything that is not one ("<5", a dash, None, a bool)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _format(value: Number | None) -> str:
    """A value as the page prints it, in the active language's number format; a dash for None."""
    if value is None:
        return DASH
    if isinstance(value, float) and not value.is_integer():
        return number_format(round(value, 1), decimal_pos=1)
    return number_format(int(value))


def _fit(text: str, width: float, size: int = _TEXT_SIZE) -> str:
    """Shorten `text` with an ellipsis so that it fits in about `width` pixels."""
    chars = max(int(width / (size * _CHAR_WIDTH)), 2)
    return text if len(text) <= chars else text[: chars - 1].rstrip() + "\N{HORIZONTAL ELLIPSIS}"


def _text_width(text: str, size: int = _TEXT_SIZE) -> float:
    return len(text) * size * _CHAR_WIDTH


def _join(parts: Iterable[SafeString]) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))


def _svg(*, title: str, width: int, height: int, body: Iterable[SafeString], kind: str) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart chart--{}" role="img" aria-label="{}" '
        'viewBox="0 0 {} {}" width="100%" preserveAspectRatio="xMinYMin meet" font-family="{}" '
        'font-size="{}" fill="{}"><title>{}</title>{}</svg>',
        kind,
        title,
        width,
        height,
        FONT,
        _TEXT_SIZE,
        INK,
        title,
        _join(body),
    )


def _title(title: str, width: int) -> SafeString:
    return format_html(
        '<text x="{}" y="{}" font-size="{}" font-weight="700">{}</text>',
        _PAD,
        _PAD + _TITLE_SIZE,
        _TITLE_SIZE,
        _fit(title, width - 2 * _PAD, _TITLE_SIZE),
    )


def _legend(names: Sequence[str], *, width: int, top: int) -> tuple[list[SafeString], int]:
    """Lay the series names out in rows of coloured keys; return the elements and the y below them."""
    parts: list[SafeString] = []
    x, y, line = _PAD, top, _TEXT_SIZE + 8
    for index, name in enumerate(names):
        label = _fit(name, width - 2 * _PAD - 18)
        item_width = 18 + _text_width(label) + 16
        if x > _PAD and x + item_width > width - _PAD:
            x, y = _PAD, y + line
        parts.append(
            format_html(
                '<g class="chart__key"><rect x="{}" y="{}" width="12" height="12" rx="2" fill="{}"/>'
                '<text x="{}" y="{}">{}</text></g>',
                x,
                y,
                PALETTE[index % len(PALETTE)],
                x + 18,
                y + 11,
                label,
            )
        )
        x += round(item_width)
    return parts, y + line + 4


def _no_data(*, title: str, width: int, height: int, kind: str) -> SafeString:
    width = max(int(width), _MIN_WIDTH)
    body = [
        _title(title, width),
        format_html(
            '<text class="chart__empty" x="{}" y="{}" text-anchor="middle" fill="{}">{}</text>',
            width // 2,
            (height + _TITLE_SIZE) // 2,
            MUTED,
            _("No data for this period"),
        ),
    ]
    return _svg(title=title, width=width, height=height, body=body, kind=kind)


def _clean(labels: Sequence[str], series: Series) -> tuple[list[str], list[tuple[str, list[Number | None]]]]:
    """Labels and series as strings and numbers, each series cut or padded (with None) to the labels."""
    labels = [str(label) for label in labels]
    cleaned = []
    for name, values in series:
        numbers = [_number(value) for value in list(values)[: len(labels)]]
        numbers += [None] * (len(labels) - len(numbers))
        cleaned.append((str(name), numbers))
    return labels, cleaned


# --- Bar chart ------------------------------------------------------------------------------------------


def bar_chart_svg(
    *,
    title: str,
    labels: list[str],
    series: list[tuple[str, list[float | int | None]]],
    width: int = 640,
    bar_height: int = 18,
) -> SafeString:
    """Draw horizontal grouped bars: one group per label, one bar per series, each bar's value beside it.

    A None value draws no bar and is labelled with a dash. No labels or no series give a "no data" chart.
    """
    title = str(title)
    labels, series = _clean(labels, series)
    if not labels or not series:
        return _no_data(title=title, width=width, height=120, kind="bar")
    width = max(int(width), _MIN_WIDTH)
    bar_height = max(int(bar_height), 6)

    legend, top = _legend([name for name, _values in series], width=width, top=_PAD + _TITLE_SIZE + 12)
    label_width = round(width * 0.34)
    value_width = 52
    x0 = _PAD + label_width + 6
    bar_space = max(width - x0 - value_width - _PAD, 20)
    largest = max((value for _name, values in series for value in values if value is not None), default=0)
    scale = bar_space / largest if largest > 0 else 0

    gap, group_gap = 2, 12
    group_height = len(series) * bar_height + (len(series) - 1) * gap
    body = [_title(title, width), *legend]
    y = top
    for index, label in enumerate(labels):
        bars = []
        for number, (name, values) in enumerate(series):
            value = values[index]
            bar_y = y + number * (bar_height + gap)
            length = 0.0
            if value is not None and value > 0:
                length = max(round(value * scale, 1), 1.0)
                bars.append(
                    format_html(
                        '<rect class="chart__bar" x="{}" y="{}" width="{}" height="{}" fill="{}">'
                        "<title>{}: {}</title></rect>",
                        x0,
                        bar_y,
                        length,
                        bar_height,
                        PALETTE[number % len(PALETTE)],
                        name,
                        _format(value),
                    )
                )
            bars.append(
                format_html(
                    '<text class="chart__value" x="{}" y="{}" font-size="{}">{}</text>',
                    round(x0 + length + 4, 1),
                    bar_y + bar_height / 2 + 4,
                    min(_TEXT_SIZE, bar_height),
                    _format(value),
                )
            )
        body.append(
            format_html(
                '<g class="chart__group"><title>{}</title>'
                '<text class="chart__label" x="{}" y="{}" text-anchor="end">{}</text>{}</g>',
                label,
                _PAD + label_width,
                y + group_height / 2 + 4,
                _fit(label, label_width),
                _join(bars),
            )
        )
        y += group_height + group_gap
    body.append(
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>',
            x0,
            top - 4,
            x0,
            y - group_gap + 4,
            MUTED,
        )
    )
    height = y - group_gap + _PAD + 4
    return _svg(title=title, width=width, height=height, body=body, kind="bar")


# --- Line chart -----------------------------------------------------------------------------------------


def _ticks(largest: Number) -> list[Number]:
    """Round tick values from 0 up to at least `largest`, about five of them."""
    if largest <= 0:
        return [0, 1]
    raw = largest / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if step >= 1:
        step = math.ceil(step)
    count = math.ceil(largest / step)
    return [round(step * i, 6) for i in range(count + 1)]


def line_chart_svg(
    *,
    title: str,
    labels: list[str],
    series: list[tuple[str, list[float | int | None]]],
    width: int = 640,
    height: int = 220,
) -> SafeString:
    """Draw one line per series over the labels (e.g. quarters), with value ticks, label ticks and a legend.

    A None value leaves a gap in its line. No labels or no series give a "no data" chart.
    """
    title = str(title)
    labels, series = _clean(labels, series)
    if not labels or not series:
        return _no_data(title=title, width=width, height=max(int(height), 120), kind="line")
    width = max(int(width), _MIN_WIDTH)
    height = max(int(height), 160)

    legend, top = _legend([name for name, _values in series], width=width, top=_PAD + _TITLE_SIZE + 12)
    largest = max((value for _name, values in series for value in values if value is not None), default=0)
    ticks = _ticks(largest)
    tick_labels = [_format(tick) for tick in ticks]
    left = _PAD + max(_text_width(text) for text in tick_labels) + 8
    right = width - _PAD - 6
    bottom = height - _PAD - _TEXT_SIZE - 8
    if bottom - top < 60:  # a tall legend: grow the chart rather than squash the plot
        height += 60 - (bottom - top)
        bottom = top + 60
    y_scale = (bottom - top) / ticks[-1]
    # Inset the first and the last point by half a label, so that every label is centred on its point.
    widest = max(_text_width(label) for label in labels) + 6
    inset = min(widest / 2, (right - left) / 4)

    def x_of(index: int) -> float:
        if len(labels) == 1:
            return round((left + right) / 2, 1)
        return round(left + inset + index * (right - left - 2 * inset) / (len(labels) - 1), 1)

    def y_of(value: Number) -> float:
        return round(bottom - max(value, 0) * y_scale, 1)

    body = [_title(title, width), *legend]
    for tick, text in zip(ticks, tick_labels, strict=True):
        body.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>'
                '<text class="chart__tick" x="{}" y="{}" text-anchor="end" fill="{}">{}</text>',
                left,
                y_of(tick),
                right,
                y_of(tick),
                GRID,
                left - 6,
                y_of(tick) + 4,
                MUTED,
                text,
            )
        )
    # Label every quarter when they fit, else every second, third ... counted back from the last, which is
    # always labelled (it is the period shown).
    slot = (right - left - 2 * inset) / max(len(labels) - 1, 1)
    every = 1 if len(labels) == 1 else max(math.ceil(widest / slot), 1)
    last = len(labels) - 1
    for index, label in enumerate(labels):
        if (last - index) % every:
            continue
        anchor = "middle"
        body.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>'
                '<text class="chart__tick" x="{}" y="{}" text-anchor="{}" fill="{}">{}</text>',
                x_of(index),
                bottom,
                x_of(index),
                bottom + 4,
                MUTED,
                x_of(index),
                bottom + _TEXT_SIZE + 6,
                anchor,
                MUTED,
                _fit(label, max(slot * every - 4, 40)),
            )
        )
    for number, (name, values) in enumerate(series):
        colour = PALETTE[number % len(PALETTE)]
        runs: list[list[tuple[float, float]]] = [[]]
        points = []
        for index, value in enumerate(values):
            if value is None:
                runs.append([])
                continue
            x, y = x_of(index), y_of(value)
            runs[-1].append((x, y))
            points.append(
                format_html(
                    '<circle class="chart__point" cx="{}" cy="{}" r="3.5" fill="{}">'
                    "<title>{} {}: {}</title></circle>",
                    x,
                    y,
                    colour,
                    name,
                    labels[index],
                    _format(value),
                )
            )
        lines = [
            format_html(
                '<polyline class="chart__line" points="{}" fill="none" stroke="{}" stroke-width="2.5" '
                'stroke-linejoin="round"/>',
                " ".join(f"{x},{y}" for x, y in run),
                colour,
            )
            for run in runs
            if len(run) > 1
        ]
        body.append(format_html('<g class="chart__series">{}{}</g>', _join(lines), _join(points)))
    body.append(
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>',
            left,
            bottom,
            right,
            bottom,
            MUTED,
        )
    )
    return _svg(title=title, width=width, height=height, body=body, kind="line")


# --- From a published table -----------------------------------------------------------------------------


def chart_values(published_table, column: str) -> tuple[list[str], list[float | None]]:
    """Return the row labels and the values of one column of a published table (a `SuppressedTable`, or a
    plain `Table`), with None for a value that is not a number ("<5", a dash, nothing to average)."""
    table = getattr(published_table, "table", published_table)
    labels = [str(row.label) for row in table.rows]
    values = [_number(row.cells.get(column)) for row in table.rows]
    return labels, values
