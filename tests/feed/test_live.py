"""Live feeds: which sockets hear of new items, kudos and comments, and what an open page
fetches to catch up. One test per access rule."""

import pytest
from sqlalchemy import select

from community.accounts.models import User
from community.activities import services as runs
from community.challenges import events as challenge_events
from community.clubs import services as clubs
from community.db_types import utcnow
from community.extensions import db, socketio
from community.feed import moderation, posts, queries, services
from community.feed.models import FeedItem
from community.params import MAX_ID
from tests.challenges.builders import challenge
from tests.feed.builders import log_run, named
from tests.helpers import add_member, as_, make_club, make_runner, submit

HUGE = MAX_ID + 1  # no id column holds it


@pytest.fixture
def people(app):
    """Ana runs in the public Riverside club with Ben; Cleo follows Ana; Dan is a stranger;
    Mia and Olivia are in the private Secret club."""
    people = {
        name: make_runner(app, name) for name in ("ana", "ben", "cleo", "dan", "mia", "olivia")
    }
    riverside = make_club(app, people["ben"], "riverside")
    add_member(app, riverside, people["ana"])
    secret = make_club(app, people["olivia"], "secret", visibility="private")
    add_member(app, secret, people["mia"])
    submit(as_(app, "cleo"), "/u/ana/follow", page="/dashboard")
    people["riverside"], people["secret"] = riverside, secret
    return people


def socket_of(app, username, **watch):
    socket = socketio.test_client(app, flask_test_client=as_(app, username))
    answer = socket.emit("feed:watch", watch, callback=True) if watch else None
    socket.get_received()
    return socket, answer


def heard(socket, name):
    return [event["args"][0] for event in socket.get_received() if event["name"] == name]


def test_a_new_run_reaches_the_runner_their_followers_and_their_clubs_feeds(app, people):
    ana, _ = socket_of(app, "ana", feed="home")
    cleo, _ = socket_of(app, "cleo", feed="home")
    ben_on_the_club, _ = socket_of(app, "ben", feed="club", id=people["riverside"])
    dan, _ = socket_of(app, "dan", feed="home")
    item = log_run(app, "ana")
    for socket in (ana, cleo, ben_on_the_club):
        assert heard(socket, "feed:item") == [{"item_id": item, "actor_id": people["ana"].id}]
    assert heard(dan, "feed:item") == []


def test_a_private_run_is_news_to_the_runner_alone(app, people):
    ana, _ = socket_of(app, "ana", feed="home")
    cleo, _ = socket_of(app, "cleo", feed="home")
    ben, _ = socket_of(app, "ben", feed="club", id=people["riverside"])
    log_run(app, "ana", visibility="private")
    assert len(heard(ana, "feed:item")) == 1
    assert heard(cleo, "feed:item") == heard(ben, "feed:item") == []


def test_a_members_run_skips_followers_who_share_no_club(app, people):
    cleo, _ = socket_of(app, "cleo", feed="home")
    ben, _ = socket_of(app, "ben", feed="home")
    log_run(app, "ana", visibility="members")
    assert heard(cleo, "feed:item") == []
    assert len(heard(ben, "feed:item")) == 1


def test_a_non_member_cannot_watch_a_private_clubs_items(app, people):
    mia, _ = socket_of(app, "mia", feed="home")
    with app.app_context():
        clubs.join_by_invite(
            db.session.get(User, people["ana"].id),
            clubs.create_invite(
                db.session.get(User, people["olivia"].id),
                db.session.get(clubs.Club, people["secret"]),
            ).token,
            now=utcnow(),
        )
        db.session.commit()
    (news,) = heard(mia, "feed:item")
    dan, answer = socket_of(app, "dan", feed="home", items=[news["item_id"]])
    assert answer == {"ok": True, "items": []}
    submit(as_(app, "mia"), f"/feed/items/{news['item_id']}/kudos", page="/dashboard")
    assert dan.get_received() == []


