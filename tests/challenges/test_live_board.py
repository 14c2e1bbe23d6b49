"""An open board's live redraw against the server: static/js/board.js, run by node, replays
the events a page hears on the page as it was read, and must end on the page the server
renders afterwards (or ask to read it again). Random runs, deletions, joins, leaves and
hiding on a board of three-row pages full of ties, seen by an entrant at the top, one in
the middle, a hidden one and a runner who is not in it, on every page and on the "people I
follow" filter, with "You" and the rows around each runner."""

import json
import random
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from community.accounts.models import User
from community.activities import services as runs
from community.activities.models import Run
from community.challenges import queries, services
from community.challenges.models import Challenge
from community.extensions import db, socketio
from community.follows import services as follows
from tests.challenges.builders import NOW, challenge, log, runner
from tests.helpers import as_, require

MARCH_3 = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)
REPLAY = Path(__file__).resolve().parent.parent / "js" / "replay_board.js"
PER_PAGE = 3
STEPS = 50
# Where each viewer looks: every page of the public board, and the first two filtered.
VIEWS = [(page, "all") for page in (1, 2, 3, 4)] + [(1, "following"), (2, "following")]


class Fragment(HTMLParser):
    """The board and "You" of `?fragment=board`, as challenge.js reads them."""

    def __init__(self) -> None:
        super().__init__()
        self.board: dict[str, str] = {}
        self.table = False
        self.has_next = False
        self.rows: list[dict[str, Any]] = []
        self.mine: dict[str, Any] | None = None
        self.reading: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if found.get("id") == "board":
            self.board = found
        elif "data-board-rows" in found:
            self.table, self.has_next = True, found["data-has-next"] == "true"
        elif tag == "tr" and "data-entry-id" in found:
            self.rows.append({**_key(found), "user": int(found["data-user-id"])})
        elif "data-rank" in found and tag == "td":
            self.reading = "row rank"
        elif found.get("id") == "my-standing":
            self.mine = {
                "id": int(found["data-entry-id"]),
                "hidden": found["data-hidden"] == "true",
                "around": [],
            }
        elif "data-my-rank" in found:
            self.reading = "my rank"
        elif tag == "li" and "data-entry-id" in found and self.mine is not None:
            self.mine["around"].append({**_key(found), "rank": int(found["data-rank"])})

    def handle_data(self, data: str) -> None:
        if self.reading == "row rank":
            self.rows[-1]["rank"] = int(data)
        elif self.reading == "my rank" and self.mine is not None:
            self.mine["rank"] = int(data) if data.strip().isdigit() else None
        self.reading = None

    def state(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "offset": int(self.board["data-offset"]),
            "perPage": int(self.board["data-per-page"]),
            "hasNext": self.has_next,
            "scope": self.board["data-scope"],
            "version": int(self.board["data-version"]),
            "mine": self.mine,
            "table": self.table,
        }


def _key(attrs: dict[str, str]) -> dict[str, Any]:
    return {
        "id": int(attrs["data-entry-id"]),
        "score": float(attrs["data-score"]),
        "reached": float(attrs["data-reached"]),
    }


def shown(state: dict[str, Any]) -> dict[str, Any]:
    """What a person sees of a page: rows and ranks, whether it goes on, "You"."""
    mine = state["mine"]
    return {
        "rows": [[row["id"], row["rank"]] for row in state["rows"]],
        "hasNext": state["hasNext"],
        "mine": mine
        and {"rank": mine["rank"], "around": [[r["id"], r["rank"]] for r in mine["around"]]},
    }


@dataclass
class Viewer:
    user_id: int
    client: FlaskClient
    socket: Any
    pages: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)

    def read(self, challenge_id: int) -> None:
        for page, scope in VIEWS:
            path = f"/challenges/{challenge_id}?fragment=board&page={page}&scope={scope}"
            fragment = Fragment()
            fragment.feed(self.client.get(path).get_data(as_text=True))
            self.pages[(page, scope)] = fragment.state()

    def heard(self, challenge_id: int) -> list[dict[str, Any]]:
        events = [e["args"][0] for e in self.socket.get_received()]
        return [e for e in events if e.get("challenge_id") == challenge_id and "version" in e]


@pytest.fixture
def node() -> str:
    found = shutil.which("node")
    if found is None:
        require("node is not installed (Debian's nodejs, 18 or newer, runs tests/js)")
    return found


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queries, "PER_PAGE", PER_PAGE)


