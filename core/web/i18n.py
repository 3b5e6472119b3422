"""Languages: choosing one per request, names in the chosen language, money in its style."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_compact_decimal, format_percent
from flask import Flask, current_app, request, session
from flask_babel import Babel, format_decimal, get_locale, ngettext
from flask_babel import lazy_gettext as _l

babel = Babel()

LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
# Which name to show when the chosen language's one is missing.
NAME_FALLBACK = {"kk": ("kk", "ru", "en"), "ru": ("ru", "kk", "en"), "en": ("en", "ru", "kk")}

FACILITY_TYPE_LABELS = {
    "school": _l("School"), "kindergarten": _l("Kindergarten"), "college": _l("College"),
    "clinic": _l("Clinic"), "hospital": _l("Hospital"), "sports": _l("Sports facility"),
    "culture": _l("Culture centre"), "social_care": _l("Social care"),
    "water_supply": _l("Water supply"), "other": _l("Other"),
}
WORK_TYPE_LABELS = {
    "construction": _l("Construction"), "capital_repair": _l("Capital repair"),
    "current_repair": _l("Current repair"), "maintenance": _l("Maintenance"),
    "equipment": _l("Equipment"),
}
STATUS_LABELS = {
    "planned": _l("Planned"), "tendering": _l("Tendering"), "in_progress": _l("In progress"),
    "completed": _l("Completed"), "suspended": _l("Suspended"), "cancelled": _l("Cancelled"),
}
FUNDING_LABELS = {
    "republican": _l("Republican budget"), "oblast": _l("Oblast budget"),
    "district": _l("District budget"), "other": _l("Other source"),
}

# Capacity units as officials write them (in any of the three languages) → one key each, so a
# Kazakh page says "200 орын" whatever the table said; an unknown unit is shown as written.
CAPACITY_UNIT_KEYS = {
    "places": "places", "place": "places", "мест": "places", "место": "places", "орын": "places",
    "beds": "beds", "bed": "beds", "коек": "beds", "койка": "beds", "койко-мест": "beds", "төсек": "beds",
    "visits per shift": "visits", "посещений в смену": "visits", "ауысымына келу": "visits",
    "seats": "seats", "seat": "seats", "зрительских мест": "seats", "көрермен орны": "seats",
}


def capacity_text(count, unit: str | None) -> str:
    """'200 орын' / '200 мест' / '200 places': a facility's capacity with its unit in the reader's language."""
    if count is None:
        return "—"
    figure = format_decimal(int(count), format="#,##0").replace(" ", NBSP)
    key = CAPACITY_UNIT_KEYS.get((unit or "").strip().lower())
    words = {
        "places": lambda n: ngettext("%(num)s place", "%(num)s places", n),
        "beds": lambda n: ngettext("%(num)s bed", "%(num)s beds", n),
        "visits": lambda n: ngettext("%(num)s visit per shift", "%(num)s visits per shift", n),
        "seats": lambda n: ngettext("%(num)s seat", "%(num)s seats", n),
    }
    if key is None:
        return f"{figure} {unit}".strip() if unit else figure
    return str(words[key](int(count))).replace(str(int(count)), figure, 1)


def choose_language(chosen: str | None, accept_languages, config) -> str:
    """The one rule: the language picked in the switch, else the browser's best offered one,
    else the default."""
    languages = config["LANGUAGES"]
    if chosen in languages:
        return chosen
    return accept_languages.best_match(languages) or config["BABEL_DEFAULT_LOCALE"]


def select_locale() -> str:
    return choose_language(session.get("lang"), request.accept_languages, current_app.config)


def language_of_environ(app: Flask):
    """``choose_language`` for a bare WSGI request, before Flask has one (shared responses)."""
    def language_of(environ: dict) -> str:
        bare = app.request_class(environ)
        chosen = None
        if app.config["SESSION_COOKIE_NAME"] in bare.cookies:
            opened = app.session_interface.open_session(app, bare)
            chosen = opened.get("lang") if opened is not None else None
        return choose_language(chosen, bare.accept_languages, app.config)
    return language_of


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(localized=localized, money=money, language_names=LANGUAGE_NAMES,
                                 facility_type_label=label_of(FACILITY_TYPE_LABELS),
                                 work_type_label=label_of(WORK_TYPE_LABELS),
                                 status_label=label_of(STATUS_LABELS),
                                 funding_label=label_of(FUNDING_LABELS), percent=percent,
                                 number=number, local_date=local_date, capacity_text=capacity_text)


def language() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def localized(record: dict, prefix: str = "name") -> str:
    """``record[prefix + '_' + lang]``, falling back to the other languages."""
    for lang in NAME_FALLBACK.get(language(), ("kk", "ru", "en")):
        value = record.get(f"{prefix}_{lang}")
        if value:
            return value
    return ""


def label_of(labels: dict):
    def label(key):
        return str(labels[key]) if key in labels else (key or "")
    return label


NBSP = "\u00a0"  # between a figure and its unit, so "₸" or "%" never starts a line alone
# Babel's English short forms are "47.9B"; a reader of a budget expects "47.9 bn".
ENGLISH_COMPACT = {"K": "k", "M": "mn", "B": "bn", "T": "tn"}


def money(tiyn: int | None, compact: bool = False) -> str:
    """Tiyn as tenge in the chosen language's style, one piece that never breaks:
    '125 000 000 ₸', or compact '125 млн ₸' / '47,9 млрд ₸' / '47.9 bn ₸' (the Financial Times' k, mn, bn) for tiles and legends."""
    if tiyn is None:
        return "—"
    tenge = Decimal(int(tiyn)) / 100
    if compact and abs(tenge) >= 1000:
        text = compact_number(tenge)
    else:
        text = format_decimal(tenge.quantize(Decimal(1), rounding=ROUND_HALF_UP), format="#,##0")
    return f"{text}{NBSP}₸".replace(" ", NBSP)


def compact_number(value) -> str:
    """A large number in the language's short form: '47,9 млрд', '125 мың' ... '47.9 bn'."""
    lang = language()
    text = format_compact_decimal(value, format_type="short", locale=lang, fraction_digits=1)
    if lang == "en" and text and text[-1] in ENGLISH_COMPACT:
        text = f"{text[:-1]}{NBSP}{ENGLISH_COMPACT[text[-1]]}"
    return text.replace(" ", NBSP)


def number(value: float | int | None) -> str:
    """A plain number in the language's style (decimal comma in kk and ru)."""
    return "—" if value is None else format_decimal(value)


def local_date(value: str | None) -> str:
    """An ISO date or UTC time as the reader's date: '20.11.2026' in kk and ru, 'Nov 20, 2026' in en.

    Times are shown in the region's time zone (``TIME_ZONE``), where deadlines are counted.
    """
    if not value:
        return "—"
    if len(value) == 10:
        day = dt.date.fromisoformat(value)
    else:
        day = dt.datetime.fromisoformat(value).astimezone(ZoneInfo(current_app.config["TIME_ZONE"])).date()
    return format_date(day, format="medium", locale=language())


def percent(value: float | None, signed: bool = False) -> str:
    """A percentage, the one way every page writes it: the language's own pattern ('12,5 %' in
    Russian, '12,5%' in Kazakh, '12.5%' in English), one decimal at most; ``signed`` adds '+'
    to a rise (changes from the year before)."""
    if value is None:
        return "—"
    text = format_percent(Decimal(str(round(value, 1))) / 100, locale=language(), decimal_quantization=False)
    return ("+" if signed and value > 0 else "") + text.replace(" ", NBSP)
