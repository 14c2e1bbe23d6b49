"""Every main page renders for a runner, with a plain title and one <main>."""

import re

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