def test_watchers_of_an_item_hear_its_kudos_count_come_and_go(app, people):
    item = log_run(app, "ana")
    ana, answer = socket_of(app, "ana", feed="home", items=[item])
    assert answer == {"ok": True, "items": [item]}
    ben = as_(app, "ben")
    submit(ben, f"/feed/items/{item}/kudos", page="/dashboard")
    submit(ben, f"/feed/items/{item}/kudos", page="/dashboard")  # a second click: no news
    submit(ben, f"/feed/items/{item}/kudos/delete", page="/dashboard")
    assert heard(ana, "feed:kudos") == [
        {"item_id": item, "count": 1, "summary": "Ben gave kudos"},
        {"item_id": item, "count": 0, "summary": ""},
    ]


def test_watchers_of_an_item_hear_of_its_comments(app, people):
    item = log_run(app, "ana")
    ana, _ = socket_of(app, "ana", feed="home", items=[item])
    submit(as_(app, "ben"), f"/feed/items/{item}/comments", {"body": "Go Ana!"}, page="/dashboard")
    assert heard(ana, "feed:comments") == [{"item_id": item}]


def test_a_runner_who_leaves_a_private_club_stops_hearing_of_its_items(app, people):
    with app.app_context():
        club = db.session.get(clubs.Club, people["secret"])
        invite = clubs.create_invite(db.session.get(User, people["olivia"].id), club).token
        clubs.join_by_invite(db.session.get(User, people["ana"].id), invite, now=utcnow())
        db.session.commit()
        item = db.session.scalar(select(FeedItem.id).where(FeedItem.club_id == club.id))
    mia, answer = socket_of(app, "mia", feed="club", id=people["secret"], items=[item])
    assert answer["items"] == [item]
    with app.app_context():
        clubs.leave(db.session.get(User, people["mia"].id), db.session.get(clubs.Club, club.id))
        db.session.commit()
    mia.get_received()
    submit(as_(app, "olivia"), f"/feed/items/{item}/kudos", page="/dashboard")
    assert heard(mia, "feed:kudos") == []


def test_blocking_ends_watching_each_others_profile_and_items(app, people):
    item = log_run(app, "ana")
    cleo, answer = socket_of(app, "cleo", feed="profile", id=people["ana"].id, items=[item])
    assert answer["items"] == [item]
    submit(as_(app, "ana"), "/u/cleo/block", page="/u/cleo")
    cleo.get_received()
    submit(as_(app, "ben"), f"/feed/items/{item}/kudos", page="/dashboard")
    log_run(app, "ana")
    assert cleo.get_received() == []
    _, again = socket_of(app, "cleo", feed="profile", id=people["ana"].id)
    assert again == {"ok": False, "error": "Not allowed."}


# --- who may hear of what: every event, every room ----------------------------------------


def set_visibility(app, item, visibility):
    """Ana changes who may see the run behind `item`."""
    with app.app_context():
        db.session.get(runs.Run, db.session.get(FeedItem, item).run_id).visibility = visibility
        db.session.commit()


def hide(app, item):
    """Ben, Riverside's owner, hides `item` on his own report."""
    with app.app_context():
        filed = moderation.report_item(named("ben"), item, "Spam", now=utcnow())
        moderation.hide(named("ben"), filed.id, now=utcnow())
        db.session.commit()


def test_a_members_run_is_no_news_to_an_outsider_watching_the_runners_profile(app, people):
    ana = people["ana"].id
    ben, _ = socket_of(app, "ben", feed="profile", id=ana)
    dan, _ = socket_of(app, "dan", feed="profile", id=ana)
    item = log_run(app, "ana", visibility="members")
    assert heard(ben, "feed:item") == [{"item_id": item, "actor_id": ana}]
    assert dan.get_received() == []


def test_a_members_run_is_no_news_to_a_visitor_of_a_public_club_the_runner_is_in(app, people):
    ben, _ = socket_of(app, "ben", feed="club", id=people["riverside"])
    dan, _ = socket_of(app, "dan", feed="club", id=people["riverside"])
    log_run(app, "ana", visibility="members")
    assert len(heard(ben, "feed:item")) == 1
    assert dan.get_received() == []


