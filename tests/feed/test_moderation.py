"""Reports and hiding: runners report to the admins of the club it was seen in, who hide it
or dismiss the report. One test per rule."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from community.accounts.models import User
from community.activities import services as runs
from community.clubs.models import Club
from community.db_types import utcnow
from community.extensions import db, socketio
from community.feed import moderation, posts, queries, services
from community.feed.models import Comment, FeedItem, Report
from community.notifications.models import Notification
from tests.feed.builders import log_run
from tests.helpers import add_member, as_, at_once, make_club, make_runner, submit, text


@pytest.fixture
def people(app):
    """Riverside (public): Olivia owns it, Adam admins it, Ana and Ben run in it.
    Dan is in no club; Sam is a site admin."""
    people = {name: make_runner(app, name) for name in ("olivia", "adam", "ana", "ben", "dan")}
    people["sam"] = make_runner(app, "sam", is_site_admin=True)
    riverside = make_club(app, people["olivia"], "riverside")
    add_member(app, riverside, people["adam"], role="admin")
    add_member(app, riverside, people["ana"])
    add_member(app, riverside, people["ben"])
    people["riverside"] = riverside
    return people


def runner(username):
    return db.session.scalar(select(User).where(User.username == username))


def comment_by(app, username, item_id, body="Nice"):
    with app.app_context():
        comment = services.add_comment(runner(username), item_id, body, now=utcnow())
        db.session.commit()
        return comment.id


def report(client, path, reason="Not kind"):
    return submit(client, path, {"reason": reason, "next": "/dashboard"}, page="/dashboard")


def told(app, username):
    with app.app_context():
        return db.session.scalars(
            select(Notification.text).where(
                Notification.user_id == runner(username).id, Notification.kind == "report"
            )
        ).all()


def reports(app):
    with app.app_context():
        return db.session.scalars(select(Report).order_by(Report.id)).all()


def test_a_report_on_a_club_mates_run_goes_to_the_clubs_owner_and_admins(app, people):
    item = log_run(app, "ana")
    ben = as_(app, "ben")
    response = report(ben, f"/feed/items/{item}/report", "Not a real run")
    assert "Reported: thank you." in text(ben.get(response.headers["Location"]))
    (filed,) = reports(app)
    assert filed.club_id == people["riverside"]
    expected = ["Ben reported a post in Riverside: Not a real run"]
    assert told(app, "olivia") == told(app, "adam") == expected
    assert told(app, "ana") == []


def test_a_report_on_an_admins_run_goes_to_the_clubs_other_admins_and_not_to_them(app, people):
    report(as_(app, "ben"), f"/feed/items/{log_run(app, 'adam')}/report", "Not a real run")
    (filed,) = reports(app)
    assert filed.club_id == people["riverside"]
    assert told(app, "olivia") == ["Ben reported a post in Riverside: Not a real run"]
    assert told(app, "adam") == []


def test_a_report_on_an_admins_comment_goes_to_the_clubs_other_admins_and_not_to_them(app, people):
    comment = comment_by(app, "olivia", log_run(app, "ana"), "Rude words")
    report(as_(app, "ben"), f"/feed/comments/{comment}/report", "Rude")
    assert told(app, "adam") == ["Ben reported a comment in Riverside: Rude"]
    assert told(app, "olivia") == []


def test_a_report_on_the_only_admins_run_goes_to_the_site_admins(app, people):
    solo = make_club(app, people["dan"], "solo")
    add_member(app, solo, people["ben"])
    report(as_(app, "ben"), f"/feed/items/{log_run(app, 'dan')}/report", "Spam")
    (filed,) = reports(app)
    assert filed.club_id is None
    assert told(app, "sam") == ["Ben reported a post: Spam"]
    assert told(app, "dan") == []
    assert "Spam" in text(as_(app, "sam").get("/feed/reports"))


def test_a_report_goes_to_a_shared_club_with_another_admin_before_the_site_admins(app, people):
    solo = make_club(app, people["dan"], "solo")
    add_member(app, solo, people["ben"])
    duo = make_club(app, make_runner(app, "zoe"), "duo")
    add_member(app, duo, people["dan"])
    add_member(app, duo, people["ben"])
    report(as_(app, "ben"), f"/feed/items/{log_run(app, 'dan')}/report", "Spam")
    (filed,) = reports(app)
    assert filed.club_id == duo
    assert (told(app, "zoe"), told(app, "sam")) == (["Ben reported a post in Duo: Spam"], [])


def test_a_report_on_a_site_admins_run_goes_to_the_other_site_admins(app, people):
    make_runner(app, "sue", is_site_admin=True)
    submit(as_(app, "ana"), "/u/sam/follow", page="/dashboard")
    report(as_(app, "ana"), f"/feed/items/{log_run(app, 'sam')}/report", "Spam")
    assert told(app, "sue") == ["Ana reported a post: Spam"]
    assert told(app, "sam") == []


def test_the_reported_runner_never_learns_who_reported_them(app, people):
    adam = socketio.test_client(app, flask_test_client=as_(app, "adam"))
    adam.get_received()
    item = log_run(app, "adam")
    report(as_(app, "ben"), f"/feed/items/{item}/report", "Not a real run")
    assert [e for e in adam.get_received() if e["name"] == "notification:new"] == []
    page = text(as_(app, "adam").get("/feed/clubs/riverside/reports"))
    assert "Not a real run" not in page
    assert "Ben" not in page
    assert "Not a real run" in text(as_(app, "olivia").get("/feed/clubs/riverside/reports"))


@pytest.mark.parametrize("action", ["hide", "dismiss"])
def test_an_admin_cannot_decide_a_report_on_their_own_post(app, people, action):
    report(as_(app, "ben"), f"/feed/items/{log_run(app, 'adam')}/report", "Spam")
    (filed,) = reports(app)
    response = submit(as_(app, "adam"), f"/feed/reports/{filed.id}/{action}", page="/dashboard")
    assert response.status_code == 403
    assert "your own" in text(response)
    with app.app_context(), pytest.raises(moderation.OwnCase):
        getattr(moderation, action)(runner("adam"), filed.id, now=utcnow())
    assert [r.status for r in reports(app)] == ["open"]


def test_the_database_refuses_a_decision_by_the_reported_runner(app, people):
    report(as_(app, "ben"), f"/feed/items/{log_run(app, 'adam')}/report", "Spam")
    with app.app_context():
        filed = db.session.scalar(select(Report))
        filed.status, filed.decided_at = "dismissed", utcnow()
        filed.decided_by_id = people["adam"].id
        with pytest.raises(IntegrityError):
            db.session.commit()


def test_a_report_where_no_club_is_shared_goes_to_the_site_admins(app, people):
    item = log_run(app, "dan")
    submit(as_(app, "ana"), "/u/dan/follow", page="/dashboard")
    report(as_(app, "ana"), f"/feed/items/{item}/report")
    (filed,) = reports(app)
    assert filed.club_id is None
    assert told(app, "sam") == ["Ana reported a post: Not kind"]


def test_a_reported_comment_goes_to_the_admins_of_the_club_it_was_seen_in(app, people):
    comment = comment_by(app, "ben", log_run(app, "ana"), "Rude words")
    report(as_(app, "ana"), f"/feed/comments/{comment}/report", "Rude")
    (filed,) = reports(app)
    assert (filed.comment_id, filed.club_id) == (comment, people["riverside"])
    assert told(app, "adam") == ["Ana reported a comment in Riverside: Rude"]


def test_nobody_reports_their_own_run_or_comment(app, people):
    item = log_run(app, "ana")
    comment = comment_by(app, "ben", item)
    ana = as_(app, "ana")
    response = report(ana, f"/feed/items/{item}/report", "oops")
    assert "That one is yours: delete it instead." in text(ana.get(response.headers["Location"]))
    report(as_(app, "ben"), f"/feed/comments/{comment}/report")
    assert reports(app) == []


def test_an_item_you_cannot_see_cannot_be_reported(app, people):
    item = log_run(app, "ana")
    with app.app_context():
        db.session.get(runs.Run, db.session.get(FeedItem, item).run_id).visibility = "private"
        db.session.commit()
    assert report(as_(app, "ben"), f"/feed/items/{item}/report").status_code == 404
    assert reports(app) == []


@pytest.mark.parametrize(
    ("reason", "message"), [("  ", "Say what is wrong"), ("x" * 301, "under 300 characters")]
)
def test_a_blank_or_long_reason_is_refused_and_nothing_is_filed(app, people, reason, message):
    item = log_run(app, "ana")
    ben = as_(app, "ben")
    response = report(ben, f"/feed/items/{item}/report", reason)
    assert message in text(ben.get(response.headers["Location"]))
    assert reports(app) == []


def test_reporting_twice_files_one_report_even_from_two_tabs_at_once(app, people):
    item = log_run(app, "ana")

    def file_one():
        return moderation.report_item(runner("ben"), item, "Spam", now=utcnow())

    done, errors = at_once(app, file_one, 4)
    assert len(done) == 1
    assert {str(error) for error in errors} == {
        "You have reported this already: the admins will look at it."
    }
    assert len(reports(app)) == 1


def test_the_database_wants_exactly_one_thing_reported(app, people):
    item = log_run(app, "ana")
    comment = comment_by(app, "ben", item)
    for targets in ({}, {"item_id": item, "comment_id": comment}):
        with app.app_context():
            db.session.add(Report(reporter_id=people["dan"].id, reason="x", **targets))
            with pytest.raises(IntegrityError):
                db.session.commit()


def test_only_the_clubs_owner_and_admins_open_its_reports(app, people):
    report(as_(app, "ben"), f"/feed/items/{log_run(app, 'ana')}/report", "Spam")
    for name in ("olivia", "adam"):
        assert "Spam" in text(as_(app, name).get("/feed/clubs/riverside/reports"))
    for name in ("ana", "dan"):
        assert as_(app, name).get("/feed/clubs/riverside/reports").status_code == 403


def test_only_site_admins_open_the_sites_reports(app, people):
    assert as_(app, "sam").get("/feed/reports").status_code == 200
    assert as_(app, "olivia").get("/feed/reports").status_code == 403


def test_a_private_clubs_reports_are_404_to_outsiders(app, people):
    make_club(app, people["olivia"], "secret", visibility="private")
    assert as_(app, "dan").get("/feed/clubs/secret/reports").status_code == 404


def test_a_private_clubs_report_is_no_report_to_outsiders_and_site_admins(app, people):
    secret = make_club(app, people["olivia"], "secret", visibility="private")
    for name in ("ana", "ben"):
        add_member(app, secret, people[name])
    with app.app_context():
        club = db.session.get(Club, secret)
        post = posts.post(runner("olivia"), club, "Kit swap", pinned=False, now=utcnow()).id
        db.session.commit()
    comment = comment_by(app, "ana", post, "Buy my shoes")
    report(as_(app, "ben"), f"/feed/comments/{comment}/report", "Spam")
    (filed,) = reports(app)
    assert filed.club_id == secret
    for name in ("dan", "sam"):
        for action in ("hide", "dismiss"):
            response = submit(
                as_(app, name), f"/feed/reports/{filed.id}/{action}", page="/dashboard"
            )
            assert response.status_code == 404, (name, action)
    assert [r.status for r in reports(app)] == ["open"]


def test_hiding_takes_an_item_out_of_every_feed_but_its_runners(app, people):
    item = log_run(app, "ana")
    report(as_(app, "ben"), f"/feed/items/{item}/report", "Spam")
    (filed,) = reports(app)
    submit(as_(app, "adam"), f"/feed/reports/{filed.id}/hide", page="/dashboard")
    with app.app_context():
        ana, ben = runner("ana"), runner("ben")
        assert [i.id for i in queries.home(ben.id).items] == []
        assert [i.id for i in queries.club(people["riverside"], None).items] == []
        assert [i.id for i in queries.home(ana.id).items] == [item]
    assert "Hidden by admins" in text(as_(app, "ana").get("/dashboard"))
    assert [r.status for r in reports(app)] == ["hidden"]


def test_hiding_decides_every_open_report_on_the_same_thing(app, people):
    item = log_run(app, "ana")
    comment = comment_by(app, "ben", item, "Buy my shoes")
    for name in ("ana", "olivia"):
        report(as_(app, name), f"/feed/comments/{comment}/report", "Spam")
    first = reports(app)[0]
    submit(as_(app, "adam"), f"/feed/reports/{first.id}/hide", page="/dashboard")
    assert [(r.status, r.decided_by_id) for r in reports(app)] == [
        ("hidden", people["adam"].id)
    ] * 2


def test_a_hidden_comment_is_for_its_author_alone(app, people):
    item = log_run(app, "ana")
    comment = comment_by(app, "ben", item, "Buy my shoes")
    report(as_(app, "ana"), f"/feed/comments/{comment}/report", "Spam")
    submit(as_(app, "olivia"), f"/feed/reports/{reports(app)[0].id}/hide", page="/dashboard")
    assert "Buy my shoes" not in text(as_(app, "ana").get("/dashboard"))
    assert "Buy my shoes" in text(as_(app, "ben").get("/dashboard"))
    assert "Hidden by admins" in text(as_(app, "ben").get("/dashboard"))


def test_members_and_other_clubs_admins_cannot_hide_or_dismiss(app, people):
    report(as_(app, "ben"), f"/feed/items/{log_run(app, 'ana')}/report", "Spam")
    filed = reports(app)[0]
    other_owner = make_runner(app, "zoe")
    make_club(app, other_owner, "elsewhere")
    for name in ("ana", "zoe"):
        for action in ("hide", "dismiss"):
            response = submit(
                as_(app, name), f"/feed/reports/{filed.id}/{action}", page="/dashboard"
            )
            assert response.status_code == 403
    assert [r.status for r in reports(app)] == ["open"]


def test_dismissing_keeps_the_item_and_a_decided_report_is_not_decided_again(app, people):
    item = log_run(app, "ana")
    report(as_(app, "ben"), f"/feed/items/{item}/report", "Meh")
    filed = reports(app)[0]
    adam = as_(app, "adam")
    submit(adam, f"/feed/reports/{filed.id}/dismiss", page="/dashboard")
    again = submit(adam, f"/feed/reports/{filed.id}/hide", page="/dashboard")
    assert "Someone has decided this report already." in text(adam.get(again.headers["Location"]))
    with app.app_context():
        assert db.session.get(FeedItem, item).hidden_at is None
        assert db.session.scalar(select(func.count(Report.id)).where(Report.status == "open")) == 0


def test_pages_watching_a_hidden_item_are_told_to_fetch_it_again(app, people):
    item = log_run(app, "ana")
    report(as_(app, "ben"), f"/feed/items/{item}/report", "Spam")
    socket = socketio.test_client(app, flask_test_client=as_(app, "ben"))
    socket.emit("feed:watch", {"feed": "home", "items": [item]}, callback=True)
    socket.get_received()
    submit(as_(app, "adam"), f"/feed/reports/{reports(app)[0].id}/hide", page="/dashboard")
    assert [e["args"][0] for e in socket.get_received() if e["name"] == "feed:changed"] == [
        {"item_id": item}
    ]
    gone = as_(app, "ben").get(f"/feed/live?after={item}&items={item}").get_json()["gone"]
    assert gone == [item]


def test_a_comment_that_was_hidden_cannot_be_reported_again(app, people):
    comment = comment_by(app, "ben", log_run(app, "ana"))
    with app.app_context():
        db.session.get(Comment, comment).hidden_at = utcnow()
        db.session.commit()
    assert report(as_(app, "ana"), f"/feed/comments/{comment}/report").status_code == 404
