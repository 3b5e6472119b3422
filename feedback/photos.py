"""Residents' photos: accept JPEG and PNG only, and store a re-encoded copy without metadata.

A phone photo carries EXIF tags, often with the GPS position of the resident's home and the
phone's serial number. Re-encoding from the pixels alone drops every tag; the EXIF orientation
is applied first so the picture still stands upright. Large pictures are scaled down, and a
small thumbnail is made for lists.

Memory stays bounded whatever the file claims: the size in the header is checked before any
pixel is decoded (``MAX_PIXELS``: a baseline JPEG, which is decoded at reduced size;
``MAX_WHOLE_PIXELS``: a PNG or a progressive JPEG, which need memory for the whole picture
however small the decode), a JPEG is decoded straight at 1/2, 1/4 or 1/8 of its size
(Pillow's ``draft``), and the picture is scaled down before any copy of its pixels is made.
At most ``MAX_DECODED_PIXELS`` are ever held at once: about 64 MB for an RGBA picture.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from feedback.rules import FeedbackProblem

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 50_000_000  # a phone's 50-megapixel JPEG (8160 × 6120); more is a bomb, not a photo
MAX_WHOLE_PIXELS = 16_000_000  # PNG, progressive JPEG: held whole (4000 × 4000, 64 MB in RGBA)
MAX_DECODED_PIXELS = MAX_WHOLE_PIXELS  # what one decoded picture may hold (a JPEG after draft)
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
            image = Image.open(io.BytesIO(content))  # reads the header only
        image_format = image.format
        if image_format not in FORMATS:
            raise FeedbackProblem("photo_not_an_image")
        reduced = image_format == "JPEG" and not image.info.get("progressive")
        limit = MAX_PIXELS if reduced else MAX_WHOLE_PIXELS
        if image.width * image.height > limit:  # checked before decoding: a bomb is never expanded
            raise _too_many_pixels(image.width * image.height, limit)
        clean = _pixels_only(ImageOps.exif_transpose(_decoded_small(image)))
        thumb = clean.copy()
        thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    except Image.DecompressionBombError as exc:  # over twice Pillow's limit: refused on open
        raise FeedbackProblem("photo_too_many_pixels", {
            "pixels": f"> {2 * (Image.MAX_IMAGE_PIXELS or 0) / 1e6:.0f}", "limit": f"{MAX_PIXELS / 1e6:.0f}"}) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise FeedbackProblem("photo_not_an_image") from exc
    return Photo(content=_encode(clean, image_format), thumbnail=_encode(thumb, "JPEG"),
                 mime_type=FORMATS[image_format])


def _fit(size: tuple[int, int], side: int) -> tuple[int, int]:
    """``size`` scaled to fit a ``side`` × ``side`` box (never enlarged)."""
    width, height = size
    scale = min(1.0, side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _decoded_small(image: Image.Image) -> Image.Image:
    """The opened picture decoded and scaled to fit ``MAX_SIDE``, holding as few pixels as it can:
    a JPEG decodes at the smallest of 1/1, 1/2, 1/4, 1/8 that still covers the kept size."""
    if image.format == "JPEG":
        image.draft(image.mode if image.mode in ("RGB", "L") else None, _fit(image.size, MAX_SIDE))
    if image.width * image.height > MAX_DECODED_PIXELS:
        raise _too_many_pixels(image.width * image.height, MAX_DECODED_PIXELS)
    if image.mode not in ("RGB", "RGBA", "L", "LA"):  # palette, 1-bit, 16-bit, CMYK: scaled as colour
        image = image.convert(_mode_for(image))
    image.thumbnail((MAX_SIDE, MAX_SIDE))  # decodes, then scales in place
    return image


def _too_many_pixels(pixels: int, limit: int) -> FeedbackProblem:
    return FeedbackProblem("photo_too_many_pixels", {"pixels": f"{pixels / 1e6:.0f}",
                                                     "limit": f"{limit / 1e6:.0f}"})


def _mode_for(image: Image.Image) -> str:
    if image.mode in ("RGB", "RGBA", "L", "LA"):
        return image.mode
    return "RGBA" if "A" in image.getbands() or image.mode == "P" else "RGB"


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new image made of the pixels alone: no EXIF, XMP, ICC, text chunks or comments."""
    mode = _mode_for(image)
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
