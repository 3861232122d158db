"""End to end in a real headless browser: every page, a search, a network, a what-if."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.dashboard.browser import CHROMIUM_ARGS, require_chromium, running_dashboard

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
PAGES = {
    "overview": "Overview",
    "networks": "Networks",
    "search": "Search and profiles",
    "trends": "Regional trends",
    "ads": "Online ads",
    "review": "Merge review",
    "sources": "Sources and data quality",
    "audit": "Audit log",
}

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser_page(dashboard_store: str, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    chromium = require_chromium()
    from playwright.sync_api import sync_playwright

    data_dir = tmp_path_factory.mktemp("browser-data")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with running_dashboard(dashboard_store, data_dir) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        outside: list[str] = []
        page.context.on(
            "request",
            lambda request: (
                outside.append(request.url)
                if not request.url.startswith((url, "data:", "blob:", "about:"))
                else None
            ),
        )
        yield url, page
        browser.close()
        # Air-gapped police networks: the dashboard must never reach beyond this machine.
        assert outside == [], f"requests left the machine: {outside[:5]}"


def wait_for_title(page, title: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("heading", name=title, exact=True).first.wait_for(timeout=60_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )


def test_every_page_opens(browser_page) -> None:  # type: ignore[no-untyped-def]
    url, page = browser_page
    for path, title in PAGES.items():
        page.goto(f"{url}/{path}")
        wait_for_title(page, title)
        assert page.locator("[data-testid='stException']").count() == 0, f"{path} raised"
        page.screenshot(path=str(ARTIFACTS / f"{path}.png"), full_page=True)


def test_search_a_person_and_open_the_profile(browser_page) -> None:  # type: ignore[no-untyped-def]
    url, page = browser_page
    page.goto(f"{url}/search")
    wait_for_title(page, "Search and profiles")
    box = page.get_by_label("Name, phone number, IBAN, postcode or ad")
    box.fill("jansen")
    box.press("Enter")
    page.get_by_text("Sources (provenance)").wait_for(timeout=60_000)
    tables = page.locator("[data-testid^='stDataFrame']")
    tables.first.wait_for(timeout=60_000)
    assert tables.count() >= 2, "the hits and the profile's provenance are tables"
    assert page.get_by_role("heading", level=2).count() >= 1, "a profile is open"
    drawing = page.frame_locator("iframe").first.locator("#mynetwork[data-drawn=true]")
    drawing.wait_for(timeout=60_000)  # the profile's neighbourhood, drawn
    page.screenshot(path=str(ARTIFACTS / "search-profile.png"), full_page=True)


def test_open_a_network_and_run_a_disruption(browser_page) -> None:  # type: ignore[no-untyped-def]
    url, page = browser_page
    page.goto(f"{url}/networks")
    wait_for_title(page, "Networks")
    frame = page.frame_locator("iframe").first
    # Drawn by vis-network, which this server serves once as a static file (not inlined).
    frame.locator("#mynetwork[data-drawn=true]").wait_for(timeout=60_000)
    library = frame.locator("script[src]").first.get_attribute("src")
    assert library == "/app/static/vis-network-9.1.2/vis-network.min.js"
    assert frame.locator("canvas").count() == 1
    assert page.get_by_text("Key actors and why").count() == 1
    page.get_by_role("button", name="Run what-if").click()
    page.get_by_text("largest connected part").wait_for(timeout=60_000)
    # the network after removal, drawn in a second frame below the curve
    after = page.frame_locator("iframe").nth(1).locator("#mynetwork[data-drawn=true]")
    after.wait_for(timeout=60_000)
    page.locator("iframe").nth(1).scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "network-disruption.png"), full_page=True)
