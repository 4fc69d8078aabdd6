"""Chart builders, checked on their figure data (no browser, no Streamlit)."""

from __future__ import annotations

import json

import pytest

from rbdash.analysis import metrics, selection
from rbdash.model import ActionPlan, LoadResult
from rbdash.present import charts


@pytest.fixture(scope="module")
def model(bundled: LoadResult) -> ActionPlan:
    return bundled.plan


def test_segments_merge_consecutive_months() -> None:
    assert charts.segments([6, 8, 10, 12]) == [(6, 6), (8, 8), (10, 10), (12, 12)]
    assert charts.segments(list(range(1, 13))) == [(1, 12)]
    assert charts.segments([5, 11, 6, 7]) == [(5, 7), (11, 11)]


def test_gantt_segments_markers_and_as_of(model: ActionPlan) -> None:
    fig = charts.gantt(model, 9, "id")
    plan_bars = fig.data[0]
    ticktext = list(fig.layout.yaxis.ticktext)
    ra10 = next(i for i, label in enumerate(ticktext) if label.startswith("RA-10"))
    bases = [b for b, y in zip(plan_bars.base, plan_bars.y, strict=True) if y == ra10]
    assert len(bases) == 4 and [round(b + 0.45) for b in bases] == [6, 8, 10, 12]
    assert len(plan_bars.base) == 1 + 1 + 1 + 1 + 1 + 1 + 2 + 2 + 1 + 4 + 1  # 16 segments for 11 rows
    by_name = {trace.name: trace for trace in fig.data[1:]}
    assert len(by_name["Selesai"].x) == 39 and len(by_name["Sebagian"].x) == 4
    assert list(by_name["Terlambat"].x) == [5] and len(by_name["Belum (bulan ini)"].x) == 2
    assert list(by_name["Batal"].x) == [8]
    assert fig.layout.shapes[0].x0 == 9.5  # the as-of line at the end of September
    assert "30 September 2022" in fig.layout.title.subtitle.text
    assert [label for label in fig.layout.xaxis.ticktext][7] == "Agu"


def test_gantt_groups_programmes_then_activities_in_plan_order(model: ActionPlan) -> None:
    ticktext = list(charts.gantt(model, 9, "id").layout.yaxis.ticktext)
    # The programme the copy leaves unnamed is named by its rows (seen: "(tidak ada dalam salinan)" as a name).
    assert ticktext[0] == "<b>RA-01–RA-03 · nama tidak ada dalam salinan</b>"
    # An unnamed activity is named by its rows under its own programme (seen: "RA-01–RA-03, RA-08" under both).
    assert ticktext[1] == "<i>RA-01–RA-03 · nama tidak ada dalam salinan</i>"
    assert "<i>RA-08 · nama tidak ada dalam salinan</i>" in ticktext
    # RA-06 has no sub-activity in the copy: its indicators' text names it; RA-08 has neither.
    assert [label for label in ticktext if label.startswith(("RA-06", "RA-08"))] == [
        "RA-06  1) Indeks Kepuasan layanan yang di dapat melalu…",
        "RA-08  (tidak ada dalam salinan)",
    ]
    program = ticktext.index("<b>Peningkatan Kualitas Pelayanan Publik</b>")
    assert ticktext[program + 1].startswith("<i>1. Penguatan pelayanan prima")
    codes = [label.split()[0] for label in ticktext if label.startswith("RA-")]
    assert codes == [f"RA-{n:02d}" for n in range(1, 12)]


def test_gantt_filters(model: ActionPlan) -> None:
    def rows(**kwargs) -> list[str]:
        return list(charts.gantt_rows(model, 9, charts.GanttFilter(**kwargs), "id")["code"])

    assert rows(text="kerja sama") == ["RA-09"]
    assert rows(statuses=[metrics.LATE]) == ["RA-08"]
    assert rows(months=(11, 11)) == ["RA-02", "RA-04", "RA-05", "RA-06", "RA-08", "RA-09"]
    assert rows(programmes=[selection.MISSING_KEY]) == ["RA-01", "RA-02", "RA-03"]  # keys, not labels
    assert rows(programmes=["(tidak ada dalam salinan)"]) == []
    fig = charts.gantt(model, 9, "id", charts.GanttFilter(text="tidak ada baris seperti ini"))
    assert fig.layout.annotations[-1].text == "Tidak ada baris yang cocok dengan filter."


