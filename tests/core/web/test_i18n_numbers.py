"""Money and percentages, the one way every page writes them, in each language."""

import pytest

from core.web.i18n import money, percent

NBSP = "\u00a0"


@pytest.mark.parametrize(("lang", "full", "compact"), [
    ("kk", "47 912 345 678 ₸", "47,9 млрд ₸"),
    ("ru", "47 912 345 678 ₸", "47,9 млрд ₸"),
    ("en", "47,912,345,678 ₸", "47.9 bn ₸"),
])
def test_money_never_leaves_the_tenge_sign_alone_on_a_line(app, lang, full, compact):
    with app.test_request_context(headers={"Accept-Language": lang}):
        shown, short = money(4_791_234_567_800), money(4_791_234_567_800, compact=True)
    assert " " not in shown and " " not in short  # every space is a non-breaking one
    assert shown.replace(NBSP, " ") == full
    assert short.replace(NBSP, " ") == compact


def test_compact_english_uses_k_mn_bn(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert [money(t, compact=True).replace(NBSP, " ") for t in (125_000_00, 125_000_000_00, 999_00)] == \
            ["125 k ₸", "125 mn ₸", "999 ₸"]
        assert money(None) == "—"


@pytest.mark.parametrize(("lang", "expected"), [("kk", "12,5%"), ("ru", "12,5 %"), ("en", "12.5%")])
def test_percent_follows_the_language_and_rounds_to_one_decimal(app, lang, expected):
    with app.test_request_context(headers={"Accept-Language": lang}):
        assert percent(12.456).replace(NBSP, " ") == expected
        assert percent(49.2).replace(NBSP, " ").startswith("49")
        assert "000" not in percent(43.8)  # no binary fraction noise (43.799999...)
        assert percent(-3, signed=True).replace(NBSP, " ").startswith("-3")
        assert percent(3, signed=True).startswith("+3")
        assert percent(None) == "—"
