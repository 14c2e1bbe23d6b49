"""`make screenshots`: the main pages of the demo at a laptop's and a phone's size.

Starts `python app.py` on a fresh, seeded SQLite database in a temporary folder, logs in as
a demo runner in Debian's Chromium, and writes `<page>-<size>.png` (full page) into the
folder given (default `screenshots/`, not committed), with a line per page saying what the
browser found wrong: console errors, horizontal overflow, axe-core's serious violations."""

import argparse
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.main_pages import SIZES, inspect, log_in, main_pages, watch_console
from tests.servers import demo_server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default="screenshots", type=Path)
    folder = parser.parse_args().folder
    folder.mkdir(parents=True, exist_ok=True)
    problems = 0
    with (
        tempfile.TemporaryDirectory() as instance,
        demo_server(Path(instance)) as base,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context()
        page = context.new_page()
        log_in(page, base)  # once: the login form's rate limit counts every log-in
        pages, state = main_pages(page, base), context.storage_state()
        context.close()
        for size, (width, height) in SIZES.items():
            for name, path in pages.items():
                # A fresh context per page: nothing cached, every asset counted.
                context = browser.new_context(
                    viewport={"width": width, "height": height}, storage_state=state
                )
                page = context.new_page()
                findings = inspect(page, f"{base}{path}", watch_console(page))
                shot = folder / f"{name}-{size}.png"
                page.screenshot(path=shot, full_page=True)
                height_px = page.evaluate("() => document.documentElement.scrollHeight")
                context.close()
                wrong = [*findings.console, *findings.overflow, *findings.violations]
                problems += len(wrong)
                size_kb = findings.compressed_assets / 1024
                summary = "; ".join(text[:160] for text in wrong) or "ok"
                print(f"{shot} ({height_px} px tall, JS+CSS {size_kb:.0f} KB gzipped): {summary}")  # noqa: T201
        browser.close()
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
