"""2. The map page at national scale, against a naive folium map of the same facilities.

The app: server time to produce the page (``/``) and the data it fetches
(``/map/facilities.json``, ``/map/summary.json``), cold (the per-process caches emptied, as after
a publication or a restart) and warm; the bytes sent, raw and gzip; and the time until the
facility layer is drawn in headless chromium, at 50,000 facilities and at 200,000, with an empty
map as the floor.

The baseline, same run, same facilities: one ``folium.Marker`` with a popup per facility inside
a ``MarkerCluster``, the way folium's documentation draws points; its build time (Python objects
and rendering the HTML) and its draw time. Its scripts are served locally like the app's: Leaflet
from ``static/vendor``, leaflet.markercluster 1.1.0 and jQuery 3.7.1 (folium's versions) from
``bench/node_modules``, installed by ``make bench`` from ``bench/package.json`` so the app's own
assets do not carry them. It takes about half a minute to build at 50,000, so it is built and
drawn fewer times than the app (``Settings.naive_*_runs``).
"""

from __future__ import annotations

import gzip
import re

from markupsafe import escape

from bench import browser
from bench.common import OUT_DIR, PROJECT_DIR, Report, bench_app, median, timed
from core import versions

SECTION = "2. Map page"
PAGES_DIR = OUT_DIR / "pages"
BENCH_VENDOR = PROJECT_DIR / "bench" / "node_modules"
MARKERCLUSTER = "leaflet.markercluster/dist"
JQUERY = "jquery/dist/jquery.min.js"
TARGET_GZIP_BYTES = 1_000_000
TARGET_DRAWN_S = 1.0
TARGET_DRAWN_LARGE_S = 2.0
TARGET_FASTER = 100
NO_MATCH = "zzzz-no-such-facility"
DATA_URLS = ("/map/facilities.json", "/map/summary.json")
LIVE_QUERY = "?type=school"  # a filter: its view is built from the facility rows when first asked for
HEADERS = {"Accept-Language": "en"}


def _get(client, url: str, gzip_ok: bool):
    headers = {**HEADERS, "Accept-Encoding": "gzip" if gzip_ok else "identity"}
    response = client.get(url, headers=headers)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return response


# What a new publication makes every worker build again: everything keyed by the data version.
# The map's page parts (districts, scripts) depend on the language only and stay.
KEPT_AFTER_PUBLICATION = ("map_fragments",)


def produce_once(app, cold: str | None, query: str = "") -> dict[str, float]:
    """Seconds to answer the page and its data requests, in the browser's order.

    ``cold``: "restart" empties every per-process cache (a worker's first request),
    "publication" those a new data version makes stale; None keeps them (warm). ``query``: the
    filter in the URL; none is the default view, which the publication stored.
    """
    caches = app.extensions.setdefault("caches", {})
    if cold == "restart":
        caches.clear()
    elif cold == "publication":
        for name in [n for n in caches if n not in KEPT_AFTER_PUBLICATION]:
            del caches[name]
    client = app.test_client()
    times = {}
    for url in ("/", *DATA_URLS):
        times[url], _ = timed(lambda: _get(client, url + query, gzip_ok=True))
    return times


def sizes(app) -> dict[str, tuple[int, int]]:
    """(raw, gzip) bytes of the page, its data and, apart, its static files."""
    client = app.test_client()
    found: dict[str, tuple[int, int]] = {}
    page = _get(client, "/", gzip_ok=False).get_data()
    for url in ("/", *DATA_URLS):
        raw = len(_get(client, url, gzip_ok=False).get_data())
        response = _get(client, url, gzip_ok=True)
        sent = len(response.get_data())
        found[url] = (raw, sent if response.headers.get("Content-Encoding") == "gzip" else raw)
    for url in sorted(set(re.findall(r'(?:src|href)="(/static/[^"]+)"', page.decode()))):
        body = _get(client, url, gzip_ok=True).get_data()
        found[url] = (len(body), len(gzip.compress(body, 6)))  # as a reverse proxy would send it
    return found


# ------------------------------------------------------------------ the naive folium baseline


def naive_assets(base_url: str = ""):
    from map_builder.district_map import Assets

    return Assets(leaflet_js=f"{base_url}/static/vendor/leaflet/dist/leaflet.js",
                  leaflet_css=f"{base_url}/static/vendor/leaflet/dist/leaflet.css")


def empty_map_html() -> str:
    """A folium map with nothing on it (local Leaflet, no tiles): the floor of any map page."""
    from map_builder.district_map import base_map

    return base_map(naive_assets(), zoom_start=5, location=(48.0, 67.0)).get_root().render()


