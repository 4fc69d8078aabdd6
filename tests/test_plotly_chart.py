"""The charts' own Plotly component (rbdash.ui.plotly_chart): the bundle it serves is the basic build of
the plotly.js the installed plotly was made for, and every chart a page draws uses only its trace types."""

from __future__ import annotations

from pathlib import Path

import plotly.offline
import pytest
import streamlit as st

from rbdash.present.charts import plotlyjs
from rbdash.ui import plotly_chart
from tests.conftest import ROOT
from tests.test_app import PAGES, chart_figures, run_app


def test_the_served_bundle_is_the_basic_build_of_plotlys_own_version() -> None:
    assert plotly.offline.get_plotlyjs_version() == plotlyjs.PLOTLY_JS_VERSION
    bundle = plotlyjs.BUNDLE
    assert bundle.parent == ROOT / "static" / "plotly" and bundle.is_file()
    header = bundle.read_bytes()[:200].decode()
    assert f"plotly.js (basic - minified) v{plotlyjs.PLOTLY_JS_VERSION}" in header
    assert (bundle.parent / "LICENSE").read_text().startswith("MIT License")


def test_static_serving_is_on_in_the_shipped_settings() -> None:
    import tomllib

    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert settings["server"]["enableStaticServing"] is True


@pytest.mark.parametrize("page", PAGES)
def test_every_chart_a_page_draws_uses_only_the_bundles_trace_types(monkeypatch: pytest.MonkeyPatch, page: str) -> None:
    at = run_app(monkeypatch, page=page)
    figures = chart_figures(at)
    assert figures, page
    for figure in figures:
        types = {trace.get("type", "scatter") for trace in figure["data"]}
        assert types <= plotlyjs.BASIC_TRACE_TYPES, (page, types)


@pytest.mark.parametrize(("base", "url"), [("", "/app/static/plotly/"), ("/rb/dash/", "/rb/dash/app/static/plotly/")])
def test_the_bundle_is_fetched_under_the_base_path(monkeypatch: pytest.MonkeyPatch, base: str, url: str) -> None:
    monkeypatch.setattr(st, "get_option", lambda name: base if name == "server.baseUrlPath" else None)
    assert plotly_chart.bundle_url() == url + Path(plotlyjs.BUNDLE).name
