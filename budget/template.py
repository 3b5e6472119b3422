"""The downloadable template: the format's header with one example row, as CSV or XLSX.

Both are made in the downloader's language: the coded columns' example cells hold the names in
that language, and the XLSX offers them in a drop-down list. The XLSX is typed as an official's
own table would be (amounts as numbers grouped by thousands, dates as dates, identifiers as text
so Excel keeps their leading zeros), with a frozen header and a second sheet explaining every
column, its meaning in the downloader's language first. Whatever the lists offer, the validator
accepts back (``budget.choices``). The example row's facility is ``EXAMPLE_FACILITY_ID``, which
is no real facility: a file that still has it gets a warning.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from budget import choices
from budget import format as fmt
from budget.format import COLUMNS, EXAMPLE_FACILITY_ID
from core.errors import N_

LANGUAGE_ORDER = ("kk", "ru", "en")
LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
ACCEPTED_NOTE = N_("For coded columns, the code and the names in Kazakh, Russian or English are all accepted, in any letter case.")
EXAMPLE_NOTE = N_("Row 2 is an example (facility %(facility_id)s): replace it with your own rows or delete it.")
LIST_TITLE = N_("Choose from the list")
LAST_ROW = 1_048_576  # Excel's last row: the lists and formats reach every row filled in later
# Excel number formats (the codes are locale-neutral: a Russian Excel shows "# ##0").
NUMBER_FORMATS = {fmt.MONEY: "#,##0", fmt.DATE: "dd.mm.yyyy", fmt.YEAR: "0", fmt.INTEGER: "0",
                  fmt.PERCENT: "0", fmt.NUMBER: "General", fmt.LAT: "General", fmt.LON: "General"}
TEXT_FORMAT = "@"


def languages_from(language: str) -> tuple[str, ...]:
    """The three languages, ``language`` first."""
    first = language if language in LANGUAGE_ORDER else "en"
    return (first, *(code for code in LANGUAGE_ORDER if code != first))


def example_text(column: fmt.Column, language: str) -> str:
    """The example cell as typed: a coded column's is its name in ``language``."""
    if column.kind == fmt.CHOICE:
        return choices.label_of(column.name, column.example, language)
    return column.example


def example_value(column: fmt.Column, language: str):
    """The example cell as an XLSX holds it: numbers as numbers, dates as dates, the rest text."""
    text = example_text(column, language)
    if column.kind == fmt.MONEY:
        return int(text.replace(" ", ""))
    if column.kind in (fmt.YEAR, fmt.INTEGER, fmt.PERCENT):
        return int(text)
    if column.kind in (fmt.NUMBER, fmt.LAT, fmt.LON):
        return float(text)
    if column.kind == fmt.DATE:
        return dt.date.fromisoformat(text)
    return text


def number_format(column: fmt.Column) -> str:
    return NUMBER_FORMATS.get(column.kind, TEXT_FORMAT)


# ---------------------------------------------------------------- CSV


def template_csv(language: str = "en") -> bytes:
    """UTF-8 with BOM and ';' so that Excel in a Russian or Kazakh locale opens it as columns."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.name for c in COLUMNS])
    writer.writerow([example_text(c, language) for c in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# ---------------------------------------------------------------- the explanation sheet


def explanation_header(language: str = "en", translate=lambda s: s) -> tuple[str, ...]:
    return (translate("Column"), translate("Required"), translate("Allowed values"),
            *(LANGUAGE_NAMES[code] for code in languages_from(language)), translate("Example"))


def allowed_values(column: fmt.Column, language: str) -> str:
    """'Мектеп (school), Балабақша (kindergarten), ...': the names in ``language``, codes beside."""
    if column.kind != fmt.CHOICE:
        return ""
    return ", ".join(f"{label} ({code})" for code, label in choices.labels(column.name, language))


def required_text(column: fmt.Column, translate=lambda s: s) -> str:
    if column.name in fmt.NAME_COLUMNS:
        return translate("kk or ru")
    return translate("yes") if column.required else ""


def help_text(column: fmt.Column, language: str) -> str:
    return getattr(column, f"help_{language}")


def explanation_rows(language: str = "en", translate=lambda s: s) -> list[tuple[str, ...]]:
    return [(c.name, required_text(c, translate), allowed_values(c, language),
             *(help_text(c, code) for code in languages_from(language)), example_text(c, language))
            for c in COLUMNS]


def notes(translate=lambda s: s) -> list[str]:
    params = {"facility_id": EXAMPLE_FACILITY_ID}
    try:
        example = translate(EXAMPLE_NOTE) % params
    except (KeyError, TypeError, ValueError):  # a bad translation must not break the download
        example = EXAMPLE_NOTE % params
    return [translate(ACCEPTED_NOTE), example]


# ---------------------------------------------------------------- XLSX


def template_xlsx(language: str = "en", translate=lambda s: s) -> bytes:
    from openpyxl import Workbook  # imported here: only a template download pays for it

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "budget"
    _budget_sheet(sheet, language, translate)
    _columns_sheet(workbook.create_sheet("columns"), language, translate)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _budget_sheet(sheet, language: str, translate) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    sheet.append([c.name for c in COLUMNS])
    sheet.append([example_value(c, language) for c in COLUMNS])
    sheet.freeze_panes = "A2"
    for position, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(position)
        header, example = sheet.cell(1, position), sheet.cell(2, position)
        header.font = Font(bold=True)
        header.number_format = TEXT_FORMAT
        header.comment = Comment(help_text(column, language), "Open Budget Map", width=320, height=90)
        example.number_format = number_format(column)
        dimension = sheet.column_dimensions[letter]
        dimension.number_format = number_format(column)  # the cells typed below the example
        shown = len(example_text(column, language)) + (3 if column.kind == fmt.MONEY else 0)
        dimension.width = min(max(len(column.name), shown, 10) + 2, 45)
        if column.kind == fmt.CHOICE:
            names = [label for _code, label in choices.labels(column.name, language)]
            # No error box: codes and the other languages' names, typed in, are right too.
            listed = DataValidation(type="list", formula1='"' + ",".join(names) + '"', allow_blank=True,
                                    showErrorMessage=False, showInputMessage=True,
                                    promptTitle=translate(LIST_TITLE)[:32],
                                    prompt=translate(ACCEPTED_NOTE)[:255])
            listed.add(f"{letter}2:{letter}{LAST_ROW}")
            sheet.add_data_validation(listed)


def _columns_sheet(sheet, language: str, translate) -> None:
    from openpyxl.styles import Alignment, Font

    sheet.append(explanation_header(language, translate))
    for row in explanation_rows(language, translate):
        sheet.append(row)
    sheet.append([])
    for note in notes(translate):
        sheet.append([note])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "B2"
    for letter, width in zip("ABCDEFG", (24, 12, 40, 48, 48, 48, 30)):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2, max_row=len(COLUMNS) + 1, min_col=3, max_col=6):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
