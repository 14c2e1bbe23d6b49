"""Every main page renders for a runner, with a plain title and one <main>, and nothing
the Content-Security-Policy refuses (an inline style attribute, an inline script)."""

import re
from pathlib import Path

import pytest

from tests.helpers import log_in, make_club, make_runner

PAGES = [
    "/dashboard",
    "/settings",
    "/u/ana",
    "/clubs/",
    "/clubs/new",
    "/clubs/riverside",
    "/clubs/riverside/manage",
    "/runs/",
    "/runs/new",
    "/runs/upload",
    "/runs/progress",
    "/group-runs/",
    "/clubs/riverside/group-runs/new",
    "/notifications/",
    "/challenges/",
    "/challenges/?past=1",
    "/challenges/1",
    "/challenges/new?club=riverside",
]


@pytest.mark.parametrize("path", PAGES)
def test_page_renders_with_a_plain_title(app, path):
    owner = make_runner(app, "ana")
    make_club(app, owner, slug="riverside")
    client = app.test_client()
    log_in(client, "ana")
    client.get("/challenges/")  # makes the month's site challenge, /challenges/1
    response = client.get(path)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    title = re.search(r"<title>(.*?)</title>", body, re.S).group(1)
    assert "<" not in title and title.endswith("· Runhive")
    assert body.count("<main") == 1
    assert not re.search(r"<[^>]+\sstyle\s*=", body), "an inline style: style-src refuses it"


TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def test_no_template_has_an_inline_style_attribute_or_script():
    # `style-src 'self'` and `script-src 'self'` (community/security.py): the browser drops
    # style="..." and runs no inline <script>, so a progress bar sized that way stays empty.
    # E-mails (templates/mail/) are read by mail clients, never under the site's policy, and
    # mail clients keep only inline styles.
    found = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        if template.parent.name == "mail":
            continue
        markup = re.sub(r"{#.*?#}", "", template.read_text(), flags=re.S)
        if re.search(r"<[^>]+\sstyle\s*=", markup):
            found.append(f"{template.name}: style attribute")
        for script in re.findall(r"<script\b([^>]*)>", markup):
            if "src=" not in script and 'type="application/json"' not in script:
                found.append(f"{template.name}: inline script")
    assert found == []
