"""The bundled workbook re-saved by LibreOffice Calc (shared strings, its own styles and cached
formula values) loads to the same model."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from rbdash.workbook.loader import load_workbook
from tests.conftest import BUNDLED, require_tool
from tests.test_loader_variants import model_signature

# Starts a browser, a server or another program: left out of `make test-fast`.
pytestmark = pytest.mark.slow

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
require_tool(SOFFICE is not None, "LibreOffice Calc (soffice)")


def resave(source: Path, out_dir: Path) -> Path:
    """Convert `source` to .xlsx with headless LibreOffice, as a staff member's 'Save As' would."""
    assert SOFFICE, "LibreOffice must be installed in CI"
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = out_dir / "profile"
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(out_dir / "out"),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return out_dir / "out" / source.name


def test_libreoffice_resave_loads_to_the_same_model(tmp_path: Path) -> None:
    source = tmp_path / "src" / "rencana_aksi_2022.xlsx"
    source.parent.mkdir()
    wb = openpyxl.load_workbook(BUNDLED)
    wb["Realisasi"]["D5"] = "=50+50"  # a formula: LibreOffice stores its computed value
    wb.save(source)
    resaved = resave(source, tmp_path)
    assert b"sharedStrings" in resaved.read_bytes()
    original = load_workbook(BUNDLED)
    result = load_workbook(resaved)
    assert result.is_valid and result.problems == [], [p.render("en") for p in result.problems]
    assert model_signature(result) == model_signature(original)
    assert result.plan.info == {**original.plan.info}
