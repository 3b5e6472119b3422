"""Which district is each point in: one function, (lat, lon) in, KATO out.

The OpenStreetMap boundaries of Arys and Baidibek overlap by about 71 km². A point there lies
in both; the rule is that the **lowest KATO code wins** (Arys, 611600000, over Baidibek,
613600000). The rule is deterministic, needs no area computation, and the point is flagged so
the official sees a warning.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.coords import points_from_latlon


def assign_districts(lat, lon, districts: gpd.GeoDataFrame) -> pd.DataFrame:
    """Place points in districts (indexed by KATO).

    Returns a frame in the input order with ``kato`` (None when the point is in no district),
    ``in_overlap`` (True when more than one district contains it) and ``candidates`` (every
    containing KATO, sorted). Points on a shared border count as inside both and follow the
    same rule.
    """
    points = gpd.GeoDataFrame(geometry=points_from_latlon(lat, lon))
    result = pd.DataFrame({"kato": pd.Series([None] * len(points), dtype="object"),
                           "in_overlap": np.zeros(len(points), dtype=bool),
                           "candidates": pd.Series([()] * len(points), dtype="object")})
    if len(points) == 0:
        return result
    polygons = gpd.GeoDataFrame({"kato": districts.index.astype(str)},
                                geometry=districts.geometry.values, crs=districts.crs)
    hits = gpd.sjoin(points, polygons, how="inner", predicate="intersects")
    if hits.empty:
        return result
    hits = hits[["kato"]].reset_index(names="point").sort_values(["point", "kato"])
    winners = hits.drop_duplicates("point")
    result.loc[winners["point"].to_numpy(), "kato"] = winners["kato"].to_numpy()
    result["candidates"] = [(kato,) if kato is not None else () for kato in result["kato"]]
    counts = hits.groupby("point").size()
    overlapping = counts.index[counts > 1]
    if len(overlapping):  # rare: only these need the full list
        result.loc[overlapping, "in_overlap"] = True
        several = hits[hits["point"].isin(overlapping)].groupby("point")["kato"].agg(tuple)
        result.loc[several.index, "candidates"] = pd.Series(list(several), index=several.index, dtype=object)
    return result