def replay(node: str, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    done = subprocess.run(  # noqa: S603 (node and our own script)
        [node, str(REPLAY)],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)


def a_board(app: Flask) -> tuple[int, list[int], list[int]]:
    """A site challenge: ten runners, eight in it (two hidden), with runs of whole
    kilometres (totals tie often); runner0 follows four of them. Returns the challenge's
    id, the runners' ids, and the viewers' ids."""
    rng = random.Random(11)
    with app.app_context():
        host = runner("host", is_site_admin=True)
        march = challenge(host)
        people = [runner(f"runner{n}") for n in range(10)]
        for number, person in enumerate(people):
            for minute in range(rng.randint(0, 3)):
                log(
                    person,
                    MARCH_3 + timedelta(hours=number, minutes=minute),
                    km=rng.choice([1, 2, 3]),
                )
            if number < 8:
                services.join(person, march, now=NOW)
        for person in people[6:8]:
            services.set_hidden(person, march, True)
        for person in people[1:5]:
            follows.follow(people[0], person, now=NOW)
        db.session.commit()
        ids = [person.id for person in people]
        return march.id, ids, [ids[0], ids[4], ids[7], host.id]


def random_change(
    rng: random.Random, march_id: int, ids: list[int], step: int
) -> Callable[[], None]:
    """One thing a runner does to the board: a run, a deletion, joining, leaving, hiding."""
    user = db.session.get_one(User, rng.choice(ids))
    march = db.session.get_one(Challenge, march_id)
    entry = services.entry_of(march_id, user.id)
    own_runs = db.session.scalars(select(Run).where(Run.user_id == user.id)).all()
    choices: list[Callable[[], object]] = [
        lambda: log(user, MARCH_3 + timedelta(days=1, minutes=step), km=rng.choice([1, 2, 3])),
    ]
    if own_runs:
        choices.append(lambda: runs.delete_run(user, rng.choice(own_runs), now=NOW))
    if entry is None:
        choices.append(lambda: services.join(user, march, now=NOW))
    else:
        choices.append(lambda: services.leave(user, march, now=NOW))
        choices.append(lambda: services.set_hidden(user, march, not entry.hidden))
    return rng.choice(choices)


@pytest.fixture
def viewers(app: Flask, small_pages: None) -> Iterator[tuple[int, list[int], list[Viewer]]]:
    march_id, ids, watching = a_board(app)
    found = []
    with app.app_context():
        names = {u.id: u.username for u in db.session.scalars(select(User))}
    for user_id in watching:
        client = as_(app, names[user_id])
        socket = socketio.test_client(app, flask_test_client=client)
        assert socket.emit("challenge:watch", {"challenge_id": march_id}, callback=True)["ok"]
        found.append(Viewer(user_id, client, socket))
    yield march_id, ids, found
    for viewer in found:
        viewer.socket.disconnect()


@pytest.mark.parametrize("seed", [2, 3])
def test_an_open_board_ends_on_the_page_the_server_renders_after_each_change(
    app, node, viewers, seed
):
    march_id, ids, watching = viewers
    rng = random.Random(seed)
    for viewer in watching:
        viewer.read(march_id)
        viewer.heard(march_id)
    cases, expected = [], []
    for step in range(STEPS):
        with app.app_context():
            random_change(rng, march_id, ids, step)()
            db.session.commit()
        for viewer in watching:
            before = dict(viewer.pages)
            events = viewer.heard(march_id)
            viewer.read(march_id)
            for view, state in before.items():
                after = viewer.pages[view]
                label = f"step {step}, viewer {viewer.user_id}, page {view}"
                cases.append({"state": state, "events": events, "me": viewer.user_id})
                expected.append((label, shown(after), False))
                # Heard again by a page read after it: nothing moves.
                cases.append({"state": after, "events": events, "me": viewer.user_id})
                expected.append((label + " (read after)", shown(after), True))

    results = replay(node, cases)

    worked_out = 0
    for (label, after, read_after), result in zip(expected, results, strict=True):
        if result["refresh"]:
            assert not read_after, label
            continue
        worked_out += not read_after
        assert {k: result[k] for k in ("rows", "hasNext", "mine")} == after, label
    # Not every change is read again: on these tiny pages, a good share is drawn from the
    # page's own rows (on a first page of 50 rows, nearly all).
    assert worked_out > 0.3 * len(results) / 2
