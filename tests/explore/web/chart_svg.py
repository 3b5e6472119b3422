"""Read the server-drawn chart (``templates/public/_charts.html``: ``svg_money_chart``) out of a page."""

import html as html_lib
import re


def svg_chart(page: str, chart_id: str) -> dict:
    """{title, desc, unit, ticks, years, bars: {(year, series): (title, height)}, legend} of the chart."""
    figure = page[page.index(f'<figure class="chart svg-chart" id="{chart_id}">'):]
    figure = figure[:figure.index("</figure>")]
    svg = figure[figure.index("<svg"):figure.index("</svg>")]

    def text(pattern: str, source: str = svg) -> list[str]:
        return [html_lib.unescape(m) for m in re.findall(pattern, source, re.S)]

    bars = {}
    for year, group in re.findall(r'<g class="chart-year" data-year="(\d+)">(.*?)</g>', svg, re.S):
        for series, height, title in re.findall(
                r'<rect class="bar bar-\w+" data-series="(\w+)".*?height="([\d.]+)".*?<title>(.*?)</title>', group, re.S):
            bars[(year, series)] = (html_lib.unescape(title), float(height))
    return {
        "svg": svg,
        "title": text(r'<title id="[\w-]+-title">(.*?)</title>')[0],
        "desc": text(r'<desc id="[\w-]+-desc">(.*?)</desc>')[0],
        "unit": text(r'<text class="chart-unit"[^>]*>(.*?)</text>')[0],
        "ticks": text(r'<text class="chart-tick"[^>]*>(.*?)</text>'),
        "years": re.findall(r'<g class="chart-year" data-year="(\d+)">', svg),
        "bars": bars,
        "legend": [label.strip() for label in text(r"<li><svg.*?</svg>(.*?)</li>", figure)],
    }
