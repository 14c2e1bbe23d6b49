from sqlalchemy import func, select

from community.accounts.models import User
from community.activities.models import Run
from community.clubs.models import Club, Membership
from community.db_types import utcnow
from community.extensions import db
from community.feed.models import Comment, FeedItem


def test_seed_demo_creates_runners_and_clubs_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    second = runner.invoke(args=["seed-demo"])
    assert "5 runners, 2 clubs," in first.output
    assert "2 group runs, 9 challenge entries, 47 kudos, 7 pictures and 7 goals" in first.output
    assert (
        "0 runners, 0 clubs, 0 runs, 0 group runs, 0 challenge entries, 0 kudos, "
        "0 pictures and 0 goals" in second.output
    )
    assert "runhive-demo-2026" in first.output
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 5
        visibilities = set(db.session.scalars(select(Club.visibility)))
        assert visibilities == {"public", "private"}
        assert db.session.scalar(select(func.count(Membership.id))) == 7
        with_tracks = select(func.count(Run.id)).where(Run.source == "gpx")
        assert db.session.scalar(with_tracks) >= 5 * 6
        # The feed has something to cheer from the start: a pinned welcome, kudos, comments.
        pinned = select(func.count(FeedItem.id)).where(FeedItem.pinned.is_(True))
        assert db.session.scalar(pinned) == 1
        assert db.session.scalar(select(func.count(Comment.id))) >= 1
        # Faces: a drawn photo for every runner (each different), a banner for every club.
        keys = set(db.session.scalars(select(User.avatar_key)))
        assert None not in keys and len(keys) == 5
        assert None not in set(db.session.scalars(select(Club.image_key)))


def test_the_demo_looks_alive_months_of_gps_runs_a_waitlist_and_a_feed_spread_in_time(app):
    from community.group_runs.models import Rsvp

    app.test_cli_runner().invoke(args=["seed-demo"])
    with app.app_context():
        per_runner = db.session.execute(
            select(Run.user_id, func.count(Run.id), func.min(Run.start_time))
            .where(Run.source == "gpx")
            .group_by(Run.user_id)
        ).all()
        assert len(per_runner) == 5
        assert all(runs >= 20 for _, runs, _ in per_runner)
        first = min(start for *_, start in per_runner)
        assert (utcnow() - first).days >= 90
        kinds = set(db.session.scalars(select(Run.run_type)))
        assert {"long", "tempo", "intervals", "race", "recovery", "easy"} <= kinds
        assert db.session.scalar(select(func.count(Rsvp.id)).where(Rsvp.status == "waitlisted"))
        # Shared when each run was synced, not all in the minute the demo was loaded.
        minutes = db.session.scalars(select(FeedItem.created_at)).all()
        assert len({at.replace(second=0, microsecond=0) for at in minutes}) > 100
        # A journal to look back on: the last weeks of two runners, reflected on.
        from community.reflections.models import Reflection

        assert db.session.scalar(select(func.count(Reflection.id))) == 5


def test_extending_series_from_the_command_line_is_idempotent(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["group-runs", "extend"]).output == "0 group runs created.\n"


def test_monthly_challenges_from_the_command_line_are_made_once(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["challenges", "monthly"]).output == "1 monthly challenges created.\n"
    assert runner.invoke(args=["challenges", "monthly"]).output == "0 monthly challenges created.\n"


def test_rebuilding_challenges_from_the_command_line_corrects_a_stale_total(app):
    from community.challenges.models import ChallengeEntry

    runner = app.test_cli_runner()
    runner.invoke(args=["seed-demo"])
    with app.app_context():
        entry = db.session.scalars(select(ChallengeEntry).order_by(ChallengeEntry.id)).first()
        entry_id, fresh = entry.id, entry.total
        entry.total = entry.score = 123_456.0
        db.session.commit()
    result = runner.invoke(args=["challenges", "rebuild"])
    assert "1 standings corrected" in result.output, result.exception
    with app.app_context():
        assert db.session.get(ChallengeEntry, entry_id).total == fresh


def test_site_admin_from_the_command_line(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["seed-demo"])
    assert "ben is a site admin." in runner.invoke(args=["site-admin", "ben"]).output
    with app.app_context():
        assert db.session.scalar(select(User.is_site_admin).where(User.username == "ben"))


def test_recomputing_milestones_from_the_command_line_finds_the_demo_in_step_and_repairs_a_loss(
    app,
):
    from community.milestones.models import Milestone

    runner = app.test_cli_runner()
    runner.invoke(args=["seed-demo"])
    with app.app_context():
        firsts = select(func.count(Milestone.id)).where(Milestone.kind == "first_run")
        assert db.session.scalar(firsts) == 5
    in_step = runner.invoke(args=["milestones", "recompute"])
    assert "5 runners checked; 0 milestones added, 0 removed." in in_step.output
    with app.app_context():
        db.session.execute(Milestone.__table__.delete().where(Milestone.kind == "first_run"))
        db.session.commit()
    repaired = runner.invoke(args=["milestones", "recompute", "ana"])
    assert "1 runner checked; 1 milestones added, 0 removed." in repaired.output
