"""Message templates for validation problems, translatable without importing Flask.

`data/` must not depend on Flask-Babel, yet officials read these messages in their own
language. So each message is a plain template marked with ``N_`` (a no-op that pybabel
extracts); the web layer and the CLI pass the template through ``gettext`` and fill in the
parameters with ``%``.
"""


def N_(message: str) -> str:
    """Mark a string for extraction without translating it here."""
    return message


MESSAGES: dict[str, str] = {
    # file-level
    "empty_file": N_("The file has no rows below the header."),
    "unreadable_file": N_("The file could not be read: %(detail)s"),
    "unsupported_file": N_("Only .csv and .xlsx files are accepted, not %(value)s."),
    "missing_column": N_("Required column %(column)s is missing from the header."),
    "missing_name_column": N_("The header needs facility_name_kk or facility_name_ru (or both)."),
    "duplicate_column": N_("Column %(column)s appears more than once in the header."),
    "unknown_column": N_("Column %(column)s is not part of the format and is ignored."),
    # a file beyond the limits on what one file may hold (budget.limits)
    "file_too_large": N_("The file is %(found)s MB; at most %(limit)s MB can be read. Split the table into several files."),
    "binary_file": N_("The file is not a text table: it holds binary data. Save the table from Excel as \"CSV UTF-8\", or upload the workbook itself as .xlsx."),
    "line_too_long": N_("Line %(row)s of the file is longer than %(limit)s characters, more than a table within the limits can have: the file is not a table saved as CSV."),
    "too_many_columns": N_("The table has %(found)s columns; at most %(limit)s can be read. Delete the columns that are not part of the format."),
    "too_many_columns_on_row": N_("Row %(row)s has %(found)s cells; at most %(limit)s columns can be read. Delete the cells beyond the table."),
    "table_too_long": N_("The table has %(found)s rows; at most %(limit)s can be read in one file. Split it into several files."),
    "too_many_cells": N_("The table has %(rows)s rows of %(columns)s columns, %(found)s cells; at most %(limit)s cells can be read in one file. Split it into several files or delete the columns that are not part of the format."),
    "cell_too_long": N_("Cell %(cell)s holds %(found)s characters; at most %(limit)s can be read in one cell."),
    "sheet_too_wide": N_("The first sheet has cells as far right as column %(column)s (%(found)s columns); at most %(limit)s columns can be read. Delete the columns to the right of the table (select them, then Delete columns) and save again."),
    "sheet_too_long": N_("The first sheet has cells as far down as row %(row)s (%(found)s rows below the header); at most %(limit)s rows can be read in one file. Delete the rows below the table, or split it into several files."),
    "sheet_too_large": N_("The workbook unpacks to %(found)s MB of data; at most %(limit)s MB can be read. Split the table into several files."),
    "packed_too_tightly": N_("The workbook is packed %(ratio)s times tighter than its data allows (a spreadsheet packs about 10 times, at most %(limit)s): it is refused as a possible attack. Save it again from Excel or LibreOffice."),
    "too_many_parts": N_("The workbook is made of %(found)s files inside; a workbook saved by Excel or LibreOffice has a few dozen (at most %(limit)s are read). Save it again from Excel or LibreOffice."),
    # cell-level errors
    "required": N_("A value is required."),
    "name_required": N_("Give the facility's name in Kazakh or Russian (facility_name_kk or facility_name_ru)."),
    "not_a_number": N_("%(value)s is not a number."),
    "not_an_integer": N_("%(value)s is not a whole number."),
    "amount_too_large": N_("%(value)s is larger than any budget line can be (at most %(limit)s KZT)."),
    "too_many_decimals": N_("%(value)s has more than two digits after the decimal separator."),
    "negative_amount": N_("The amount cannot be negative."),
    "not_positive": N_("The value must be greater than zero."),
    "unknown_choice": N_("%(value)s is not one of: %(allowed)s. The names are accepted too, in Kazakh, Russian or English: %(labels)s."),
    "bad_date": N_("%(value)s is not a date; write it as YYYY-MM-DD or DD.MM.YYYY."),
    "end_before_start": N_("The end date is before the start date (%(start)s)."),
    "year_out_of_range": N_("Fiscal year %(value)s is outside %(low)s-%(high)s."),
    "lat_out_of_range": N_("Latitude %(value)s is outside -90..90."),
    "lon_out_of_range": N_("Longitude %(value)s is outside -180..180."),
    "outside_region": N_("The point (lat %(lat)s, lon %(lon)s) is outside Turkestan region."),
    "outside_region_swapped": N_("The point (lat %(lat)s, lon %(lon)s) is outside Turkestan region; lat and lon look swapped."),
    "bin_not_12_digits": N_("A BIN has exactly 12 digits; %(value)s does not."),
    "bin_bad_check_digit": N_("BIN %(value)s fails the check digit: it is mistyped."),
    "progress_out_of_range": N_("Physical progress %(value)s is outside 0..100."),
    "duplicate_key": N_("The same facility, year, work type, funding source and programme are already on row %(first_row)s."),
    "facility_conflict": N_("Facility %(facility_id)s has a different %(column)s on row %(first_row)s (%(first_value)s)."),
    "too_long": N_("The text is longer than %(limit)s characters."),
    "bad_url": N_("%(value)s is not a web address starting with http:// or https://."),
    "ambiguous_date": N_("%(value)s could be read day first or month first; write the date as DD.MM.YYYY or YYYY-MM-DD."),
    "bin_cut_short": N_("%(value)s is a BIN shown in scientific notation, which lost its last digits: format the column as Text and type the 12 digits."),
    # warnings
    "paid_above_allocated": N_("Paid (%(paid)s) is more than allocated (%(allocated)s)."),
    "district_mismatch": N_("The point lies in district %(located)s, not in the given %(value)s; the location is used."),
    "unknown_district": N_("%(value)s is not a KATO code of a district of the region; the location is used."),
    "in_overlap": N_("The point lies where the Arys and Baidibek boundaries overlap; it is assigned to %(located)s."),
    "capacity_without_unit": N_("Capacity is given without capacity_unit."),
    "example_row_left_in": N_("This is the template's example row (facility %(value)s): replace it with a real facility or delete it, or it is published as it is."),
    "zero_restored": N_("%(value)s got its leading zero back: the spreadsheet had turned it into a number."),
    "letters_lost": N_("The text contains '?' where letters may have been lost: the file was saved as Windows-1251, which has no Kazakh letters. Save it as \"CSV UTF-8\"."),
    # a warning repeated on many rows of a column, summed up once (budget.validation)
    "letters_lost_rows": N_("%(count)s cells of this column contain '?' where letters were lost (rows %(rows)s): the file was saved as Windows-1251, which has no Kazakh letters. Save it as \"CSV UTF-8\" and upload it again."),
    "zero_restored_rows": N_("%(count)s values got their leading zero back (rows %(rows)s): the spreadsheet had turned them into numbers. Format the column as Text to keep them as typed."),
    "capacity_without_unit_rows": N_("Capacity is given without capacity_unit on %(count)s rows (rows %(rows)s)."),
    # residents' feedback
    "feedback_kind_required": N_("Choose what kind of message this is."),
    "feedback_text_required": N_("Write your message."),
    "feedback_too_many": N_("Too many messages from your connection in a short time. Your text "
                            "is kept below: please send it again later."),
    "feedback_control_characters": N_("The text contained invisible control characters (a NUL byte, say), "
                                      "perhaps copied from another program. They have been taken out below: "
                                      "check the text and send it again."),
    "feedback_too_long": N_("The text has %(length)s characters; at most %(limit)s are allowed."),
    "feedback_bad_rating": N_("A rating is a whole number from 1 to 5."),
    "feedback_bad_contact": N_("Give an e-mail address (name@example.kz) or a phone number with 7 to 15 digits."),
    "feedback_unknown_line": N_("Choose one of this facility's budget lines, or none."),
    "feedback_unknown_status": N_("%(value)s is not a status of feedback."),
    "feedback_bad_transition": N_("Feedback that is %(current)s cannot become %(target)s."),
    "feedback_bad_moderation": N_("Feedback that is %(current)s cannot be changed to %(target)s."),
    "feedback_answer_required": N_("Write the answer: it is published with the feedback."),
    "feedback_reason_required": N_("Give the reason: it is recorded and shown to the resident."),
    "feedback_redaction_empty": N_("The public text cannot be empty; hide the feedback instead."),
    "feedback_no_facility": N_("There is no facility %(facility_id)s."),
    "feedback_not_found": N_("There is no feedback number %(id)s."),
    "photo_too_large": N_("The photo is %(size)s MB; at most %(limit)s MB is allowed."),
    "photo_not_an_image": N_("The photo must be a JPEG or PNG picture."),
    "photo_too_many_pixels": N_("The photo has too many pixels (%(pixels)s million); at most %(limit)s million."),
}


