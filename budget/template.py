"""The downloadable template: the format's header with one example row, as CSV or XLSX.

The XLSX has a second sheet explaining every column in Kazakh, Russian and English, so an
official can fill it in without the documentation at hand.
"""

from __future__ import annotations

import csv
import io

from budget.format import COLUMNS

EXPLANATION_HEADER = ("column", "required", "allowed values", "қазақша", "по-русски", "in English", "example")


def template_csv() -> bytes:
    """UTF-8 with BOM and ';' so that Excel in a Russian or Kazakh locale opens it as columns."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.name for c in COLUMNS])
    writer.writerow([c.example for c in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def explanation_rows() -> list[tuple[str, ...]]:
    required = {"facility_name_kk": "kk or ru", "facility_name_ru": "kk or ru"}
    return [(c.name, required.get(c.name, "yes" if c.required else ""), ", ".join(c.choices),
             c.help_kk, c.help_ru, c.help_en, c.example) for c in COLUMNS]


def template_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "budget"
    sheet.append([c.name for c in COLUMNS])
    sheet.append([c.example for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column_cells in sheet.columns:  # text format keeps BIN and KATO leading zeros
        for cell in column_cells:
            cell.number_format = "@"
    help_sheet = workbook.create_sheet("columns")
    help_sheet.append(EXPLANATION_HEADER)
    for row in explanation_rows():
        help_sheet.append(row)
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
