"""What other pages show of challenges comes from page models their views read: templates
reach no query (no template global), and a page reads as many statements for five
challenges as for one."""

from community.challenges.models import Challenge
from community.extensions import db
from tests.challenges.conftest import act, club_challenge, log_km
from tests.helpers import add_member, as_, statements_run, text

QUERYING_GLOBALS = (
    "my_challenges",
    "club_challenges",
    "club_week_board",
    "club_monthly_form",
    "challenge_badges",
)


def test_templates_have_no_challenge_global_that_queries(app):
    assert [name for name in QUERYING_GLOBALS if name in app.jinja_env.globals] == []


def dashboard_statements(app, client) -> int:
    with statements_run(app) as seen:
        assert client.get("/dashboard").status_code == 200
    return len(seen)


def enter_a_club_challenge(app, runners, mia, slug: str) -> None:
    """Olivia's club `slug` runs a 100 km challenge; Mia joins the club and enters it."""
    challenge_id = club_challenge(app, runners["olivia"], slug)
    with app.app_context():
        club_id = db.session.get(Challenge, challenge_id).club_id
    add_member(app, club_id, runners["mia"])
    act(mia, f"/challenges/{challenge_id}/join")


def test_the_dashboard_reads_five_challenges_in_as_many_statements_as_one(app, runners):
    mia = as_(app, "mia")
    enter_a_club_challenge(app, runners, mia, "club-0")
    log_km(app, "mia", 3)
    one = dashboard_statements(app, mia)

    for number in range(1, 5):
        enter_a_club_challenge(app, runners, mia, f"club-{number}")
    page = text(mia.get("/dashboard"))

    assert page.count("3.00 km of 100.00 km") == 5
    assert dashboard_statements(app, mia) == one


def test_the_club_page_shows_its_challenges_and_this_weeks_board(app, runners, open_club):
    act(as_(app, "mia"), f"/challenges/{open_club}/join")
    log_km(app, "mia", 4)
    page = text(as_(app, "ben").get("/clubs/riverside"))
    assert "1. Mia 4.00 km" in page
    assert "riverside km until" in page


def test_the_dashboard_shows_the_runners_rank_as_the_board_counts_it(app, runners, open_club):
    """Adam leads with 6 km; Mia and Olivia share second place with 4 km each."""
    with app.app_context():
        club_id = db.session.get(Challenge, open_club).club_id
    add_member(app, club_id, runners["adam"])
    for name, km in (("mia", 4), ("olivia", 4), ("adam", 6)):
        client = as_(app, name)
        act(client, f"/challenges/{open_club}/join")
        log_km(app, name, km)

    assert "ranked 2 of 3" in text(as_(app, "mia").get("/dashboard"))
    assert "ranked 2 of 3" in text(as_(app, "olivia").get("/dashboard"))
    assert "ranked 1 of 3" in text(as_(app, "adam").get("/dashboard"))


def test_a_runner_who_has_not_run_yet_is_ranked_behind_those_who_have(app, runners, open_club):
    with app.app_context():
        club_id = db.session.get(Challenge, open_club).club_id
    add_member(app, club_id, runners["adam"])
    act(as_(app, "mia"), f"/challenges/{open_club}/join")
    act(as_(app, "adam"), f"/challenges/{open_club}/join")
    log_km(app, "adam", 2)
    assert "ranked 2 of 2" in text(as_(app, "mia").get("/dashboard"))
