"""The 2022 action plan of KPU Provinsi Banten, copied from the decree's annex, and example data.

Source: Keputusan KPU Provinsi Banten Nomor 003/HK.03.1/36/2022 (text copy of the decree with
its annex), read by the rules of the project's annex reading notes. Text is verbatim, typos
included ("rekemondasi", "pemanggangan"). What the copy does not show is `MISSING`, which the
workbook writes as "[tidak ada dalam salinan]"; nothing is filled in by guess.

Everything under "Example data" is invented for demonstration, labelled CONTOH wherever it is
written, and never mixed into the Rencana Aksi sheet.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from rbdash.workbook.parse import split_numbered_items
from rbdash.workbook.schema import MISSING_MARKER

MISSING = None  # a cell the decree's copy does not show


@dataclass(frozen=True)
class AnnexRow:
    """One row of the annex table as the decree shows it."""

    code: str
    no: str | None
    program: str | None
    activity: str | None
    sub_activity: str | None
    indicators: str | None
    months: tuple[int, ...]
    remarks: str | None = None


INFO = {
    "satker": "KPU Provinsi Banten",
    "year": 2022,
    "title": "Rencana Aksi Reformasi Birokrasi di Lingkungan Komisi Pemilihan Umum Provinsi Banten Tahun 2022",
    "decree_number": "003/HK.03.1/36/2022",
    "decree_date": dt.date(2022, 1, 21),
    "decree_place": "Serang",
    "signed_by": "Wahyul Furqon (Ketua KPU Provinsi Banten)",
}

TITLE_LINES = (
    "RENCANA AKSI REFORMASI BIROKRASI",
    "DI LINGKUNGAN KOMISI PEMILIHAN UMUM PROVINSI BANTEN",
    "TAHUN 2022",
)
SOURCE_LINE = (
    "Lampiran Keputusan Komisi Pemilihan Umum Provinsi Banten Nomor 003/HK.03.1/36/2022 "
    "tentang Rencana Aksi Reformasi Birokrasi di Lingkungan Komisi Pemilihan Umum"
)

_P8 = "Peningkatan Kualitas Pelayanan Publik"
_K81 = "1. Penguatan pelayanan prima di lingkungan KPU Provinsi Banten"
_K84 = "4. Penerapan partisipasi publik dalam pelayanan publik;"
ALL_MONTHS = tuple(range(1, 13))

ROWS: tuple[AnnexRow, ...] = (
    AnnexRow(
        "RA-01",
        MISSING,
        MISSING,
        MISSING,
        "3. Penyelenggaraan Integritas di lingkungan kerja: 1) Penandatanganan Pakta integritas Penyelenggara "
        "Pemilu; 2) Pelaporan LHKPN dan LHKASN setiap tahun; 3) Pelaksanaan manajemen benturan kepentingan 4) "
        "Pembangunan Zona Integritas",
        "1. Persentase (%) penandatangan Pakta Integritas baik Anggota dan ASN 2. Persentase (%) pelaporan LHKPN "
        "3. Persentase (%) pelaporan LHKASN 4. Dokumen Laporan penanganan benturan kepentingan berikut dokumentasi "
        ": a). Surat Pernyataan Potensi Benturan Kepentingan b). Surat Pernyataan Bebas Benturan Kepentingan c). "
        "Deklarasi pencanangan Zona Integritas KPU Provinsi Banten",
        (1,),
    ),
    AnnexRow(
        "RA-02",
        MISSING,
        MISSING,
        MISSING,
        "4. Internalisasi nilai-nilai dasar organisasi dan menciptakan budaya kerja positif di lingkungan KPU "
        "Provinsi Banten",
        "1. Tersedianya media sosialisasi nilai-nilai dasar organisasi dan budaya kerja positif di lingkungan KPU "
        "Provinsi Banten; 2. Diterapkannya Budaya Kerja positif yang dituangkan dalam standar operasional "
        "pelaksanaan kegiatan/tugas keseharian;",
        ALL_MONTHS,
    ),
    AnnexRow(
        "RA-03",
        MISSING,
        MISSING,
        MISSING,
        "5. Pembangunan instrumen reward dan punishment yang mendorong motivasi perubahan, terutama yang terkait "
        "dengan pelayanan kepada publik;",
        "1. Tersedianya instrumen reward and punishment di lingkungan KPU Provinsi Banten; 2. Pembangunan survei "
        "kepuasan layanan sebagai indikator perbaikan pelayanan di lingkungan unit/satuan kerja;",
        (8,),
    ),
    AnnexRow(
        "RA-04",
        "8.",
        _P8,
        _K81,
        "Memetakan jenis-jenis/ produk-produk pelayanan Administrasi Internal Kesekretariatan dan pelayanan "
        "eksternal (terkait Kepemiluan)",
        "Informasi jenis-jenis atau produk-produk layanan di lingkungan unit/satuan kerja baik kepada internal dan "
        "eksternal;",
        ALL_MONTHS,
        "Salinan menunjukkan 15 tanda centang untuk 12 kolom bulan (artefak PDF); dibaca: bulan 1-12.",
    ),
    AnnexRow(
        "RA-05",
        "8.",
        _P8,
        _K81,
        "Melakukan evaluasi terhadap jenis-jenis layanan baik internal dan eksternal terhadap 14 komponen standar "
        "pelayanan sesuai UU Nomor 25 Tahun 2009 meliputi: 1) Dasar hukum; 2) Persyaratan Layanan; 3) Sistem, "
        "mekanisme dan prosedur layanan; 4) Jangka waktu penyelesaian layanan; 5) Biaya/tarif; 6) Produk "
        "layanan; 7) Saran, prasarana dan/atau fasilitas; 8) Kompetensi pelaksana 9) Pengawasan internal; 10) "
        "Penanganan pengaduan, saran dan masukan; 11) Jumlah pelaksana; 12) Jaminan pelayanan; 13) Jaminan "
        "keamanan; 14) Evaluasi kinerja pelaksana;",
        "1. Pelaksanaan rekomendasi hasil evaluasi terhadap setiap jenis layanan internal dan eksternal/ upaya "
        "pemenuhan terhadap 14 komponen standar pelayanan (reviu dan perbaikan standar pelayanan). 2. Sudah "
        "adanya maklumat pelayanan di lingkungan unit/satuan kerja 3. Indeks Kepuasan layanan yang di dapat "
        "melalui survei pelayanan; 4. Jumlah sengketa pelayanan menurun; 5. Menurunnya jumlah pemanggangan kode "
        "etik ASN dan Kode etik Penyelenggara pemilu; 6. Adanya akses pengaduan, konsultasi serta Pengelolaan "
        "pengaduan masyarakat (jumlah pengaduan masuk, sedang proses dan selesai) 7. Adanya inovasi pelayanan "
        "yang dirasakan manfaatnya oleh",
        ALL_MONTHS,
        "Salinan menunjukkan 13 tanda centang untuk 12 kolom bulan (artefak PDF); dibaca: bulan 1-12. Indikator "
        "7 terpotong di salinan setelah kata 'oleh'.",
    ),
    AnnexRow(
        "RA-06",
        "8.",
        _P8,
        _K81,
        MISSING,
        "1) Indeks Kepuasan layanan yang di dapat melalui survei pelayanan; 2) Adanya regulasi/deregulasi "
        "kebijakan pelayanan; 3) Adanya SOP Pelayanan 4) Informasi kepada publik terkait biaya layanan 5) "
        "Informasi jenis-jenis pelayanan di lingkungan unit/satuan kerja baik kepada internal dan eksternal; 6) "
        "Tersedianya pelayanan berbasis teknologi informasi",
        ALL_MONTHS,
        "Baris salinan hanya berisi sel indikator dan tanda bulan; sub kegiatannya tidak ada dalam salinan.",
    ),
    AnnexRow(
        "RA-07",
        "8.",
        _P8,
        "2. Melakukan evaluasi dan perbaikan terhadap inovasi layanan;",
        MISSING,
        "1. Adanya rekemondasi dan tindak lanjut hasil evaluasi. 2. Dilaksanakannya rekomendasi hasil evaluasi.",
        (6, 12),
        "Di salinan teks indikator berada di kolom SUB KEGIATAN; dibaca sebagai dua indikator.",
    ),
    AnnexRow(
        "RA-08",
        "8.",
        _P8,
        MISSING,
        MISSING,
        MISSING,
        (5, 11),
        "Baris salinan hanya berisi tanda bulan; kemungkinan kegiatan 3 yang hilang di pergantian halaman.",
    ),
    AnnexRow(
        "RA-09",
        "8.",
        _P8,
        _K84,
        "1. Pembangunan Kerja Sama",
        MISSING,
        (6, 7, 8, 9, 10, 11, 12),
        "Satu tanda centang lagi jatuh di kolom KET pada salinan; tidak dihitung sebagai bulan.",
    ),
    AnnexRow(
        "RA-10",
        "8.",
        _P8,
        _K84,
        "2. Pelibatan masyarakat dalam kegiatan pemilu",
        MISSING,
        (6, 8, 10, 12),
    ),
    AnnexRow(
        "RA-11",
        "8.",
        _P8,
        "5. Penerapan reward and punishment dalam penyelenggaraan pelayanan publik;",
        "Pembangunan dan pelaksanaan reward dan punishment dalam pelayanan internal dan eksternal",
        "Adanya pemberian reward dan punishment dalam pelayanan",
        (8,),
        "Sel teks baris ini bergeser satu kolom ke kanan di salinan; dibaca di kolom semestinya, bulan 8.",
    ),
)

READING_NOTES: tuple[str, ...] = (
    "Salinan lampiran adalah kutipan: baris teratas halaman pertama dan halaman untuk program 1-7 tidak ada "
    "dalam salinan.",
    "Halaman pertama: NO, PROGRAM KEGIATAN dan KEGIATAN untuk baris RA-01 sampai RA-03 tidak ada dalam salinan; "
    "sub kegiatan 1 dan 2 juga tidak ada. Programnya tidak ditebak.",
    "Sel yang tidak ada dalam salinan ditulis '" + MISSING_MARKER + "'.",
    "Teks disalin verbatim dari salinan, termasuk salah ketik ('rekemondasi', 'pemanggangan kode etik').",
    "RA-04 dan RA-05: salinan menunjukkan 15 dan 13 tanda centang untuk 12 kolom bulan (artefak PDF); "
    "keduanya dibaca sebagai setiap bulan, 1-12.",
    "RA-05: indikator 7 terpotong di salinan ('... yang dirasakan manfaatnya oleh').",
    "RA-06: baris salinan hanya berisi sel indikator dan tanda bulan; sub kegiatannya tidak ada dalam salinan.",
    "RA-07: teks '1. Adanya rekemondasi ... 2. Dilaksanakannya rekomendasi hasil evaluasi.' berada di kolom SUB "
    "KEGIATAN pada salinan, tetapi dibaca sebagai dua indikator.",
    "RA-08: baris salinan hanya berisi tanda bulan 5 dan 11 (kemungkinan kegiatan 3 yang hilang di pergantian "
    "halaman); kegiatan, sub kegiatan dan indikatornya tidak ada dalam salinan.",
    "RA-09: satu tanda centang lagi jatuh di kolom KET pada salinan; bulan dibaca 6-12.",
    "RA-11: sel teks bergeser satu kolom ke kanan di salinan; tanda centangnya sekolom dengan baris reward dan "
    "punishment di halaman pertama, dibaca bulan 8.",
    "Jumlah menurut pembacaan ini: 11 baris rencana aksi, 66 bulan terjadwal.",
    "Lembar Indikator: teks indikator dipecah dari sel INDIKATOR KEBERHASILAN (verbatim); SATUAN dan ARAH adalah "
    "klasifikasi RB Dash, bukan dari keputusan. Keputusan tidak memuat target.",
    "Keputusan tidak memuat realisasi, nilai capaian, target, maupun hasil survei.",
)

# Unit and direction of each indicator: RB Dash's reading of the indicator text, not the decree's.
INDICATOR_CLASSES: dict[str, tuple[str, str]] = {
    "RA-01.1": ("persen", "naik"),
    "RA-01.2": ("persen", "naik"),
    "RA-01.3": ("persen", "naik"),
    "RA-01.4": ("dokumen", "naik"),
    "RA-02.1": ("ada/tidak", "naik"),
    "RA-02.2": ("ada/tidak", "naik"),
    "RA-03.1": ("ada/tidak", "naik"),
    "RA-03.2": ("ada/tidak", "naik"),
    "RA-04.1": ("ada/tidak", "naik"),
    "RA-05.1": ("persen", "naik"),
    "RA-05.2": ("ada/tidak", "naik"),
    "RA-05.3": ("indeks", "naik"),
    "RA-05.4": ("jumlah", "turun"),
    "RA-05.5": ("jumlah", "turun"),
    "RA-05.6": ("ada/tidak", "naik"),
    "RA-05.7": ("jumlah", "naik"),
    "RA-06.1": ("indeks", "naik"),
    "RA-06.2": ("ada/tidak", "naik"),
    "RA-06.3": ("ada/tidak", "naik"),
    "RA-06.4": ("ada/tidak", "naik"),
    "RA-06.5": ("ada/tidak", "naik"),
    "RA-06.6": ("ada/tidak", "naik"),
    "RA-07.1": ("ada/tidak", "naik"),
    "RA-07.2": ("persen", "naik"),
    "RA-11.1": ("ada/tidak", "naik"),
}


@dataclass(frozen=True)
class IndicatorRow:
    code: str
    plan_code: str
    item_no: int
    text: str
    unit: str
    direction: str
    target: float | None = None
    baseline: float | None = None
    target_assumed: bool = False


def indicator_rows() -> list[IndicatorRow]:
    """The success indicators split out of the annex cells, verbatim, with RB Dash's unit/direction."""
    rows = []
    for annex in ROWS:
        if not annex.indicators:
            continue
        for index, (_, text) in enumerate(split_numbered_items(annex.indicators), start=1):
            code = f"{annex.code}.{index}"
            unit, direction = INDICATOR_CLASSES[code]
            rows.append(IndicatorRow(code, annex.code, index, text, unit, direction))
    return rows


