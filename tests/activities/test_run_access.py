"""Who sees and who changes a run: one test per rule."""

from datetime import UTC, datetime

import pytest

from community.activities import services
from community.activities.models import Run
from community.extensions import db
from tests.helpers import add_member, log_in, make_club, make_runner, submit, text


@pytest.fixture
def runners(app):
    return {name: make_runner(app, name) for name in ("ana", "ben", "cleo")}


def logged(app, runner, visibility: str) -> int:
    with app.app_context():
        run = services.log_run(
            db.session.get(type(runner), runner.id),
            services.RunDetails(
                start_time=datetime(2026, 3, 1, 8, tzinfo=UTC),
                distance_m=8000.0,
                duration_s=2700.0,
                title=f"{visibility} run",
                visibility=visibility,
            ),
            now=datetime(2026, 3, 2, tzinfo=UTC),
        )
        db.session.commit()
        return run.id


def as_(app, username):
    client = app.test_client()
    log_in(client, username)
    return client


def test_public_runs_are_seen_by_anyone(app, runners):
    run_id = logged(app, runners["ana"], "public")
    assert "public run" in text(app.test_client().get(f"/runs/{run_id}"))


def test_private_runs_are_seen_by_their_runner_only(app, runners):
    run_id = logged(app, runners["ana"], "private")
    assert as_(app, "ana").get(f"/runs/{run_id}").status_code == 200
    assert as_(app, "ben").get(f"/runs/{run_id}").status_code == 404
    assert app.test_client().get(f"/runs/{run_id}").status_code == 404


def test_members_runs_are_seen_by_club_mates_only(app, runners):
    club_id = make_club(app, runners["ana"], slug="riverside")
    add_member(app, club_id, runners["ben"])
    run_id = logged(app, runners["ana"], "members")
    assert as_(app, "ben").get(f"/runs/{run_id}").status_code == 200
    assert as_(app, "cleo").get(f"/runs/{run_id}").status_code == 404


def test_others_cannot_edit_or_delete_a_run_they_can_see(app, runners):
    run_id = logged(app, runners["ana"], "public")
    ben = as_(app, "ben")
    assert ben.get(f"/runs/{run_id}/edit").status_code == 403
    assert submit(ben, f"/runs/{run_id}/delete", page="/dashboard").status_code == 403
    with app.app_context():
        assert db.session.get(Run, run_id) is not None


def test_the_runner_deletes_their_run(app, runners):
    run_id = logged(app, runners["ana"], "public")
    response = submit(as_(app, "ana"), f"/runs/{run_id}/delete", page="/dashboard")
    assert response.headers["Location"] == "/runs/"
    with app.app_context():
        assert db.session.get(Run, run_id) is None


def test_my_runs_lists_only_my_runs(app, runners):
    logged(app, runners["ana"], "public")
    logged(app, runners["ben"], "private")
    page = text(as_(app, "ana").get("/runs/"))
    assert "public run" in page and "private run" not in page
