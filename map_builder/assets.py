"""Third-party browser assets: which npm package files the app serves, and from where.

``scripts/install_assets.py`` copies these files from ``node_modules`` (installed by ``npm ci``
from the npm registry) into ``static/vendor/<package>/`` (git-ignored) and records the versions
in ``static/vendor/manifest.json``. Pages link to them through ``vendor_url`` so no page ever
asks a CDN for anything.
"""

from __future__ import annotations

import json
from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
MANIFEST = VENDOR_DIR / "manifest.json"

# npm package -> files (or folders) inside it that the pages need.
VENDOR_FILES: dict[str, tuple[str, ...]] = {
    "leaflet": ("dist/leaflet.js", "dist/leaflet.css", "dist/images"),
    # Clusters tens of thousands of points in the browser from plain arrays (UMD build,
    # kdbush bundled in).
    "supercluster": ("dist/supercluster.min.js",),
    # Charts of allocated vs paid on facility and district pages (UMD build, no bundler).
    "chart.js": ("dist/chart.umd.min.js",),
    "axe-core": ("axe.min.js",),
}


class AssetsMissing(RuntimeError):
    """The vendored assets were not installed; run the setup (``make install``)."""


def vendored_versions(manifest: Path = MANIFEST) -> dict[str, str]:
    """Installed package versions, read from the manifest the installer wrote."""
    if not manifest.is_file():
        raise AssetsMissing(
            f"{manifest} is missing: the browser assets are not installed. Run `make install`."
        )
    versions = json.loads(manifest.read_text(encoding="utf-8"))
    missing = sorted(set(VENDOR_FILES) - set(versions))
    if missing:
        raise AssetsMissing(f"Assets {missing} are not installed. Run `make install`.")
    return versions


def vendor_path(package: str, file: str) -> str:
    """Path below ``static/`` of one vendored file, e.g. ``vendor/leaflet/dist/leaflet.js``."""
    return f"vendor/{package}/{file}"