# ----------------------------------------------------------------------------------------------
# Example data (CONTOH): invented for demonstration, labelled as such wherever it is written.

EXAMPLE_AS_OF = dt.date(2022, 9, 30)

# Assumed targets and baselines (CONTOH). Indicators absent here have no target ("belum ditetapkan").
EXAMPLE_TARGETS: dict[str, tuple[float, float | None]] = {
    "RA-01.1": (100, None),
    "RA-01.2": (100, 92),
    "RA-01.3": (100, 85),
    "RA-01.4": (3, 0),
    "RA-02.1": (1, 0),
    "RA-02.2": (1, 0),
    "RA-03.1": (1, 0),
    "RA-04.1": (1, 0),
    "RA-05.1": (100, 0),
    "RA-05.2": (1, 1),
    "RA-05.3": (88.31, 85.2),
    "RA-05.4": (0, 2),
    "RA-05.6": (1, 1),
    "RA-05.7": (1, 0),
    "RA-06.2": (1, 0),
    "RA-06.3": (1, 1),
    "RA-06.4": (1, 0),
    "RA-06.5": (1, 1),
    "RA-07.1": (1, 0),
    "RA-07.2": (100, 0),
    "RA-11.1": (1, 0),
}

# (code, month) -> (status, progress, note) where the example differs from "Selesai, 100".
_EXAMPLE_EXCEPTIONS: dict[tuple[str, int], tuple[str, float, str]] = {
    ("RA-02", 9): ("Sebagian", 60, "CONTOH: sosialisasi bulan ini baru sebagian unit."),
    ("RA-05", 8): ("Sebagian", 50, "CONTOH: evaluasi 7 dari 14 komponen."),
    ("RA-05", 9): ("Belum", 0, "CONTOH: menunggu hasil evaluasi bulan sebelumnya."),
    ("RA-06", 9): ("Belum", 0, "CONTOH: belum dilaksanakan."),
    ("RA-08", 5): ("Belum", 0, "CONTOH: belum dilaksanakan."),
    ("RA-09", 9): ("Sebagian", 40, "CONTOH: draf kerja sama dalam pembahasan."),
    ("RA-10", 8): ("Batal", 0, "CONTOH: kegiatan dibatalkan, dijadwalkan ulang."),
    ("RA-11", 8): ("Sebagian", 75, "CONTOH: penilaian berjalan."),
}