def test_workbook_text_is_escaped_in_labels_and_hover(model: ActionPlan) -> None:
    plan = model.plan.copy()
    plan.loc[0, "sub_activity"] = '<a href="javascript:alert(1)">klik</a>'
    probe = ActionPlan(
        model.info,
        plan,
        model.schedule,
        model.realisation,
        model.indicators,
        model.indicator_values,
        model.survey,
        model.responses,
    )
    payload = charts.gantt(probe, 9, "id").to_json()
    assert "<a href" not in payload and "&lt;a href" in payload


def test_gantt_pages_count_and_span() -> None:
    # A Gantt chart holds 60 plan rows: 2,000 rows are 34 pages (33 full and one of 20).
    assert charts.gantt_pages(0) == 1 and charts.gantt_pages(60) == 1 and charts.gantt_pages(61) == 2
    assert charts.gantt_pages(2000) == 34 and charts.gantt_pages(20_000) == 334
    assert charts.page_span(1, 2000) == (1, 60) and charts.page_span(2, 2000) == (61, 120)
    assert charts.page_span(9, 500) == (481, 500)
    assert charts.page_span(99, 500) == (481, 500) and charts.page_span(0, 500) == (1, 60)  # clamped
    # Other charts (one line per programme, indicator or office) hold 80 a page.
    assert charts.gantt_pages(81, charts.CHART_PAGE_ROWS) == 2 and charts.page_span(2, 200, 80) == (81, 160)


def test_gantt_of_a_large_plan_shows_one_bounded_page() -> None:
    from rbdash.workbook.synthetic import synthetic_plan

    model = synthetic_plan(500)
    codes = list(charts.gantt_rows(model, 9, charts.GanttFilter(), "id")["code"])
    for page, expected in ((1, codes[:60]), (9, codes[480:])):
        fig = charts.gantt(model, 9, "id", page=page)
        shown = [label.split()[0] for label in fig.layout.yaxis.ticktext if label.startswith("SYN-")]
        assert shown == expected
        assert len(fig.data) == 1 + len(charts.STATUS_STYLE) + 1  # plan bars, a trace per status, headings
        assert set(json.loads(fig.to_json())["data"][0]["y"]) <= set(range(len(fig.layout.yaxis.ticktext)))
        # Each plan row adds at most its programme and activity headings: three lines per row at most.
        assert fig.layout.height <= 140 + charts.ROW_HEIGHT * 3 * charts.GANTT_PAGE_ROWS
    assert "baris 1–60 dari 500" in charts.gantt(model, 9, "id").layout.title.subtitle.text
    assert "baris 481–500 dari 500" in charts.gantt(model, 9, "id", page=9).layout.title.subtitle.text
    assert "dari" not in charts.gantt(synthetic_plan(60), 9, "id").layout.title.subtitle.text  # one page: no note
    # #13's goal for a plan of any size: a chart under about 3,000 px and 1 MB of JSON.
    big = charts.gantt(synthetic_plan(10_000), 9, "id")
    assert big.layout.height < 3000 and len(big.to_json()) < 1_000_000


def test_indicator_bars_direction_and_no_target(model: ActionPlan) -> None:
    states = metrics.indicator_status(model, 9)
    fig = charts.indicator_bars(states, model, 9, "id")
    bars = fig.data[0]
    labels = list(fig.layout.yaxis.ticktext)
    at = {label.split()[0]: i for i, label in enumerate(labels) if label.startswith("RA-")}
    assert bars.text[at["RA-06.1"]] == "Target belum ditetapkan" and bars.x[at["RA-06.1"]] == 0
    assert bars.text[at["RA-05.4"]] == "50% · Tertinggal"  # "turun": 2 -> 1 against target 0
    assert bars.text[at["RA-01.1"]] == "100% · Tercapai"
    assert bars.marker.pattern.shape[at["RA-05.4"]] == "x"  # behind: hatched, readable in grayscale


