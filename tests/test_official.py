"""The report's official layout (#12.5): a letterhead and a signature block from the [report] settings, plain
text and dotted blanks without them; wrong settings refused at start naming file and key."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from rbdash.config import ReportLayout, SettingsError, settings
from rbdash.exports.queue import ReportRequest
from rbdash.exports.report import build_pdf
from rbdash.model import LoadResult

#: The reports here are read for their text: no chart images (tests/test_report.py renders them).
pytestmark = pytest.mark.usefixtures("text_only_reports")

#: 22:10 UTC is 05:10 WIB the next day: the date line is the date in Jakarta.
MADE = dt.datetime(2022, 10, 2, 22, 10, tzinfo=dt.UTC)


def _config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> Path:
    config = tmp_path / "rbdash.toml"
    config.write_text(text, encoding="utf-8")
    monkeypatch.setenv("RBDASH_CONFIG", str(config))
    return config


def _logo(path: Path) -> Path:
    Image.new("RGB", (120, 150), "white").save(path)  # a stand-in: the office's own emblem is theirs to set
    return path


def _pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_report_settings_are_read_with_a_logo_beside_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _logo(tmp_path / "lambang.png")
    _config(
        tmp_path,
        monkeypatch,
        '[report]\noffice_name = "KOMISI PEMILIHAN UMUM PROVINSI BANTEN"\n'
        'office_address = """Jl. Contoh No. 1, Serang\nTelepon (0254) 000000"""\nlogo = "lambang.png"\n'
        'place = "Serang"\nsigner_title = "Sekretaris"\nsigner_name = "Nama Pejabat"\nsigner_nip = "1970"\n',
    )
    layout = settings().report
    assert layout == ReportLayout(
        office_name="KOMISI PEMILIHAN UMUM PROVINSI BANTEN",
        office_address="Jl. Contoh No. 1, Serang\nTelepon (0254) 000000",
        logo=tmp_path / "lambang.png",
        place="Serang",
        signer_title="Sekretaris",
        signer_name="Nama Pejabat",
        signer_nip="1970",
    )
    assert layout.signer_heading is None  # unset: the report's language's heading


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ('[report]\nofice_name = "x"\n', "report.ofice_name"),  # a typo
        ("[report]\nplace = 3\n", "report.place"),
        ('[report]\nplace = "Serang\\nBanten"\n', "report.place"),
        ('[report]\noffice_address = "a\\nb\\nc"\n', "report.office_address"),
        ('[report]\nsigner_name = "' + "x" * 301 + '"\n', "report.signer_name"),
        ('[report]\nlogo = "tidak-ada.png"\n', "report.logo"),
        ('[report]\nlogo = "bukan-gambar.png"\n', "report.logo"),
        ('[report]\nlogo = "besar.png"\n', "report.logo"),
        ('[report]\nlogo = "potong.png"\n', "report.logo"),  # seen: half a PNG passed, then every report failed
        ('[report]\nlogo = "raksasa.png"\n', "report.logo"),  # 5000 px wide: decoded, it is 2 GB at 30,000
        ('[report]\nsigner_title = "' + "Sekretariat " * 11 + '"\n', "report.signer_title"),  # 132 characters
        ('[report]\nplace = "Serang\\rBanten"\n', "report.place"),
        ('report = "kop"\n', "report"),
    ],
)
def test_a_wrong_report_setting_is_refused_naming_file_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, table: str, key: str
) -> None:
    (tmp_path / "bukan-gambar.png").write_text("<svg onload=alert(1)>")
    (tmp_path / "besar.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(2_000_000))
    whole = io.BytesIO()
    Image.effect_noise((200, 200), 64).save(whole, "PNG")
    (tmp_path / "potong.png").write_bytes(whole.getvalue()[: len(whole.getvalue()) // 2])
    Image.new("1", (5000, 10)).save(tmp_path / "raksasa.png")
    config = _config(tmp_path, monkeypatch, table)
    with pytest.raises(SettingsError) as refused:
        settings()
    assert refused.value.params["name"] == key and refused.value.params["where"] == str(config)


def test_the_letterhead_and_signature_block_from_the_settings(bundled: LoadResult, tmp_path: Path) -> None:
    layout = ReportLayout(
        office_name="KOMISI PEMILIHAN UMUM PROVINSI BANTEN",
        office_address="Jl. Contoh No. 1, Serang",
        logo=_logo(tmp_path / "lambang.png"),
        place="Serang",
        signer_title="Sekretaris KPU Provinsi Banten",
        signer_name="Nama <Pejabat> & Rekan",
        signer_nip="19700101 199001 1 001",
    )
    pdf = build_pdf(bundled.plan, 9, "id", "versi 1", MADE, layout=layout)
    pages = _pdf_text(pdf)
    assert pages[0].index("KOMISI PEMILIHAN UMUM PROVINSI BANTEN") < pages[0].index("Rencana Aksi Reformasi")
    assert "Jl. Contoh No. 1, Serang" in pages[0]
    images = PdfReader(io.BytesIO(pdf)).pages[0].images
    assert len(images) == 1  # the logo
    last_body = next(text for text in reversed(pages) if "Mengetahui," in text)
    lines = [line.strip() for line in last_body.splitlines()]
    start = lines.index("Serang, 3 Oktober 2022")
    assert lines[start : start + 5] == [
        "Serang, 3 Oktober 2022",
        "Mengetahui,",
        "Sekretaris KPU Provinsi Banten",
        "Nama <Pejabat> & Rekan",
        "NIP. 19700101 199001 1 001",
    ]
    assert sum("Mengetahui," in text for text in pages) == 1


def test_without_settings_a_plain_header_and_blanks_to_fill_by_hand(bundled: LoadResult) -> None:
    pdf = build_pdf(bundled.plan, 9, "en", "v1", MADE, layout=ReportLayout())
    pages = _pdf_text(pdf)
    # The running header and the example banner, then the workbook's satker as the letterhead, then the title.
    first = [line.strip() for line in pages[0].splitlines()]
    assert first[3:5] == ["KPU Provinsi Banten", "Rencana Aksi Reformasi Birokrasi di Lingkungan Komisi"]
    assert not PdfReader(io.BytesIO(pdf)).pages[0].images
    signed = next(text for text in pages if "Acknowledged," in text)  # seen: "Mengetahui," in English
    dots = "." * 40
    for line in (f"{'.' * 24}, 3 October 2022", "Acknowledged,", dots, f"({dots})", f"NIP {dots}"):
        assert line in signed
    assert not any("Mengetahui," in text for text in pages)
    indonesian = _pdf_text(build_pdf(bundled.plan, 9, "id", "v1", MADE, layout=ReportLayout()))
    assert any("Mengetahui," in text for text in indonesian)


def test_a_changed_letterhead_is_another_report_request() -> None:
    """Reports are shared by request: a letterhead changed in the settings is not served the old report."""
    before = ReportRequest("a" * 64, 9, "id", "v1", layout=ReportLayout(place="Serang"))
    assert before == ReportRequest("a" * 64, 9, "id", "v1", layout=ReportLayout(place="Serang"))
    assert before != ReportRequest("a" * 64, 9, "id", "v1", layout=ReportLayout(place="Cilegon"))
    assert hash(before) != hash(ReportRequest("a" * 64, 9, "id", "v1", layout=ReportLayout(place="Cilegon")))


def test_the_letterhead_settings_are_the_home_office_s_alone(
    bundled: LoadResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kab/kota's report never carries the province's letterhead or signer: its own name, and blanks."""
    import dataclasses

    _config(
        tmp_path,
        monkeypatch,
        '[report]\noffice_name = "KOMISI PEMILIHAN UMUM PROVINSI BANTEN"\nsigner_name = "Nama Pejabat Provinsi"\n',
    )
    assert settings().report_layout("kpu provinsi  banten").office_name == "KOMISI PEMILIHAN UMUM PROVINSI BANTEN"
    assert settings().report_layout("KPU Kab. Lebak") == ReportLayout()
    assert bundled.plan is not None
    lebak = dataclasses.replace(bundled.plan, info={**bundled.plan.info, "satker": "KPU Kabupaten Lebak"})
    pages = _pdf_text(build_pdf(lebak, 9, "id", "versi 1", MADE))
    assert "KPU Kabupaten Lebak" in pages[0]
    assert not any("KOMISI PEMILIHAN UMUM PROVINSI BANTEN" in text or "Nama Pejabat Provinsi" in text for text in pages)
    province = _pdf_text(build_pdf(bundled.plan, 9, "id", "versi 1", MADE))
    assert "KOMISI PEMILIHAN UMUM PROVINSI BANTEN" in province[0]
    assert any("Nama Pejabat Provinsi" in text for text in province)
