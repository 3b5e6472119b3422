"""A deterministic national budget table for the benchmarks: 50,000 facilities, 500,000 lines.

The benchmarks need a table as large as all of Kazakhstan would publish, in the format an
official uploads (``budget.format``: every column, names in three languages, valid BINs,
dates, procurement links), placed inside the 224 real districts. It is generated with numpy
(vectorised, about half a minute for the full set) from a fixed seed: same seed and sizes,
same bytes. Everything in it is invented; nothing is ever committed (``bench/out/``).

Shape: every facility has at least one line; the lines are (facility, fiscal year, work type)
slots drawn without replacement with work-type weights, so the line key is unique and each
facility has about ``lines / facilities`` lines spread over ``FISCAL_YEARS``. Rows are sorted by
facility, year and work type, so the first N rows (the subsets) hold whole facilities but the
last one.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from bench import national
from budget.format import COLUMNS
from core.identifiers import bin_check_digit
from core.vocabulary import WORK_TYPES
from geo.assign import assign_districts

SEED = 20260701
GENERATOR_VERSION = 1  # bump when the output changes, so cached files are rebuilt
FISCAL_YEARS = tuple(range(2017, 2027))  # ten years, the last one under way
REFERENCE_DATE = np.datetime64("2026-07-01")
FULL = {"facilities": 50_000, "lines": 500_000}
SUBSETS = (5_000, 50_000)
MIN_PER_DISTRICT = 20

TYPE_WEIGHTS = {"school": 200, "kindergarten": 120, "college": 22, "clinic": 60, "hospital": 25,
                "sports": 38, "culture": 45, "social_care": 24, "water_supply": 42, "other": 24}
TYPE_PREFIX = {"school": "SCH", "kindergarten": "KIN", "college": "COL", "clinic": "CLI",
               "hospital": "HOS", "sports": "SPO", "culture": "CUL", "social_care": "SOC",
               "water_supply": "WAT", "other": "OTH"}
NAMES = {  # (kk, ru, en); {n} the facility's number, {s} the district
    "school": ("№{n} жалпы білім беретін мектеп ({s})", "Общеобразовательная школа №{n} ({s})",
               "General school No. {n} ({s})"),
    "kindergarten": ("№{n} балабақша ({s})", "Детский сад №{n} ({s})", "Kindergarten No. {n} ({s})"),
    "college": ("№{n} колледж ({s})", "Колледж №{n} ({s})", "College No. {n} ({s})"),
    "clinic": ("№{n} емхана ({s})", "Поликлиника №{n} ({s})", "Polyclinic No. {n} ({s})"),
    "hospital": ("№{n} аурухана ({s})", "Больница №{n} ({s})", "Hospital No. {n} ({s})"),
    "sports": ("№{n} спорт кешені ({s})", "Спортивный комплекс №{n} ({s})", "Sports complex No. {n} ({s})"),
    "culture": ("№{n} мәдениет үйі ({s})", "Дом культуры №{n} ({s})", "House of culture No. {n} ({s})"),
    "social_care": ("№{n} әлеуметтік орталық ({s})", "Социальный центр №{n} ({s})",
                    "Social centre No. {n} ({s})"),
    "water_supply": ("№{n} сумен жабдықтау жүйесі ({s})", "Система водоснабжения №{n} ({s})",
                     "Water supply system No. {n} ({s})"),
    "other": ("№{n} кітапхана ({s})", "Библиотека №{n} ({s})", "Library No. {n} ({s})"),
}
CAPACITY = {"school": ("places", 80, 1500, 20), "kindergarten": ("places", 50, 320, 10),
            "college": ("places", 300, 1200, 50), "clinic": ("visits per shift", 25, 750, 25),
            "hospital": ("beds", 25, 400, 5), "sports": ("visits per shift", 60, 300, 10),
            "culture": ("seats", 100, 600, 10), "social_care": ("places", 30, 150, 5)}
AREA_PER_UNIT = {"school": 10, "kindergarten": 10, "college": 11, "clinic": 9, "hospital": 75,
                 "sports": 15, "culture": 5, "social_care": 25}
STREETS = ("Абай", "Төле би", "Қазыбек би", "Әйтеке би", "Жамбыл", "Абылай хан", "Наурыз",
           "Бейбітшілік", "Достық", "Жібек жолы", "Мұхтар Әуезов", "Сәтбаев", "Желтоқсан",
           "Тәуелсіздік", "Байтұрсынұлы", "Амангелді", "Бірлік", "Жастар")

WORK_WEIGHTS = {"construction": 3, "capital_repair": 20, "current_repair": 30, "maintenance": 35,
                "equipment": 12}
AMOUNT_RANGE = {"construction": (1.5e9, 9e9), "capital_repair": (40e6, 600e6),
                "current_repair": (3e6, 60e6), "maintenance": (1e6, 25e6), "equipment": (5e6, 150e6)}
FUNDING = ("republican", "oblast", "district", "other")
FUNDING_WEIGHTS = {"construction": (6, 3, 1, 0), "capital_repair": (1, 6, 4, 0),
                   "current_repair": (0, 3, 7, 0), "maintenance": (0, 1, 8, 1),
                   "equipment": (2, 5, 3, 1)}
PROGRAMME = {"republican": "261-028-011", "oblast": "261-015-000", "district": "464-003-000", "other": ""}
DURATION_DAYS = {"construction": (300, 720), "capital_repair": (90, 240), "current_repair": (30, 100),
                 "maintenance": (330, 350), "equipment": (20, 90)}
METHOD = {"construction": "ОК", "capital_repair": "ОК", "current_repair": "ЗЦП", "maintenance": "ЗЦП",
          "equipment": "ЭА"}
DESCRIPTIONS = {
    "construction": ("Жаңа ғимарат салу", "Строительство нового здания"),
    "capital_repair": ("Ғимаратты күрделі жөндеу", "Капитальный ремонт здания", "Замена кровли"),
    "current_repair": ("Үй-жайларды ағымдағы жөндеу", "Текущий ремонт помещений", "Ремонт санузлов"),
    "maintenance": ("Ғимаратты күтіп ұстау", "Содержание здания", "Подготовка к отопительному сезону"),
    "equipment": ("Жабдық сатып алу", "Приобретение оборудования", "Приобретение мебели"),
}
CONTRACTOR_WORDS = (("Оңтүстік", "Солтүстік", "Алтын", "Береке", "Достық", "Нұр", "Сапа", "Тұран",
                     "Дала", "Асыл", "Жол", "Ақ", "Көк", "Жібек", "Қазақ", "Астана", "Сарыарқа",
                     "Жетісу", "Ертіс", "Каспий"),
                    ("Құрылыс", "Строй", "Монтаж", "Инвест", "Сервис", "Инжиниринг", "Жөндеу",
                     "Техника", "Снаб", "Групп", "Холдинг", "Трейд", "Су", "Energy", "Build", "Project"))
STATUS_WITH_CONTRACT = ("completed", "in_progress", "suspended")


@dataclass(frozen=True)
class Sizes:
    facilities: int
    lines: int

    @property
    def name(self) -> str:
        return f"national_{self.facilities}f_{self.lines}l_s{SEED}_v{GENERATOR_VERSION}"


# ------------------------------------------------------------------ facilities


def district_counts(population: dict[str, int], total: int, minimum: int = MIN_PER_DISTRICT) -> dict[str, int]:
    """``minimum`` facilities per district, the rest by population (largest remainder)."""
    katos = sorted(population)
    minimum = min(minimum, total // len(katos))
    spare = total - minimum * len(katos)
    people = sum(population.values())
    quotas = {k: spare * population[k] / people for k in katos}
    counts = {k: minimum + int(q) for k, q in quotas.items()}
    for kato in sorted(katos, key=lambda k: (-(quotas[k] % 1), k))[:total - sum(counts.values())]:
        counts[kato] += 1
    return counts


def _points_in(rng: np.random.Generator, polygon, count: int) -> tuple[np.ndarray, np.ndarray]:
    """``count`` points inside ``polygon`` (rounded to 6 decimals, as written), by rejection."""
    minx, miny, maxx, maxy = polygon.bounds
    shapely.prepare(polygon)
    fill = max(polygon.area / ((maxx - minx) * (maxy - miny)), 0.05)
    lons, lats = [], []
    need = count
    while need > 0:
        batch = int(need / fill * 1.3) + 16
        lon = np.round(rng.uniform(minx, maxx, batch), 6)
        lat = np.round(rng.uniform(miny, maxy, batch), 6)
        inside = shapely.contains_xy(polygon, lon, lat)
        lons.append(lon[inside][:need])
        lats.append(lat[inside][:need])
        need -= len(lons[-1])
    return np.concatenate(lats), np.concatenate(lons)


def facilities(count: int, seed: int = SEED, geography_dir: Path | None = None) -> pd.DataFrame:
    """``count`` facilities spread over the districts by population, each inside its district."""
    from geo.boundaries import load_geography

    geography = load_geography(geography_dir or national.write_geography())
    districts = geography.districts
    counts = district_counts(geography.population, count)
    rng = np.random.default_rng([seed, 1])
    katos = np.repeat(np.array(sorted(counts)), [counts[k] for k in sorted(counts)])
    lat, lon = np.empty(count), np.empty(count)
    start = 0
    for kato in sorted(counts):
        n = counts[kato]
        lat[start:start + n], lon[start:start + n] = _points_in(rng, districts.geometry[kato], n)
        start += n
    # The app's own placement must agree (a point on a shared border would be in two districts).
    for _ in range(20):
        placed = assign_districts(lat, lon, districts)
        wrong = ((placed["kato"].to_numpy() != katos) | placed["in_overlap"].to_numpy()).nonzero()[0]
        if not len(wrong):
            break
        for i in wrong:
            lat[i:i + 1], lon[i:i + 1] = _points_in(rng, districts.geometry[katos[i]], 1)
    else:  # pragma: no cover - the polygons would have to overlap almost everywhere
        raise RuntimeError("could not place every facility inside its district")

    type_keys = list(TYPE_WEIGHTS)
    weights = np.array([TYPE_WEIGHTS[t] for t in type_keys], dtype=float)
    types = np.array(type_keys)[rng.choice(len(type_keys), size=count, p=weights / weights.sum())]
    frame = pd.DataFrame({"district_kato": katos, "facility_type": types, "lat": lat, "lon": lon})
    frame["number"] = frame.groupby(["district_kato", "facility_type"]).cumcount() + 1
    serial = frame.groupby("facility_type").cumcount() + 1
    frame["facility_id"] = [f"KZ-{TYPE_PREFIX[t]}-{s:06d}" for t, s in zip(types, serial)]
    names = districts[["name_kk", "name_ru", "name_en"]]
    for i, language in enumerate(("kk", "ru", "en")):
        place = names.loc[katos, f"name_{language}"].to_numpy()
        frame[f"facility_name_{language}"] = [NAMES[t][i].format(n=n, s=s) for t, n, s in
                                              zip(types, frame["number"], place)]
    streets = np.array(STREETS)[rng.integers(0, len(STREETS), count)]
    houses = rng.integers(1, 150, count)
    frame["address"] = [f"{s}, {st} көшесі, {h}" for s, st, h in
                        zip(names.loc[katos, "name_kk"].to_numpy(), streets, houses)]
    unit, capacity, area = [], [], []
    draws = rng.random(count)
    for t, u in zip(types, draws):
        if t in CAPACITY:
            label, low, high, step = CAPACITY[t]
            cap = int(low + (high - low) * u) // step * step or step
            unit.append(label)
            capacity.append(str(cap))
            area.append(f"{max(cap * AREA_PER_UNIT[t], 400):.1f}".removesuffix(".0"))
        else:
            unit.append("")
            capacity.append("")
            area.append(f"{400 + 1100 * u:.1f}".removesuffix(".0") if t == "other" else "")
    frame["capacity"], frame["capacity_unit"], frame["floor_area_m2"] = capacity, unit, area
    return frame.drop(columns="number")


# ------------------------------------------------------------------ budget lines


def _slots(rng: np.random.Generator, n_facilities: int, n_lines: int) -> np.ndarray:
    """Sorted slot numbers facility * S + year * W + work: one per facility, the rest weighted.

    Weighted sampling without replacement by the Gumbel top-k trick (keys log(w) + Gumbel).
    """
    per_year = len(WORK_TYPES)
    per_facility = len(FISCAL_YEARS) * per_year
    if not n_facilities <= n_lines <= n_facilities * per_facility:
        raise ValueError("need between one line per facility and every slot filled")
    work_log = np.log(np.array([WORK_WEIGHTS[w] for w in WORK_TYPES], dtype=float))
    keys = np.tile(np.tile(work_log, len(FISCAL_YEARS)), n_facilities) + rng.gumbel(size=n_facilities * per_facility)
    keys = keys.reshape(n_facilities, per_facility)
    first = keys.argmax(axis=1) + np.arange(n_facilities) * per_facility
    flat = keys.reshape(-1)
    flat[first] = np.inf
    rest = n_lines - n_facilities
    chosen = np.argpartition(-flat, n_facilities + rest - 1)[:n_facilities + rest] if rest else first
    return np.sort(chosen)


def _contractors(rng: np.random.Generator, count: int = 400) -> tuple[list[str], list[str]]:
    names, bins = [], []
    first, second = CONTRACTOR_WORDS
    seen = set()
    while len(names) < count:
        name = f"ТОО «{first[rng.integers(len(first))]} {second[rng.integers(len(second))]} {rng.integers(1, 100)}»"
        body = f"{rng.integers(0, 23):02d}{rng.integers(1, 13):02d}40{rng.integers(0, 100_000):05d}"
        check = bin_check_digit(body)
        if name in seen or check is None:
            continue
        seen.add(name)
        names.append(name)
        bins.append(body + str(check))
    return names, bins


def _money(values: np.ndarray) -> np.ndarray:
    """Tiyn as text in tenge: '125000000' or '118400000.5' (no trailing zeros)."""
    whole, cents = np.divmod(values.astype(np.int64), 100)
    text = whole.astype(str).astype(object)
    has_cents = cents != 0
    text[has_cents] = [f"{w}.{c:02d}".rstrip("0") for w, c in zip(whole[has_cents], cents[has_cents])]
    return text


def lines(facility_frame: pd.DataFrame, count: int, seed: int = SEED) -> pd.DataFrame:
    """``count`` budget lines of ``facility_frame``'s facilities, sorted by facility, year, work."""
    rng = np.random.default_rng([seed, 2])
    n_fac = len(facility_frame)
    slots = _slots(rng, n_fac, count)
    per_year = len(WORK_TYPES)
    fac, rest = np.divmod(slots, len(FISCAL_YEARS) * per_year)
    year_idx, work_idx = np.divmod(rest, per_year)
    years = np.array(FISCAL_YEARS)[year_idx]
    works = np.array(WORK_TYPES)[work_idx]
    n = len(slots)

    funding = np.empty(n, dtype=object)
    low, high = np.empty(n), np.empty(n)
    dur_low, dur_high = np.empty(n), np.empty(n)
    for w in WORK_TYPES:
        mask = works == w
        p = np.array(FUNDING_WEIGHTS[w], dtype=float)
        funding[mask] = np.array(FUNDING)[rng.choice(len(FUNDING), size=mask.sum(), p=p / p.sum())]
        low[mask], high[mask] = AMOUNT_RANGE[w]
        dur_low[mask], dur_high[mask] = DURATION_DAYS[w]
    allocated = np.round(low * (high / low) ** rng.random(n), -3) * 100  # tiyn, whole thousands
    starts = (years - 1970).astype("datetime64[Y]").astype("datetime64[D]") + rng.integers(10, 200, n)
    maintenance = works == "maintenance"
    starts[maintenance] = (years[maintenance] - 1970).astype("datetime64[Y]").astype("datetime64[D]") + rng.integers(9, 30, maintenance.sum())
    ends = starts + rng.integers(dur_low, dur_high + 1).astype("timedelta64[D]")

    status = np.where(ends < REFERENCE_DATE, "completed",
                      np.where(starts <= REFERENCE_DATE, "in_progress", "planned")).astype(object)
    draw = rng.random(n)
    status[(status == "completed") & (draw < 0.03)] = "cancelled"
    status[(status == "in_progress") & (draw < 0.03)] = "suspended"
    status[(status == "planned") & (starts - REFERENCE_DATE < np.timedelta64(90, "D")) & (draw < 0.7)] = "tendering"
    elapsed = (REFERENCE_DATE - starts).astype(float) / np.maximum((ends - starts).astype(float), 1)
    progress = np.select([status == "completed", np.isin(status, ("in_progress", "suspended"))],
                         [100, np.clip(np.round(elapsed * 100), 5, 95)], 0).astype(int)

    contracted = np.where(np.isin(status, STATUS_WITH_CONTRACT),
                          allocated * rng.uniform(0.85, 1.0, n), np.nan)
    to_tiyn = rng.random(n) < 0.2
    contracted = np.where(to_tiyn, np.round(contracted), np.round(contracted, -2))
    paid_share = np.where(status == "completed", np.where(rng.random(n) < 0.5, 1.0, rng.uniform(0.95, 1.0, n)),
                          progress / 100 * rng.uniform(0.5, 1.0, n))
    paid = np.where(np.isnan(contracted), np.where(status == "tendering", 0, np.nan),
                    np.round(contracted * paid_share, -2))

    names, bins = _contractors(rng)
    pick = rng.integers(0, len(names), n)
    has_contract = np.isin(status, STATUS_WITH_CONTRACT)
    contractor = np.where(has_contract, np.array(names, dtype=object)[pick], "")
    contractor_bin = np.where(has_contract, np.array(bins, dtype=object)[pick], "")
    tendered = status != "planned"
    method = np.array([METHOD[w] for w in WORK_TYPES], dtype=object)[work_idx]
    serials = rng.integers(1, 10_000_000, n)
    lots = rng.integers(1, 4, n)
    procurement = [f"{y % 100:02d}-{s:07d}-{m}{lot}" if t else ""
                   for y, s, m, lot, t in zip(years, serials, method, lots, tendered)]
    announce = rng.integers(9_000_000, 16_000_000, n)
    linked = tendered & (rng.random(n) < 0.7)
    source_url = [f"https://goszakup.gov.kz/ru/announce/index/{a}" if k else ""
                  for a, k in zip(announce, linked)]
    description_pick = rng.integers(0, 3, n)
    description = [DESCRIPTIONS[w][d % len(DESCRIPTIONS[w])] for w, d in zip(works, description_pick)]

    def money_or_blank(values):
        text = np.full(n, "", dtype=object)
        given = ~np.isnan(values)
        text[given] = _money(values[given])
        return text

    return pd.DataFrame({
        "fac": fac, "fiscal_year": years, "work_type": works,
        "budget_program_code": [PROGRAMME[f] for f in funding], "funding_source": funding,
        "amount_allocated": _money(allocated), "amount_contracted": money_or_blank(contracted),
        "amount_paid": money_or_blank(paid), "contractor_name": contractor, "contractor_bin": contractor_bin,
        "procurement_ref": procurement, "start_date": starts.astype(str), "end_date": ends.astype(str),
        "status": status, "physical_progress_pct": progress, "source_url": source_url,
        "description": description,
    })


