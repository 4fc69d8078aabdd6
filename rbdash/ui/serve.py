"""`python -m rbdash.ui.serve [streamlit options]`: serve the dashboard (`streamlit run app.py`) with the
upload limits in force from the server's first request.

Under a plain `streamlit run`, project code first runs when a visitor's session runs the app, so the
upload guard (rbdash.ui.uploads) could only be hooked in then, and uploads sent before that first run
were held until it. Here the guard is hooked into Streamlit's runtime as the runtime is created, before
the server accepts a connection. (The workers' fork server starts when the upload page is first opened:
rbdash.ui.loading.prepare_uploads.)

The server also warms itself as it starts (`warm_server`, in a background thread): what a visitor's first
run would otherwise do while they wait.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import logging
import sys
import threading
from typing import Any

from rbdash.config import APP_SCRIPT as APP

_log = logging.getLogger(__name__)


def page_imports() -> list[str]:
    """The modules app.py and the pages in app_pages/ import (absolute imports, in file order, once each)."""
    names: dict[str, None] = {}
    for script in [APP, *sorted((APP.parent / "app_pages").glob("*.py"))]:
        for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(dict.fromkeys(alias.name for alias in node.names))
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names[node.module] = None
                # `from package import module`: the module too (importing the package does not import it)
                names.update(
                    dict.fromkeys(f"{node.module}.{a.name}" for a in node.names if _is_module(node.module, a.name))
                )
    return list(names)


def _is_module(package: str, name: str) -> bool:
    """Whether `name` in `package` is a submodule (imports `package` to find out)."""
    try:
        return importlib.util.find_spec(f"{package}.{name}") is not None
    except (ImportError, ValueError):  # `package` is a module, not a package
        return False


def warm_server() -> None:
    """Do before the first visit what its run would do: import what app.py and the pages import, and read
    the current workbook into the server's cache (seeding the store on a first start). From launch to the
    first chart: 4.0 -> 3.5 s on this 2-core machine (bench/bench_browser.py, "start"). A failure is left
    to the visitor's run, which meets it again and says it on the page."""
    try:
        for name in page_imports():
            importlib.import_module(name)
        from rbdash.ui.loading import load_current

        load_current()
    except Exception:  # never fatal here: the first run meets it again and reports it
        _log.warning("warming the server failed; the first visit does the work", exc_info=True)


def _hook_runtime() -> None:
    from streamlit.runtime.runtime import Runtime

    from rbdash.ui.uploads import guard_runtime

    create = Runtime.__init__

    def create_guarded(self: Runtime, *args: Any, **kwargs: Any) -> None:
        create(self, *args, **kwargs)
        guard_runtime(self)
        threading.Thread(target=warm_server, name="rbdash-warm", daemon=True).start()

    Runtime.__init__ = create_guarded  # type: ignore[method-assign]


def main(argv: list[str] | None = None) -> int:
    """Run Streamlit's own command line as `streamlit run app.py ARGS`, with the runtime hooked."""
    from streamlit.web import cli

    from rbdash.config import SettingsError, settings
    from rbdash.messages import DEFAULT_LANGUAGE, t

    try:
        settings()  # a wrong setting stops the start with its file and key, before anyone connects
    except SettingsError as exc:
        print(t(exc.key, DEFAULT_LANGUAGE, **exc.params), file=sys.stderr)
        return 2
    _hook_runtime()
    sys.argv = ["streamlit", "run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    return cli.main()  # click's entry point: exits the process itself


if __name__ == "__main__":
    raise SystemExit(main())
