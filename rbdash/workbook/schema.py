"""The one workbook schema: sheet names, column headers, accepted spellings and vocabularies.

The loader, the validator, the template writer and the documentation all read this module;
nothing else defines a sheet or column name.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from rbdash.ikm import UNSUR

MONTHS = tuple(range(1, 13))

# Text the workbook uses for a cell the decree's copy does not show (annex-reading.md).
MISSING_MARKER = "[tidak ada dalam salinan]"

# Marker written above the header of every sheet that holds example values.
EXAMPLE_MARKER = "CONTOH"
#: The years a plan may be for (Info!Tahun, `template --year`): a typo such as 20223 or 1999 is refused.
PLAN_YEARS = range(2000, 2101)


#: Labels up to this length are normalised once and remembered (headers, sheet names, words repeat across
#: sheets and loads); longer text (a cell may hold 32,767 characters) is normalised each time, never kept.
_REMEMBERED_LABEL_CHARS = 64


def normalise_label(value: object) -> str:
    """Upper-case a header or sheet label, fold accents, NBSP, '_' and '-' to single spaces."""
    text = str(value)
    if len(text) <= _REMEMBERED_LABEL_CHARS:
        return _normalised_short(text)
    return _normalised(text)


def _normalised(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("\u00a0", " ")
    text = _SEPARATORS.sub(" ", text).strip().upper()
    return text.rstrip(".:").strip()


_SEPARATORS = re.compile(r"[_\-\s]+")
_normalised_short = functools.lru_cache(maxsize=4096)(_normalised)


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a sheet: its key in the model and the headers that mean it."""

    key: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = True
    note_id: str = ""

    @functools.cached_property
    def labels(self) -> frozenset[str]:
        """The normalised headers that mean this column."""
        return frozenset({normalise_label(self.header), *(normalise_label(a) for a in self.aliases)})

    def matches(self, label: str) -> bool:
        return label in self.labels


@dataclass(frozen=True)
class SheetSpec:
    """One sheet: its name as written, accepted spellings, columns, whether it must exist."""

    key: str
    name: str
    aliases: tuple[str, ...] = ()
    columns: tuple[ColumnSpec, ...] = field(default_factory=tuple)
    required: bool = False

    @functools.cached_property
    def spellings(self) -> frozenset[str]:
        """The normalised names that mean this sheet."""
        return frozenset({normalise_label(self.name), *(normalise_label(a) for a in self.aliases)})

    @functools.cached_property
    def column_of_label(self) -> dict[str, ColumnSpec]:
        """Normalised header -> the column it means (the first column listing it)."""
        found: dict[str, ColumnSpec] = {}
        for column in self.columns:
            for label in column.labels:
                found.setdefault(label, column)
        return found

    def matches(self, sheet_name: str) -> bool:
        return normalise_label(sheet_name) in self.spellings

    def column(self, key: str) -> ColumnSpec:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)


def closest_sheet_name(names: Iterable[str], spec: SheetSpec) -> str | None:
    """The name in `names` most like sheet `spec` ("Realisasi Sep" for Realisasi), if any is close:
    one that starts with a spelling of the sheet (or is its start), else one at least 60 % alike."""
    wanted = [normalise_label(label) for label in (spec.name, *spec.aliases)]
    best, best_score = None, 0.0
    for name in names:
        label = normalise_label(name)
        score = max(
            1.0
            if label and (label.startswith(w) or w.startswith(label))
            else difflib.SequenceMatcher(None, label, w).ratio()
            for w in wanted
        )
        if score > best_score:
            best, best_score = name, score
    return best if best_score >= 0.6 else None


MONTH_GROUP_HEADER = "PELAKSANAAN (BULAN)"