def test_ikm_bands_and_overall_line(model: ActionPlan) -> None:
    table = metrics.ikm_table(model, "Semua unit", 12)
    fig = charts.ikm_trend(table, model, 9, "id")
    bands = sorted((round(s.y0, 3), round(s.y1, 3)) for s in fig.layout.shapes)
    assert bands == [(25.0, 64.995), (64.995, 76.605), (76.605, 88.305), (88.305, 100.0)]
    overall = next(trace for trace in fig.data if trace.name == "Semua unit")
    assert list(overall.y) == [79.59, 82.91, 86.20]
    assert overall.text[-1] == "86,20 (B)"


def test_nrr_bars_highlight_the_weakest(model: ActionPlan) -> None:
    row = metrics.ikm_table(model, "Semua unit", 12).iloc[-1]
    fig = charts.nrr_bars(row, model, 9, "id")
    weakest = metrics.weakest_unsur(row)
    index = int(weakest[1:]) - 1
    assert fig.data[0].marker.color[index] == "#D55E00"
    assert sum(1 for c in fig.data[0].marker.color if c == "#D55E00") == 1


def test_nrr_title_escapes_unit_text_once(model: ActionPlan) -> None:
    """Seen by the attacker review: the unit name was escaped twice and showed as '&amp;lt;b&amp;gt;'."""
    row = metrics.ikm_table(model, "Semua unit", 12).iloc[-1].copy()
    row["unit"] = "<b>R&D</b>"
    fig = charts.nrr_bars(row, model, 9, "id")
    assert fig.layout.title.text == f"NRR per unsur: {row['period']}, &lt;b&gt;R&amp;D&lt;/b&gt;"


def test_download_names() -> None:
    assert charts.chart_filename("jadwal", 2022, 6) == "jadwal_2022_posisi_2022-06"
    # The office in the name (seen by the review: every office's downloads had one name), as ASCII.
    assert (
        charts.chart_filename("jadwal", 2022, 6, "KPU Kabupaten Lebak")
        == "jadwal_kpu_kabupaten_lebak_2022_posisi_2022-06"
    )
    assert (
        charts.chart_filename("ikm", 2023, 9, "KPU Kota \u00c7ilegon / <b>")
        == "ikm_kpu_kota_cilegon_b_2023_posisi_2023-09"
    )
    config = charts.download_config("ikm", 2022, 9)
    assert config["toImageButtonOptions"] == {"format": "png", "filename": "ikm_2022_posisi_2022-09", "scale": 3}


# ----------------------------------------------------------------------------------------------
# Empty inputs: every builder draws its frame with a "no data" note (seen by the review: KeyError 'unit')

NO_DATA = "Tidak ada data untuk grafik ini."


def _notes(fig) -> list[str]:
    return [annotation.text for annotation in fig.layout.annotations]


@pytest.fixture(scope="module")
def empty(model: ActionPlan) -> ActionPlan:
    """The bundled model without realisation, indicators and survey (as from a workbook without those sheets)."""
    import dataclasses

    import pandas as pd

    return dataclasses.replace(
        model,
        realisation=model.realisation.iloc[0:0],
        indicators=model.indicators.iloc[0:0],
        indicator_values=model.indicator_values.iloc[0:0],
        survey=model.survey.iloc[0:0],
        responses=pd.DataFrame(),  # the loader's frame when the responses sheet is missing: no columns at all
    )


def test_chart_model_of_a_model_without_survey_and_indicators(empty: ActionPlan) -> None:
    from rbdash.present import fitting

    assert fitting.chart_model(empty) is empty  # nothing to cut, and no KeyError on the missing columns


def test_every_builder_says_when_it_has_no_data(empty: ActionPlan) -> None:
    table = metrics.ikm_table(empty, "Semua unit", 12)
    assert table.empty
    assert NO_DATA in _notes(charts.ikm_trend(table, empty, 9, "id"))
    assert NO_DATA in _notes(charts.respondents_bars(table, empty, 9, "id"))
    states = metrics.indicator_status(empty, 9)
    assert states.empty
    assert NO_DATA in _notes(charts.indicator_bars(states, empty, 9, "id"))
    progress = metrics.programme_progress(empty, 9)
    assert NO_DATA not in _notes(charts.programme_bars(progress, empty, 9, "id"))  # scheduled rows, none done
    assert NO_DATA in _notes(charts.programme_bars(progress.iloc[0:0], empty, 9, "id"))
    gantt = charts.gantt(empty, 9, "id")
    by_name = {trace.name: trace for trace in gantt.data}
    assert len(by_name["Rencana"].y) == 16  # every planned segment; nothing realised, so nothing done
    assert len(by_name["Selesai"].x) == 0 and len(by_name["Sebagian"].x) == 0 and len(by_name["Terlambat"].x) > 0
    nothing = charts.gantt(empty, 9, "id", charts.GanttFilter(codes=["tidak ada"]))
    assert "Tidak ada baris yang cocok dengan filter." in _notes(nothing)


