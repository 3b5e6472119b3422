"""Where the demo data set lives, its seed and the date its statuses describe.

The data is as of ``REFERENCE_DATE`` (2026-07-01): statuses follow the work dates, so
2022-2024 is mostly completed, 2025 is mixed and 2026 is mostly planned, tendering or under
way. Works still open end in December 2026 or later.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

SEED = 20260701
DEMO_DIR = Path(__file__).resolve().parents[2] / "data" / "demo"
CSV_PATH = DEMO_DIR / "budget_demo.csv"
SETTLEMENTS_PATH = DEMO_DIR / "turkestan_populated_places_hotosm.geojson"
REFERENCE_DATE = dt.date(2026, 7, 1)
FISCAL_YEARS = (2022, 2023, 2024, 2025, 2026)
