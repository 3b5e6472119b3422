"""Static files as a phone on a slow line should get them: content-hashed names, precompressed.

``build(source, target, manifest)`` (run by ``scripts/build_static.py``, i.e. ``make install``)
copies every file below ``static/`` (the vendored ones included) into ``build/static/`` twice:
under its own name and under a name carrying a hash of its content (``css/app.css`` ->
``css/app.3f2a9c81d0e4.css``), each with a brotli (``.br``) and a gzip (``.gz``) copy beside it
where compressing pays (WhiteNoise's ``Compressor``). ``url()`` references between static files
inside style sheets are rewritten to the hashed names first, so a style sheet's hash changes
when an image it uses does. ``manifest.json`` beside the folder maps each name to its hashed
name; the web part (``core.web.static_files``) serves the folder and links the hashed names.

Nothing here knows Flask: plain paths in, plain files out. The folder is git-ignored and built
afresh each time (next to the old one, then swapped), so a removed file disappears from it.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
import shutil
from pathlib import Path

from whitenoise.compress import Compressor

PROJECT_DIR = Path(__file__).resolve().parent.parent
SOURCE_DIR = PROJECT_DIR / "static"
BUILD_DIR = PROJECT_DIR / "build" / "static"
MANIFEST = PROJECT_DIR / "build" / "static-manifest.json"
HASH_LENGTH = 12
MANIFEST_VERSION = 1

# url(...) in a style sheet: quoted or not; data:, absolute and fragment URLs are left alone.
CSS_URL = re.compile(r"""url\(\s*(?P<quote>['"]?)(?P<url>[^'")\s]+)(?P=quote)\s*\)""")


class BuildMissing(RuntimeError):
    """The hashed static files were not built; run ``make install``."""


def hashed_name(name: str, content: bytes) -> str:
    """``dir/file.ext`` -> ``dir/file.<12 hex digits of the content's SHA-256>.ext``."""
    digest = hashlib.sha256(content).hexdigest()[:HASH_LENGTH]
    folder, base = posixpath.split(name)
    stem, dot, ext = base.rpartition(".")
    hashed = f"{stem}.{digest}.{ext}" if dot and stem else f"{base}.{digest}"
    return posixpath.join(folder, hashed) if folder else hashed


def source_files(source: Path) -> list[str]:
    """Every file below ``source`` (following symbolic links such as ``static/vendor``), as
    POSIX paths relative to it, sorted; hidden files and folders are skipped."""
    names = []
    for folder, dirs, files in os.walk(source, followlinks=True):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for file in files:
            if not file.startswith("."):
                names.append(Path(folder, file).relative_to(source).as_posix())
    return sorted(names)


def rewrite_css(name: str, text: str, hashed: dict[str, str]) -> str:
    """The style sheet ``name`` with its relative ``url()`` references to other static files
    pointing at their hashed names (query and fragment kept); others unchanged."""
    folder = posixpath.dirname(name)

    def replace(match: re.Match) -> str:
        url = match.group("url")
        if url.startswith(("data:", "#", "/", "http:", "https:")) or "//" in url:
            return match.group(0)
        path, sep, rest = re.match(r"([^?#]*)([?#]?)(.*)", url).groups()
        target = posixpath.normpath(posixpath.join(folder, path))
        if target not in hashed:
            return match.group(0)
        new = posixpath.relpath(hashed[target], folder or ".") + sep + rest
        return f"url({match.group('quote')}{new}{match.group('quote')})"

    return CSS_URL.sub(replace, text)


def build(source: Path = SOURCE_DIR, target: Path = BUILD_DIR, manifest: Path = MANIFEST,
          log=lambda message: None) -> dict[str, str]:
    """Build ``target`` from ``source``; write and return the manifest (name -> hashed name)."""
    names = source_files(source)
    contents = {name: (source / name).read_bytes() for name in names}
    hashed: dict[str, str] = {}
    # Style sheets last: their rewritten text (hence their hash) uses the other files' hashes.
    for name in sorted(names, key=lambda n: n.endswith(".css")):
        if name.endswith(".css"):
            text = rewrite_css(name, contents[name].decode("utf-8"), hashed)
            contents[name] = text.encode("utf-8")
        hashed[name] = hashed_name(name, contents[name])

    staging = target.with_name(f".{target.name}.new")
    shutil.rmtree(staging, ignore_errors=True)
    compressor = Compressor(quiet=True)
    for name in names:
        for out_name in (name, hashed[name]):
            out = staging / out_name
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(contents[name])
            shutil.copystat(source / name, out)  # the source's time: Last-Modified, stable ETags
            if compressor.should_compress(out_name):
                compressor.compress(str(out))
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)

    manifest.parent.mkdir(parents=True, exist_ok=True)
    tmp = manifest.with_name(manifest.name + ".tmp")
    tmp.write_text(json.dumps({"version": MANIFEST_VERSION, "paths": hashed}, indent=1, sort_keys=True) + "\n",
                   encoding="utf-8")
    os.replace(tmp, manifest)
    log(f"build_static: {len(names)} files -> {target} (hashed, brotli and gzip)")
    return hashed


def read_manifest(manifest: Path = MANIFEST) -> dict[str, str]:
    """name -> hashed name, as the last build wrote it."""
    if not manifest.is_file():
        raise BuildMissing(f"{manifest} is missing: the static files are not built. Run `make install`.")
    data = json.loads(manifest.read_text(encoding="utf-8"))
    if data.get("version") != MANIFEST_VERSION:
        raise BuildMissing(f"{manifest} is from another version of the build. Run `make install`.")
    return dict(data["paths"])