def naive_map_html(rows: list[dict]) -> str:
    """One folium.Marker with an HTML popup per facility, in a MarkerCluster; the page's HTML."""
    import folium
    from folium.plugins import MarkerCluster

    from map_builder.district_map import base_map

    fmap = base_map(naive_assets(), zoom_start=5, location=(48.0, 67.0))
    fmap.default_js = [("jquery", f"/bench-vendor/{JQUERY}"), *fmap.default_js]  # popups use $()
    cluster = MarkerCluster()
    cluster.default_js = [("markerclusterjs", f"/bench-vendor/{MARKERCLUSTER}/leaflet.markercluster.js")]
    cluster.default_css = [("markerclustercss", f"/bench-vendor/{MARKERCLUSTER}/MarkerCluster.css"),
                           ("markerclusterdefaultcss", f"/bench-vendor/{MARKERCLUSTER}/MarkerCluster.Default.css")]
    cluster.add_to(fmap)
    for row in rows:
        allocated = f"{(row['allocated_tiyn'] or 0) / 100:,.0f} KZT"
        html = (f"<b>{escape(row['name_ru'] or row['name_kk'] or '')}</b><br>{escape(row['facility_type'])}"
                f"<br>Allocated: {allocated}")
        folium.Marker([row["lat"], row["lon"]], popup=folium.Popup(html, max_width=300)).add_to(cluster)
    return fmap.get_root().render()


def published_rows(app) -> list[dict]:
    """The facilities the map shows (latest year), from the app's read model."""
    from core.web import database
    from explore import queries
    from explore.filters import FacilityFilter

    with app.app_context():
        connection = database.connection()
        version = database.published_version_id()
        year = versions.fiscal_years(connection, version)[-1]
        return queries.facility_rows(connection, version, FacilityFilter(year=year))


# ------------------------------------------------------------------ the scenario


def _draws(chrome, url: str, runs: int, mode: str = "ready", expect: int | None = None) -> list[dict]:
    browser.visit(chrome, url, mode)  # warm-up: server caches, chromium's first start of a page
    results = []
    for _ in range(runs):
        result = browser.visit(chrome, url, mode)
        if expect is not None and result["facilities"] != expect:
            raise RuntimeError(f"{url}: the map loaded {result['facilities']} facilities, not {expect}")
        results.append(result)
    return results


