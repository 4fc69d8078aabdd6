"""`python -m rbdash validate|summary|template`: exit codes, messages in both languages, JSON shape."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import BUNDLED, ROOT, CliRun


@pytest.mark.slow
def test_python_dash_m_rbdash_validates_in_its_own_process() -> None:
    """The one subprocess smoke test of `validate` (the others run `cli.main` in-process)."""
    result = subprocess.run(
        [sys.executable, "-m", "rbdash", "validate", str(BUNDLED)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert result.returncode == 0 and "Berkas valid" in result.stdout


@pytest.fixture(scope="module")
def invalid_workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wb = openpyxl.load_workbook(BUNDLED)
    wb["Realisasi"]["C4"] = "Hampir"
    wb["Rencana Aksi"]["S10"] = "RA-01"
    path = tmp_path_factory.mktemp("cli") / "salah.xlsx"
    wb.save(path)
    return path


def test_validate_valid_file_exits_0(cli: Callable[..., CliRun]) -> None:
    result = cli("validate", str(BUNDLED))
    assert result.returncode == 0
    assert "Berkas valid" in result.stdout


def test_validate_errors_exit_1_with_sheet_cell_and_fix(cli: Callable[..., CliRun], invalid_workbook: Path) -> None:
    result = cli("validate", str(invalid_workbook))
    assert result.returncode == 1
    assert "Realisasi!C4" in result.stderr and "Status 'Hampir' tidak dikenali" in result.stderr
    assert "Rencana Aksi!S10" in result.stderr and "Perbaikan:" in result.stderr
    english = cli("validate", str(invalid_workbook), "--lang", "en")
    assert english.returncode == 1
    assert "Status 'Hampir' is not recognised" in english.stderr and "Fix:" in english.stderr


def test_validate_json(cli: Callable[..., CliRun], invalid_workbook: Path) -> None:
    result = cli("validate", str(invalid_workbook), "--json", "--lang", "en")
    data = json.loads(result.stdout)
    assert result.returncode == 1 and data["valid"] is False
    assert {"severity", "code", "sheet", "cell", "message", "fix"} <= set(data["problems"][0])


def test_validate_unreadable_and_missing_files_exit_2(cli: Callable[..., CliRun], tmp_path: Path) -> None:
    text = tmp_path / "catatan.xlsx"
    text.write_text("NO;PROGRAM\n1;x\n")
    result = cli("validate", str(text))
    assert result.returncode == 2
    assert "bukan buku kerja Excel .xlsx" in result.stderr and "teks atau CSV" in result.stderr
    missing = cli("validate", str(tmp_path / "tidak-ada.xlsx"))
    assert missing.returncode == 2 and "Berkas tidak ditemukan" in missing.stderr
    assert "Traceback" not in result.stderr + missing.stderr


def test_summary_json_has_the_documented_keys(cli: Callable[..., CliRun]) -> None:
    result = cli("summary", str(BUNDLED), "--json")
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert {"info", "plan", "indicators", "ikm"} <= set(data)
    assert data["info"]["satker"] == "KPU Provinsi Banten" and data["info"]["year"] == 2022
    first = data["plan"][0]
    assert {"code", "program", "activity", "sub_activity", "indicators", "months"} <= set(first)
    assert first["code"] == "RA-01" and first["months"] == [1] and len(first["indicators"]) == 4
    assert first["program"] is None and "program" in first["missing_in_copy"]
    assert sum(len(row["months"]) for row in data["plan"]) == 66
    assert data["ikm"][0]["nrr"]["U1"] is not None and data["ikm"][0]["mutu"] in "ABCD"


def test_template_command_writes_a_loadable_workbook(cli: Callable[..., CliRun], tmp_path: Path) -> None:
    out = tmp_path / "templat.xlsx"
    result = cli("template", str(out))
    assert result.returncode == 0 and out.exists()
    assert cli("validate", str(out)).returncode == 0


def test_template_to_an_unwritable_place_exits_2(cli: Callable[..., CliRun], tmp_path: Path) -> None:
    result = cli("template", str(tmp_path / "no" / "such" / "dir" / "t.xlsx"), "--lang", "en")
    assert result.returncode == 2 and "Cannot write" in result.stderr and "Traceback" not in result.stderr


def test_report_says_when_chart_images_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from rbdash import cli
    from rbdash.exports import images, report

    def failing_build(*_args: object, **_kwargs: object) -> bytes:
        raise images.ExportFailed("chromium did not answer")

    monkeypatch.setattr(report, "build_pdf", failing_build)
    code = cli.main(["report", str(BUNDLED), "--pdf", str(tmp_path / "laporan.pdf")])
    assert code == 2 and not (tmp_path / "laporan.pdf").exists()
    assert "Gambar grafik gagal dibuat" in capsys.readouterr().err


def test_validate_refuses_devices_and_pipes_by_type(cli: Callable[..., CliRun], tmp_path: Path) -> None:
    fifo = tmp_path / "pipa.xlsx"
    os.mkfifo(fifo)
    for path, kind in (("/dev/zero", "device"), (str(fifo), "named pipe")):
        completed = cli("validate", path, "--lang", "en")
        assert completed.returncode == 2, completed.stderr
        assert "is not a regular file" in completed.stderr and kind in completed.stderr


def test_template_to_a_full_device_is_one_message(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Seen by the attacker review: `template /dev/full` printed the message, then a ZIP traceback."""
    from rbdash.cli import main

    full = tmp_path / "penuh.xlsx"
    full.symlink_to("/dev/full")
    assert main(["template", str(full), "--force", "--lang", "en"]) == 2
    captured = capsys.readouterr()
    assert captured.err.strip() == f"Cannot write {full}: No space left on device"


