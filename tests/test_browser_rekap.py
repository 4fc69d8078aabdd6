"""Real browser, many offices: a province team member picks a kab/kota and a year, reads its pages, goes to Rekap,
sees all nine offices and opens one's Ringkasan from the table; Rekap printed on A4 landscape. Runs on the
example data of `rbdash demo`. Screenshots in test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browsing import launch_browser, open_page, ready, serve, settled
from tests.conftest import ARTIFACTS, run_demo

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser_rekap")]

PASSWORD = "kata-sandi-panjang"
#: The page's own captions (the sidebar has its own: who is signed in).
MAIN_CAPTION = '[data-testid="stMainBlockContainer"] [data-testid="stCaptionContainer"]'


@pytest.fixture(scope="module")
def browser() -> Iterator:
    yield from launch_browser()


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from rbdash.store.sqlite import SqliteStore

    root = run_demo(tmp_path_factory.mktemp("demo") / "data")
    SqliteStore(root).add_user("tim.provinsi", "editor", PASSWORD, scope="*")
    yield from serve({"RBDASH_DATA_DIR": str(root)})


def selected(page: Page, label: str) -> str:
    """What the select box `label` shows (its combobox input's value)."""
    return page.get_by_role("combobox", name=label, exact=True).first.input_value()


def choose(page: Page, label: str, option: str) -> None:
    """Pick `option` in the sidebar's select box `label`."""
    page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()
    settled(page)


def test_a_province_team_member_reads_a_kab_kota_then_the_rekap_and_drills_in(demo_server: str, browser) -> None:
    page = open_page(browser, demo_server)
    ready(page, "Ringkasan")
    page.get_by_label("Nama pengguna").fill("tim.provinsi")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.get_by_text("Masuk sebagai tim.provinsi").wait_for(timeout=30_000)
    settled(page)
    choose(page, "Satker", "KPU Kabupaten Lebak")
    choose(page, "Tahun", "2022")
    caption = page.locator(MAIN_CAPTION).first
    expect(caption).to_contain_text("2022 · KPU Kabupaten Lebak")  # the year's own posisi data, the office's name
    settled(page)
    assert "CONTOH" in page.locator('[data-testid="stAlert"]').first.inner_text()  # the example data is said
    page.screenshot(path=str(ARTIFACTS / "rekap_walk_1_ringkasan_lebak.png"), full_page=True)

    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Rekap").click()
    ready(page, "Rekap")
    assert selected(page, "Tahun rekap") == "2022"  # the year read before
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.wait_for(timeout=30_000)
    table_copy = page.locator(".rb-print-table").first  # the printed copy of the ranked table: every office
    assert table_copy.locator("tbody tr").count() == 9
    page.screenshot(path=str(ARTIFACTS / "rekap_walk_2_rekap.png"), full_page=True)
    # Printed on A4 landscape: the sidebar and controls stay off the sheet, the tables and charts whole.
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", landscape=True, print_background=True)
    (ARTIFACTS / "rekap_print.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF")
    page.emulate_media(media="screen")

    # The first office of the ranking (most rows not done) opened from the table: its row's checkbox.
    first_office = table_copy.locator("tbody tr").first.locator("td").first.inner_text().strip()
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # the row marker of the first data row
    ready(page, "Ringkasan")
    settled(page)
    assert selected(page, "Satker") == first_office
    assert first_office in page.locator(MAIN_CAPTION).first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "rekap_walk_3_drilled_in.png"), full_page=True)
    page.close()


def test_rekap_in_english_opens_an_office_from_the_list(demo_server: str, browser) -> None:
    page = open_page(browser, f"{demo_server}/rekap")
    ready(page, "Rekap")
    page.get_by_text("English", exact=True).click()
    ready(page, "Roll-up")
    office = page.get_by_role("combobox", name="Open the Overview of")
    office.scroll_into_view_if_needed()
    office.click()
    office.fill("Cilegon")  # typed, as a reader finds an office among many
    page.get_by_role("option", name="KPU Kota Cilegon", exact=True).click()
    settled(page)
    page.get_by_role("button", name="Open Overview").click()
    ready(page, "Overview")
    assert "KPU Kota Cilegon" in page.locator(MAIN_CAPTION).first.inner_text()
    page.close()