PLAN = SheetSpec(
    key="plan",
    name="Rencana Aksi",
    aliases=("Rencana Aksi RB", "RencanaAksi", "Lampiran", "Action Plan"),
    required=True,
    columns=(
        ColumnSpec("no", "NO", ("NO URUT", "NOMOR", "NO."), required=False),
        ColumnSpec("program", "PROGRAM KEGIATAN", ("PROGRAM", "AREA PERUBAHAN", "PROGRAMME")),
        ColumnSpec("activity", "KEGIATAN", ("ACTIVITY",)),
        ColumnSpec("sub_activity", "SUB KEGIATAN", ("SUBKEGIATAN", "SUB ACTIVITY")),
        ColumnSpec(
            "indicators_text",
            "INDIKATOR KEBERHASILAN",
            ("INDIKATOR", "SUCCESS INDICATOR", "SUCCESS INDICATORS"),
        ),
        ColumnSpec("remarks", "KET", ("KETERANGAN", "REMARKS"), required=False),
        ColumnSpec("code", "KODE", ("KODE BARIS", "CODE"), note_id="note.plan.code"),
        ColumnSpec(
            "responsible",
            "PENANGGUNG JAWAB",
            ("PJ", "UNIT PENANGGUNG JAWAB", "PIC", "RESPONSIBLE"),
            required=False,
            note_id="note.plan.responsible",
        ),
    ),
)

INDICATORS = SheetSpec(
    key="indicators",
    name="Indikator",
    aliases=("Indikator Keberhasilan", "Indicators"),
    columns=(
        ColumnSpec("indicator_code", "KODE INDIKATOR", ("INDICATOR CODE",), note_id="note.indicators.indicator_code"),
        ColumnSpec(
            "plan_code", "KODE", ("KODE BARIS", "KODE RENCANA", "PLAN CODE"), note_id="note.indicators.plan_code"
        ),
        ColumnSpec("item_no", "NO", ("NO URUT", "NO."), required=False),
        ColumnSpec("text", "INDIKATOR", ("INDIKATOR KEBERHASILAN", "INDICATOR")),
        ColumnSpec("unit", "SATUAN", ("UNIT",), note_id="note.indicators.unit"),
        ColumnSpec("direction", "ARAH", ("DIRECTION",), note_id="note.indicators.direction"),
        ColumnSpec("target", "TARGET", required=False, note_id="note.indicators.target"),
        ColumnSpec("baseline", "BASELINE", ("NILAI AWAL",), required=False),
        ColumnSpec(
            "target_assumed",
            "TARGET ASUMSI",
            ("ASUMSI", "ASSUMED TARGET"),
            required=False,
            note_id="note.indicators.target_assumed",
        ),
        ColumnSpec("note", "CATATAN", ("KETERANGAN", "NOTE", "NOTES"), required=False),
    ),
)

REALISATION = SheetSpec(
    key="realisation",
    name="Realisasi",
    aliases=("Realisasi Rencana Aksi", "Realisation", "Realization"),
    columns=(
        ColumnSpec("code", "KODE", ("KODE BARIS", "CODE")),
        ColumnSpec("month", "BULAN", ("MONTH",), note_id="note.month"),
        ColumnSpec("status", "STATUS", note_id="note.realisation.status"),
        ColumnSpec(
            "progress",
            "PROGRES (%)",
            ("PROGRES", "PROGRESS", "PROGRESS (%)", "PERSEN"),
            required=False,
            note_id="note.realisation.progress",
        ),
        ColumnSpec("evidence", "BUKTI", ("BUKTI DUKUNG", "EVIDENCE"), required=False),
        ColumnSpec("note", "CATATAN", ("KETERANGAN", "NOTE", "NOTES"), required=False),
    ),
)

INDICATOR_VALUES = SheetSpec(
    key="indicator_values",
    name="Capaian Indikator",
    aliases=("Capaian", "Nilai Indikator", "Indicator Values"),
    columns=(
        ColumnSpec("indicator_code", "KODE INDIKATOR", ("INDICATOR CODE",)),
        ColumnSpec("month", "BULAN", ("MONTH",), note_id="note.month"),
        ColumnSpec("value", "NILAI", ("CAPAIAN", "REALISASI", "VALUE"), note_id="note.indicator_values.value"),
        ColumnSpec("note", "CATATAN", ("KETERANGAN", "NOTE", "NOTES"), required=False),
    ),
)

