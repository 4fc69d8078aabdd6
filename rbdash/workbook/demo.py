"""Example (CONTOH) workbooks of other offices and years for `rbdash demo`, generated from the 2022 plan.

Everything here except the plan rows is invented, seeded per office and year (reproducible), and labelled:
the plan sheet's title and source line say CONTOH (which marks its rows as example data, as a "CONTOH" above
any sheet's header does), every example flag of the Info sheet is "ya", every note and evidence says CONTOH.
The plan rows are the annex of the province's 2022 decree, copied as the example plan of another office or
year; the decree's number, date and signer are left blank, never invented.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib

from rbdash.workbook import annex2022
from rbdash.workbook.content import WorkbookContent, office_title_lines


def _seed(satker: str, year: int) -> int:
    return zlib.crc32(f"{satker}|{year}".encode())


def demo_content(satker: str, year: int, lang: str = "id") -> WorkbookContent:
    """The CONTOH workbook of `satker` for `year`: the 2022 plan rows, invented realisation up to an invented
    posisi data month, indicator values near the example targets, and survey answers per quarter begun."""
    rng = random.Random(_seed(satker, year))
    as_of_month = rng.randint(6, 11)
    last_day = (dt.date(year + (as_of_month == 12), as_of_month % 12 + 1, 1) - dt.timedelta(days=1)).day
    as_of = dt.date(year, as_of_month, last_day)
    diligence = rng.uniform(0.55, 0.98)  # the share of scheduled months an office finishes
    realisation = []
    for annex in annex2022.ROWS:
        for month in annex.months:
            if month > as_of_month:
                continue
            draw = rng.random()
            if draw < diligence:
                status, progress = "Selesai", 100.0
            elif draw < diligence + (1 - diligence) * 0.5:
                status, progress = "Sebagian", float(rng.choice((25, 40, 50, 60, 75)))
            elif draw < 0.995:
                status, progress = "Belum", 0.0
            else:
                status, progress = "Batal", 0.0
            evidence = "CONTOH: laporan kegiatan" if status in ("Selesai", "Sebagian") else ""
            realisation.append(annex2022.RealisationRow(annex.code, month, status, progress, evidence, "CONTOH"))
    indicators, values = [], []
    for row in annex2022.indicator_rows():
        target, baseline = annex2022.EXAMPLE_TARGETS.get(row.code, (None, None))
        indicators.append(
            annex2022.IndicatorRow(
                row.code, row.plan_code, row.item_no, row.text, row.unit, row.direction, target, baseline, True
            )
        )
        if target is None or row.unit == "indeks":  # the IKM indicators come from the survey
            continue
        start = baseline if baseline is not None else 0.0
        reaches = rng.random() < diligence  # by the posisi data month, or short of it
        for month in range(3, as_of_month + 1, 3):
            part = min(1.0, month / as_of_month) * (1.0 if reaches else rng.uniform(0.5, 0.9))
            values.append((row.code, month, round(start + (target - start) * part, 2), "CONTOH"))
    responses = []
    units = annex2022.EXAMPLE_SURVEY_UNITS
    for quarter in range(1, (as_of_month - 1) // 3 + 2):
        for unit in units:
            mean = rng.uniform(2.8, 3.7)
            for number in range(1, rng.randint(20, 45) + 1):
                answers = tuple(min(4, max(1, round(rng.gauss(mean, 0.5)))) for _ in range(9))
                responses.append((f"{year}-TW{quarter}", unit, number, answers))
    info = {
        "satker": satker,
        "year": year,
        "title": f"CONTOH: Rencana Aksi Reformasi Birokrasi {satker} Tahun {year}",
        "decree_number": None,
        "decree_date": None,
        "as_of": as_of,
        "prepared_by": "RB Dash (data contoh, python -m rbdash demo)",
    }
    return WorkbookContent(
        info=info,
        plan_rows=annex2022.ROWS,
        indicators=indicators,
        notes=(f"CONTOH: seluruh isi buku kerja ini adalah data contoh RB Dash, bukan data {satker}.",),
        realisation=realisation,
        indicator_values=values,
        responses=responses,
        examples={"realisation": True, "indicator_values": True, "indicators": True, "survey": True},
        lang=lang,
        title_lines=(f"{office_title_lines(satker, year)[0]} (CONTOH)", *office_title_lines(satker, year)[1:]),
        source_line=(
            "CONTOH: baris rencana aksi ini disalin dari lampiran Keputusan KPU Provinsi Banten Nomor "
            f"{annex2022.INFO['decree_number']} sebagai data contoh; bukan rencana aksi {satker} tahun {year}."
        ),
    )
