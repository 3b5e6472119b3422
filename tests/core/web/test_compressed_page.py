"""A page compressed once with gaps (core.web.compressed_page): every answer a valid gzip stream
(checked by the standard library, CRC and length included) of exactly the text with its values."""

import gzip
import zlib

from hypothesis import given, settings
from hypothesis import strategies as st

from core.web.compressed_page import STORED_MAX, CompressedPage

MARKS = {"csrf_token": "MARK-csrf", "csp_nonce": "MARK-nonce"}
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=3000)


def expected(parts: list[str], names: list[str], values: dict[str, str]) -> str:
    out = parts[0]
    for name, part in zip(names, parts[1:]):
        out += values[name] + part
    return out


@settings(max_examples=60, deadline=None)
@given(parts=st.lists(texts, min_size=1, max_size=5), data=st.data(),
       csrf=st.text(max_size=200), nonce=st.text(max_size=40))
def test_any_text_with_any_values_decompresses_to_the_page(parts, data, csrf, nonce):
    names = [data.draw(st.sampled_from(sorted(MARKS))) for _ in parts[1:]]
    page_text = expected(parts, names, MARKS)
    page = CompressedPage.of(page_text, MARKS)
    values = {"csrf_token": csrf, "csp_nonce": nonce}
    assert gzip.decompress(page.gzip(values)).decode() == expected(parts, names, values)
    assert page.text(values).decode() == expected(parts, names, values)


def test_a_page_is_compressed_and_its_values_sent_as_they_are():
    html = "<p>Бюджет</p>" * 2000 + '<input name="csrf_token" value="MARK-csrf">' + "<li>x</li>" * 500
    page = CompressedPage.of(html, MARKS)
    assert page.gaps == ("csrf_token",) and page.size < len(html.encode()) / 10
    body = page.gzip({"csrf_token": "Ab1-token"})
    assert b"Ab1-token" in body  # a stored block: the value is not compressed again
    assert zlib.decompress(body, 31).decode() == html.replace("MARK-csrf", "Ab1-token")


def test_long_and_empty_values():
    page = CompressedPage.of("a MARK-nonce b MARK-csrf c", MARKS)
    long = "я" * STORED_MAX  # longer than one stored block once encoded
    assert gzip.decompress(page.gzip({"csp_nonce": long, "csrf_token": ""})).decode() == f"a {long} b  c"


def test_a_page_without_gaps():
    page = CompressedPage.of("<p>no form here</p>", MARKS)
    assert page.gaps == () and gzip.decompress(page.gzip({})) == b"<p>no form here</p>"
