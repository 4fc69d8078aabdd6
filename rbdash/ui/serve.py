"""`python -m rbdash.ui.serve [streamlit options]`: serve the dashboard (`streamlit run app.py`) with the
upload limits in force from the server's first request.

Under a plain `streamlit run`, project code first runs when a visitor's session runs the app, so the
upload guard (rbdash.ui.uploads) could only be hooked in then, and uploads sent before that first run
were held until it. Here the guard is hooked into Streamlit's runtime as the runtime is created, before
the server accepts a connection. (The workers' fork server starts when the upload page is first opened:
rbdash.ui.loading.prepare_uploads.)
"""

from __future__ import annotations

import sys
from typing import Any

from rbdash.config import APP_SCRIPT as APP


def _hook_runtime() -> None:
    from streamlit.runtime.runtime import Runtime

    from rbdash.ui.uploads import guard_runtime

    create = Runtime.__init__

    def create_guarded(self: Runtime, *args: Any, **kwargs: Any) -> None:
        create(self, *args, **kwargs)
        guard_runtime(self)

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
