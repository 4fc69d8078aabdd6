"""What a printed page is (Ctrl+P, A4 landscape) and Mode cetak shows on screen: the CSS every page carries."""

from __future__ import annotations

import streamlit as st

from rbdash.messages import DEFAULT_LANGUAGE, t
from rbdash.present import printing
from rbdash.ui.plotly_chart import CHART_SELECTOR

# What printing hides (widgets, the sidebar, the app's chrome) and how the rest is laid out on A4
# landscape: tables as their printed HTML copy (present.printing), headings kept with what follows.
_HIDDEN_IN_PRINT = ", ".join(
    f'[data-testid="{name}"]'
    for name in (
        "stSidebar",
        "stSidebarCollapsedControl",
        "stHeader",
        "stToolbar",
        "stDecoration",
        "stElementToolbar",
        "stSelectbox",
        "stMultiSelect",
        "stSlider",
        "stTextInput",
        "stRadio",
        "stCheckbox",
        "stToggle",
        "stDownloadButton",
        "stExpander",
        "stDataFrame",
        "stFileUploader",
        "stTextArea",
        "stNumberInput",
    )
)
# Printed only: buttons, among them Mode cetak's way back (which shows on screen in Mode cetak).
_PRINT_ONLY_RULES = """
[class*="st-key-screen_only"] { display: none !important; }
[data-testid="stButton"], .st-key-print_exit { display: none !important; }
[data-testid="stElementContainer"]:has([data-testid="stButton"]) { display: none !important; }
"""
_PRINT_RULES = f"""
{_HIDDEN_IN_PRINT}, .modebar-container, .plotly-notifier {{ display: none !important; }}
[data-testid="stElementContainer"]:has({_HIDDEN_IN_PRINT}) {{ display: none !important; }}
[data-testid="stElementContainer"]:has(.{printing.TABLE_CLASS}) {{ display: block !important; }}
.{printing.TABLE_CLASS} {{ display: block !important; }}
[data-testid="stElementContainer"]:has(.{printing.SCREEN_TABLE_CLASS}) {{ display: none !important; }}
[data-testid="stMainBlockContainer"], .block-container {{ padding: 0 !important; max-width: 100% !important; }}
[data-testid="stVerticalBlock"] {{ gap: 0.4rem !important; }}
h1 {{ font-size: 1.6rem !important; padding: 0 0 0.2rem !important; }}
h1, h2, h3, h4 {{ break-after: avoid; page-break-after: avoid; }}
[data-testid="stMetric"], [data-testid="stMetric"] > div {{ padding: 0.15rem 0.5rem !important; }}
[data-testid="stAlert"] [role="alert"], [data-testid="stAlertContainer"] {{ padding: 0.35rem 0.75rem !important; }}
[data-testid="stHorizontalBlock"] {{ flex-wrap: wrap !important; }}
[data-testid="stHorizontalBlock"]:not(:has([data-testid="stMarkdown"], {CHART_SELECTOR},
  [data-testid="stMetric"], [data-testid="stHeading"], .{printing.TABLE_CLASS})) {{ display: none !important; }}
[data-testid="stHorizontalBlock"]:has(.{printing.TABLE_CLASS}) {{ display: block !important; }}
[data-testid="stColumn"]:has(.{printing.TABLE_CLASS}) {{ width: 100% !important; max-width: 100% !important;
  margin-bottom: 0.4rem; }}
[data-testid="stMetricValue"] {{ font-size: 1.5rem !important; }}
{CHART_SELECTOR}, [data-testid="stMetric"], [data-testid="stAlert"] {{
  break-inside: avoid; page-break-inside: avoid; }}
"""


