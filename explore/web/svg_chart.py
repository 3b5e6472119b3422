"""Allocated vs paid per year as a small bar chart drawn on the server (inline SVG, no script).

``templates/public/_charts.html`` (``svg_money_chart``) writes it. Horizontal positions are
percentages of the chart's width and vertical ones pixels, so the bars stretch with the page (a
375 px phone or a wide screen) while the text keeps its size. The figures reach the reader three
ways: the bars' titles, the chart's description (every year's amounts as text) and the table
next to the chart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask_babel import gettext as _

from core.money import whole_tenge
from core.web.i18n import money, number

# Okabe-Ito blue and vermillion: told apart with any colour vision, each above 3:1 against white
# (5.3:1 and 3.8:1), the contrast WCAG asks of graphics.
CHART_COLOURS = {"allocated": "#0072b2", "paid": "#d55e00"}
SERIES = ("allocated", "paid")

HEIGHT = 220  # px, the whole chart
PLOT_TOP, PLOT_BOTTOM = 30, 186  # px: the unit above the axis, the years below it
LEFT, RIGHT = 13.0, 99.0  # % of the width: room for the axis labels, a hair of margin
BAR_GAP = 1.0  # % between the two bars of a year
MAX_BAR = 9.0  # % of the width: one or two years do not make slabs


@dataclass(frozen=True)
class Bar:
    series: str
    x: float  # % of the width
    width: float  # %
    y: float  # px
    height: float  # px
    colour: str
    title: str  # "2025 · Allocated: 125 000 000 ₸"


@dataclass(frozen=True)
class Year:
    label: str
    centre: float  # %
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Tick:
    y: float  # px
    label: str


@dataclass(frozen=True)
class Legend:
    key: str
    label: str
    colour: str


@dataclass(frozen=True)
class SvgChart:
    height: int
    left: float
    right: float
    plot_top: int
    plot_bottom: int
    unit: str  # "Million KZT": what the axis numbers count
    ticks: tuple[Tick, ...]
    years: tuple[Year, ...]
    legend: tuple[Legend, ...]
    description: str  # every year's figures as text


def axis_scale(largest_tenge: int) -> tuple[int, str]:
    """The unit of a chart's value axis: plain, thousand, million or billion tenge.

    Decided here rather than by a browser's compact number format, which has no Kazakh data in
    Chromium (it writes '5G' for 5 billion).
    """
    for scale, label in ((10**9, _("Billion KZT")), (10**6, _("Million KZT")), (10**3, _("Thousand KZT"))):
        if largest_tenge >= scale:
            return scale, label
    return 1, _("KZT")


def nice_step(largest: float, ticks: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about ``ticks`` steps to ``largest``."""
    if largest <= 0:
        return 1.0
    raw = largest / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def money_svg_chart(year_rows: list[dict]) -> SvgChart:
    """The chart of ``year_rows`` (oldest first, with ``fiscal_year``, ``allocated_tiyn``, ``paid_tiyn``)."""
    labels = {"allocated": _("Allocated"), "paid": _("Paid")}
    tenge = {key: [whole_tenge(row[f"{key}_tiyn"] or 0) for row in year_rows] for key in SERIES}
    scale, unit = axis_scale(max((v for values in tenge.values() for v in values), default=0))
    step = nice_step(max((v for values in tenge.values() for v in values), default=0) / scale)
    top = step * max(1, math.ceil(max((v for values in tenge.values() for v in values), default=0) / scale / step))
    span = PLOT_BOTTOM - PLOT_TOP

    def y_of(value_in_units: float) -> float:
        return round(PLOT_BOTTOM - span * value_in_units / top, 1)

    ticks = tuple(Tick(y_of(i * step), number(_rounded(i * step)))
                  for i in range(int(round(top / step)) + 1))
    group = (RIGHT - LEFT) / max(1, len(year_rows))
    bar = min(MAX_BAR, (group - 3 * BAR_GAP) / 2)
    years = []
    for index, row in enumerate(year_rows):
        centre = LEFT + group * (index + 0.5)
        bars = []
        for position, key in enumerate(SERIES):
            value = tenge[key][index]
            y = y_of(value / scale)
            x = centre - BAR_GAP / 2 - bar if position == 0 else centre + BAR_GAP / 2
            bars.append(Bar(key, round(x, 2), round(bar, 2), y, round(PLOT_BOTTOM - y, 1), CHART_COLOURS[key],
                            f"{row['fiscal_year']} · {labels[key]}: {money(row[f'{key}_tiyn'])}"))
        years.append(Year(str(row["fiscal_year"]), round(centre, 2), tuple(bars)))
    description = " ".join(
        _("%(year)s: allocated %(allocated)s, paid %(paid)s.", year=row["fiscal_year"],
          allocated=money(row["allocated_tiyn"]), paid=money(row["paid_tiyn"]))
        for row in reversed(year_rows))
    return SvgChart(HEIGHT, LEFT, RIGHT, PLOT_TOP, PLOT_BOTTOM, unit, ticks, tuple(years),
                    tuple(Legend(key, labels[key], CHART_COLOURS[key]) for key in SERIES), description)


def _rounded(value: float) -> float | int:
    """2.5 stays 2.5, 100.0 becomes 100 (no '100,0' on the axis)."""
    return int(value) if float(value).is_integer() else round(value, 3)
