"""The bad-input sweep: every route and every socket event, hostile values, never a 5xx.

Nothing here is a hand list of routes or fields. The routes come from the URL map; each
route's query and form parameters are found by asking it once with nothing and recording
which names it reads (and from the inputs of its page, when it has one); socket events come
from the server's handler table and their payload keys from the handlers' code. Each
parameter then gets NUL, broken UTF-8, 100 KB strings, numbers at and past 32 and 64 bits,
NaN and infinities, far dates, wrong types and duplicates, and hypothesis mixes them. The
answer must be a 4xx or a page (re-rendered with its error), never a 5xx, and afterwards
every counter still matches its rows (`flask check`).

One seeded database (the demo data and a little more) serves the whole sweep, logged in as
ana (a club owner and site admin, so the most rules are reached); routes that end things
(delete, leave, log out...) run last.
"""

import inspect
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import flask_migrate
import pytest
from flask import Flask
from flask.wrappers import Request
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.datastructures import ImmutableMultiDict

from community import config as config_module
from community import create_app
from community.accounts import services as accounts
from community.accounts.models import User
from community.activities.models import Run
from community.challenges.models import Challenge
from community.cli import DEMO_PASSWORD
from community.clubs import services as clubs
from community.clubs.models import Club, ClubInvite, JoinRequest
from community.db_types import utcnow
from community.extensions import db, socketio
from community.feed import moderation
from community.feed.models import Comment, FeedItem, Report
from community.follows.models import Follow
from community.group_runs import calendar
from community.group_runs.models import GroupRun, PaceGroup
from community.invariants import differences
from tests.helpers import csrf_token, log_in, socket_events, url_rules
from tests.servers import own_database_url

HOSTILE = [
    "\x00",
    "a\x00b",
    "\ud800",  # a lone surrogate: sent as the bytes ED A0 80, which are no UTF-8
    "x" * 100_000,
    "",
    " ",
    "0",
    "-1",
    str(2**31 - 1),
    str(2**31),
    str(-(2**31) - 1),
    str(2**63),
    str(2**64),
    str(-(2**63) - 1),
    "9" * 5000,
    "NaN",
    "sNaN",
    "inf",
    "-Infinity",
    "1e999999",
    "0.1e-999999",
    "²",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "2026-02-30",
    "24:61",
    "true",
    "[]",
    "{}",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "%",
]
VALUES = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(str),
)
# Run last: what ends a session, a membership or a thing the other routes need.
ENDING = re.compile(r"/(delete|leave|logout|remove|transfer|revoke|cancel|unblock|block)\b")
_NAME = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')


# --- the recorder: which parameters a route reads ----------------------------------------

_read = threading.local()


