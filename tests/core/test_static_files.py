"""The static build: hashed names that follow the content, style sheets pointing at hashed
images, brotli and gzip copies, and the manifest the web part reads."""

import gzip
import re

import brotli
import pytest

from core.static_files import BuildMissing, build, hashed_name, read_manifest, rewrite_css


def make_source(root, files: dict[str, bytes]):
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)


@pytest.fixture()
def dirs(tmp_path):
    source, target, manifest = tmp_path / "static", tmp_path / "build" / "static", tmp_path / "build" / "m.json"
    source.mkdir()
    return source, target, manifest


SCRIPT = b"function hello(){return 'a fairly repetitive script, a fairly repetitive script';}\n" * 40


def test_each_file_is_built_under_its_name_and_its_content_hash_with_br_and_gz(dirs):
    source, target, manifest = dirs
    make_source(source, {"js/app.js": SCRIPT, "img/dot.png": b"\x89PNG not really" * 10, "LICENSE": b"MIT\n"})
    paths = build(source, target, manifest)
    assert re.fullmatch(r"js/app\.[0-9a-f]{12}\.js", paths["js/app.js"])
    assert re.fullmatch(r"LICENSE\.[0-9a-f]{12}", paths["LICENSE"])
    assert read_manifest(manifest) == paths
    for name in ("js/app.js", paths["js/app.js"]):
        assert (target / name).read_bytes() == SCRIPT
        assert brotli.decompress((target / f"{name}.br").read_bytes()) == SCRIPT
        assert gzip.decompress((target / f"{name}.gz").read_bytes()) == SCRIPT
    assert not (target / f"{paths['img/dot.png']}.br").exists()  # images are not recompressed


def test_the_hash_changes_when_the_content_does_and_only_then(dirs):
    source, target, manifest = dirs
    make_source(source, {"js/app.js": SCRIPT, "js/other.js": b"var other = 1;\n"})
    first = build(source, target, manifest)
    assert build(source, target, manifest) == first  # same content, same names
    (source / "js/app.js").write_bytes(SCRIPT + b"// changed\n")
    second = build(source, target, manifest)
    assert second["js/app.js"] != first["js/app.js"] and second["js/other.js"] == first["js/other.js"]
    assert not (target / first["js/app.js"]).exists()  # the build is made afresh


def test_a_style_sheet_points_at_hashed_images_and_changes_with_them(dirs):
    source, target, manifest = dirs
    css = b"a{background:url(images/dot.png)} b{background:url('../top.svg?x#y')} i{behavior:url(#vml)}\n"
    make_source(source, {"lib/dist/style.css": css, "lib/dist/images/dot.png": b"one",
                         "lib/top.svg": b"<svg/>"})
    paths = build(source, target, manifest)
    text = (target / paths["lib/dist/style.css"]).read_text()
    dot = paths["lib/dist/images/dot.png"].rsplit("/", 1)[1]
    top = paths["lib/top.svg"].rsplit("/", 1)[1]
    assert f"url(images/{dot})" in text and f"url('../{top}?x#y')" in text and "url(#vml)" in text
    (source / "lib/dist/images/dot.png").write_bytes(b"two")
    assert build(source, target, manifest)["lib/dist/style.css"] != paths["lib/dist/style.css"]


def test_urls_outside_the_static_files_are_left_alone():
    css = "a{b:url(data:image/png;base64,AAA)} c{d:url(https://x.example/a.png)} e{f:url(missing.png)}"
    assert rewrite_css("css/app.css", css, {"css/missing2.png": "css/missing2.abc.png"}) == css


def test_hashed_name_keeps_the_extension():
    assert re.fullmatch(r"vendor/chart\.umd\.min\.[0-9a-f]{12}\.js", hashed_name("vendor/chart.umd.min.js", b"x"))


def test_a_missing_build_says_what_to_run(tmp_path):
    with pytest.raises(BuildMissing, match="make install"):
        read_manifest(tmp_path / "none.json")
