"""Kudos from many tabs and many runners at once, real threads, real database: each
kudos counts once, and every count an open item hears is the count the rows make.

SQLite lets one writer in at a time, so there the tabs queue; PostgreSQL runs them side
by side.
"""

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import func, select

from community.accounts.models import User
from community.db_types import utcnow
from community.extensions import db, socketio
from community.feed import queries, services
from community.feed.models import Kudos
from community.notifications.models import Notification
from tests.challenges.builders import runner
from tests.feed.builders import run_item
from tests.helpers import as_, at_once, each_at_once

# Every spec here ends with `flask check`: the counters match their rows.
pytestmark = pytest.mark.usefixtures("counters_checked")


def ana_ran(app: Flask, cheering: int) -> tuple[int, list[int]]:
    """Ana's public run's feed item, and `cheering` runners who may cheer it."""
    with app.app_context():
        item = run_item(runner("ana"))
        fans = [runner(f"runner{n}").id for n in range(cheering)]
        db.session.commit()
        return item, fans


def gives(user_id: int, item_id: int) -> Callable[[], bool]:
    return lambda: services.give_kudos(db.session.get(User, user_id), item_id, now=utcnow())


def takes_back(user_id: int, item_id: int) -> Callable[[], None]:
    return lambda: services.take_back_kudos(db.session.get(User, user_id), item_id)


def kudos_on(app: Flask, item_id: int) -> int:
    """The count a feed shows, after checking it against the rows."""
    with app.app_context():
        rows = db.session.scalar(select(func.count()).where(Kudos.item_id == item_id))
        assert queries.cheers_for([item_id], None)[item_id].count == rows
        return rows


def watching(app: Flask, username: str, item_id: int):
    socket = socketio.test_client(app, flask_test_client=as_(app, username))
    assert socket.emit("feed:watch", {"feed": "home", "items": [item_id]}, callback=True)["ok"]
    socket.get_received()
    return socket


def counts_heard(socket) -> list[int]:
    return sorted(e["args"][0]["count"] for e in socket.get_received() if e["name"] == "feed:kudos")


def test_kudos_given_then_taken_back_from_twenty_tabs_at_once_count_once(app):
    item, (ben,) = ana_ran(app, 1)

    added, errors = at_once(app, gives(ben, item), 20)
    assert errors == []
    assert sorted(added) == [False] * 19 + [True]
    assert kudos_on(app, item) == 1

    _, errors = at_once(app, takes_back(ben, item), 20)
    assert errors == []
    assert kudos_on(app, item) == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Notification.kind == "kudos")) == 1


def test_kudos_from_many_runners_at_once_each_reach_an_open_item_with_the_count_they_make(app):
    item, fans = ana_ran(app, 15)
    ana = watching(app, "ana", item)

    _, errors = each_at_once(app, [gives(fan, item) for fan in fans * 2])
    assert errors == []
    assert kudos_on(app, item) == 15
    # Each kudos is told with every kudos committed before it: 1, 2, ... 15, none twice.
    assert counts_heard(ana) == list(range(1, 16))

    _, errors = each_at_once(app, [takes_back(fan, item) for fan in fans * 2])
    assert errors == []
    assert kudos_on(app, item) == 0
    assert counts_heard(ana) == list(range(15))