def test_template_keeps_an_existing_file_and_writes_only_xlsx(cli: Callable[..., CliRun], tmp_path: Path) -> None:
    """Seen by the review: `template filled.xlsx` replaced a staff member's filled workbook with a blank one,
    and `template t.txt` wrote a workbook under a text file's name."""
    filled = tmp_path / "terisi.xlsx"
    filled.write_bytes(BUNDLED.read_bytes())
    kept = cli("template", str(filled))
    assert kept.returncode == 1 and "sudah ada dan tidak ditimpa" in kept.stderr and "--force" in kept.stderr
    assert filled.read_bytes() == BUNDLED.read_bytes()
    assert cli("template", str(filled), "--force").returncode == 0 and filled.read_bytes() != BUNDLED.read_bytes()
    text = cli("template", str(tmp_path / "t.txt"), "--lang", "en")
    assert text.returncode == 1 and "ending in .xlsx" in text.stderr and not (tmp_path / "t.txt").exists()


def test_report_refuses_one_file_for_both_outputs(cli: Callable[..., CliRun], tmp_path: Path) -> None:
    """Seen by the review: `report --pdf r.pdf --pptx r.pdf` said both were written; the deck was left in r.pdf."""
    same = cli("report", str(BUNDLED), "--pdf", str(tmp_path / "r.pdf"), "--pptx", str(tmp_path / "." / "r.pdf"))
    assert same.returncode == 1 and "menunjuk berkas yang sama" in same.stderr
    assert not (tmp_path / "r.pdf").exists()


NO_COMMENT = "Nama penerbit dan catatan tidak boleh kosong"
NOT_AN_EDITOR = "bukan editor atau admin yang terdaftar"


@pytest.mark.parametrize(
    ("comment", "user", "said"),
    [
        ("", "ani", NO_COMMENT),
        ("   ", "ani", NO_COMMENT),
        ("perbaikan", " ", NOT_AN_EDITOR),
        ("perbaikan", "nobody-not-a-user", NOT_AN_EDITOR),  # seen by the attacker review: it published
        ("perbaikan", "vera", NOT_AN_EDITOR),  # a viewer
        # Seen by the review: a 5,000-character comment was published and printed on one line of history.
        ("x" * 501, "ani", "Catatan versi ini 501 karakter; paling banyak 500"),
    ],
)
def test_publish_needs_a_comment_and_an_editor(
    comment: str,
    user: str,
    said: str,
    users_store_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from rbdash.cli import main
    from rbdash.store.sqlite import SqliteStore

    monkeypatch.setenv("RBDASH_DATA_DIR", str(users_store_root))
    SqliteStore(users_store_root).add_user("ani", "editor", "kata-sandi-panjang")
    assert main(["publish", str(BUNDLED), "--comment", comment, "--user", user]) == 2
    assert said in capsys.readouterr().err
    assert [v.number for v in SqliteStore(users_store_root).history()] == [1]


@pytest.mark.parametrize("user", ["", "   ", "tidak-ada", "vera"])
def test_restore_needs_an_editor(
    user: str, users_store_root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Seen by the attacker review: `restore 1 --user ""` published a version by nobody."""
    from rbdash.cli import main
    from rbdash.store.sqlite import SqliteStore

    monkeypatch.setenv("RBDASH_DATA_DIR", str(users_store_root))
    assert main(["restore", "1", "--user", user]) == 1
    assert NOT_AN_EDITOR in capsys.readouterr().err
    assert [v.number for v in SqliteStore(users_store_root).history()] == [1]
    assert main(["restore", "1", "--user", "edi"]) == 0


@pytest.mark.slow
def test_a_closed_pipe_ends_the_command_quietly(tmp_path: Path) -> None:
    """Seen by the attacker review: `rbdash history | head` ended in a BrokenPipeError traceback."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line
    try:
        done = subprocess.run(
            [sys.executable, "-m", "rbdash", "summary", str(BUNDLED), "--json"],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT), "RBDASH_DATA_DIR": str(tmp_path)},
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (141, "")


def test_history_shows_comments_literally_one_line_each(
    cli: Callable[..., CliRun], seeded_store_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen by the review: a right-to-left override in a comment reordered the printed line."""
    from rbdash.store.sqlite import SqliteStore
    from tests.conftest import bundled_with

    monkeypatch.setenv("RBDASH_DATA_DIR", str(seeded_store_root))

    def edit(wb) -> None:
        wb["Realisasi"].delete_rows(wb["Realisasi"].max_row)  # a change: publishing the same content is refused

    comment = "exe\u202etxt\tdua\nbaris\x1b[1A\x1b[2K\rpalsu\x07"
    SqliteStore(seeded_store_root).publish(bundled_with(edit), "edi", comment, allow_removals=True)
    run = cli("history")
    (line,) = [line for line in run.stdout.splitlines() if "exe" in line]
    # Seen by the second review: ESC sequences in a comment moved the cursor and overwrote other lines.
    assert line.endswith("\texe[U+202E]txt dua baris[U+001B][1A[U+001B][2K palsu[U+0007]")
    assert not [c for c in run.stdout if ord(c) < 32 and c not in "\t\n"] and "\u202e" not in run.stdout
