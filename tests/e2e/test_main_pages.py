"""Every main page of the demo, on a laptop and on a phone: nothing reaches past the right
edge, the console stays clean (no CSP violation, no script error), axe-core finds no
critical or serious accessibility violation, and the page's JavaScript and CSS come to at
most 150 KB compressed."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from tests.e2e.main_pages import (
    FIXED,
    LINKED,
    SIZES,
    inspect,
    log_in,
    main_pages,
    watch_console,
)
from tests.servers import demo_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo(
    tmp_path_factory: pytest.TempPathFactory, browser: Browser
) -> Iterator[tuple[str, dict[str, str], dict]]:
    """The demo on a real server, the path of each main page on it, and the demo runner's
    logged-in browser state (one log-in: the login form's rate limit counts every one)."""
    with demo_server(tmp_path_factory.mktemp("demo")) as base:
        context = browser.new_context()
        page = context.new_page()
        log_in(page, base)
        pages = main_pages(page, base)
        state = context.storage_state()
        context.close()
        yield base, pages, state


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", [*FIXED, *LINKED])
def test_a_main_page_fits_keeps_a_clean_console_passes_axe_and_stays_light(
    demo, browser, name, size
):
    base, pages, state = demo
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, storage_state=state)
    try:
        page = context.new_page()
        said = watch_console(page)
        found = inspect(page, f"{base}{pages[name]}", said)
    finally:
        context.close()
    assert found.console == []
    assert found.overflow == []
    assert found.violations == []
    assert found.compressed_assets <= 150 * 1024
