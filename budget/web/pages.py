"""The budget table's format for officials: the page that explains it and the templates to fill."""

from __future__ import annotations

from flask import Blueprint, Response, render_template

from budget.format import COLUMNS
from budget.template import template_csv, template_xlsx

bp = Blueprint("budget", __name__)


@bp.get("/budget-format")
def format_page():
    return render_template("public/budget_format.html", columns=COLUMNS)


@bp.get("/budget-template.csv")
def template_as_csv():
    return Response(template_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=budget-template.csv"})


@bp.get("/budget-template.xlsx")
def template_as_xlsx():
    return Response(template_xlsx(),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=budget-template.xlsx"})
