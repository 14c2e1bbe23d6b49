"""`flask check`: every stored counter recounted from the rows, differences named."""

from sqlalchemy import select, update

from community.challenges.models import Challenge, ChallengeEntry, ScoreBucket
from community.extensions import db
from community.group_runs.models import PaceGroup
from community.invariants import differences


def seeded(app):
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0


def test_the_demo_data_passes_the_check(app):
    seeded(app)
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 0, result.output
    assert "Every counter matches its rows." in result.output


def spoil(app, statement):
    with app.app_context():
        db.session.execute(statement)
        db.session.commit()


def first_id(app, column):
    with app.app_context():
        return db.session.scalar(select(column).order_by(column).limit(1))


def test_an_entrant_count_off_by_one_is_named(app):
    seeded(app)
    challenge = first_id(app, ChallengeEntry.challenge_id)
    spoil(app, update(Challenge).where(Challenge.id == challenge).values(entrants=0))
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 1
    assert f"challenge {challenge} entrants: stored 0, counted" in result.output


def test_a_total_that_is_not_its_runs_is_named(app):
    seeded(app)
    entry = first_id(app, ChallengeEntry.id)
    spoil(app, update(ChallengeEntry).where(ChallengeEntry.id == entry).values(total=1.0))
    with app.app_context():
        found = [d for d in differences() if d.what.endswith(" total")]
    assert [d.stored for d in found] == [1.0]


def test_a_score_bucket_that_is_not_a_recount_is_named(app):
    seeded(app)
    challenge = first_id(app, ChallengeEntry.challenge_id)
    spoil(app, update(ScoreBucket).where(ScoreBucket.challenge_id == challenge).values(entrants=9))
    with app.app_context():
        assert any(d.what == f"challenge {challenge} score buckets" for d in differences())


def test_places_taken_that_are_not_the_runners_holding_them_are_named(app):
    seeded(app)
    with app.app_context():  # one with room, so the database's capacity check lets it pass
        group = db.session.scalar(
            select(PaceGroup.id).where(PaceGroup.capacity.is_(None)).order_by(PaceGroup.id)
        )
    spoil(app, update(PaceGroup).where(PaceGroup.id == group).values(taken=PaceGroup.taken + 1))
    with app.app_context():
        assert any(d.what.endswith("places taken") for d in differences())