def test_a_private_run_is_no_news_to_anyone_watching_the_runners_profile(app, people):
    ana = people["ana"].id
    own, _ = socket_of(app, "ana", feed="profile", id=ana)
    watchers = [socket_of(app, name, feed="profile", id=ana)[0] for name in ("ben", "cleo", "dan")]
    log_run(app, "ana", visibility="private")
    assert len(heard(own, "feed:item")) == 1
    assert [watcher.get_received() for watcher in watchers] == [[], [], []]


def test_a_private_clubs_post_is_news_to_its_members_and_not_to_the_authors_profile(app, people):
    mia, _ = socket_of(app, "mia", feed="home")
    dan, _ = socket_of(app, "dan", feed="profile", id=people["olivia"].id)
    with app.app_context():
        club = db.session.get(clubs.Club, people["secret"])
        item = posts.post(named("olivia"), club, "Hills on Sunday", pinned=False, now=utcnow())
        db.session.commit()
        item = item.id
    assert heard(mia, "feed:item") == [{"item_id": item, "actor_id": people["olivia"].id}]
    assert dan.get_received() == []


def test_a_runner_blocked_by_a_club_mate_hears_nothing_of_the_blockers_news(app, people):
    submit(as_(app, "ana"), "/u/ben/block", page="/u/ben")
    ben, _ = socket_of(app, "ben", feed="club", id=people["riverside"])
    ben_at_home, _ = socket_of(app, "ben", feed="home")
    dan, _ = socket_of(app, "dan", feed="club", id=people["riverside"])
    item = log_run(app, "ana")
    assert heard(dan, "feed:item") == [{"item_id": item, "actor_id": people["ana"].id}]
    assert ben.get_received() == ben_at_home.get_received() == []


def test_kudos_and_comments_on_a_run_made_members_only_reach_only_who_may_still_see_it(app, people):
    item = log_run(app, "ana")
    ben, _ = socket_of(app, "ben", feed="home", items=[item])
    dan, answer = socket_of(app, "dan", feed="profile", id=people["ana"].id, items=[item])
    assert answer["items"] == [item]
    set_visibility(app, item, "members")
    submit(as_(app, "ben"), f"/feed/items/{item}/kudos", page="/dashboard")
    submit(as_(app, "ana"), f"/feed/items/{item}/comments", {"body": "Thanks"}, page="/dashboard")
    assert heard(ben, "feed:kudos") == [{"item_id": item, "count": 1, "summary": "Ben gave kudos"}]
    assert dan.get_received() == []


def test_a_runner_who_leaves_the_club_takes_their_members_runs_out_of_its_members_sight(
    app, people
):
    item = log_run(app, "ana", visibility="members")
    ben, answer = socket_of(app, "ben", feed="club", id=people["riverside"], items=[item])
    assert answer["items"] == [item]
    with app.app_context():
        clubs.leave(named("ana"), db.session.get(clubs.Club, people["riverside"]))
        db.session.commit()
    ben.get_received()  # the club's roster changed: that is club news
    ana, _ = socket_of(app, "ana", feed="home", items=[item])
    submit(as_(app, "ana"), f"/feed/items/{item}/comments", {"body": "Solo"}, page="/dashboard")
    assert heard(ana, "feed:comments") == [{"item_id": item}]
    assert ben.get_received() == []


def test_a_hidden_items_comments_are_news_to_its_runner_alone(app, people):
    item = log_run(app, "ana")
    cleo, _ = socket_of(app, "cleo", feed="home", items=[item])
    hide(app, item)
    assert heard(cleo, "feed:changed") == [{"item_id": item}]  # it leaves her page
    ana, _ = socket_of(app, "ana", feed="home", items=[item])
    submit(as_(app, "ana"), f"/feed/items/{item}/comments", {"body": "Why?"}, page="/dashboard")
    assert heard(ana, "feed:comments") == [{"item_id": item}]
    assert cleo.get_received() == []