def table(sizes: Sizes, seed: int = SEED, geography_dir: Path | None = None) -> pd.DataFrame:
    """The budget table as text cells, columns in the format's order."""
    facility_frame = facilities(sizes.facilities, seed, geography_dir)
    line_frame = lines(facility_frame, sizes.lines, seed)
    facility_frame = facility_frame.assign(lat=facility_frame["lat"].map("{:.6f}".format),
                                           lon=facility_frame["lon"].map("{:.6f}".format))
    joined = facility_frame.iloc[line_frame["fac"].to_numpy()].reset_index(drop=True)
    data = {}
    for column in COLUMNS:
        source = line_frame if column.name in line_frame.columns else joined
        data[column.name] = source[column.name].to_numpy()
    return pd.DataFrame(data)


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Comma-separated UTF-8 with a '.' decimal point, as the demo file (``\\n`` line ends)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(frame.columns)
        writer.writerows(zip(*(frame[c].to_numpy() for c in frame.columns)))
    partial.replace(path)
    return path


def ensure_files(out_dir: Path = national.OUT_DIR, sizes: Sizes = Sizes(**FULL),
                 subsets: tuple[int, ...] = SUBSETS, log=print) -> dict[int, Path]:
    """The full table and its first-N-row subsets as CSV files, generated when missing.

    Returns {line count: path}. Files carry the sizes, seed and generator version in their
    names, so a changed generator or size never reuses a stale file.
    """
    folder = out_dir / "data"
    paths = {sizes.lines: folder / f"{sizes.name}.csv"}
    paths.update({n: folder / f"{sizes.name}_first{n}.csv" for n in subsets if n < sizes.lines})
    if all(p.is_file() for p in paths.values()):
        return dict(sorted(paths.items()))
    started = dt.datetime.now()
    frame = table(sizes)
    for n, path in paths.items():
        write_csv(frame.iloc[:n] if n < len(frame) else frame, path)
    (folder / f"{sizes.name}.json").write_text(json.dumps({
        "seed": SEED, "generator_version": GENERATOR_VERSION, "facilities": sizes.facilities,
        "lines": sizes.lines, "fiscal_years": list(FISCAL_YEARS),
        "files": {str(n): p.name for n, p in paths.items()}}, indent=2), encoding="utf-8")
    log(f"  generated {sizes.facilities:,} facilities / {sizes.lines:,} lines in "
        f"{(dt.datetime.now() - started).total_seconds():.1f} s -> {folder}")
    return dict(sorted(paths.items()))


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facilities", type=int, default=FULL["facilities"])
    parser.add_argument("--lines", type=int, default=FULL["lines"])
    args = parser.parse_args()
    for n, p in ensure_files(sizes=Sizes(args.facilities, args.lines)).items():
        print(f"{n:>9,} lines  {p}  ({p.stat().st_size / 1e6:.1f} MB)")
