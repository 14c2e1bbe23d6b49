"""Feed pages over HTTP: one test per access rule, and the feed on the pages that show it."""

from tests.feed.builders import log_run
from tests.helpers import add_member, as_, make_club, make_runner, submit, text


def test_the_home_feed_needs_a_login(app):
    assert app.test_client().get("/feed/").status_code == 302


def test_the_dashboard_shows_the_runs_of_people_i_follow(app):
    make_runner(app, "ana", display_name="Ana Lima")
    make_runner(app, "ben")
    ben = as_(app, "ben")
    submit(ben, "/u/ana/follow", page="/dashboard")
    log_run(app, "ana", km=7)
    page = text(ben.get("/dashboard"))
    assert "Ana Lima ran 7.00 km" in page


def test_a_private_clubs_feed_is_not_found_for_non_members(app):
    owner = make_runner(app, "olga")
    make_runner(app, "ben")
    make_club(app, owner, slug="hidden", visibility="private")
    assert as_(app, "ben").get("/feed/clubs/hidden").status_code == 404
    assert app.test_client().get("/feed/clubs/hidden").status_code == 404
    assert as_(app, "olga").get("/feed/clubs/hidden").status_code == 200


def test_a_public_clubs_page_shows_its_feed_to_visitors(app):
    owner = make_runner(app, "olga")
    ana = make_runner(app, "ana", display_name="Ana Lima")
    club_id = make_club(app, owner, slug="riverside")
    add_member(app, club_id, ana)
    log_run(app, "ana", km=10)
    page = text(app.test_client().get("/clubs/riverside"))
    assert "Ana Lima ran 10.00 km" in page


def test_a_blocked_runner_cannot_read_the_blockers_feed(app):
    make_runner(app, "ana")
    make_runner(app, "ben")
    submit(as_(app, "ana"), "/u/ben/block", page="/dashboard")
    assert as_(app, "ben").get("/feed/u/ana").status_code == 404
    assert app.test_client().get("/feed/u/ana").status_code == 200


def test_an_unknown_runners_feed_is_404(app):
    assert app.test_client().get("/feed/u/nobody").status_code == 404
