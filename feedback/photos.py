"""Residents' photos: accept JPEG and PNG only, and store a re-encoded copy without metadata.

A phone photo carries EXIF tags, often with the GPS position of the resident's home and the
phone's serial number. Re-encoding from the pixels alone drops every tag; the EXIF orientation
is applied first so the picture still stands upright. Large pictures are scaled down, and a
small thumbnail is made for lists.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from feedback.rules import FeedbackProblem

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40-megapixel phone photo; more is a decompression bomb, not a photo
MAX_SIDE = 2048  # longest side kept
THUMB_SIDE = 320
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}


@dataclass(frozen=True)
class Photo:
    content: bytes
    thumbnail: bytes  # always JPEG
    mime_type: str


def prepare_photo(content: bytes, max_bytes: int = MAX_PHOTO_BYTES) -> Photo:
    """Check ``content`` and re-encode it; raise ``FeedbackProblem`` with a clear code."""
    if len(content) > max_bytes:
        raise FeedbackProblem("photo_too_large", {"size": f"{len(content) / 1048576:.1f}",
                                                  "limit": f"{round(max_bytes / 1048576, 2):g}"})
    try:
        with warnings.catch_warnings():  # Pillow's own bomb check: our smaller limit decides
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content))
        image_format = image.format
        if image_format not in FORMATS:
            raise FeedbackProblem("photo_not_an_image")
        if image.width * image.height > MAX_PIXELS:  # checked before decoding: a bomb is never expanded
            raise _too_many_pixels(image.width * image.height)
        image.load()
        clean = _pixels_only(ImageOps.exif_transpose(image))
        clean.thumbnail((MAX_SIDE, MAX_SIDE))
        thumb = _pixels_only(clean)
        thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    except Image.DecompressionBombError as exc:  # over twice Pillow's limit: refused on open
        raise FeedbackProblem("photo_too_many_pixels", {
            "pixels": f"> {2 * (Image.MAX_IMAGE_PIXELS or 0) / 1e6:.0f}", "limit": f"{MAX_PIXELS / 1e6:.0f}"}) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise FeedbackProblem("photo_not_an_image") from exc
    return Photo(content=_encode(clean, image_format), thumbnail=_encode(thumb, "JPEG"),
                 mime_type=FORMATS[image_format])


def _too_many_pixels(pixels: int) -> FeedbackProblem:
    return FeedbackProblem("photo_too_many_pixels", {"pixels": f"{pixels / 1e6:.0f}",
                                                     "limit": f"{MAX_PIXELS / 1e6:.0f}"})


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new image made of the pixels alone: no EXIF, XMP, ICC, text chunks or comments."""
    mode = image.mode if image.mode in ("RGB", "RGBA", "L", "LA") else ("RGBA" if "A" in image.getbands() or image.mode == "P" else "RGB")
    converted = image.convert(mode)
    fresh = Image.new(mode, converted.size)
    fresh.paste(converted)
    return fresh


def _encode(image: Image.Image, image_format: str) -> bytes:
    out = io.BytesIO()
    if image_format == "JPEG":
        if image.mode not in ("RGB", "L"):  # JPEG has no transparency: put it on white
            background = Image.new("RGB", image.size, "white")
            background.paste(image, mask=image.getchannel("A") if "A" in image.getbands() else None)
            image = background
        image.save(out, "JPEG", quality=85, optimize=True)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()
