"""The budget table's format for officials: the page that explains it and the templates to fill.

All three speak the reader's language: the coded columns' names are shown in it, codes beside.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template
from flask_babel import gettext

from budget import choices
from budget.format import COLUMNS
from budget.template import example_text, notes, template_csv, template_xlsx
from core.web.i18n import language

bp = Blueprint("budget", __name__)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/budget-format")
def format_page():
    lang = language()
    coded = {name: choices.labels(name, lang) for name in choices.WORDS}
    examples = {c.name: example_text(c, lang) for c in COLUMNS}
    return render_template("public/budget_format.html", columns=COLUMNS, coded=coded,
                           examples=examples, notes=notes(gettext))


def download(content: bytes, mimetype: str, filename: str) -> Response:
    response = Response(content, mimetype=mimetype,
                        headers={"Content-Disposition": f"attachment; filename={filename}"})
    response.vary.add("Accept-Language")  # made in the reader's language
    return response


@bp.get("/budget-template.csv")
def template_as_csv():
    return download(template_csv(language()), "text/csv", "budget-template.csv")


@bp.get("/budget-template.xlsx")
def template_as_xlsx():
    return download(template_xlsx(language(), gettext), XLSX_TYPE, "budget-template.xlsx")
