"""Invented action plans of any size, seeded: the benchmarks' workbooks (`bench/generate.py` caches them)
and the large plans of the tests. Nothing here is the decree's: every satker, programme and text is
synthetic and says so ("Satker Sintetis", "Satker uji", codes SYN-...).

* `synthetic_content` is a workbook's content for `rbdash.workbook.writer.write_workbook`, the writer of
  the bundled workbook and the template, so its layout is exactly the one the loader reads: plan rows
  with unique codes (``SYN-00001``) in 8 programmes of about 10 activities, sub-activity and indicator
  texts of 150-400 characters, 1-12 ticked months per row; about 2 indicators per plan row with units,
  directions and targets, values for half of them in months 6 and 9; realisation rows for every scheduled
  month up to September; survey responses over 8 monthly periods and 5 service units, answers 1-4.
* `synthetic_plan` is a model (`ActionPlan`) of n plan rows built directly, for chart and page work
  that needs no workbook.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

import pandas as pd

from rbdash.model import INDICATOR_COLUMNS, INDICATOR_VALUE_COLUMNS, SURVEY_COLUMNS, ActionPlan, model_frame
from rbdash.workbook import annex2022, schema
from rbdash.workbook.annex2022 import AnnexRow, IndicatorRow, RealisationRow
from rbdash.workbook.content import WorkbookContent

#: Bump whenever the content generated for a size and seed changes (cached files carry it in their name).
GENERATOR_VERSION = 2
SEED = 20221
YEAR = 2022
AS_OF = dt.date(YEAR, 9, 30)
PROGRAMMES = 8
ACTIVITIES_PER_PROGRAMME = 10
SURVEY_PERIODS = tuple(f"{YEAR}-{month:02d}" for month in range(1, 9))
SURVEY_UNITS = (
    "Layanan Informasi Publik",
    "Layanan Data Pemilih",
    "Layanan Hukum dan Pengaduan",
    "Layanan Internal Kesekretariatan",
    "Layanan Logistik dan Keuangan",
)

# Indonesian administrative vocabulary, so text lengths and character mix resemble the annex.
_VOCABULARY = (
    "penguatan pelaksanaan evaluasi pelayanan publik tata kelola kelembagaan sumber daya manusia aparatur "
    "reformasi birokrasi akuntabilitas kinerja pengawasan internal integritas zona bebas korupsi wilayah "
    "birokrasi bersih melayani dokumen laporan kegiatan sosialisasi penyusunan standar operasional prosedur "
    "peningkatan kualitas kapasitas kompetensi pegawai unit satuan kerja pemilihan umum penyelenggara "
    "partisipasi masyarakat informasi keterbukaan digitalisasi arsip data pemilih logistik anggaran "
    "rekomendasi tindak lanjut hasil pemantauan monitoring koordinasi rapat teknis bimbingan pelatihan "
    "inovasi manajemen perubahan budaya kerja nilai dasar organisasi pengaduan survei kepuasan indeks"
)
_WORDS = tuple(_VOCABULARY.split())
_UNITS = tuple(schema.UNITS)  # persen, dokumen, indeks, jumlah, ada/tidak
_STATUS_WEIGHTS = (("Selesai", 0.80), ("Sebagian", 0.12), ("Belum", 0.06), ("Batal", 0.02))
_ANSWER_WEIGHTS = (0.04, 0.14, 0.52, 0.30)  # answers 1..4, mean about 3.1


@dataclass(frozen=True)
class WorkbookSize:
    """How large a synthetic workbook is: plan rows and survey responses."""

    plan_rows: int
    responses: int

    @property
    def label(self) -> str:
        return f"{_short(self.plan_rows)} plan + {_short(self.responses)} responses"


def _short(count: int) -> str:
    return f"{count // 1000}k" if count >= 1000 and count % 1000 == 0 else str(count)


def _sentence(rng: random.Random, low: int, high: int) -> str:
    """Words from the vocabulary until the text is between `low` and `high` characters long."""
    target = rng.randint(low, high)
    words: list[str] = []
    length = -1
    while length < target:
        word = rng.choice(_WORDS)
        if words and length + len(word) + 1 > high:
            break
        words.append(word)
        length += len(word) + 1
    text = " ".join(words)
    return text[0].upper() + text[1:]


def _months(rng: random.Random) -> tuple[int, ...]:
    """Ticked months: every month (30 %), one month (40 %) or 2-6 random months (30 %)."""
    draw = rng.random()
    if draw < 0.3:
        return tuple(range(1, 13))
    if draw < 0.7:
        return (rng.randint(1, 12),)
    return tuple(sorted(rng.sample(range(1, 13), rng.randint(2, 6))))


def _indicator_items(rng: random.Random, count: int, total_low: int, total_high: int) -> list[str]:
    """`count` indicator texts whose numbered concatenation is about `total_low`-`total_high` long."""
    share_low = max(30, total_low // count - 4)
    share_high = max(share_low + 10, total_high // count - 4)
    return [_sentence(rng, share_low, share_high) for _ in range(count)]


def _target(rng: random.Random, unit: str) -> tuple[float | None, float | None]:
    if rng.random() < 0.2:
        return None, None  # no target set yet ("belum ditetapkan")
    if unit == "persen":
        return 100.0, float(rng.randint(0, 90))
    if unit == "ada/tidak":
        return 1.0, 0.0
    if unit == "indeks":
        return round(rng.uniform(80, 95), 2), round(rng.uniform(70, 85), 2)
    return float(rng.randint(1, 20)), float(rng.randint(0, 5))


def _indicator_value(rng: random.Random, unit: str, target: float | None) -> float:
    if unit == "ada/tidak":
        return float(rng.random() < 0.7)
    if target is None:
        return float(rng.randint(0, 10))
    return round(target * rng.uniform(0.3, 1.0), 2)


def synthetic_content(size: WorkbookSize, seed: int = SEED) -> WorkbookContent:
    """A `WorkbookContent` of `size` with realistic, seeded synthetic rows."""
    rng = random.Random(seed)
    plan_rows: list[AnnexRow] = []
    indicators: list[IndicatorRow] = []
    realisation: list[RealisationRow] = []
    values: list[tuple[str, int, float, str | None]] = []

    groups = PROGRAMMES * ACTIVITIES_PER_PROGRAMME
    programmes = [f"{p}. Program {_sentence(rng, 40, 80)}" for p in range(1, PROGRAMMES + 1)]
    activities = [
        [f"{a}. {_sentence(rng, 50, 120)}" for a in range(1, ACTIVITIES_PER_PROGRAMME + 1)] for _ in range(PROGRAMMES)
    ]
    for index in range(size.plan_rows):
        group = index * groups // max(size.plan_rows, 1)  # contiguous, near-equal groups
        programme, activity = divmod(group, ACTIVITIES_PER_PROGRAMME)
        code = f"SYN-{index + 1:05d}"
        count = rng.choices((1, 2, 3), weights=(0.25, 0.5, 0.25))[0]
        items = _indicator_items(rng, count, 150, 400)
        indicator_text = " ".join(f"{number}. {item}" for number, item in enumerate(items, start=1))
        months = _months(rng)
        remarks = _sentence(rng, 30, 90) if rng.random() < 0.05 else None
        plan_rows.append(
            AnnexRow(
                code,
                f"{programme + 1}.",
                programmes[programme],
                activities[programme][activity],
                _sentence(rng, 150, 400),
                indicator_text,
                months,
                remarks,
            )
        )

        for number, item in enumerate(items, start=1):
            unit = rng.choice(_UNITS)
            direction = "turun" if unit == "jumlah" and rng.random() < 0.3 else "naik"
            target, baseline = _target(rng, unit)
            indicator_code = f"{code}.{number}"
            indicators.append(
                IndicatorRow(indicator_code, code, number, item, unit, direction, target, baseline, False)
            )
            if rng.random() < 0.5:
                for month in (6, 9):
                    values.append(
                        (
                            indicator_code,
                            month,
                            _indicator_value(rng, unit, target),
                            _sentence(rng, 20, 60) if rng.random() < 0.2 else None,
                        )
                    )

        for month in months:
            if month > AS_OF.month:
                continue
            status = rng.choices([s for s, _ in _STATUS_WEIGHTS], weights=[w for _, w in _STATUS_WEIGHTS])[0]
            progress = {"Selesai": 100.0, "Sebagian": float(rng.randint(10, 90))}.get(status, 0.0)
            evidence = f"Laporan kegiatan {code} bulan {month}" if status in ("Selesai", "Sebagian") else ""
            note = _sentence(rng, 20, 120) if rng.random() < 0.4 else None
            realisation.append(RealisationRow(code, month, status, progress, evidence, note))  # type: ignore[arg-type]

    responses: list[tuple[str, str, int, tuple[int, ...]]] = []
    pairs = [(period, unit) for period in SURVEY_PERIODS for unit in SURVEY_UNITS]
    numbers = dict.fromkeys(pairs, 0)  # respondent number within its period and unit
    for index in range(size.responses):
        period, unit = pairs[index * len(pairs) // size.responses]  # contiguous, near-equal blocks
        numbers[period, unit] += 1
        answers = tuple(rng.choices((1, 2, 3, 4), weights=_ANSWER_WEIGHTS, k=len(schema.UNSUR)))
        responses.append((period, unit, numbers[period, unit], answers))

    info = dict(
        annex2022.INFO,
        satker="Satker Sintetis (benchmark)",
        year=YEAR,
        as_of=AS_OF,
        prepared_by=f"rbdash.workbook.synthetic v{GENERATOR_VERSION}",
    )
    return WorkbookContent(
        info=info,
        plan_rows=plan_rows,
        indicators=indicators,
        notes=(),
        realisation=realisation,
        indicator_values=values,
        responses=responses,
    )


def synthetic_plan(rows: int, seed: int = 7) -> ActionPlan:
    """A model of `rows` plan rows in 8 programmes, with realisation up to September (values invented)."""
    rng = random.Random(seed)
    plan, schedule, realisation = [], [], []
    for index in range(rows):
        code = f"SYN-{index + 1:04d}"
        months = sorted(rng.sample(range(1, 13), rng.randint(1, 12)))
        plan.append(
            {
                "satker": "Satker uji",
                "year": 2022,
                "order": index,
                "code": code,
                "no": f"{index % 8 + 1}.",
                "program": f"Program uji {index % 8 + 1}",
                "activity": f"Kegiatan uji {index // 10 + 1}",
                "sub_activity": f"Sub kegiatan uji nomor {index + 1} " + "x" * rng.randint(20, 120),
                "indicators_text": "1. Indikator uji",
                "remarks": None,
                "responsible": None,
                "months": months,
                "missing_in_copy": [],
                "excel_row": index + 9,
            }
        )
        for month in months:
            schedule.append({"satker": "Satker uji", "year": 2022, "code": code, "month": month})
            if month <= 9:
                status = rng.choice(["selesai", "selesai", "selesai", "sebagian", "belum", "batal"])
                realisation.append(
                    {
                        "code": code,
                        "month": month,
                        "status": status,
                        "progress": 50.0,
                        "evidence": None,
                        "note": None,
                        "scheduled": True,
                    }
                )
    plan_frame = pd.DataFrame(plan).sort_values(["program", "activity", "order"]).reset_index(drop=True)
    info = {"satker": "Satker uji", "year": 2022, "as_of": None, "examples": {}, "sheets": {}}
    return ActionPlan(
        info,
        plan_frame,
        pd.DataFrame(schedule),
        pd.DataFrame(realisation),
        model_frame(INDICATOR_COLUMNS),
        model_frame(INDICATOR_VALUE_COLUMNS),
        model_frame(SURVEY_COLUMNS),
        pd.DataFrame(),
    )