def test_a_hidden_comment_edited_or_deleted_is_news_to_its_author_alone(app, people):
    item = log_run(app, "ana")
    with app.app_context():
        comment = services.add_comment(named("cleo"), item, "Buy my shoes", now=utcnow())
        comment.hidden_at = utcnow()
        db.session.commit()
        comment = comment.id
    cleo, _ = socket_of(app, "cleo", feed="home", items=[item])
    dan, _ = socket_of(app, "dan", feed="profile", id=people["ana"].id, items=[item])
    author = as_(app, "cleo")
    submit(author, f"/feed/comments/{comment}/edit", {"body": "Buy two"}, page="/dashboard")
    submit(author, f"/feed/comments/{comment}/delete", page="/dashboard")
    assert heard(cleo, "feed:comments") == [{"item_id": item}] * 2
    assert dan.get_received() == []


def test_a_pin_is_news_only_to_who_may_still_see_the_post(app, people):
    with app.app_context():
        club = db.session.get(clubs.Club, people["riverside"])
        item = posts.post(named("ben"), club, "Track night", pinned=False, now=utcnow()).id
        db.session.commit()
    ana, _ = socket_of(app, "ana", feed="club", id=people["riverside"], items=[item])
    dan, answer = socket_of(app, "dan", feed="club", id=people["riverside"], items=[item])
    assert answer["items"] == [item]
    with app.app_context():
        club = db.session.get(clubs.Club, people["riverside"])
        clubs.update_club(
            named("ben"),
            club,
            name=club.name,
            description="",
            city="",
            timezone="UTC",
            visibility="private",
        )
        db.session.commit()
    submit(as_(app, "ben"), f"/feed/items/{item}/pin", page="/dashboard")
    assert heard(ana, "feed:changed") == [{"item_id": item}]
    assert dan.get_received() == []


def test_a_deleted_post_leaves_the_pages_showing_it_and_is_no_news_elsewhere(app, people):
    with app.app_context():
        club = db.session.get(clubs.Club, people["riverside"])
        item = posts.post(named("ben"), club, "Track night", pinned=False, now=utcnow()).id
        db.session.commit()
    dan, _ = socket_of(app, "dan", feed="club", id=people["riverside"], items=[item])
    cleo, _ = socket_of(app, "cleo", feed="home")
    submit(as_(app, "ben"), f"/feed/items/{item}/delete", page="/dashboard")
    assert heard(dan, "feed:changed") == [{"item_id": item}]
    assert cleo.get_received() == []


def test_a_hidden_completion_taken_back_is_news_to_its_runner_alone(app, people):
    with app.app_context():
        club = db.session.get(clubs.Club, people["riverside"])
        month = challenge(named("ben"), club, title="March miles")
        challenge_events.completed.send(
            None,
            challenge_id=month.id,
            user_id=people["ana"].id,
            title=month.title,
            at=utcnow(),
        )
        db.session.commit()
        month, item = month.id, db.session.scalar(select(FeedItem.id))
    cleo, _ = socket_of(app, "cleo", feed="home", items=[item])
    hide(app, item)
    assert heard(cleo, "feed:changed") == [{"item_id": item}]
    ana, _ = socket_of(app, "ana", feed="home", items=[item])
    with app.app_context():
        challenge_events.uncompleted.send(None, challenge_id=month, user_id=people["ana"].id)
        db.session.commit()
    assert heard(ana, "feed:changed") == [{"item_id": item}]
    assert cleo.get_received() == []


@pytest.mark.parametrize(
    "ask",
    [None, "home", {"feed": "everything"}, {"feed": "home", "items": "1,2"}, {"feed": "club"}],
)
def test_a_watch_that_makes_no_sense_is_refused(app, people, ask):
    socket = socketio.test_client(app, flask_test_client=as_(app, "ana"))
    assert socket.emit("feed:watch", ask, callback=True)["ok"] is False


def test_a_watch_ignores_what_is_no_item_id(app, people):
    item = log_run(app, "ana")
    _, answer = socket_of(app, "ben", feed="club", id=people["riverside"], items=[True, HUGE, item])
    assert answer == {"ok": True, "items": [item]}
    _, too_many = socket_of(app, "ben", feed="home", items=list(range(1, 102)))
    assert too_many["ok"] is False


def test_a_visitor_socket_is_refused_outright(app, people):
    assert not socketio.test_client(app, flask_test_client=app.test_client()).is_connected()