def _table_look(classes: tuple[str, ...], font: str, line: str, border: str, padding: str, header: str) -> str:
    """One look of the HTML tables of `classes`: size, lines and header (the screen's or the printed sheet's)."""

    def each(part: str) -> str:
        return ", ".join(f".{name} {part}" for name in classes)

    return (
        f"{each('table')} {{ width: 100%; border-collapse: collapse; font-size: {font}; line-height: {line}; }}\n"
        f"{each('th')}, {each('td')} {{ border: {border}; padding: {padding}; text-align: left; vertical-align: top;"
        f" overflow-wrap: break-word; }}\n{each('th')} {{ {header} }}\n"
    )


_SCREEN_LOOK = (
    "0.875rem",
    "1.4",
    "1px solid rgba(49, 51, 63, 0.2)",
    "0.25rem 0.5rem",
    "background: #f0f2f6; font-weight: 600;",
)
_PRINTED_LOOK = ("8.5pt", "1.25", "0.5pt solid #888", "2px 4px", "background: #eee;")
# On screen the printed copies of tables stay hidden (outside Mode cetak); the short lists and a row's detail
# show as plain tables, and the detail prints as it shows, in the printed look. A chart is never wider than a
# printed sheet, on screen too: Plotly draws at the width it has on screen, and a wider chart was cut at the
# sheet's right edge (seen: the Gantt without Okt-Des from a 1920 px window).
_TABLE_RULES = f"""
[data-testid="stElementContainer"]:has({CHART_SELECTOR}) {{ max-width: {printing.SHEET_WIDTH_PX}px; }}
[data-testid="stElementContainer"]:has(.{printing.TABLE_CLASS}) {{ display: none; }}
[data-testid="stElementContainer"]:has(.{printing.SCREEN_TABLE_CLASS}) {{ display: block; }}
@media screen {{
{_table_look((printing.SCREEN_TABLE_CLASS, printing.DETAIL_TABLE_CLASS), *_SCREEN_LOOK)}
.{printing.SCREEN_TABLE_CLASS} .{printing.CLAMP_CLASS} {{ display: -webkit-box; -webkit-line-clamp: 3;
  -webkit-box-orient: vertical; overflow: hidden; }}
.{printing.SCREEN_TABLE_CLASS} .rb-print-note {{ font-size: 0.875rem; color: rgba(49, 51, 63, 0.6); }}
}}
{_table_look((printing.TABLE_CLASS,), *_PRINTED_LOOK)}
@media print {{
{_table_look((printing.DETAIL_TABLE_CLASS,), *_PRINTED_LOOK)}
}}
.{printing.TABLE_CLASS} .nw, .{printing.SCREEN_TABLE_CLASS} .nw, .{printing.DETAIL_TABLE_CLASS} .nw {{
  white-space: nowrap; }}
.{printing.TABLE_CLASS} thead, .{printing.DETAIL_TABLE_CLASS} thead {{ display: table-header-group; }}
.{printing.TABLE_CLASS} tr, .{printing.DETAIL_TABLE_CLASS} tr {{ break-inside: avoid; page-break-inside: avoid; }}
"""


def print_styles(print_mode: bool, lang: str = DEFAULT_LANGUAGE) -> None:
    """CSS for Ctrl+P (A4 landscape, no sidebar or widgets, tables whole, charts kept whole); the same on
    screen in Mode cetak, which offers a way back that does not print."""
    # The grid's own CSV button exports workbook text raw; tables offer safe downloads instead.
    rules = (
        '[data-testid="stElementToolbar"] button[aria-label="Download as CSV"] { display: none !important; } '
        f"{_TABLE_RULES} @page {{ size: A4 landscape; margin: 10mm; }} "
        f"@media print {{ {_PRINT_RULES} {_PRINT_ONLY_RULES} }}"
    )
    if print_mode:
        rules += _PRINT_RULES
    st.html(f"<style>{rules}</style>")
    if print_mode:  # seen: Mode cetak hid the sidebar and its toggle, and only a reload led back
        st.button(t("print.exit", lang), key="print_exit", on_click=_leave_print_mode, help=t("print.hint", lang))


def _leave_print_mode() -> None:
    st.session_state["print_mode"] = False