def run(context) -> None:
    report: Report = context.report
    settings = context.settings
    report.section(SECTION)
    if not BENCH_VENDOR.joinpath(MARKERCLUSTER).is_dir():
        raise RuntimeError(f"{BENCH_VENDOR} lacks leaflet.markercluster: run `make bench` "
                           "(npm ci --prefix bench) first.")
    app = bench_app(context, context.database("national"))
    rows = published_rows(app)
    count = len(rows)
    label = f"{count:,} facilities"

    # Server time, cold and warm; bytes.
    runs = settings.draw_runs
    restart = [produce_once(app, cold="restart") for _ in range(runs)]
    cold = [produce_once(app, cold="publication") for _ in range(runs)]
    warm = [produce_once(app, cold=None) for _ in range(runs)]
    live = [produce_once(app, cold="publication", query=LIVE_QUERY) for _ in range(runs)]
    for url in ("/", *DATA_URLS):
        report.figure(SECTION, f"{label}: server time {url}, after a publication",
                      median([c[url] for c in cold]), "s", runs=runs)
    report.figure(SECTION, f"{label}: server time page + data, first request of a worker",
                  median([sum(c.values()) for c in restart]), "s", runs=runs,
                  note="every cache empty, the map's district layer built too")
    cold_total = report.figure(SECTION, f"{label}: server time page + data, after a publication",
                               median([sum(c.values()) for c in cold]), "s", runs=runs,
                               note="everything keyed by the data version built afresh")
    live_total = report.figure(SECTION, f"{label}: server time page + data, a filter after a publication",
                               median([sum(c.values()) for c in live]), "s", runs=runs,
                               note=f"{LIVE_QUERY}: a view the publication did not store, built from the rows")
    warm_total = report.figure(SECTION, f"{label}: server time page + data, warm",
                               median([sum(c.values()) for c in warm]), "s", runs=runs,
                               note="cached per data version and filter")
    found = sizes(app)
    data_raw = sum(found[u][0] for u in ("/", *DATA_URLS))
    data_gzip = sum(found[u][1] for u in ("/", *DATA_URLS))
    for url in ("/", *DATA_URLS):
        report.figure(SECTION, f"{label}: bytes {url} raw / gzip", found[url][1], "bytes",
                      note=f"raw {found[url][0] / 1e6:.2f} MB")
    total = report.figure(SECTION, f"{label}: bytes page + data, gzip", data_gzip, "bytes",
                          note=f"raw {data_raw / 1e6:.2f} MB")
    statics = [u for u in found if u.startswith("/static/")]
    report.figure(SECTION, f"static files of the page ({len(statics)}), gzip", sum(found[u][1] for u in statics),
                  "bytes", note=f"raw {sum(found[u][0] for u in statics) / 1e6:.2f} MB; the same for "
                  "every page and cached by the browser")
    report.target(SECTION, f"page + data at {label} at most 1 MB gzip", "<= 1 MB",
                  f"{total.value / 1e6:.2f} MB", total.value <= TARGET_GZIP_BYTES)

    # The naive baseline: build.
    PAGES_DIR.mkdir(parents=True, exist_ok=True)
    (PAGES_DIR / "empty.html").write_text(empty_map_html(), encoding="utf-8")
    builds = []
    for _ in range(settings.naive_build_runs):
        seconds, html = timed(lambda: naive_map_html(rows))
        builds.append(seconds)
    naive_page = PAGES_DIR / f"naive_{count}.html"
    naive_page.write_text(html, encoding="utf-8")
    html_bytes = html.encode("utf-8")
    naive_build = report.figure(SECTION, f"{label}: naive folium map, build", median(builds), "s",
                                runs=len(builds), note=f"HTML {len(html_bytes) / 1e6:.1f} MB, "
                                f"{len(gzip.compress(html_bytes, 6)) / 1e6:.1f} MB gzip")
    del html, html_bytes
    faster = naive_build.value / cold_total.value
    report.figure(SECTION, f"{label}: naive build / app page + data after a publication", faster, "x",
                  note=f"warm: {naive_build.value / warm_total.value:,.0f}x; a filter after a publication: "
                  f"{naive_build.value / live_total.value:,.0f}x")
    report.target(SECTION, f"page + data at {label} produced at least {TARGET_FASTER}x faster than the "
                  "naive map (after a publication)", f">= {TARGET_FASTER}x",
                  f"{faster:.0f}x ({naive_build.value / warm_total.value:,.0f}x once cached; "
                  f"{naive_build.value / live_total.value:,.0f}x for a filter built afresh)",
                  faster >= TARGET_FASTER)

    # Draw times in chromium.
    exports = {"/bench-pages": str(PAGES_DIR), "/bench-vendor": str(BENCH_VENDOR)}
    with browser.LiveServer(app, exports) as server, browser.chromium() as chrome:
        empty = _draws(chrome, f"{server.url}/bench-pages/empty.html", runs, mode="load")
        empty_fig = report.figure(SECTION, "empty folium map (no layer), drawn", median(
            [r["drawn_ms"] for r in empty]) / 1000, "s", runs=runs)
        nothing = _draws(chrome, f"{server.url}/?q={NO_MATCH}", runs, expect=0)
        report.figure(SECTION, "app map, a filter matching nothing, drawn",
                      median([r["drawn_ms"] for r in nothing]) / 1000, "s", runs=runs, baseline=empty_fig,
                      note="districts, legend and totals, no facility")
        drawn = _draws(chrome, f"{server.url}/", runs, expect=count)
        app_drawn = report.figure(SECTION, f"{label}: app map, facility layer drawn",
                                  median([r["drawn_ms"] for r in drawn]) / 1000, "s", runs=runs,
                                  baseline=empty_fig, note=f"browser received {median([r['transfer_bytes'] for r in drawn]) / 1e6:.2f} MB "
                                  f"in {drawn[0]['requests']} requests")
        naive = [browser.visit(chrome, f"{server.url}/bench-pages/{naive_page.name}", "load", timeout_s=300)
                 for _ in range(settings.naive_draw_runs)]
        naive_drawn = report.figure(SECTION, f"{label}: naive folium map, drawn",
                                    median([r["drawn_ms"] for r in naive]) / 1000, "s", runs=len(naive),
                                    baseline=empty_fig)
        report.note(SECTION, f"at {label} the app's map is drawn {naive_drawn.value / app_drawn.value:.1f}x "
                    "faster than the naive folium map")
    report.target(SECTION, f"facility layer at {label} drawn in at most {TARGET_DRAWN_S:g} s",
                  f"<= {TARGET_DRAWN_S:g} s", f"{app_drawn.value:.2f} s (empty map {empty_fig.value:.2f} s)",
                  app_drawn.value <= TARGET_DRAWN_S)
    app.extensions["engine"].dispose()

    # 200,000 facilities: drawn in at most 2 s.
    large_app = bench_app(context, context.database("large"))
    large_count = settings.large_map_facilities
    with browser.LiveServer(large_app) as server, browser.chromium() as chrome:
        large = _draws(chrome, f"{server.url}/", runs, expect=large_count)
    large_drawn = report.figure(SECTION, f"{large_count:,} facilities: app map, facility layer drawn",
                                median([r["drawn_ms"] for r in large]) / 1000, "s", runs=runs,
                                baseline=empty_fig,
                                note=f"browser received {median([r['transfer_bytes'] for r in large]) / 1e6:.2f} MB")
    report.target(SECTION, f"facility layer at {large_count:,} facilities drawn in at most {TARGET_DRAWN_LARGE_S:g} s",
                  f"<= {TARGET_DRAWN_LARGE_S:g} s", f"{large_drawn.value:.2f} s", large_drawn.value <= TARGET_DRAWN_LARGE_S)
    large_app.extensions["engine"].dispose()
