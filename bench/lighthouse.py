"""Lighthouse (mobile) on the dashboard, a run page and a challenge page of the demo.

Starts `python app.py` on a fresh, seeded SQLite database, logs in as the demo runner ana
over HTTP and hands Lighthouse her session cookie; Lighthouse drives Debian's Chromium.
Lighthouse itself comes from npm, installed once outside the repository's tracked files:

    npm install --prefix bench/.lighthouse lighthouse@13

    .venv/bin/python bench/lighthouse.py --repeats 3 [--json results.json]

Prints the performance and accessibility scores of each page (each run, and the median).
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repo: tests' helpers

from tests.e2e.main_pages import DEMO_RUNNER, LINKED
from tests.servers import cookie_header, demo_server, logged_in

HERE = Path(__file__).resolve().parent
LIGHTHOUSE = HERE / ".lighthouse" / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def first_link(http: requests.Session, base: str, listing: str, pattern: str) -> str:
    page = http.get(f"{base}{listing}", timeout=10).text
    found = re.search(r'href="(' + pattern.strip("^$") + r')"', page)
    assert found, f"no link like {pattern} on {listing}"
    return found.group(1)


def lighthouse(url: str, cookie: str, out: Path) -> dict[str, float]:
    subprocess.run(  # noqa: S603
        [
            str(LIGHTHOUSE),
            url,
            f"--chrome-path={CHROMIUM}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
            "--form-factor=mobile",
            "--only-categories=performance,accessibility",
            "--output=json",
            f"--output-path={out}",
            "--quiet",
            f"--extra-headers={json.dumps({'Cookie': cookie})}",
        ],
        check=True,
        timeout=300,
    )
    report = json.loads(out.read_text())
    return {name: report["categories"][name]["score"] * 100 for name in report["categories"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        folder = LIGHTHOUSE.parents[2]
        raise SystemExit(f"No Lighthouse: npm install --prefix {folder} lighthouse@13")
    results: dict[str, list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as folder, demo_server(Path(folder)) as base:
        http = logged_in(base, DEMO_RUNNER)
        pages = {"dashboard": "/dashboard"}
        for name in ("run", "challenge"):
            pages[name] = first_link(http, base, *LINKED[name])
        cookie = cookie_header(http)
        for name, path in pages.items():
            for repeat in range(args.repeats):
                scores = lighthouse(f"{base}{path}", cookie, Path(folder) / f"{name}-{repeat}.json")
                results.setdefault(name, []).append(scores)
                print(f"{name} {path} run {repeat + 1}: {scores}")
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    for name, runs in results.items():
        medians = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
        print(f"{name}: median of {len(runs)}: {medians}")
    if args.json:
        args.json.write_text(json.dumps({"results": results, "load": load}, indent=2))


if __name__ == "__main__":
    main()