def test_a_model_with_data_has_no_no_data_note(model: ActionPlan) -> None:
    table = metrics.ikm_table(model, "Semua unit", 12)
    figures = [
        charts.ikm_trend(table, model, 9, "id"),
        charts.respondents_bars(table, model, 9, "id"),
        charts.indicator_bars(metrics.indicator_status(model, 9), model, 9, "id"),
        charts.programme_bars(metrics.programme_progress(model, 9), model, 9, "id"),
    ]
    assert all(NO_DATA not in _notes(figure) for figure in figures)


# ----------------------------------------------------------------------------------------------
# Readable at 1366x768 and in grayscale (#11): no label over another, no number on a hatched fill,
# the 100 % tick, the legend below the axis, workbook text exactly as typed, long tokens bounded.


def test_nrr_note_stands_above_the_plot_not_over_the_value_labels(model: ActionPlan) -> None:
    """Seen at 1366: the note on the weakest bar, wider than the bar, covered its neighbour's '3,59'."""
    row = metrics.ikm_table(model, "Semua unit", 12).iloc[-1]
    fig = charts.nrr_bars(row, model, 9, "id")
    assert fig.data[0].textposition == "outside"  # the values stand inside the plot area, above their bars
    (note,) = [a for a in fig.layout.annotations if "terendah" in a.text]
    # Above the plot area (paper y 1, anchored at its bottom): no value label can reach it.
    assert (note.yref, note.y, note.yanchor) == ("paper", 1, "bottom") and note.xref == "paper"
    assert note.text.startswith("<b>U8 Penanganan Pengaduan, Saran dan Masukan</b>")
    assert fig.layout.margin.t >= 100  # the title, the subtitle, then the note's line


def test_indicator_trend_value_labels_cannot_meet_the_target_label(model: ActionPlan) -> None:
    """Seen: one value 100 against target 100 on a 99-101 axis, its '100' over 'Target 100,00'."""
    fig = charts.indicator_trend(model, "RA-01.1", 9, "id")  # persen: one value, 100, in January; target 100
    assert not [a for a in fig.layout.annotations if "Target" in (a.text or "")]  # the target is in the legend
    target = next(trace for trace in fig.data if trace.name == "Target 100")
    assert list(target.y) == [100, 100] and target.line.dash == "dash" and fig.layout.showlegend
    low, high = fig.layout.yaxis.range
    assert low == 0 and high > 110  # a percentage from 0, with room above 100 for the value's label
    assert 100 in fig.layout.yaxis.tickvals and "100%" in fig.layout.yaxis.ticktext
    index = charts.indicator_trend(model, "RA-05.3", 9, "id")  # the survey's 79,59-86,20, target 88,31
    low, high = index.layout.yaxis.range
    assert 70 < low < 79.59 and 88.31 < high < 95 and index.layout.yaxis.tickvals is None
    assert next(trace.name for trace in index.data if trace.name.startswith("Target")) == "Target 88,31"
    without = charts.indicator_trend(model, "RA-06.1", 9, "id")  # no target: said in the subtitle
    assert "Target belum ditetapkan" in without.layout.title.subtitle.text and len(without.data) == 1


def _bar_figures(model: ActionPlan) -> dict:
    table = metrics.ikm_table(model, "Semua unit", 12)
    return {
        "programmes": charts.programme_bars(metrics.programme_progress(model, 9), model, 9, "id"),
        "indicators": charts.indicator_bars(metrics.indicator_status(model, 9), model, 9, "id"),
        "respondents": charts.respondents_bars(table, model, 9, "id"),
        "nrr": charts.nrr_bars(table.iloc[-1], model, 9, "id"),
    }