_UNSUR_COLUMNS = tuple(ColumnSpec(u, u, (f"UNSUR {u[1:]}",), note_id="note.survey.answer") for u in UNSUR)

SURVEY_NRR = SheetSpec(
    key="survey_nrr",
    name="IKM",
    aliases=("NRR IKM", "Hasil IKM", "NRR"),
    columns=(
        ColumnSpec("period", "PERIODE", ("PERIOD",), note_id="note.survey.period"),
        ColumnSpec("unit", "UNIT LAYANAN", ("UNIT", "UNIT PELAYANAN", "SERVICE UNIT")),
        ColumnSpec("respondents", "JUMLAH RESPONDEN", ("RESPONDEN", "RESPONDENTS")),
        *(ColumnSpec(u, u, (f"UNSUR {u[1:]}", f"NRR {u}"), note_id="note.survey.nrr") for u in UNSUR),
    ),
)

SURVEY_RESPONSES = SheetSpec(
    key="survey_responses",
    name="Responden SKM",
    aliases=("Responden", "Responden IKM", "Data Responden", "SKM", "Survey Responses"),
    columns=(
        ColumnSpec("period", "PERIODE", ("PERIOD",), note_id="note.survey.period"),
        ColumnSpec("unit", "UNIT LAYANAN", ("UNIT", "UNIT PELAYANAN", "SERVICE UNIT")),
        ColumnSpec("respondent", "NO RESPONDEN", ("RESPONDEN", "NO", "RESPONDENT"), required=False),
        *_UNSUR_COLUMNS,
    ),
)

INFO = SheetSpec(
    key="info",
    name="Info",
    aliases=("Informasi", "Keterangan", "About"),
    required=True,
    columns=(
        ColumnSpec("field", "ISIAN", ("KUNCI", "FIELD", "KEY")),
        ColumnSpec("value", "NILAI", ("VALUE",)),
    ),
)

GUIDE_SHEET_NAME = "Petunjuk"

SHEETS: tuple[SheetSpec, ...] = (
    INFO,
    PLAN,
    INDICATORS,
    REALISATION,
    INDICATOR_VALUES,
    SURVEY_NRR,
    SURVEY_RESPONSES,
)


@dataclass(frozen=True)
class InfoField:
    """One line of the Info sheet."""

    key: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = False


INFO_FIELDS: tuple[InfoField, ...] = (
    InfoField("satker", "Satker", ("Satuan Kerja", "Office"), required=True),
    InfoField("year", "Tahun", ("Year",), required=True),
    InfoField("title", "Judul", ("Title",)),
    InfoField("decree_number", "Nomor Keputusan", ("Nomor", "Decree Number")),
    InfoField("decree_date", "Tanggal Keputusan", ("Tanggal Ditetapkan", "Decree Date")),
    InfoField("as_of", "Posisi Data Per", ("Posisi Data", "As Of", "Data As Of")),
    InfoField("prepared_by", "Disusun Oleh", ("Penyusun", "Prepared By")),
    InfoField("example_realisation", "Realisasi Berisi Data Contoh", ("Contoh Realisasi", "Example Realisation")),
    InfoField(
        "example_indicator_values",
        "Capaian Indikator Berisi Data Contoh",
        ("Contoh Capaian", "Example Indicator Values"),
    ),
    InfoField("example_targets", "Target Indikator Berisi Data Contoh", ("Contoh Target", "Example Targets")),
    InfoField("example_survey", "Survei Berisi Data Contoh", ("Contoh Survei", "Example Survey")),
    InfoField("notes", "Catatan", ("Note", "Notes", "Catatan Pembacaan")),
    # Repeated like Catatan: one line per unit or person the plan rows' PENANGGUNG JAWAB may name.
    InfoField("responsible_options", "Daftar Penanggung Jawab", ("Penanggung Jawab", "Responsible")),
)
#: Empty "Daftar Penanggung Jawab" lines the template offers on its Info sheet (the PENANGGUNG JAWAB drop-down).
RESPONSIBLE_SLOTS = 15