@dataclass(frozen=True)
class RealisationRow:
    code: str
    month: int
    status: str
    progress: float
    evidence: str
    note: str


def example_realisation() -> list[RealisationRow]:
    """CONTOH realisation for every scheduled month up to the example as-of month."""
    rows = []
    for annex in ROWS:
        for month in annex.months:
            if month > EXAMPLE_AS_OF.month:
                continue
            status, progress, note = _EXAMPLE_EXCEPTIONS.get((annex.code, month), ("Selesai", 100, "CONTOH"))
            evidence = "CONTOH: laporan kegiatan" if status in ("Selesai", "Sebagian") else ""
            rows.append(RealisationRow(annex.code, month, status, progress, evidence, note))
    return rows


#: The IKM indicators (RA-05.3, RA-06.1) carry the example survey's all-units IKM for each quarter, as
#: the dashboard takes them from the survey (ikm.survey_indicator_values); tests/test_annex.py checks it.
EXAMPLE_INDICATOR_VALUES: dict[str, dict[int, float]] = {
    "RA-01.1": {1: 100},
    "RA-01.2": {1: 40, 2: 75, 3: 100},
    "RA-01.3": {1: 30, 2: 60, 3: 90, 4: 96},
    "RA-01.4": {1: 1, 2: 2, 3: 3},
    "RA-02.1": {3: 1},
    "RA-05.1": {3: 20, 6: 45, 9: 60},
    "RA-05.2": {1: 1},
    "RA-05.3": {3: 79.59, 6: 82.91, 9: 86.2},
    "RA-05.4": {3: 2, 6: 1, 9: 1},
    "RA-05.5": {3: 1, 6: 1, 9: 0},
    "RA-06.1": {6: 82.91},
    "RA-07.1": {6: 1},
}

