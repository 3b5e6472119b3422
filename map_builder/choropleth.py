"""Colour classes for the district choropleth: pure functions, no folium."""

from __future__ import annotations

from dataclasses import dataclass

# ColorBrewer YlOrRd, 5 classes (colour-blind safe, prints in grey scale).
PALETTE = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
NO_DATA_COLOUR = "#d9d9d9"


@dataclass(frozen=True)
class Bin:
    low: int
    high: int
    colour: str


def quantile_bins(values: list[int], classes: int = len(PALETTE)) -> list[Bin]:
    """Up to ``classes`` bins over the positive values, with bounds taken from the data.

    Integers in, integers out (money stays exact); equal bounds collapse into one bin, so a
    region where most districts got nothing still gets a readable legend.
    """
    positive = sorted(v for v in values if v > 0)
    if not positive:
        return []
    bounds = []
    for k in range(1, classes):
        bounds.append(positive[min(len(positive) - 1, (k * len(positive)) // classes)])
    edges = sorted(set([positive[0], *bounds, positive[-1]]))
    if len(edges) == 1:
        return [Bin(edges[0], edges[0], PALETTE[-1])]
    count = len(edges) - 1
    colours = PALETTE[len(PALETTE) - count:] if count < len(PALETTE) else PALETTE
    return [Bin(edges[i], edges[i + 1], colours[i]) for i in range(count)]


def colour_for(value: int, bins: list[Bin]) -> str:
    """The colour of the first bin whose upper bound is at least ``value``."""
    if value <= 0 or not bins:
        return NO_DATA_COLOUR
    for current in bins:
        if value <= current.high:
            return current.colour
    return bins[-1].colour


def choropleth(values: dict[str, int | None]) -> tuple[list[Bin], dict[str, str]]:
    """Bins over the values and the colour of every key (grey where zero or unknown)."""
    bins = quantile_bins([v for v in values.values() if v is not None])
    return bins, {key: colour_for(value or 0, bins) for key, value in values.items()}
