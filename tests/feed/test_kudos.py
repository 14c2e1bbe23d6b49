"""Kudos: one per runner per item, taken back at will, never on your own item."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from community.accounts.models import User
from community.db_types import utcnow
from community.extensions import db
from community.feed import queries, services
from community.feed.models import Kudos
from community.notifications.models import Notification
from community.params import MAX_ID
from tests.challenges.builders import runner
from tests.feed.builders import run_item
from tests.helpers import as_, at_once, make_runner, submit


@pytest.fixture
def people(ctx):
    return {name: runner(name) for name in ("ana", "ben", "cleo", "dan", "eve")}


def test_kudos_count_once_per_runner_and_say_who_gave_them(people):
    item = run_item(people["ana"])
    assert services.give_kudos(people["ben"], item, now=utcnow()) is True
    assert services.give_kudos(people["ben"], item, now=utcnow()) is False  # a second click
    for name in ("cleo", "dan", "eve"):
        services.give_kudos(people[name], item, now=utcnow())
    cheers = queries.cheers_for([item], people["ben"].id)[item]
    assert cheers.count == 4
    assert cheers.summary == "Ben, Cleo and 2 others gave kudos"
    assert cheers.mine is True


def test_the_runner_is_told_once_per_kudos(people):
    item = run_item(people["ana"])
    services.give_kudos(people["ben"], item, now=utcnow())
    services.give_kudos(people["ben"], item, now=utcnow())
    told = db.session.scalars(
        select(Notification.text).where(Notification.user_id == people["ana"].id)
    ).all()
    assert told == ["Ben gave you kudos."]


def test_kudos_can_be_taken_back(people):
    item = run_item(people["ana"])
    services.give_kudos(people["ben"], item, now=utcnow())
    services.take_back_kudos(people["ben"], item)
    assert queries.cheers_for([item], people["ben"].id)[item] == queries.Cheers(0, (), False)


def test_nobody_gives_kudos_to_their_own_item(people):
    item = run_item(people["ana"])
    with pytest.raises(services.FeedError):
        services.give_kudos(people["ana"], item, now=utcnow())


def test_the_database_refuses_kudos_on_your_own_item_and_a_wrong_runner(people):
    item = run_item(people["ana"])
    ana, ben = people["ana"].id, people["ben"].id
    for actor_id, giver_id in ((ana, ana), (ben, people["cleo"].id)):
        with db.session.begin_nested(), pytest.raises(IntegrityError):
            db.session.add(Kudos(item_id=item, actor_id=actor_id, giver_id=giver_id))
            db.session.flush()


def test_an_item_you_may_not_see_takes_no_kudos(people):
    item = run_item(people["ana"], visibility="private")
    with pytest.raises(services.NotFound):
        services.give_kudos(people["ben"], item, now=utcnow())


def test_two_tabs_giving_kudos_at_once_count_once(app):
    with app.app_context():
        ana, ben = runner("ana"), runner("ben")
        item = run_item(ana)
        db.session.commit()
        ben_id = ben.id

    def tab() -> bool:
        return services.give_kudos(db.session.get(User, ben_id), item, now=utcnow())

    added, errors = at_once(app, tab, 6)
    assert errors == []
    # Exactly one tab saw its row go in (RETURNING, not rowcount, on both engines).
    assert sorted(added) == [False] * 5 + [True]
    with app.app_context():
        assert db.session.scalar(select(func.count(Kudos.id))) == 1


def test_kudos_over_http_need_a_login_the_token_and_an_item_you_can_see(app):
    make_runner(app, "ana")
    make_runner(app, "ben")
    with app.app_context():
        item = run_item(db.session.scalar(select(User).where(User.username == "ana")))
        db.session.commit()
    assert submit(app.test_client(), f"/feed/items/{item}/kudos").status_code == 302
    ben = as_(app, "ben")
    assert ben.post(f"/feed/items/{item}/kudos").status_code == 400
    assert submit(ben, "/feed/items/999999/kudos", page="/dashboard").status_code == 404
    # A number no id column can hold names no item either.
    assert submit(ben, f"/feed/items/{MAX_ID + 1}/kudos", page="/dashboard").status_code == 404
    back = submit(ben, f"/feed/items/{item}/kudos", {"next": "/u/ana"}, page="/dashboard")
    assert back.status_code == 302
    assert back.headers["Location"].endswith("/u/ana")
    # A next that leaves the site goes to the home feed instead.
    for elsewhere in ("//evil.example", "/\\evil.example", "https://evil.example/"):
        away = submit(ben, f"/feed/items/{item}/kudos", {"next": elsewhere}, page="/dashboard")
        assert away.headers["Location"].endswith("/feed/")
    page = ben.get("/u/ana").get_data(as_text=True)
    assert "Ben gave kudos" in page
    assert "Take back kudos" in page