def Nn_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a message with a plural for extraction (pybabel ``-k Nn_:1,2``), translated later."""
    return singular, plural


# Messages whose words follow a number (``count`` in the parameters), through ngettext.
PLURAL_MESSAGES: dict[str, tuple[str, str]] = {
    # warnings of one kind beyond the first ones kept (budget.validation.cap_warnings)
    "more_like_this": Nn_("…and %(num)s more warning like this.", "…and %(num)s more warnings like this."),
}


# Parameters that hold English labels (catalogue msgids) joined by '|': each label is
# translated where the message is rendered, so the official reads them in their own language.
LABEL_PARAMS = ("labels",)
LABEL_SEPARATOR = "|"


def english_plural(singular: str, plural: str, number: int) -> str:
    return singular if number == 1 else plural


def render(code: str, params: dict, translate=lambda s: s, plural=None) -> str:
    """Fill a message template, after passing it through ``translate`` (gettext), or for a
    message with a plural through ``plural`` (ngettext)."""
    if code in PLURAL_MESSAGES:
        forms, number = PLURAL_MESSAGES[code], int(params.get("count", 0))
        english = english_plural(*forms, number)
        try:
            return (plural or english_plural)(*forms, number) % params
        except (KeyError, TypeError, ValueError):
            return english % params
    template = translate(MESSAGES[code])
    params = {**{name: "" for name in LABEL_PARAMS}, **params}  # reports stored before them
    shown = {**params, **{name: ", ".join(translate(label) for label in
                                         str(params[name]).split(LABEL_SEPARATOR) if label)
                          for name in LABEL_PARAMS}}
    try:
        return template % shown
    except (KeyError, TypeError, ValueError):
        # A bad translation must never hide the problem from the official.
        return MESSAGES[code] % shown
