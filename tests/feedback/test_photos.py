"""Photos are re-encoded without EXIF/GPS, kept upright, scaled down and thumbnailed."""

import io
import json
import subprocess
import sys

import pytest
from PIL import Image, ImageDraw

from feedback.photos import MAX_SIDE, THUMB_SIDE, prepare_photo
from feedback.rules import FeedbackProblem
from tests.helpers import PROJECT_DIR


def jpeg_with_gps(size=(640, 480), orientation: int | None = None) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((20, 20, 220), (0, 0, size[0] // 2, size[1]))  # left half blue: shows rotation
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0xA431] = "SERIAL-12345"  # BodySerialNumber
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (43.0, 17.0, 49.0), "E", (68.0, 15.0, 6.0)
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_exif_and_gps_are_stripped():
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the test photo has GPS
    photo = prepare_photo(original)
    assert photo.mime_type == "image/jpeg"
    for content in (photo.content, photo.thumbnail):
        image = Image.open(io.BytesIO(content))
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info
        assert b"SERIAL-12345" not in content and b"PhoneMaker" not in content


def test_orientation_is_applied_before_the_tag_is_dropped():
    photo = prepare_photo(jpeg_with_gps(size=(640, 480), orientation=6))  # "rotate 90° clockwise"
    image = Image.open(io.BytesIO(photo.content))
    assert image.size == (480, 640)
    red, green, blue = image.convert("RGB").getpixel((240, 20))  # top of the picture: was the blue left half
    assert blue > red


def test_large_photos_are_scaled_and_thumbnailed():
    photo = prepare_photo(jpeg_with_gps(size=(4000, 3000)))
    assert max(Image.open(io.BytesIO(photo.content)).size) == MAX_SIDE
    assert max(Image.open(io.BytesIO(photo.thumbnail)).size) == THUMB_SIDE


def test_png_stays_png_without_text_chunks():
    from PIL.PngImagePlugin import PngInfo
    info = PngInfo()
    info.add_text("Comment", "home address 12 Abay street")
    image = Image.new("RGBA", (100, 80), (0, 128, 0, 128))
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    photo = prepare_photo(out.getvalue())
    assert photo.mime_type == "image/png"
    assert b"Abay" not in photo.content
    assert Image.open(io.BytesIO(photo.thumbnail)).format == "JPEG"


@pytest.mark.parametrize("content", [b"", b"GIF89a not really", b"<svg onload=alert(1)>", b"\xff\xd8\xff broken jpeg"])
def test_non_images_are_refused(content):
    with pytest.raises(FeedbackProblem) as caught:
        prepare_photo(content)
    assert caught.value.code == "photo_not_an_image"


def test_gif_is_refused():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    with pytest.raises(FeedbackProblem) as caught:
        prepare_photo(out.getvalue())
    assert caught.value.code == "photo_not_an_image"


def test_size_limit_is_checked_first():
    with pytest.raises(FeedbackProblem) as caught:
        prepare_photo(b"x" * 2_000_001, max_bytes=2_000_000)
    assert caught.value.code == "photo_too_large"
    assert caught.value.params == {"size": "1.9", "limit": "1.91"}


def test_decompression_bombs_are_refused_before_decoding():
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, "PNG")  # 100 megapixels in a few kilobytes
    assert len(out.getvalue()) < 100_000
    with pytest.raises(FeedbackProblem) as caught:
        prepare_photo(out.getvalue())
    assert caught.value.code == "photo_too_many_pixels"
    assert caught.value.params == {"pixels": "100", "limit": "16"}


# ---------------------------------------------------------------- memory, measured in a subprocess

MEASURE = """
import json, sys
from feedback.photos import prepare_photo
from feedback.rules import FeedbackProblem
from PIL import Image
import io
content = open(sys.argv[1], "rb").read()
def peak_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM"):
            return int(line.split()[1]) // 1024
open("/proc/self/clear_refs", "w").write("5")  # the peak from here on (Linux)
try:
    photo = prepare_photo(content)
    outcome = {"size": Image.open(io.BytesIO(photo.content)).size, "type": photo.mime_type}
except FeedbackProblem as problem:
    outcome = {"refused": problem.code, "params": problem.params}
print(json.dumps({"peak_mb": peak_mb(), **outcome}))
"""


def measured(tmp_path, image: Image.Image, image_format: str, **options) -> dict:
    """prepare_photo of ``image`` saved as ``image_format``, in a fresh process: its outcome and
    the peak of its resident memory (imports included, about 40 MB)."""
    path = tmp_path / f"photo.{image_format.lower()}"
    image.save(path, image_format, **options)
    done = subprocess.run([sys.executable, "-c", MEASURE, str(path)], cwd=PROJECT_DIR, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout)


def drawn(mode: str, size: tuple[int, int]) -> Image.Image:
    image = Image.new(mode, size, (10, 120, 30, 200)[:len(mode)])
    draw = ImageDraw.Draw(image)
    for x in range(0, size[0], 400):
        draw.line((x, 0, size[0] - x, size[1]), fill=(250, 250, 0, 255)[:len(mode)], width=9)
    return image


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the peak from /proc")
def test_the_reported_png_is_refused_from_its_header_without_memory(tmp_path):
    """The review's 155 KB PNG of 6320 × 6320 RGBA took a worker from 235 to 813 MB."""
    outcome = measured(tmp_path, drawn("RGBA", (6320, 6320)), "PNG", optimize=True)
    assert outcome["refused"] == "photo_too_many_pixels"
    assert outcome["params"] == {"pixels": "40", "limit": "16"}
    assert outcome["peak_mb"] < 100


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the peak from /proc")
@pytest.mark.parametrize(("mode", "size", "image_format", "kept"), [
    ("RGB", (8000, 6000), "JPEG", (2048, 1536)),  # a phone's 48 MP photo: decoded at half size
    ("RGBA", (4000, 4000), "PNG", (2048, 2048)),  # the largest PNG accepted, decoded whole
], ids=["jpeg-48mp", "png-16mp"])
def test_large_photos_are_processed_in_bounded_memory(tmp_path, mode, size, image_format, kept):
    outcome = measured(tmp_path, drawn(mode, size), image_format)
    assert tuple(outcome["size"]) == kept and outcome["type"] == f"image/{image_format.lower()}"
    assert outcome["peak_mb"] < 300, outcome


def test_a_progressive_jpeg_is_held_whole_so_it_has_the_lower_cap():
    out = io.BytesIO()
    Image.new("RGB", (5000, 4000)).save(out, "JPEG", progressive=True)
    with pytest.raises(FeedbackProblem) as caught:
        prepare_photo(out.getvalue())
    assert caught.value.params == {"pixels": "20", "limit": "16"}


def test_a_huge_baseline_jpeg_is_refused_from_its_header():
    out = io.BytesIO()
    Image.new("L", (9000, 6000)).save(out, "JPEG")
    with pytest.raises(FeedbackProblem) as caught:
        prepare_photo(out.getvalue())
    assert caught.value.params == {"pixels": "54", "limit": "50"}
