from sqlalchemy import func, select

from community.accounts.models import User
from community.activities.models import Run
from community.clubs.models import Club, Membership
from community.extensions import db


def test_seed_demo_creates_runners_and_clubs_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    second = runner.invoke(args=["seed-demo"])
    assert "5 runners, 2 clubs," in first.output
    assert "2 group runs added" in first.output
    assert "0 runners, 0 clubs, 0 runs and 0 group runs added" in second.output
    assert "runhive-demo-2026" in first.output
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 5
        visibilities = set(db.session.scalars(select(Club.visibility)))
        assert visibilities == {"public", "private"}
        assert db.session.scalar(select(func.count(Membership.id))) == 7
        with_tracks = select(func.count(Run.id)).where(Run.source == "gpx")
        assert db.session.scalar(with_tracks) >= 5 * 6


def test_extending_series_from_the_command_line_is_idempotent(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["group-runs", "extend"]).output == "0 group runs created.\n"
