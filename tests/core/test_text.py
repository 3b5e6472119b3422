"""core.text: NFKC with the signs Kazakh and Russian keep, and what counts as a control character."""

import re

import pytest

from core.text import CONTROL_PATTERN, has_control_characters, normalised, without_control_characters

CONTROLS = [chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"] + ["\x7f"] + [chr(c) for c in range(0x80, 0xA0)]


def test_text_is_nfkc_but_for_the_kept_signs():
    assert normalised("ＡＢＣ＝１ ﬁ\u00a0…") == "ABC=1 fi ..."
    assert normalised("№12 мектеп, 120 м², 8 м³") == "№12 мектеп, 120 м², 8 м³"
    assert normalised("Қазақстан Ё ё") == "Қазақстан Ё ё"
    assert normalised("plain ascii") == "plain ascii"


@pytest.mark.parametrize("control", CONTROLS)
def test_every_control_character_is_one(control):
    assert has_control_characters(f"a{control}b")
    assert without_control_characters(f"a{control}b") == "ab"
    assert not re.search(CONTROL_PATTERN, f"a{control}b")


@pytest.mark.parametrize("text", ["", "tab\there", "lines\r\nand\n", "Школа №1 ＝ ә", "\u00a0\u2028\ufeff"])
def test_text_and_its_white_space_is_not(text):
    assert not has_control_characters(text)
    assert re.search(CONTROL_PATTERN, text)


def test_a_lone_surrogate_is_refused_by_the_server_too():
    assert has_control_characters("a\ud800")