def test_no_number_is_drawn_on_a_hatched_or_coloured_fill(model: ActionPlan) -> None:
    """Seen in grayscale: dark numbers on hatched bars. A number stands beside its bar in black, or on a white box."""
    for name, fig in _bar_figures(model).items():
        for trace in fig.data:
            if trace.text is None or not any(trace.text):
                continue
            assert trace.textposition == "outside", name
            assert trace.outsidetextfont.color == "#000000" and trace.constraintext == "none", name
        for note in fig.layout.annotations:
            if note.bgcolor is not None and note.xref != "paper":
                assert note.bgcolor == "#FFFFFF" and note.font.color == "#000000", name
    programmes = _bar_figures(model)["programmes"]
    boxes = [note for note in programmes.layout.annotations if note.bgcolor == "#FFFFFF"]
    # 91 % done and 9 % partial; 81 % done, 8 % partial, 8 % open (3 % cancelled: too narrow for a box).
    assert [(note.y, note.text) for note in boxes] == [(0, "91%"), (1, "81%"), (0, "9%"), (1, "8%"), (1, "8%")]
    done, partial = boxes[1], boxes[3]
    assert 0 < done.x < 81 and 81 < partial.x < 89  # each in the middle of its own part
    respondents = _bar_figures(model)["respondents"]
    assert sorted(note.text for note in respondents.layout.annotations) == ["30", "34", "36", "48", "52", "60"]


def test_percent_axes_show_their_100_tick(model: ActionPlan) -> None:
    """Seen: the programme chart's axis stopped at 80 % (Plotly hid the '100%' at the plot's edge)."""
    figures = _bar_figures(model)
    for fig in (figures["programmes"], figures["indicators"]):
        axis = fig.layout.xaxis
        assert axis.range[0] == 0 and axis.range[1] >= 100
        assert list(axis.tickvals) == [0, 25, 50, 75, 100] and list(axis.ticktext)[-1] == "100%"
        assert fig.layout.margin.r >= 30  # half of "100%" fits right of the plot, so Plotly keeps it


def test_the_legend_stays_below_the_axis_with_one_programme(model: ActionPlan) -> None:
    """Seen: with one programme chosen the legend, placed by a fraction of the short plot, lay on the axis labels."""
    one = charts.programme_bars(metrics.programme_progress(model, 9).iloc[[1]], model, 9, "id")
    for fig in (one, charts.gantt(model, 9, "id"), *_bar_figures(model).values()):
        legend = fig.layout.legend
        # Measured from the figure's bottom edge, not the plot's: Plotly grows the margin below the axis for it.
        assert (legend.yref, legend.y, legend.yanchor) == ("container", 0, "bottom")
    assert [trace.name for trace in one.data] == ["Selesai", "Sebagian", "Belum selesai", "Batal"]
    assert one.layout.legend.traceorder == "normal"  # read left to right as the bar is stacked


# Workbook text as typed: what Plotly draws of a label (it reads the tags <b>, <i> and <br>, and only the
# entities below and numeric ones: '&quot;' would be drawn as such).

HOSTILE = ("UNIT <script>alert(1)</script>", "\"quoted\" & 'single'", "a < b > c", "**bold** $x^2$")
_PLOTLY_ENTITIES = {
    "amp": "&",
    "lt": "<",
    "gt": ">",
    "nbsp": "\xa0",
    "mu": "μ",
    "times": "×",
    "plusmn": "±",
    "deg": "°",
}


