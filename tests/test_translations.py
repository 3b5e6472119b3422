"""The Kazakh, Russian and English catalogues are complete and match the source strings."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("kk", "ru", "en")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def catalogue(lang):
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=lang)


@pytest.fixture(scope="module")
def source_messages(tmp_path_factory):
    """Messages extracted from the code right now (not the committed .pot)."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                    "-k", "_l", "-k", "N_", "--no-location", "-o", str(pot), "."],
                   cwd=ROOT, check=True, capture_output=True)
    with open(pot, "rb") as handle:
        return {m.id for m in read_po(handle) if m.id}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_translates_every_source_string(lang, source_messages):
    messages = {m.id: m for m in catalogue(lang) if m.id}
    missing = sorted(source_messages - set(messages))
    untranslated = sorted(i for i in source_messages & set(messages)
                          if not messages[i].string or messages[i].fuzzy)
    assert missing == [], f"run `make translations` and translate: {missing}"
    assert untranslated == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_every_placeholder(lang):
    for message in catalogue(lang):
        if not message.id:
            continue
        # A plural entry has a tuple of ids (singular, plural) and one string per plural form.
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set().union(*(PLACEHOLDER.findall(i) for i in ids))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == expected, (ids[0], string)


def test_validation_messages_are_extracted(source_messages):
    from core.errors import MESSAGES

    assert set(MESSAGES.values()) <= source_messages


def test_pages_render_in_each_language(client):
    expected = {"kk": "Ашық бюджет картасы", "ru": "Открытая бюджетная карта", "en": "Open Budget Map"}
    for lang, title in expected.items():
        client.get(f"/language/{lang}")
        html = client.get("/").get_data(as_text=True)
        assert f'<html lang="{lang}">' in html and title in html
