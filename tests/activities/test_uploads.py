"""Uploading run files: GPX, TCX, FIT, gzip and zip; duplicates; refusals; best efforts."""

import io
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from community.accounts.models import User
from community.activities import imports, queries
from community.activities.models import BestEffort, Run, RunTrack
from community.db_types import utcnow
from community.extensions import db
from tests.activities.trackfiles import (
    T0,
    clock_stepped_back,
    fit_bytes,
    gpx_bytes,
    gzipped,
    make_points,
    tcx_bytes,
    zip_bytes,
)
from tests.helpers import html, log_in, make_runner, text

FOUR_KM = make_points(401, step_s=3.0, step_m=10.0)  # 4 km in 20 minutes
# 1.2 km at 11 m/s, a point a second: slower than a track may move (12.5 m/s), yet 400 m in
# 0:36, beyond the world record (a ride uploaded as a run, a GPS drifting along a road).
BEYOND_RECORD = make_points(121, start=T0 + timedelta(days=7), step_s=1.0, step_m=11.0)
SUSPECT_400_M = (
    "Flagged as suspect. Its 400 m in 0:36 is faster than the world record (43.03, Wayde van "
    "Niekerk, 2016). It sets no personal best and counts in no fastest-effort challenge."
)


@pytest.fixture
def ana(app):
    make_runner(app, "ana")
    client = app.test_client()
    log_in(client, "ana")
    return client


def upload(client, *files: tuple[str, bytes]):
    token_page = client.get("/runs/upload").get_data(as_text=True)
    token = token_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    data = {"csrf_token": token, "files": [(io.BytesIO(body), name) for name, body in files]}
    return client.post("/runs/upload", data=data, content_type="multipart/form-data")


def runs(app) -> list[Run]:
    with app.app_context():
        found = list(db.session.scalars(select(Run).order_by(Run.start_time)))
        db.session.expunge_all()
        return found


def test_a_gpx_upload_becomes_a_run_with_its_track(app, ana):
    response = upload(ana, ("morning.gpx", gpx_bytes(FOUR_KM)))
    assert response.status_code == 200
    assert "1 of 1 file imported" in text(response)
    [run] = runs(app)
    assert run.source == "gpx"
    assert run.distance_m == pytest.approx(4000, rel=0.01)
    assert run.duration_s == 1200
    assert run.start_time == T0
    with app.app_context():
        assert db.session.get(RunTrack, run.id).point_count == 401


def test_tcx_and_fit_files_upload_together(app, ana):
    later = make_points(401, start=T0 + timedelta(days=1), step_s=3.0, step_m=10.0)
    latest = make_points(401, start=T0 + timedelta(days=2), step_s=3.0, step_m=10.0)
    response = upload(
        ana,
        ("a.tcx", tcx_bytes(FOUR_KM)),
        ("b.fit", fit_bytes(later)),
        ("c.gpx.gz", gzipped(gpx_bytes(latest))),
    )
    assert "3 of 3 files imported" in text(response)
    assert [run.source for run in runs(app)] == ["tcx", "fit", "gpx"]


def test_the_same_file_twice_is_one_run(app, ana):
    upload(ana, ("morning.gpx", gpx_bytes(FOUR_KM)))
    response = upload(ana, ("copy.gpx", gpx_bytes(FOUR_KM)))
    assert "Already imported." in text(response)
    assert len(runs(app)) == 1


def test_a_bad_file_is_refused_with_its_reason_and_nothing_is_stored(app, ana):
    response = upload(ana, ("notes.gpx", b"<html>not a track</html>"), ("empty.fit", b""))
    page = text(response)
    assert "0 of 2 files imported" in page
    assert "empty" in page.lower()
    assert runs(app) == []


def test_the_upload_page_says_what_was_left_out_of_a_clock_that_jumped_back(app, ana):
    clock_jumped = clock_stepped_back(make_points(601, step_s=1, step_m=4), after=300, seconds=90)

    page = text(upload(ana, ("watch.gpx", gpx_bytes(clock_jumped))))

    assert "1 of 1 file imported" in page
    assert (
        "Imported. Left out 89 points whose time went back. "
        "Left out 1 jump faster than anyone can run (over 12.5 m/s)."
    ) in page
    [run] = runs(app)
    assert run.duration_s == 510