# Status of a plan row in a month (Realisasi sheet); keys are the model's values.
STATUSES: dict[str, tuple[str, ...]] = {
    "selesai": ("SELESAI", "DONE", "COMPLETED", "COMPLETE", "TERLAKSANA"),
    "sebagian": ("SEBAGIAN", "PARTIAL", "PARTIALLY DONE", "PROSES", "DALAM PROSES"),
    "belum": ("BELUM", "NOT DONE", "BELUM TERLAKSANA", "TIDAK TERLAKSANA"),
    "batal": ("BATAL", "CANCELLED", "CANCELED", "DIBATALKAN"),
}
STATUS_LABELS = {"selesai": "Selesai", "sebagian": "Sebagian", "belum": "Belum", "batal": "Batal"}

UNITS: dict[str, tuple[str, ...]] = {
    "persen": ("PERSEN", "%", "PERSENTASE", "PERCENT"),
    "dokumen": ("DOKUMEN", "DOK", "DOCUMENT"),
    "indeks": ("INDEKS", "INDEX"),
    "jumlah": ("JUMLAH", "KALI", "COUNT", "NUMBER"),
    "ada/tidak": ("ADA/TIDAK", "ADA TIDAK", "YA/TIDAK", "YES/NO"),
}

DIRECTIONS: dict[str, tuple[str, ...]] = {
    "naik": ("NAIK", "MENINGKAT", "HIGHER IS BETTER", "UP", "HIGHER"),
    "turun": ("TURUN", "MENURUN", "LOWER IS BETTER", "DOWN", "LOWER"),
}

YES_WORDS = ("YA", "Y", "YES", "TRUE", "1", "BENAR")
NO_WORDS = ("TIDAK", "T", "NO", "FALSE", "0", "SALAH", "BUKAN")

# Month-cell values that mean "scheduled" (a tick) and values that mean "not scheduled".
TICKS = ("✓", "✔", "√", "☑", "✅", "V", "X", "1", "TRUE", "YA", "Y", "YES")
NOT_TICKS = ("0", "FALSE", "TIDAK", "-", "–", "—")

MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("JANUARI", "JAN", "JANUARY"),
    2: ("FEBRUARI", "FEB", "FEBRUARY", "PEBRUARI", "PEB"),
    3: ("MARET", "MAR", "MARCH"),
    4: ("APRIL", "APR"),
    5: ("MEI", "MAY"),
    6: ("JUNI", "JUN", "JUNE"),
    7: ("JULI", "JUL", "JULY"),
    8: ("AGUSTUS", "AGU", "AGT", "AGS", "AUG", "AUGUST", "AGUST"),
    9: ("SEPTEMBER", "SEP", "SEPT"),
    10: ("OKTOBER", "OKT", "OCT", "OCTOBER"),
    11: ("NOVEMBER", "NOV", "NOP", "NOPEMBER"),
    12: ("DESEMBER", "DES", "DEC", "DECEMBER"),
}
MONTH_SHORT_ID = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
MONTH_LONG_ID = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)

UNSUR_NAMES_ID = (
    "Persyaratan",
    "Sistem, Mekanisme, dan Prosedur",
    "Waktu Penyelesaian",
    "Biaya/Tarif",
    "Produk Spesifikasi Jenis Pelayanan",
    "Kompetensi Pelaksana",
    "Perilaku Pelaksana",
    "Penanganan Pengaduan, Saran dan Masukan",
    "Sarana dan Prasarana",
)


def lookup(vocabulary: dict[str, tuple[str, ...]], value: object) -> str | None:
    """Return the key of `vocabulary` whose spellings include `value`, or None."""
    label = normalise_label(value)
    for key, spellings in vocabulary.items():
        if label == normalise_label(key) or label in spellings:
            return key
    return None


def sheet_spec(key: str) -> SheetSpec:
    for spec in SHEETS:
        if spec.key == key:
            return spec
    raise KeyError(key)
