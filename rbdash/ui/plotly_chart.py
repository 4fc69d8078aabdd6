"""Plotly figures drawn by plotly.js's basic bundle (`rbdash.present.charts.plotlyjs`), in a Streamlit
component of our own.

`st.plotly_chart` loads the full plotly.js (4.8 MB, every trace type, maps and 3-D included) on the
first chart of a visit, and evaluating it was most of a reader's wait for the first chart (bench/
RESULTS.md, "Browser waits": 1.2-1.3 s from the script's arrival to the chart on this machine, on
every visit, cached or not). The basic bundle draws RB Dash's charts identically.

The bundle is served by Streamlit's static file serving (`server.enableStaticServing`, the folder
`static/` beside app.py) under a name carrying its version, so a browser may keep it.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from rbdash.messages import t
from rbdash.present.charts.plotlyjs import BUNDLE

#: The chart's box in the page (the element Plotly draws into), for print rules and browser tests.
CHART_TESTID = "rbdashChart"
CHART_SELECTOR = f'[data-testid="{CHART_TESTID}"]'
#: The component's name, as a run's elements carry it.
CHART_COMPONENT = "rbdash_plotly_chart"

#: How long a chart waits for the bundle before saying it could not be loaded (it still draws if it comes).
LOAD_WAIT_MS = 15_000

# Loads the bundle once per page, shared by every chart (and by the prefetch below). A failed load (no
# answer, or a script that did not define Plotly) is forgotten, so the next chart drawn tries again.
_LOADER = """
function plotlyFrom(url) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!window.__rbdashPlotly) {
    window.__rbdashPlotly = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      const failed = (why) => {
        window.__rbdashPlotly = null;
        script.remove();
        reject(new Error(why));
      };
      script.src = url;
      script.async = true;
      script.onload = () => (window.Plotly ? resolve(window.Plotly) : failed("no Plotly"));
      script.onerror = () => failed("not loaded");
      document.head.appendChild(script);
    });
  }
  return window.__rbdashPlotly;
}
"""

# Runs in the page each time the chart's figure changes. Plotly's own styles go to document.head, so
# the component is not in a shadow root (isolate_styles=False). Until the bundle has arrived the box keeps
# the figure's height, so nothing below jumps. The chart follows its box's width (a ResizeObserver: the
# sidebar opened or closed, the window resized); it is purged when Streamlit removes it, so a tab that
# visits many pages keeps no chart it no longer shows.
_SCRIPT = (
    _LOADER
    + """
function say(box, text) {
  let notice = box.querySelector(":scope > .rbdash-chart-failed");
  if (!notice) {
    notice = document.createElement("div");
    notice.className = "rbdash-chart-failed";
    notice.setAttribute("role", "alert");
    notice.style.cssText = "padding: 1rem; border-radius: 0.5rem; background: rgba(255, 189, 69, 0.2);" +
      " color: rgb(146, 108, 5);";
    box.prepend(notice);
  }
  notice.textContent = text;  // text, never markup; in the language now chosen
}

export default function ({ data, parentElement }) {
  let box = parentElement.querySelector(":scope > .rbdash-chart");
  if (!box) {
    box = document.createElement("div");
    box.className = "rbdash-chart";
    box.setAttribute("data-testid", "__TESTID__");
    parentElement.appendChild(box);
  }
  const figure = JSON.parse(data.figure);
  box.style.minHeight = figure.layout && figure.layout.height ? figure.layout.height + "px" : "";
  box.dataset.drawn = "false";
  const drawing = (box.__drawing = {});
  const current = () => box.__drawing === drawing;  // no newer figure, not removed
  const notice = box.querySelector(":scope > .rbdash-chart-failed");
  if (notice) notice.textContent = data.failed;
  const waited = setTimeout(() => { if (current() && !window.Plotly) say(box, data.failed); }, __WAIT__);
  plotlyFrom(data.script).then(
    (Plotly) => {
      clearTimeout(waited);
      if (!current()) return;
      const shown = box.querySelector(":scope > .rbdash-chart-failed");
      if (shown) shown.remove();
      return Plotly.react(box, figure.data, figure.layout, data.config).then(() => {
        if (!current()) return;
        box.dataset.drawn = "true";
        if (!box.__observer) {
          box.__observer = new ResizeObserver(() => {
            if (box.isConnected && box._fullLayout) Plotly.Plots.resize(box);
          });
          box.__observer.observe(box);
        }
      });
    },
    () => {
      clearTimeout(waited);
      if (current()) say(box, data.failed);
    },
  );
  return () => {
    clearTimeout(waited);
    if (box.__drawing === drawing) box.__drawing = null;
    if (box.__observer) box.__observer.disconnect();
    box.__observer = null;
    if (window.Plotly && box._fullLayout) window.Plotly.purge(box);
  };
}
"""
)

_component = st.components.v2.component(
    CHART_COMPONENT,
    js=_SCRIPT.replace("__TESTID__", CHART_TESTID).replace("__WAIT__", str(LOAD_WAIT_MS)),
    isolate_styles=False,
)


def bundle_url() -> str:
    """Where the page fetches the bundle from, under the server's base URL path if one is set."""
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return "/" + "/".join(part for part in (base, "app/static/plotly", BUNDLE.name) if part)


def prefetch_plotly() -> None:
    """Start loading the bundle as the page's first element, while the server still runs the page: the
    chart component itself mounts only after everything above it (seen: 0.4-0.6 s after the chart's
    message arrived, bench/bench_browser.py). The script is ours and constant; no user text is in it."""
    url = json.dumps(bundle_url()).replace("</", "<\\/")  # a JS string that cannot end the script element
    st.html(
        # The element takes no room: its container is hidden (it would add a gap above the page's title).
        '<style>[data-testid="stElementContainer"]:has(.rbdash-prefetch) { display: none; }</style>'
        '<span class="rbdash-prefetch"></span>'
        f"<script>{_LOADER}\nplotlyFrom({url}).catch(() => {{}});</script>",
        unsafe_allow_javascript=True,
    )


@dataclasses.dataclass(frozen=True)
class DrawnFigure:
    """A figure as the chart component receives it: its JSON and its height. Immutable, so one may be shared
    by every session (a figure object is not: Plotly figures are changed in place)."""

    json: str
    height: int | float | None

    @classmethod
    def of(cls, fig: go.Figure) -> DrawnFigure:
        # plotly's own encoder: numpy arrays and dates as st.plotly_chart sends them
        return cls(fig.to_json(), fig.layout.height)


def plotly_chart(drawn: DrawnFigure, config: dict[str, Any], key: str, lang: str) -> None:
    """Draw the figure full width with the Plotly `config` (modebar, download name), under element `key`."""
    _component(
        key=key,
        data={
            "figure": drawn.json,
            "config": config,  # not Plotly's "responsive": a window listener per chart; the box is observed
            "script": bundle_url(),
            "failed": t("chart.not_loaded", lang),
        },
        width="stretch",
        height="content",
    )


def figure_json(data_json: str) -> dict[str, Any]:
    """The figure a chart element carries, from its JSON (for tests and tools reading an app's output)."""
    return json.loads(json.loads(data_json)["figure"])
