"""The installable app: the web app manifest in each language with real PNG icons, and the
service worker served from the site root with the headers a worker needs."""

import io
import json
import re

import pytest
from flask_babel import force_locale, gettext
from PIL import Image

from explore.web.installable import BACKGROUND_COLOUR, THEME_COLOUR
from tests.helpers import static_href


def manifest(client, lang):
    response = client.get(f"/manifest.webmanifest?lang={lang}")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    return json.loads(response.get_data(as_text=True))


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_manifest_speaks_the_page_language(app, client, lang):
    body = manifest(client, lang)
    with app.test_request_context(), force_locale(lang):
        expected = {"name": gettext("Open Budget Map · Turkestan region"), "short_name": gettext("Budget Map")}
    assert body["lang"] == lang
    assert body["name"] == expected["name"] and body["short_name"] == expected["short_name"]
    assert body["description"] and len(body["short_name"]) <= 15  # fits under a home-screen icon
    assert (body["start_url"], body["scope"], body["id"], body["display"]) == ("/", "/", "/", "standalone")
    assert (body["theme_color"], body["background_color"]) == (THEME_COLOUR, BACKGROUND_COLOUR)


def test_an_unknown_language_falls_back_to_the_request_language(client):
    assert manifest(client, "de")["lang"] in ("kk", "ru", "en")


def test_every_page_links_the_manifest_in_its_language(client):
    client.get("/language/ru")
    page = client.get("/feedback").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest?lang=ru">' in page
    assert '<meta name="theme-color" content="#0b3d6e">' in page
    assert f'<script src="{static_href(client, "js/offline.js")}" defer></script>' in page
    assert re.search(r'<p class="offline-note" id="offline-note" role="status" hidden', page)
    assert "style=" not in page and "<script>" not in page  # no inline code for the coming strict CSP


def test_the_icons_are_pngs_of_their_declared_size_and_maskable_one_fills_the_square(client):
    icons = manifest(client, "kk")["icons"]
    assert {(icon["sizes"], icon["purpose"]) for icon in icons} >= {("192x192", "any"), ("512x512", "any"),
                                                                   ("512x512", "maskable")}
    for icon in icons:
        response = client.get(icon["src"])
        assert response.status_code == 200, icon["src"]
        content = response.data
        response.close()
        image = Image.open(io.BytesIO(content))
        assert (image.format, icon["type"]) == ("PNG", "image/png")
        assert f"{image.width}x{image.height}" == icon["sizes"]
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
        assert len(colours) > 2, "an icon is a drawing, not a flat placeholder"
        if icon["purpose"] == "maskable":  # no transparency: the corners are the background colour
            corner = image.convert("RGBA").getpixel((0, 0))
            assert corner == (11, 61, 110, 255)


def test_the_service_worker_is_served_from_the_root_never_cached_long(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    source = response.get_data(as_text=True)
    shell = json.loads(re.match(r"const SHELL = (\{.*\});\n", source).group(1))
    queue = client.get(shell["queue"])
    imported = queue.get_data(as_text=True)
    queue.close()
    assert queue.status_code == 200 and "scope.FeedbackQueue = {" in imported  # what it imports
    assert "importScripts(SHELL.queue)" in source
    assert 'addEventListener("fetch"' in source and 'addEventListener("sync"' in source
    again = client.get("/sw.js", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
