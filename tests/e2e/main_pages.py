"""The main pages a runner touches every week, found on the demo data, and what a browser
sees wrong on each: console errors (CSP violations among them), horizontal overflow, and
accessibility violations by axe-core (vendored in tests/vendor, injected by the test only).

Shared by tests/e2e/test_main_pages.py and `make screenshots` (tests/screenshots.py)."""

import gzip
import re
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Page, Response

from community.db_types import utcnow
from tests.servers import DEMO_PASSWORD

AXE = Path(__file__).resolve().parent.parent / "vendor" / "axe.min.js"
SIZES = {"laptop": (1280, 800), "phone": (390, 844)}
DEMO_RUNNER = "ana"  # owns Riverside Runners, runs in both demo clubs

# Fixed pages, then pages reached by the first link of their kind on a listing.
FIXED = {
    "dashboard": "/dashboard",
    "club": "/clubs/riverside-runners",
    "feed": "/feed/",
    "progress": "/runs/progress",
    "goals": "/goals/",
    "club-goals": "/goals/clubs/riverside-runners",
    "milestones": "/milestones/",
    "year": "/year",
    "journal": "/reflections/",
    "club-year": f"/clubs/riverside-runners/year/{utcnow().year}",
    "profile": f"/u/{DEMO_RUNNER}",
}
LINKED = {
    "group-run": ("/group-runs/", r"^/group-runs/\d+$"),
    "challenge": ("/challenges/", r"^/challenges/\d+$"),
    "run": ("/runs/", r"^/runs/\d+$"),
}


@dataclass
class Findings:
    console: list[str] = field(default_factory=list)
    overflow: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    # JavaScript and CSS the page loaded, in bytes once gzipped (as a server would send it).
    compressed_assets: int = 0


def log_in(page: Page, base: str, username: str = DEMO_RUNNER) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Username or e-mail").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/dashboard$"))


def main_pages(page: Page, base: str) -> dict[str, str]:
    """Name → path of every main page, for a logged-in `page`."""
    pages = dict(FIXED)
    for name, (listing, pattern) in LINKED.items():
        page.goto(f"{base}{listing}")
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.pathname)")
        found = next((href for href in hrefs if re.match(pattern, href)), None)
        assert found, f"no link to a {name} page on {listing}"
        pages[name] = found
    return pages


def watch_console(page: Page) -> list[str]:
    """What the page reports as errors from now on: console errors (a CSP violation is one)
    and uncaught exceptions."""
    said: list[str] = []
    page.on("console", lambda message: message.type == "error" and said.append(message.text))
    page.on("pageerror", lambda error: said.append(f"uncaught: {error}"))
    return said


def overflowing(page: Page) -> list[str]:
    """Elements that reach past the right edge of the viewport (a horizontal scroll)."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            if (document.documentElement.scrollWidth <= width) return [];
            return [...document.body.querySelectorAll('*')]
                .filter(el => el.getBoundingClientRect().right > width + 1)
                .filter(el => !el.closest('.visually-hidden, [hidden]'))
                .slice(0, 10)
                .map(el => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`);
        }"""
    )


def serious_violations(page: Page) -> list[str]:
    """axe-core's critical and serious violations on the page as it stands."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, so the page's CSP does not apply to it.
        page.evaluate(AXE.read_text() + "\n;undefined")
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{violation['id']} ({violation['impact']}): "
        + ", ".join(node["target"][0] for node in violation["nodes"][:5])
        for violation in results["violations"]
        if violation["impact"] in ("critical", "serious")
    ]


def inspect(page: Page, url: str, said: list[str]) -> Findings:
    """Open `url` and report what is wrong with it, once its scripts have run."""
    said.clear()
    assets: list[Response] = []

    def keep(response: Response) -> None:
        if response.request.resource_type in ("script", "stylesheet"):
            assets.append(response)

    page.on("response", keep)
    try:
        page.goto(url)
        page.wait_for_load_state("networkidle")
    finally:
        page.remove_listener("response", keep)
    return Findings(
        console=list(said),
        overflow=overflowing(page),
        violations=serious_violations(page),
        compressed_assets=sum(len(gzip.compress(asset.body())) for asset in assets),
    )
