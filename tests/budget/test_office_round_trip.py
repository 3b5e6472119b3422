"""The demo table through Debian's LibreOffice Calc, as an official's office suite saves it.

Calc (like Excel) opens the CSV and turns every cell that looks like a number into one: BINs
with a leading zero become 11-digit numbers. Saved as XLSX, or as a ';'-separated CSV in
Windows-1251 (which has no ә, ғ, қ, ң, ө, ұ, ү, һ), the file must still import without an
error, with every BIN as it was, and the lost letters told once per column. The conversions
run once per module, headless, with a throwaway profile (parallel runs do not share one).
``scripts/install-browser.sh`` (``make test``) installs libreoffice-calc.
"""

from __future__ import annotations

import shutil
import subprocess

import pandas as pd
import pytest

from budget import format as fmt
from budget.demo.dataset import CSV_PATH
from budget.reader import read_budget_file
from budget.validation import validate_table

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
# Import: ',' separated, '"' quoted, UTF-8 (76), from line 1. Export: ';', '"', Windows-1251 (34).
CSV_IMPORT = "Text - txt - csv (StarCalc):44,34,76,1"
CP1251_EXPORT = "csv:Text - txt - csv (StarCalc):59,34,34"
NOT_IN_CP1251 = set("әғқңөұүһӘҒҚҢӨҰҮҺ")


def convert(source, target_format: str, out_dir, profile) -> bytes:
    """``source`` opened by Calc and saved as ``target_format``; the saved file's bytes."""
    command = [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               f"--infilter={CSV_IMPORT}", "--convert-to", target_format, "--outdir", str(out_dir),
               str(source)]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    suffix = "xlsx" if target_format == "xlsx" else "csv"
    return (out_dir / f"{source.stem}.{suffix}").read_bytes()


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """{"xlsx": bytes, "csv": bytes}: the demo table as Calc saves it."""
    assert SOFFICE, "LibreOffice Calc is missing: run scripts/install-browser.sh (make test does)"
    work = tmp_path_factory.mktemp("office")
    source = work / "budget_demo.csv"
    shutil.copyfile(CSV_PATH, source)
    profile = work / "profile"
    return {"xlsx": convert(source, "xlsx", work / "xlsx", profile),
            "csv": convert(source, CP1251_EXPORT, work / "csv", profile)}


@pytest.fixture(scope="module")
def original(geography):
    return validate_table(read_budget_file(CSV_PATH.read_bytes(), CSV_PATH.name), geography.districts)


@pytest.fixture(scope="module")
def typed_bins():
    return pd.read_csv(CSV_PATH, dtype=str, keep_default_na=False)["contractor_bin"]


def validated(content: bytes, name: str, geography):
    raw = read_budget_file(content, name)
    return raw, validate_table(raw, geography.districts)


def test_calc_made_numbers_of_the_bins_that_start_with_zero(saved, typed_bins):
    """The premise: what Calc saved really lost the zeros (else the test proves nothing)."""
    zero = typed_bins.str.startswith("0")
    assert zero.sum() > 100
    for name in ("budget.xlsx", "budget.csv"):
        raw = read_budget_file(saved[name.rsplit(".", 1)[1]], name)
        bins = raw.frame["contractor_bin"].reset_index(drop=True)
        assert (bins[zero] == typed_bins[zero].str.lstrip("0")).all(), name


def test_xlsx_saved_by_calc_imports_exactly_the_original_table(saved, original, typed_bins, geography):
    _, result = validated(saved["xlsx"], "budget.xlsx", geography)
    assert result.errors == []
    pd.testing.assert_frame_equal(result.lines, original.lines)
    pd.testing.assert_frame_equal(result.facilities, original.facilities)
    assert result.lines["contractor_bin"].fillna("").tolist() == typed_bins.tolist()
    [restored] = [p for p in result.warnings if p.code == "zero_restored_rows"]
    assert (restored.column, restored.params["count"]) == (
        "contractor_bin", int(typed_bins.str.startswith("0").sum()))
    assert {p.code for p in result.warnings} == {"zero_restored_rows", *{p.code for p in original.warnings}}


def test_windows_1251_csv_saved_by_calc_imports_with_one_lost_letters_warning_per_column(
        saved, original, typed_bins, geography):
    raw, result = validated(saved["csv"], "budget.csv", geography)
    assert raw.encoding == "cp1251"
    assert result.errors == []
    assert result.lines["contractor_bin"].fillna("").tolist() == typed_bins.tolist()
    assert [p.code for p in result.warnings].count("zero_restored_rows") == 1

    typed = pd.read_csv(CSV_PATH, dtype=str, keep_default_na=False)
    affected = {c.name for c in fmt.COLUMNS if c.kind == fmt.TEXT and c.name in typed
                and typed[c.name].map(lambda text: bool(NOT_IN_CP1251 & set(text))).sum() > 5}
    lost = [p for p in result.warnings if p.code.startswith("letters_lost")]
    assert sorted(p.column for p in lost) == sorted(affected)  # one each, and only there
    assert {p.code for p in lost} == {"letters_lost_rows"}
    assert all(p.row is None and "?" in p.value for p in lost)

    unharmed = [c for c in original.lines.columns if c not in affected]
    pd.testing.assert_frame_equal(result.lines[unharmed], original.lines[unharmed])
