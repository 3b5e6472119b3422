"""Copy the browser assets the pages need from ``node_modules`` into ``static/vendor``.

Run from the repository root after ``npm ci`` (``make install`` does both)::

    python scripts/install_assets.py

For every package in ``map_builder.assets.VENDOR_FILES`` this copies the listed files and
folders from ``node_modules/<package>/<path>`` to ``static/vendor/<package>/<path>``, replacing
whatever an earlier run left there, and writes ``static/vendor/manifest.json`` (package ->
installed version, read from ``node_modules/<package>/package.json``).

Everything is checked before anything is touched: if ``node_modules`` lacks a file, or holds a
different version than ``package-lock.json`` pins, the script says so and exits with status 1,
leaving ``static/vendor`` as it was.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from map_builder.assets import MANIFEST, VENDOR_DIR, VENDOR_FILES  # noqa: E402


class InstallError(Exception):
    """Something the user has to fix (usually by running ``npm ci``)."""


def _installed_version(package_dir: Path) -> str:
    meta = package_dir / "package.json"
    try:
        version = json.loads(meta.read_text(encoding="utf-8"))["version"]
    except FileNotFoundError:
        raise InstallError(f"{meta} is missing") from None
    except (ValueError, KeyError) as exc:
        raise InstallError(f"{meta} has no readable version ({exc})") from None
    if not isinstance(version, str) or not version:
        raise InstallError(f"{meta} has no readable version")
    return version


def _locked_versions(lockfile: Path) -> dict[str, str]:
    """package -> version pinned in package-lock.json (empty if there is no lockfile)."""
    if not lockfile.is_file():
        return {}
    packages = json.loads(lockfile.read_text(encoding="utf-8")).get("packages", {})
    prefix = "node_modules/"
    return {
        key[len(prefix):]: entry["version"]
        for key, entry in packages.items()
        if key.startswith(prefix) and "version" in entry
    }


def check_sources(node_modules: Path, lockfile: Path) -> dict[str, str]:
    """Verify every listed file exists and matches the lockfile; return package -> version."""
    problems: list[str] = []
    versions: dict[str, str] = {}
    locked = _locked_versions(lockfile)
    for package, paths in VENDOR_FILES.items():
        package_dir = node_modules / package
        if not package_dir.is_dir():
            problems.append(
                f"{package_dir} is missing (is {package!r} in package.json? run `npm ci`)"
            )
            continue
        try:
            versions[package] = _installed_version(package_dir)
        except InstallError as exc:
            problems.append(str(exc))
            continue
        if package in locked and locked[package] != versions[package]:
            problems.append(
                f"{package_dir} is version {versions[package]} but {lockfile.name} pins "
                f"{locked[package]} (run `npm ci`)"
            )
        for rel in paths:
            if Path(rel).is_absolute() or ".." in Path(rel).parts:
                problems.append(f"VENDOR_FILES[{package!r}] has an unsafe path {rel!r}")
            elif not (package_dir / rel).exists():
                problems.append(f"{package_dir / rel} is missing")
    if problems:
        raise InstallError("\n".join(f"  - {p}" for p in problems))
    return versions


def _copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    if src.is_dir():
        shutil.copytree(src, dst)
    else:
        shutil.copy2(src, dst)


def install(node_modules: Path, vendor_dir: Path, manifest: Path, lockfile: Path) -> dict[str, str]:
    versions = check_sources(node_modules, lockfile)
    vendor_dir.mkdir(parents=True, exist_ok=True)

    for package, paths in VENDOR_FILES.items():
        # Build the package's copy next to the old one, then swap: no half-written folder
        # survives an interrupted run, and files dropped from VENDOR_FILES disappear.
        target = vendor_dir / package
        staging = vendor_dir / f".{package}.staging"
        shutil.rmtree(staging, ignore_errors=True)
        for rel in paths:
            _copy(node_modules / package / rel, staging / rel)
        if target.is_symlink() or target.is_file():
            target.unlink()
        elif target.exists():
            shutil.rmtree(target)
        staging.rename(target)

    # static/vendor belongs to this script: drop packages that are no longer vendored.
    for entry in vendor_dir.iterdir():
        if entry.name not in VENDOR_FILES and entry != manifest:
            print(f"removing stale {entry}")
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()

    tmp = manifest.with_name(manifest.name + ".tmp")
    tmp.write_text(json.dumps(versions, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, manifest)
    return versions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--node-modules", type=Path, default=REPO_ROOT / "node_modules")
    parser.add_argument("--lockfile", type=Path, default=REPO_ROOT / "package-lock.json")
    args = parser.parse_args(argv)
    try:
        versions = install(args.node_modules, VENDOR_DIR, MANIFEST, args.lockfile)
    except InstallError as exc:
        print(f"install_assets: cannot install the browser assets:\n{exc}", file=sys.stderr)
        print("Run `npm ci` (or `make install`) in the repository root, then retry.", file=sys.stderr)
        return 1
    listed = ", ".join(f"{p} {v}" for p, v in sorted(versions.items()))
    print(f"install_assets: {listed} -> {VENDOR_DIR.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