# --- catching up: what an open page fetches ---------------------------------------------


def test_catching_up_brings_the_items_since_the_newest_shown(app, people):
    first = log_run(app, "ana")
    second = log_run(app, "ana")
    answer = as_(app, "cleo").get(f"/feed/live?after={first}&next=/feed/").get_json()
    assert f'data-item-id="{second}"' in answer["html"]
    assert f'data-item-id="{first}"' not in answer["html"]
    assert answer["gap"] is False
    assert answer["gone"] == []


def test_catching_up_refreshes_the_items_shown_and_drops_those_now_hidden(app, people):
    kept = log_run(app, "ana")
    hidden = log_run(app, "ana")
    with app.app_context():
        run_id = db.session.get(FeedItem, hidden).run_id
        run = db.session.get(runs.Run, run_id)
        run.visibility = "private"
        db.session.commit()
    answer = as_(app, "cleo").get(f"/feed/live?after={hidden}&items={kept},{hidden}").get_json()
    assert f'data-item-id="{kept}"' in answer["html"]
    assert answer["gone"] == [hidden]


def test_more_new_items_than_a_page_is_a_gap_to_reload(app, people):
    for _ in range(queries.PER_PAGE + 1):
        log_run(app, "ana")
    answer = as_(app, "cleo").get("/feed/live?after=0").get_json()
    assert answer["gap"] is True
    assert answer["html"].count('class="feed-item"') == queries.PER_PAGE


def test_catching_up_keeps_buttons_pointing_back_at_the_page(app, people):
    log_run(app, "ana")
    answer = as_(app, "cleo").get("/feed/live?after=0&next=/clubs/riverside").get_json()
    assert 'name="next" value="/clubs/riverside"' in answer["html"]
    elsewhere = as_(app, "cleo").get("/feed/live?after=0&next=//evil.example").get_json()
    assert 'name="next" value="/feed/"' in elsewhere["html"]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "after=-1",
        "after=x",
        "after=0&items=a,b",
        f"after={HUGE}",
        f"after=0&items={HUGE}",
        "after=0&items=" + ",".join(str(n) for n in range(1, 102)),
    ],
)
def test_a_catch_up_that_makes_no_sense_is_a_400_with_a_message(app, people, query):
    response = as_(app, "cleo").get(f"/feed/live?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]


def test_catching_up_needs_a_login(app, people):
    assert app.test_client().get("/feed/live?after=0").status_code == 302


def test_a_non_member_cannot_catch_up_on_a_private_clubs_feed(app, people):
    assert as_(app, "dan").get("/feed/clubs/secret/live?after=0").status_code == 404
    assert as_(app, "mia").get("/feed/clubs/secret/live?after=0").status_code == 200


def test_a_blocked_runner_cannot_catch_up_on_the_blockers_profile(app, people):
    submit(as_(app, "ana"), "/u/cleo/block", page="/u/cleo")
    assert as_(app, "cleo").get("/feed/u/ana/live?after=0").status_code == 404


def test_a_non_member_asking_for_a_private_clubs_rooms_by_name_hears_nothing(app, people):
    secret = people["secret"]
    dan = socketio.test_client(app, flask_test_client=as_(app, "dan"))
    asks = [
        ("feed:watch", {"feed": "club", "id": f"club:{secret}"}),
        ("feed:watch", {"feed": f"club:{secret}"}),
        ("feed:watch", {"feed": "club", "id": secret}),
        ("club:watch", {"club_id": secret}),
        ("join", {"room": f"club:{secret}"}),  # no such event: rooms are never joined by name
    ]
    for event, data in asks:
        answer = dan.emit(event, data, callback=True)
        assert not (answer or {}).get("ok"), (event, data, answer)
    with app.app_context():
        olivia = db.session.get(User, people["olivia"].id)
        club = db.session.get(clubs.Club, secret)
        clubs.join_by_invite(
            db.session.get(User, people["ana"].id),
            clubs.create_invite(olivia, club).token,
            now=utcnow(),
        )
        db.session.commit()
    assert dan.get_received() == []
