from sqlalchemy import func, select

from community.accounts.models import User
from community.clubs.models import Club, Membership
from community.extensions import db


def test_seed_demo_creates_runners_and_clubs_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    second = runner.invoke(args=["seed-demo"])
    assert "5 runners and 2 clubs added" in first.output
    assert "0 runners and 0 clubs added" in second.output
    assert "runhive-demo-2026" in first.output
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 5
        visibilities = set(db.session.scalars(select(Club.visibility)))
        assert visibilities == {"public", "private"}
        assert db.session.scalar(select(func.count(Membership.id))) == 7