EXAMPLE_SURVEY_UNITS = ("Layanan Informasi Publik (contoh)", "Layanan Internal Kesekretariatan (contoh)")
# Per unit and quarter: (respondents, the mean answer the generator aims for per unsur).
_EXAMPLE_SURVEY_PLAN = {
    (0, 1): (48, (3.3, 3.2, 3.0, 3.9, 3.3, 3.4, 3.5, 2.9, 3.1)),
    (0, 2): (52, (3.4, 3.3, 3.2, 3.9, 3.4, 3.5, 3.6, 3.0, 3.2)),
    (0, 3): (60, (3.6, 3.5, 3.5, 3.9, 3.6, 3.6, 3.7, 3.3, 3.5)),
    (1, 1): (30, (3.0, 2.9, 2.8, 3.8, 3.0, 3.1, 3.3, 2.6, 2.8)),
    (1, 2): (34, (3.2, 3.1, 3.0, 3.8, 3.2, 3.3, 3.4, 2.8, 3.0)),
    (1, 3): (36, (3.3, 3.2, 3.1, 3.9, 3.3, 3.4, 3.5, 2.9, 3.2)),
}


def example_responses(seed: int = 2022) -> list[tuple[str, str, int, tuple[int, ...]]]:
    """CONTOH survey answers: (period, unit, respondent number, answers U1..U9), seeded, reproducible."""
    rng = random.Random(seed)
    rows = []
    for (unit_index, quarter), (count, means) in sorted(
        _EXAMPLE_SURVEY_PLAN.items(), key=lambda kv: (kv[0][1], kv[0][0])
    ):
        for number in range(1, count + 1):
            answers = []
            for mean in means:
                # Answers 1..4 whose expected value is `mean`: mix the two nearest scores.
                low = min(int(mean), 3)
                answers.append(low + 1 if rng.random() < mean - low else low)
            rows.append((f"2022-TW{quarter}", EXAMPLE_SURVEY_UNITS[unit_index], number, tuple(answers)))
    return rows
