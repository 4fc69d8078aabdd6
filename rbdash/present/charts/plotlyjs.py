"""The plotly.js that draws RB Dash's charts, in the browser and in the image renderer alike.

RB Dash draws bars and lines only, which plotly.js's basic bundle (scatter, bar, pie: 1.2 MB) draws
identically to the full bundle (4.8 MB, every trace type, maps and 3-D included): the same library,
version and figure JSON, at a quarter of the script to evaluate. The bundle is vendored in `static/plotly/`
(with its MIT licence) under a name carrying its version, which is the one the installed plotly package was
built against (tests/test_plotly_chart.py checks it). Refresh it with `make plotly-js` after upgrading plotly.
"""

from __future__ import annotations

from rbdash.config import APP_SCRIPT

#: plotly.js version of the bundle in static/plotly/: the one plotly.offline.get_plotlyjs_version() names.
PLOTLY_JS_VERSION = "4.1.1"
#: The bundle's file (served to browsers at /app/static/plotly/<name> by Streamlit's static serving).
BUNDLE = APP_SCRIPT.parent / "static" / "plotly" / f"plotly-basic-{PLOTLY_JS_VERSION}.min.js"
#: Trace types the basic bundle draws; a page drawing another fails tests/test_plotly_chart.py.
BASIC_TRACE_TYPES = frozenset({"scatter", "bar", "pie"})
