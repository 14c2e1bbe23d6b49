"""The public board's rows are rendered once for every viewer, and never outlive a change."""

import re
from datetime import UTC, datetime, timedelta

from flask import template_rendered

from community import config as settings
from community import create_app
from community.accounts.models import User
from community.challenges import routes, services
from community.challenges.models import Challenge
from community.extensions import db
from community.follows import services as follows
from tests.challenges.builders import NOW, challenge, log, runner
from tests.challenges.conftest import act, hide_from_every_board, log_km
from tests.helpers import add_member, as_, html, text

ROW = re.compile(r"<tr ([^>]*)>")


def board_rows(html: str) -> list[str]:
    return [attributes for attributes in ROW.findall(html) if "data-entry-id" in attributes]


def order(html: str) -> list[str]:
    return re.findall(r'data-user-id="(\d+)"', "".join(board_rows(html)))


def test_every_viewer_gets_the_same_rows_with_only_their_own_picked_out(app, runners, open_club):
    for name in ("mia", "olivia"):
        act(as_(app, name), f"/challenges/{open_club}/join")
    log_km(app, "mia", 5)
    page = f"/challenges/{open_club}"
    mine = as_(app, "mia").get(page).get_data(as_text=True)
    theirs = as_(app, "olivia").get(page).get_data(as_text=True)
    visitor = app.test_client().get(page).get_data(as_text=True)
    assert order(mine) == order(theirs) == order(visitor)
    marked = [row for row in board_rows(mine) if 'class="me"' in row]
    assert len(marked) == 1
    assert f'data-user-id="{runners["mia"].id}"' in marked[0]
    assert 'class="me"' not in "".join(board_rows(visitor))


def test_a_run_logged_after_the_rows_were_kept_shows_on_the_next_page_view(app, runners, open_club):
    for name in ("mia", "olivia"):
        act(as_(app, name), f"/challenges/{open_club}/join")
    log_km(app, "mia", 5)
    viewer = app.test_client()
    page = f"/challenges/{open_club}"
    assert order(html(viewer.get(page)))[0] == str(runners["mia"].id)
    log_km(app, "olivia", 8)
    assert order(html(viewer.get(page)))[0] == str(runners["olivia"].id)


def test_hiding_everywhere_takes_the_runner_off_the_kept_rows(app, runners, open_club):
    mia = as_(app, "mia")
    act(mia, f"/challenges/{open_club}/join")
    log_km(app, "mia", 5)
    page = f"/challenges/{open_club}"
    assert str(runners["mia"].id) in order(html(app.test_client().get(page)))
    hide_from_every_board(mia)
    assert order(html(app.test_client().get(page))) == []


def test_rows_kept_in_each_unit_and_page_apart(app, runners, open_club):
    act(as_(app, "mia"), f"/challenges/{open_club}/join")
    log_km(app, "mia", 5)
    page = f"/challenges/{open_club}"
    assert "5.00 km" in text(app.test_client().get(page))
    with app.app_context():
        db.session.get(User, runners["olivia"].id).units = "mi"
        db.session.commit()
    assert "3.11 mi" in text(as_(app, "olivia").get(page))
    assert "Nobody this far down" in text(app.test_client().get(f"{page}?page=2"))


def test_a_change_committed_by_one_process_reaches_rows_another_process_kept(
    app, runners, open_club, tmp_path
):
    config = settings.testing(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path)
    other = create_app(config)  # its own cache, as another server process has
    try:
        for name in ("mia", "olivia"):
            act(as_(app, name), f"/challenges/{open_club}/join")
        log_km(app, "mia", 5)
        page = f"/challenges/{open_club}"
        assert order(html(app.test_client().get(page)))[0] == str(runners["mia"].id)
        log_km(other, "olivia", 8)
        assert order(html(app.test_client().get(page)))[0] == str(runners["olivia"].id)
    finally:
        with other.app_context():
            db.engine.dispose()


def test_the_rows_are_rendered_once_for_many_viewers(app, runners, open_club):
    for name in ("mia", "olivia"):
        act(as_(app, name), f"/challenges/{open_club}/join")
    log_km(app, "mia", 5)
    rendered = []

    def heard(sender, template, context, **extra):
        rendered.append(template.name)

    viewers = [as_(app, name) for name in ("mia", "olivia", "ben")]
    template_rendered.connect(heard, app)
    try:
        for viewer in [*viewers, app.test_client()]:
            assert viewer.get(f"/challenges/{open_club}").status_code == 200
    finally:
        template_rendered.disconnect(heard, app)
    assert rendered.count("challenges/_board_table.html") == 1
    assert rendered.count("challenges/show.html") == 4


def test_during_the_freeze_the_page_shows_the_board_as_it_froze(app, monkeypatch):
    inside_freeze = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
    with app.app_context():
        host = runner("host", is_site_admin=True)
        march = challenge(host, freeze_hours=48)
        ana, ben = runner("ana"), runner("ben")
        for person in (ana, ben):
            services.join(person, march, now=NOW)
        log(ana, NOW - timedelta(days=2), km=10)
        log(ben, NOW - timedelta(days=2), km=8)
        db.session.commit()
        page = f"/challenges/{march.id}"
        ids = [str(ana.id), str(ben.id)]
        monkeypatch.setattr(routes, "utcnow", lambda: NOW)
        assert order(html(app.test_client().get(page))) == ids
        log(ben, inside_freeze - timedelta(hours=1), km=5, now=inside_freeze)
        db.session.commit()
    monkeypatch.setattr(routes, "utcnow", lambda: inside_freeze)
    frozen = html(app.test_client().get(page))
    assert "data-board-frozen" in frozen
    assert order(frozen) == ids
    monkeypatch.setattr(routes, "utcnow", lambda: datetime(2026, 4, 1, 12, 0, tzinfo=UTC))
    assert order(html(app.test_client().get(page))) == ids[::-1]


def test_hiding_from_one_board_or_leaving_it_takes_the_row_off_the_kept_rows(
    app, runners, open_club
):
    mia, olivia = as_(app, "mia"), as_(app, "olivia")
    for client in (mia, olivia):
        act(client, f"/challenges/{open_club}/join")
    page = f"/challenges/{open_club}"
    viewer = app.test_client()
    assert len(order(html(viewer.get(page)))) == 2
    act(mia, f"/challenges/{open_club}/visibility", {"hidden": "1"})
    assert order(html(viewer.get(page))) == [str(runners["olivia"].id)]
    act(olivia, f"/challenges/{open_club}/leave")
    assert order(html(viewer.get(page))) == []


def test_the_people_i_follow_board_is_worked_out_for_the_viewer(app, runners, open_club):
    with app.app_context():
        club_id = db.session.get(Challenge, open_club).club_id
    add_member(app, club_id, runners["adam"])
    for name in ("mia", "olivia", "adam"):
        act(as_(app, name), f"/challenges/{open_club}/join")
    log_km(app, "olivia", 8)
    log_km(app, "adam", 6)
    with app.app_context():
        follows.follow(
            db.session.get(User, runners["mia"].id),
            db.session.get(User, runners["olivia"].id),
            now=NOW,
        )
        db.session.commit()
    page = f"/challenges/{open_club}"
    mia = as_(app, "mia")
    assert len(order(html(mia.get(page)))) == 3
    followed = html(mia.get(f"{page}?scope=following"))
    assert order(followed) == [str(runners["olivia"].id), str(runners["mia"].id)]
    assert "<strong>People I follow</strong>" in followed
    # Visitors have no one to follow: they get the whole board.
    assert len(order(html(app.test_client().get(f"{page}?scope=following")))) == 3