def test_a_strava_export_archive_imports_every_track_and_reports_each_file(app, ana):
    second = make_points(401, start=T0 + timedelta(days=1), step_s=3.0, step_m=10.0)
    archive = zip_bytes(
        {
            "activities/1.gpx": gpx_bytes(FOUR_KM),
            "activities/2.fit.gz": gzipped(fit_bytes(second)),
            "activities/3.tcx": b"broken",
            "activities.csv": b"id,name\n1,Morning Run\n",
        }
    )
    page = text(upload(ana, ("export.zip", archive)))
    assert "2 of 3 files imported" in page
    assert "activities/3.tcx" in page
    assert len(runs(app)) == 2


def test_best_efforts_are_stored_and_a_faster_later_run_is_a_personal_best(app, ana):
    faster = make_points(401, start=T0 + timedelta(days=7), step_s=2.5, step_m=10.0)
    upload(ana, ("slow.gpx", gpx_bytes(FOUR_KM)), ("fast.gpx", gpx_bytes(faster)))
    slow_run, fast_run = runs(app)
    with app.app_context():
        labels = set(
            db.session.scalars(select(BestEffort.label).where(BestEffort.run_id == slow_run.id))
        )
        assert labels == {"400 m", "1 km", "1 mile"}
        bests = queries.personal_bests(slow_run.user_id)
        assert {b.label: b.run_id for b in bests} == {label: fast_run.id for label in labels}
    fast_page = text(ana.get(f"/runs/{fast_run.id}"))
    assert "1 km 4:10 4:10 /km Personal best" in fast_page
    assert "1 km 5:00 5:00 /km Personal best" in text(ana.get(f"/runs/{slow_run.id}"))


def test_a_track_beyond_the_world_record_is_kept_flagged_and_sets_no_personal_best(app, ana):
    upload(ana, ("morning.gpx", gpx_bytes(FOUR_KM)))

    page = text(upload(ana, ("ride.gpx", gpx_bytes(BEYOND_RECORD))))

    honest, flagged = runs(app)
    with app.app_context():
        assert {best.run_id for best in queries.personal_bests(honest.user_id)} == {honest.id}
    assert f"1 of 1 file imported File Result ride.gpx Imported. {SUSPECT_400_M}" in page
    run_page = text(ana.get(f"/runs/{flagged.id}"))
    assert SUSPECT_400_M in run_page
    assert "400 m 0:36" in run_page and "Personal best" not in run_page
    progress = text(ana.get("/runs/progress"))
    assert "400 m 2:00 5:00 /km 1 May 2024" in progress and "0:36" not in progress
    assert f"{flagged.title} Suspect" in text(ana.get("/runs/"))


def test_the_run_page_draws_the_route_and_lists_splits(app, ana):
    upload(ana, ("morning.gpx", gpx_bytes(FOUR_KM)))
    [run] = runs(app)
    response = ana.get(f"/runs/{run.id}")
    assert "<polyline points=" in html(response)
    page = text(response)
    assert "Splits" in page
    assert "4 1.00 km 5:00 5:00 /km" in page


def test_deleting_an_uploaded_run_removes_its_track_and_efforts(app, ana):
    upload(ana, ("morning.gpx", gpx_bytes(FOUR_KM)))
    [run] = runs(app)
    page = ana.get(f"/runs/{run.id}").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    ana.post(f"/runs/{run.id}/delete", data={"csrf_token": token})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RunTrack)) == 0
        assert db.session.scalar(select(func.count()).select_from(BestEffort)) == 0


def test_two_simultaneous_uploads_of_one_file_store_one_run(app):
    owner = make_runner(app, "ana")
    data = gpx_bytes(FOUR_KM)
    barrier = threading.Barrier(4)
    statuses = []

    def send() -> None:
        with app.app_context():
            barrier.wait()
            result = imports.import_file(
                db.session.get(User, owner.id), "a.gpx", data, now=utcnow()
            )
            db.session.commit()
            statuses.append(result.status)
            db.session.remove()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == ["duplicate", "duplicate", "duplicate", "imported"]
    assert len(runs(app)) == 1


def test_uploading_needs_a_file(app, ana):
    token_page = ana.get("/runs/upload").get_data(as_text=True)
    token = token_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = ana.post("/runs/upload", data={"csrf_token": token})
    assert response.status_code == 400
    assert "Choose at least one file." in text(response)


def test_personal_bests_appear_on_the_progress_page_with_their_date(app, ana):
    upload(ana, ("morning.gpx", gpx_bytes(FOUR_KM)))
    page = text(ana.get("/runs/progress"))
    assert "Personal bests" in page
    assert "1 km 5:00 5:00 /km 1 May 2024" in page