def _drawn(text: str) -> str:
    """`text` as Plotly draws it, lines joined by '\\n'."""
    import re

    lines = re.split(r"<br>", text)
    shown = []
    for line in lines:
        line = re.sub(r"</?[bi]>", "", line)
        assert "<" not in line and ">" not in line, text  # any other tag would be read as markup
        assert "$" not in line, text  # "$...$" would be read as TeX where a page has MathJax

        def entity(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("#x"):
                return chr(int(name[2:], 16))
            if name.startswith("#"):
                return chr(int(name[1:]))
            return _PLOTLY_ENTITIES.get(name, match.group(0))

        shown.append(re.sub(r"&(#\d+|#x[\da-fA-F]+|[a-z]+);", entity, line))
    return "\n".join(shown)


@pytest.fixture(scope="module")
def hostile(model: ActionPlan) -> ActionPlan:
    """The bundled model with markup-like text in programme, activity, sub-activity, indicator and unit names."""
    import dataclasses

    plan = model.plan.copy()
    plan["program"] = HOSTILE[1]
    plan["activity"] = HOSTILE[2]
    plan.loc[plan.index[0], "sub_activity"] = HOSTILE[0]
    plan.loc[plan.index[1], "sub_activity"] = HOSTILE[3]
    indicators = model.indicators.copy()
    indicators.loc[indicators.index[0], "text"] = HOSTILE[1]
    survey = model.survey.copy()
    first = survey["unit"].iloc[0]
    survey["unit"] = survey["unit"].where(survey["unit"] != first, HOSTILE[0])
    survey["period"] = survey["period"] + " <TW>"
    return dataclasses.replace(model, plan=plan, indicators=indicators, survey=survey)


def test_workbook_text_shows_exactly_as_typed(hostile: ActionPlan) -> None:
    """Seen: titles and labels showed '&quot;' and '&lt;script&gt;'. Every label, legend entry, title and hover
    box is escaped once, in the entities Plotly reads, and draws the text as typed."""
    table = metrics.ikm_table(hostile, "Semua unit", 12)
    gantt = charts.gantt(hostile, 9, "id")
    ticks = [_drawn(tick) for tick in gantt.layout.yaxis.ticktext]
    assert ticks[:4] == [HOSTILE[1], HOSTILE[2], f"RA-01  {HOSTILE[0]}", f"RA-02  {HOSTILE[3]}"]
    hovers = [_drawn(text) for text in gantt.data[0].hovertext]
    assert hovers[0].startswith(f"RA-01\n{HOSTILE[0]}\n") and hovers[1].startswith(f"RA-02\n{HOSTILE[3]}\n")
    programmes = charts.programme_bars(metrics.programme_progress(hostile, 9), hostile, 9, "id")
    assert [_drawn(tick) for tick in programmes.layout.yaxis.ticktext] == [HOSTILE[1]]
    assert _drawn(programmes.data[0].hovertext[0]).startswith(HOSTILE[1] + "\n")
    indicators = charts.indicator_bars(metrics.indicator_status(hostile, 9), hostile, 9, "id")
    assert f"RA-01.1  {HOSTILE[1]}" in [_drawn(tick) for tick in indicators.layout.yaxis.ticktext]
    trend = charts.indicator_trend(hostile, "RA-01.1", 9, "id")
    assert _drawn(trend.layout.title.subtitle.text).endswith(" · " + HOSTILE[1])
    ikm = charts.ikm_trend(table, hostile, 9, "id")
    unit = next(trace for trace in ikm.data if _drawn(trace.name) == HOSTILE[0])
    assert [_drawn(period) for period in unit.x] == ["2022-TW1 <TW>", "2022-TW2 <TW>", "2022-TW3 <TW>"]
    assert _drawn(unit.hovertext[0]).startswith(HOSTILE[0] + "\n2022-TW1 <TW>: ")
    respondents = charts.respondents_bars(table, hostile, 9, "id")
    assert HOSTILE[0] in [_drawn(trace.name) for trace in respondents.data]
    row = table.iloc[-1].copy()
    row["unit"] = HOSTILE[1]
    nrr = charts.nrr_bars(row, hostile, 9, "id")
    assert _drawn(nrr.layout.title.text) == f"NRR per unsur: 2022-TW3 <TW>, {HOSTILE[1]}"
    # Nothing anywhere in the figures is an entity Plotly would draw as such, or a tag it would read.
    for fig in (gantt, programmes, indicators, trend, ikm, respondents, nrr):
        payload = fig.to_json()
        assert "&quot;" not in payload and "&#x27;" not in payload and "&amp;amp;" not in payload
        assert "<script" not in payload and "<TW>" not in payload


def test_escape_is_what_plotly_reads() -> None:
    for text in HOSTILE:
        assert _drawn(charts.escape(text)) == text
        assert _drawn(charts.label(text)) == text and _drawn(charts.plain(text)) == text
    assert charts.escape("\"a\" & 'b' <c> $d$") == "\"a\" &amp; 'b' &lt;c&gt; &#36;d&#36;"


def test_a_long_token_is_bounded_in_width_not_only_in_characters(model: ActionPlan) -> None:
    """Seen: a 200-character code without spaces squeezed the Gantt. Wide characters ('W', CJK) made a
    label of the allowed characters twice as wide; now a label line is also bounded in ems."""
    import dataclasses

    plan, schedule, realisation = model.plan.copy(), model.schedule.copy(), model.realisation.copy()
    for index, token in ((3, "W" * 200), (4, "中" * 200)):
        old, new = plan.loc[plan.index[index], "code"], "RA-" + token
        plan.loc[plan.index[index], "code"] = new
        schedule.loc[schedule["code"] == old, "code"] = new
        realisation.loc[realisation["code"] == old, "code"] = new
    plan.loc[plan.index[6], "sub_activity"] = "M" * 200
    plan.loc[plan.index[8], "activity"] = "W" * 200
    plan.loc[plan.index[9], "program"] = "W" * 200
    wide = dataclasses.replace(model, plan=plan, schedule=schedule, realisation=realisation)
    ticks = list(charts.gantt(wide, 9, "id").layout.yaxis.ticktext)
    widest = (24 + 2 + 48) * charts.CHAR_EM  # a code, two spaces and a sub-activity; a heading is shorter
    for tick in ticks:
        bold = tick.startswith("<b>")
        assert charts.text_em(_drawn(tick), bold) <= widest + 0.01, tick
    assert any(_drawn(tick).startswith("RA-WWW") and _drawn(tick).split()[0].endswith("…") for tick in ticks)
    assert any(_drawn(tick).startswith("RA-中中") for tick in ticks)
    heading = next(_drawn(tick) for tick in ticks if tick.startswith("<b>WWW"))
    assert heading.endswith("…") and charts.text_em(heading, bold=True) <= charts.LABEL_CHARS * charts.CHAR_EM
    # Ordinary text keeps its characters: the bounds only bite on wide ones.
    assert charts.label("Peningkatan Kualitas Pelayanan Publik", bold=True) == "Peningkatan Kualitas Pelayanan Publik"
    assert len(_drawn(charts.label("i" * 200, 24))) == 24  # narrow characters: still at most `width` characters


def test_the_schedule_filters_are_said_in_words() -> None:
    chosen = charts.GanttFilter(
        activities=[selection.activity_key("", "")],
        statuses=[metrics.LATE, metrics.DONE],
        months=(3, 12),
        text=" **evaluasi** ",
    )
    labels = {selection.activity_key("", ""): "RA-01–RA-03 · nama tidak ada dalam salinan"}
    assert charts.filter_text(chosen, "id", labels) == (
        "Filter halaman: kegiatan RA-01–RA-03 · nama tidak ada dalam salinan; status Terlambat, Selesai; "
        "bulan Mar–Des; teks “**evaluasi**”"
    )
    assert charts.filter_text(charts.GanttFilter(), "en") == ""


def test_an_ikm_indicators_trend_labels_scores_as_the_ikm_card_does(model: ActionPlan) -> None:
    """Seen by the second review: the trend read "86,2" where the IKM card read "86,20"."""
    assert list(charts.indicator_trend(model, "RA-05.3", 9, "id").data[0].text) == ["79,59", "82,91", "86,20"]
    assert list(charts.indicator_trend(model, "RA-01.3", 9, "id").data[0].text) == ["30", "60", "90", "96"]


def test_every_chart_has_the_white_template_in_its_json(model: ActionPlan, monkeypatch: pytest.MonkeyPatch) -> None:
    """The look every chart shares (grid, background, colours) is Plotly's plotly_white template, in each figure's
    JSON (the browser, the PDF's images and the deck draw it), whatever Plotly's default template is: importing
    Streamlit makes that default its own."""
    import plotly.io as pio

    monkeypatch.setattr(pio.templates, "default", "plotly_dark")

    progress = metrics.programme_progress(model, 9)
    ikm = metrics.ikm_table(model, "Semua unit", 12)
    figures = [
        charts.gantt(model, 9, "id"),
        charts.programme_bars(progress, model, 9, "id", total=len(progress), first=1),
        charts.indicator_bars(metrics.indicator_status(model, 9), model, 9, "id"),
        charts.ikm_trend(ikm, model, 9, "id"),
        charts.nrr_bars(ikm.iloc[-1], model, 9, "id"),
    ]
    for fig in figures:
        assert fig.layout.template == pio.templates["plotly_white"]
        assert json.loads(fig.to_json())["layout"]["template"]["layout"]["plot_bgcolor"] == "white"
