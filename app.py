"""RB Dash entry point (`make run`): page frame, shared sidebar and navigation over app_pages/.

The pages live in app_pages/, not pages/: Streamlit treats a folder named pages/ as the older
automatic multipage app and would run a page without this script (no sidebar, no context).
"""

from __future__ import annotations

from typing import Literal

import streamlit as st

from rbdash.config import SettingsError, role_at_least, settings
from rbdash.messages import DEFAULT_LANGUAGE, t
from rbdash.present.text import markdown_message as say
from rbdash.ui.frame import PageContext, frame, framed_run, store_errors_shown
from rbdash.ui.session import current_role
from rbdash.ui.uploads import upload_run


def main() -> None:
    """One run: the frame (language, sign-in, the current workbook, the shared sidebar), then the chosen page."""
    context = frame()
    with store_errors_shown(context.lang):  # a store failing mid-run is said on the page, never a traceback
        _navigate(context)


def _navigate(context: PageContext) -> None:
    lang = context.lang
    role = current_role()
    overview = "app_pages/ringkasan.py"
    dashboard = [
        # Streamlit serves the default page at "/" only, whatever its url_path (seen: /ringkasan opened
        # "Page not found"); a hidden page below answers /ringkasan with the same script.
        st.Page(overview, title=t("page.overview", lang), url_path="beranda", default=True),
        st.Page("app_pages/rekap.py", title=t("page.rollup", lang), url_path="rekap"),
        st.Page("app_pages/jadwal.py", title=t("page.schedule", lang), url_path="jadwal"),
        st.Page("app_pages/triwulan.py", title=t("page.quarters", lang), url_path="triwulan"),
        st.Page("app_pages/indikator.py", title=t("page.indicators", lang), url_path="indikator"),
        st.Page("app_pages/ikm.py", title=t("page.ikm", lang), url_path="ikm"),
        st.Page("app_pages/laporan.py", title=t("page.report", lang), url_path="laporan"),
    ]

    # The menu lists a page only for the roles that may use it; a hidden page still answers its URL
    # (a bookmark, a sign-in on the way) and checks the role itself.
    def shown(role_needed: str) -> Literal["visible", "hidden"]:
        return "visible" if role_at_least(role, role_needed) else "hidden"

    data = [
        st.Page("app_pages/data.py", title=t("page.data", lang), url_path="data", visibility=shown("editor")),
        st.Page("app_pages/riwayat.py", title=t("page.history", lang), url_path="riwayat"),
    ]
    data.append(st.Page(overview, title=t("page.overview", lang), url_path="ringkasan", visibility="hidden"))
    admin = [st.Page("app_pages/admin.py", title=t("page.admin", lang), url_path="admin", visibility=shown("admin"))]
    sections = {t("nav.dashboard", lang): dashboard, t("nav.data", lang): data}
    if role_at_least(role, "admin"):
        sections[t("nav.admin", lang)] = admin
    else:  # registered, not listed: the section heading would show with nothing under it
        data += admin
    navigation = st.navigation(sections)
    with framed_run(context):
        navigation.run()


st.set_page_config(page_title="RB Dash", layout="wide")
try:  # `python -m rbdash.ui.serve` refuses to start with a wrong setting; a plain `streamlit run` says it here
    settings()
except SettingsError as exc:
    st.error(say(exc.key, DEFAULT_LANGUAGE, **exc.params))
    st.stop()
with upload_run():  # uploads: hooked once per process; a run that shows no uploader ends the permission
    main()
