"""Draw the app's PNG icons (web app manifest, home screen) from the favicon's shapes.

``static/favicon.svg`` is a 32-unit drawing: a dark blue rounded square with a yellow map pin
(a circle over a triangle). Pillow draws the same shapes at 4× and scales down (smooth edges):

- ``icon-192.png``, ``icon-512.png``: the favicon as it is ("any" purpose);
- ``maskable-512.png``: the background fills the square and the pin sits inside the central
  safe zone (a circle of 40 % of the size), so a launcher may cut it to any shape;
- ``apple-touch-icon.png`` (180 px): full square, iOS rounds the corners itself.

Run ``.venv/bin/python scripts/make_icons.py`` after changing the favicon; the PNGs are committed.
"""

from __future__ import annotations

import re
from pathlib import Path

from PIL import Image, ImageDraw

STATIC = Path(__file__).resolve().parent.parent / "static"
SVG = STATIC / "favicon.svg"
OUT = STATIC / "icons"
SUPERSAMPLE = 4


def favicon_shapes() -> dict:
    """The colours and geometry read from the favicon, so the icons follow it."""
    svg = SVG.read_text(encoding="utf-8")
    rect = re.search(r'<rect[^>]*rx="([\d.]+)"[^>]*fill="(#[0-9a-fA-F]{6})"', svg)
    circle = re.search(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)" fill="(#[0-9a-fA-F]{6})"', svg)
    path = re.search(r'<path d="M([\d.]+)[ ,]([\d.]+)l(-?[\d.]+)[ ,]?(-?[\d.]+)h([\d.]+)z" fill="(#[0-9a-fA-F]{6})"', svg)
    if not (rect and circle and path):
        raise SystemExit(f"{SVG} no longer has the rounded square, circle and triangle this script draws")
    x, y, dx, dy, width = (float(v) for v in path.groups()[:5])
    return {
        "radius": float(rect.group(1)), "background": rect.group(2),
        "circle": (float(circle.group(1)), float(circle.group(2)), float(circle.group(3))),
        "pin": circle.group(4),
        "triangle": [(x, y), (x + dx, y + dy), (x + dx + width, y + dy)],
    }


def draw(size: int, shapes: dict, maskable: bool = False, rounded: bool = True) -> Image.Image:
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    canvas = ImageDraw.Draw(image)
    if maskable or not rounded:
        canvas.rectangle((0, 0, big, big), fill=shapes["background"])
    else:
        canvas.rounded_rectangle((0, 0, big - 1, big - 1), radius=shapes["radius"] / 32 * big,
                                 fill=shapes["background"])
    # The pin's box in favicon units: from the circle's top to the triangle's tip.
    cx, cy, r = shapes["circle"]
    top, bottom = cy - r, max(p[1] for p in shapes["triangle"])
    if maskable:  # inside the safe zone: the pin's height is 56 % of the icon, centred
        unit = 0.56 * big / (bottom - top)
        offset_x, offset_y = big / 2 - 16 * unit, big / 2 - (top + bottom) / 2 * unit
    else:
        unit, offset_x, offset_y = big / 32, 0.0, 0.0

    def at(x: float, y: float) -> tuple[float, float]:
        return offset_x + x * unit, offset_y + y * unit

    canvas.polygon([at(x, y) for x, y in shapes["triangle"]], fill=shapes["pin"])
    left, upper = at(cx - r, cy - r)
    right, lower = at(cx + r, cy + r)
    canvas.ellipse((left, upper, right, lower), fill=shapes["pin"])
    return image.resize((size, size), Image.LANCZOS)


ICONS = {
    "icon-192.png": {"size": 192},
    "icon-512.png": {"size": 512},
    "maskable-512.png": {"size": 512, "maskable": True},
    "apple-touch-icon.png": {"size": 180, "rounded": False},
}


def main() -> None:
    shapes = favicon_shapes()
    OUT.mkdir(exist_ok=True)
    for name, options in ICONS.items():
        image = draw(options["size"], shapes, maskable=options.get("maskable", False),
                     rounded=options.get("rounded", True))
        if options.get("maskable") or not options.get("rounded", True):
            image = image.convert("RGB")  # full squares: no transparency needed
        image.save(OUT / name, optimize=True)
        print(f"{OUT / name}: {options['size']} px, {(OUT / name).stat().st_size} bytes")


if __name__ == "__main__":
    main()