class RecordingDict(ImmutableMultiDict):
    def _saw(self, key: object) -> None:
        names = getattr(_read, "names", None)
        if names is not None and isinstance(key, str):
            names.add(key)

    def __getitem__(self, key):  # type: ignore[no-untyped-def]
        self._saw(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self._saw(key)
        return super().__contains__(key)

    def get(self, key, default=None, type=None):  # type: ignore[no-untyped-def]
        self._saw(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):  # type: ignore[no-untyped-def]
        self._saw(key)
        return super().getlist(key, type)


class RecordingRequest(Request):
    parameter_storage_class = RecordingDict


# --- the seeded site ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, dict[str, object]]]:
    folder = tmp_path_factory.mktemp("sweep")
    url = own_database_url(folder, "sweep")
    settings = config_module.testing(url, folder)
    # The log-in limit would stop the sweep's log-ins (one a route).
    settings.update(RATELIMIT_ENABLED=False)
    app = create_app(settings)
    app.request_class = RecordingRequest
    with app.app_context():
        flask_migrate.upgrade()
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        values = _more_of_everything()
    yield app, values
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _more_of_everything() -> dict[str, object]:
    """What the demo lacks for every route to find its object; returns path values."""
    by_name = {u.username: u for u in db.session.scalars(select(User))}
    ana, ben, emma = by_name["ana"], by_name["ben"], by_name["emma"]
    riverside = db.session.scalar(select(Club).where(Club.slug == "riverside-runners"))
    dawn_patrol = db.session.scalar(select(Club).where(Club.slug == "dawn-patrol"))
    clubs.request_to_join(by_name["chloe"], dawn_patrol, message="Hi")
    invite = clubs.create_invite(ana, riverside)
    item = db.session.scalar(select(FeedItem).where(FeedItem.actor_id == ben.id))
    moderation.report_item(emma, item.id, "Looks wrong", now=utcnow())
    calendar.new_feed_token(ana)
    db.session.commit()
    group_run = db.session.scalar(select(GroupRun).where(GroupRun.club_id == riverside.id))
    return {
        "slug": riverside.slug,
        "username": "ben",
        "token": invite.token,
        "reset_token": accounts.password_reset_token(ana),
        "calendar_token": calendar.feed_of(ana).token,
        "run_id": db.session.scalar(select(Run.id).where(Run.user_id == ana.id)),
        "group_run_id": group_run.id,
        "group_id": db.session.scalar(select(PaceGroup.id).where(PaceGroup.run_id == group_run.id)),
        "challenge_id": db.session.scalar(select(Challenge.id).order_by(Challenge.id)),
        "item_id": item.id,
        "comment_id": db.session.scalar(select(Comment.id).order_by(Comment.id)),
        "report_id": db.session.scalar(select(Report.id)),
        "request_id": db.session.scalar(select(JoinRequest.id)),
        "invite_id": db.session.scalar(select(ClubInvite.id)),
        "user_id": by_name["chloe"].id,
        "follower_id": db.session.scalar(select(Follow.follower_id).order_by(Follow.id)),
    }


def as_demo(app: Flask, username: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    assert log_in(client, username, DEMO_PASSWORD).status_code == 302
    client.token = csrf_token(client, "/settings")  # valid for the whole session
    return client


# --- the routes ---------------------------------------------------------------------------


def _routes() -> list[tuple[str, str]]:
    """(method, rule) of every route, as the app defines them, ending ones last."""
    app = create_app(config_module.testing("sqlite://", Path("/nonexistent")))
    return sorted(url_rules(app), key=lambda route: bool(ENDING.search(route[1])))


def _path(rule: str, values: dict[str, object]) -> str:
    def fill(match: re.Match[str]) -> str:
        converter, name = match.group(1) or "", match.group(2)
        if converter.startswith("any("):
            return converter[4:-1].split(",")[0].strip()
        if name == "token":
            own = {"/reset-password": "reset_token", "/calendar": "calendar_token"}
            key = next((k for prefix, k in own.items() if rule.startswith(prefix)), "token")
            return str(values[key])
        if name == "run_id" and rule.startswith("/group-runs"):
            return str(values["group_run_id"])
        return str(values.get(name, 1))

    return re.sub(r"<(?:([^:>]+):)?([^>]+)>", fill, rule)


def _ask(client, method: str, path: str, pairs: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    if method == "GET":
        return client.get(path, query_string=_encoded(pairs))
    pairs = [("csrf_token", client.token), *pairs]
    return client.post(path, data=_encoded(pairs), content_type="application/x-www-form-urlencoded")


def _encoded(pairs: list[tuple[str, str]]) -> str:
    return urlencode(pairs, encoding="utf-8", errors="surrogatepass")


def _parameters(app: Flask, client, method: str, path: str) -> list[str]:  # type: ignore[no-untyped-def]
    _read.names = set()
    try:
        _ask(client, method, path, [])
        names = set(_read.names)
    finally:
        _read.names = None
    if method == "POST" and "GET" in _methods(app, path):  # the form's own page
        page = client.get(path)
        if page.status_code == 200:
            names |= set(_NAME.findall(page.get_data(as_text=True)))
    return sorted(names - {"csrf_token"})


def _methods(app: Flask, path: str) -> set[str]:
    adapter = app.url_map.bind("localhost")
    return {m for m in ("GET", "POST") if adapter.test(path, method=m)}


def _check(response, what: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code < 500, f"{what}: {response.status_code}"


ROUTES = _routes()


@pytest.mark.parametrize(("method", "rule"), ROUTES, ids=[f"{m} {r}" for m, r in ROUTES])
def test_every_parameter_of_every_route_refuses_hostile_values_without_a_5xx(site, method, rule):
    app, values = site
    client = as_demo(app, "ana")
    path = _path(rule, values)
    names = [*_parameters(app, client, method, path), "unexpected"]
    for name in names:
        for value in HOSTILE:
            _check(
                _ask(client, method, path, [(name, value)]), f"{method} {path} {name}={value!r:.40}"
            )
        _check(_ask(client, method, path, [(name, "1"), (name, "2")]), f"{name} twice")
    _mixed(client, method, path, names)
    with app.app_context():
        assert differences() == []


def _mixed(client, method: str, path: str, names: list[str]) -> None:  # type: ignore[no-untyped-def]
    @settings(
        max_examples=6,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.lists(st.tuples(st.sampled_from(names), VALUES), max_size=len(names) + 2))
    def mix(pairs: list[tuple[str, str]]) -> None:
        _check(_ask(client, method, path, pairs), f"{method} {path} {pairs!r:.200}")

    mix()


# --- socket events --------------------------------------------------------------------------

PAYLOADS = [None, 0, -1, 2**31, 2**64, True, 1.5, "x", "\x00", [], [1, 2], {}, {"x": 1}]


def _events(app: Flask) -> dict[str, list[str]]:
    """Every event the server handles, with the payload keys its handler's code reads."""
    events = {}
    for name, handler in socket_events().items():
        target = inspect.unwrap(getattr(handler, "__wrapped__", handler))
        source = inspect.getsource(inspect.getmodule(target))
        events[name] = sorted(set(re.findall(r'data\.get\("([^"]+)"', source)))
    return events


def test_every_socket_event_answers_malformed_payloads_without_failing(site):
    app, _values = site
    socket = socketio.test_client(app, flask_test_client=as_demo(app, "ana"))
    events = _events(app)
    assert {"feed:watch", "club:watch", "run:watch", "challenge:watch"} <= set(events)
    sent = 0
    for event, keys in events.items():
        payloads = [*PAYLOADS, *({key: bad} for key in keys for bad in PAYLOADS + HOSTILE[:6])]
        for payload in payloads:
            if sent and sent % 25 == 0:  # a fresh connection before the flood limit
                socket.disconnect()
                socket = socketio.test_client(app, flask_test_client=as_demo(app, "ana"))
            answer = socket.emit(event, payload, callback=True)
            sent += 1
            assert isinstance(answer, dict) and "ok" in answer, (event, payload, answer)
    socket.disconnect()
