"""A weekly reflection: asked for under a recent run once a week, kept with the run, the
runner's alone, and found again by its words."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from community.accounts.models import User
from community.activities import services as activities
from community.activities.models import Run
from community.activities.services import RunDetails
from community.db_types import utcnow
from community.extensions import db
from community.reflections import services
from community.reflections.models import Reflection
from community.reflections.services import ReflectionError, Thoughts
from tests.helpers import as_, html, make_runner, statements_run, submit, text

NOW = datetime(2027, 3, 10, 18, 0, tzinfo=UTC)  # a Wednesday


@pytest.fixture
def ana(app):
    make_runner(app, "ana", timezone="America/New_York")
    make_runner(app, "ben")


def runner(name: str = "ana") -> User:
    return db.session.scalar(select(User).where(User.username == name))


def log(when: datetime, title: str = "Easy", name: str = "ana", now: datetime = NOW) -> Run:
    details = RunDetails(start_time=when, distance_m=8000, duration_s=2700, title=title)
    return activities.log_run(runner(name), details, now=now)


def test_a_reflection_is_kept_with_the_run_for_the_runners_week(ctx, ana):
    run = log(datetime(2027, 3, 8, 3, 0, tzinfo=UTC))  # Sunday 23:00 in New York

    reflection = services.reflect(runner(), run, Thoughts(4, "  Hills felt easier.  "), now=NOW)

    assert (reflection.week_start.isoformat(), reflection.went_well) == (
        "2027-03-01",
        "Hills felt easier.",
    )
    assert reflection.feeling_word == "Good"


def test_a_week_has_one_reflection_and_the_refusal_names_the_run_that_has_it(ctx, ana):
    monday = log(datetime(2027, 3, 8, 12, 0, tzinfo=UTC), "Monday loop")
    tuesday = log(datetime(2027, 3, 9, 12, 0, tzinfo=UTC), "Tuesday tempo")
    services.reflect(runner(), monday, Thoughts(3, "Tired legs."), now=NOW)

    with pytest.raises(ReflectionError, match="after “Monday loop”"):
        services.reflect(runner(), tuesday, Thoughts(5, ""), now=NOW)
    again = services.reflect(runner(), monday, Thoughts(5, "Better by Friday."), now=NOW)
    assert (again.feeling, again.went_well) == (5, "Better by Friday.")
    assert db.session.scalar(select(func.count()).select_from(Reflection)) == 1


@pytest.mark.parametrize(
    ("thoughts", "field"), [(Thoughts(0, ""), "feeling"), (Thoughts(3, "x" * 501), "went_well")]
)
def test_a_reflection_out_of_bounds_is_refused_with_its_field(ctx, ana, thoughts, field):
    run = log(NOW - timedelta(hours=3))
    with pytest.raises(ReflectionError) as refused:
        services.reflect(runner(), run, thoughts, now=NOW)
    assert refused.value.field == field


def test_someone_elses_run_takes_no_reflection(ctx, ana):
    run = log(NOW - timedelta(hours=3), name="ben")
    with pytest.raises(services.NotYours):
        services.reflect(runner(), run, Thoughts(3, ""), now=NOW)


def test_the_database_holds_one_reflection_a_week_and_known_feelings(ctx, ana):
    from sqlalchemy.exc import IntegrityError

    run = log(NOW - timedelta(hours=3))
    other = log(NOW - timedelta(hours=2))
    monday = NOW.date() - timedelta(days=NOW.weekday())
    db.session.add(Reflection(user_id=run.user_id, run_id=run.id, week_start=monday, feeling=3))
    db.session.flush()
    for bad in (
        Reflection(user_id=run.user_id, run_id=other.id, week_start=monday, feeling=3),
        Reflection(user_id=run.user_id, run_id=other.id, week_start=NOW.date(), feeling=9),
    ):
        with pytest.raises(IntegrityError), db.session.begin_nested():
            db.session.add(bad)
            db.session.flush()


def test_deleting_the_run_takes_its_reflection(ctx, ana):
    run = log(NOW - timedelta(hours=3))
    services.reflect(runner(), run, Thoughts(2, "Windy."), now=NOW)

    activities.delete_run(runner(), run, now=NOW)

    assert db.session.scalar(select(func.count()).select_from(Reflection)) == 0


# --- pages --------------------------------------------------------------------------------


@pytest.fixture
def recent_run(app, ana) -> int:
    with app.app_context():
        run = log(utcnow() - timedelta(hours=1), "Sunset loop", now=utcnow())
        db.session.commit()
        return run.id


def test_the_runners_recent_run_asks_how_the_week_was_and_keeps_the_answer(app, recent_run):
    client = as_(app, "ana")
    assert "How was your week?" in text(client.get(f"/runs/{recent_run}"))

    response = submit(
        client,
        f"/reflections/runs/{recent_run}",
        {"feeling": "5", "went_well": "Ran with Ben, <b>fast</b> finish."},
        page=f"/runs/{recent_run}",
    )

    assert response.status_code == 302
    page = client.get(f"/runs/{recent_run}")
    assert "Your week, looking back" in text(page)
    assert "Ran with Ben, &lt;b&gt;fast&lt;/b&gt; finish." in html(page)
    assert "How was your week?" not in text(page)


def test_another_run_of_the_week_points_to_its_reflection(app, recent_run):
    with app.app_context():
        run = db.session.get(Run, recent_run)
        services.reflect(runner(), run, Thoughts(4, "Good."), now=utcnow())
        other = log(run.start_time + timedelta(minutes=1), "Cool-down jog", now=utcnow())
        db.session.commit()
        other_id = other.id
    page = text(as_(app, "ana").get(f"/runs/{other_id}"))
    assert "You looked back on this week after Sunset loop" in page
    assert "How was your week?" not in page


def test_nobody_else_sees_the_prompt_or_the_reflection(app, recent_run):
    with app.app_context():
        services.reflect(
            runner(), db.session.get(Run, recent_run), Thoughts(1, "Secret."), now=utcnow()
        )
        db.session.commit()

    for client in (as_(app, "ben"), app.test_client()):
        page = text(client.get(f"/runs/{recent_run}"))
        assert "Secret." not in page and "How was your week?" not in page
    assert as_(app, "ben").get(f"/reflections/runs/{recent_run}").status_code == 404
    refused = submit(
        as_(app, "ben"), f"/reflections/runs/{recent_run}", {"feeling": "3"}, page="/dashboard"
    )
    assert refused.status_code == 404
    assert "Secret." not in text(as_(app, "ben").get("/reflections/?q=Secret"))


def test_a_reflection_without_a_feeling_is_shown_again_with_the_field_error(app, recent_run):
    response = submit(
        as_(app, "ana"),
        f"/reflections/runs/{recent_run}",
        {"went_well": "Forgot the feeling."},
        page="/dashboard",
    )

    assert response.status_code == 400
    assert "Choose how the week felt." in text(response)
    assert 'value="Forgot the feeling."' in html(response) or "Forgot the feeling." in html(
        response
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Reflection)) == 0


def test_the_journal_finds_reflections_by_their_words_and_a_pattern_is_only_text(app, ana):
    now = utcnow()
    with app.app_context():
        for weeks, words in (
            (3, "Hill repeats hurt"),
            (2, "100% effort on the hills"),
            (1, "Calm week"),
        ):
            run = log(now - timedelta(weeks=weeks), f"Run {weeks}", now=now)
            services.reflect(runner(), run, Thoughts(3, words), now=now)
        db.session.commit()
    client = as_(app, "ana")

    hills = text(client.get("/reflections/?q=HILL"))
    assert "Hill repeats hurt" in hills and "100% effort on the hills" in hills
    assert "Calm week" not in hills
    percent = text(client.get("/reflections/?q=100%25"))
    assert "100% effort" in percent and "Hill repeats" not in percent
    assert "Nothing you wrote holds “_”." in text(client.get("/reflections/?q=_"))
    everything = text(client.get("/reflections/"))
    assert everything.index("Calm week") < everything.index("Hill repeats hurt")  # newest first


def test_the_journal_is_for_a_logged_in_runner(client):
    response = client.get("/reflections/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_journal_reads_as_many_statements_for_three_reflections_as_for_one(app, ana):
    now = utcnow()
    client = as_(app, "ana")

    def statements() -> int:
        with statements_run(app) as seen:
            assert client.get("/reflections/").status_code == 200
        return len(seen)

    with app.app_context():
        run = log(now - timedelta(weeks=1), "Run 1", now=now)
        services.reflect(runner(), run, Thoughts(3, "One."), now=now)
        db.session.commit()
    one = statements()
    with app.app_context():
        for weeks in (2, 3):
            run = log(now - timedelta(weeks=weeks), f"Run {weeks}", now=now)
            services.reflect(runner(), run, Thoughts(3, "More."), now=now)
        db.session.commit()
    assert statements() == one
