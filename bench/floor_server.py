"""`python app.py` with two bare pages beside the app's own: the floor `club_page.py`
measures the club page and the dashboard against, in the same server process.

    .venv/bin/python bench/floor_server.py      # as `python app.py`: HOST, PORT, DATABASE_URL…

It runs app.py itself as `__main__` (gevent patching first, `create_app()`, the gc
settings, `socketio.run`), so nothing of the serving differs from a deployment's; only
`create_app` is wrapped, so that the app it returns also answers:

- GET /_floor/club/<slug>: the club's row and its member count (two plain queries) as a
  tiny HTML string: no template of the app, no login (the session cookie is still read);
- GET /_floor/dashboard: the logged-in runner's row (Flask-Login's loader, as on every
  page of the app) and their number of runs; 401 without a session;
- GET /_floor/challenge/<id>: the runner's row, the challenge's row and its top 50 entrants'
  names and totals (one plain join) as a bare HTML list: the board page's floor
  (`challenge_board.py`).

The floor is never part of the app: only this script (and club_page.py's in-process
measurement, through `with_floor`) adds it.
"""

import os
import runpy
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def with_floor(app: "Flask") -> "Flask":
    """The app with the floor's two routes (imports here: gevent patches before them)."""
    from flask import abort
    from flask_login import current_user
    from markupsafe import escape
    from sqlalchemy import func, select

    from community.accounts.models import User
    from community.activities.models import Run
    from community.challenges.models import Challenge, ChallengeEntry
    from community.clubs.models import Club, Membership
    from community.extensions import db

    def floor_club(slug: str) -> str:
        club = db.session.scalar(select(Club).where(Club.slug == slug))
        if club is None:
            abort(404)
        members = db.session.scalar(
            select(func.count()).select_from(Membership).where(Membership.club_id == club.id)
        )
        name = escape(club.name)
        return f"<!doctype html><title>{name}</title><h1>{name}</h1><p>{members} members</p>"

    def floor_dashboard() -> str:
        if not current_user.is_authenticated:
            abort(401)
        runs = db.session.scalar(
            select(func.count()).select_from(Run).where(Run.user_id == current_user.id)
        )
        name = escape(current_user.display_name)
        return f"<!doctype html><title>{name}</title><h1>{name}</h1><p>{runs} runs</p>"

    def floor_challenge(challenge_id: int) -> str:
        if not current_user.is_authenticated:
            abort(401)
        challenge = db.session.get(Challenge, challenge_id)
        if challenge is None:
            abort(404)
        top = db.session.execute(
            select(User.display_name, ChallengeEntry.total)
            .join(User, User.id == ChallengeEntry.user_id)
            .where(ChallengeEntry.challenge_id == challenge_id, ChallengeEntry.hidden.is_(False))
            .order_by(ChallengeEntry.score.desc(), ChallengeEntry.reached_at, ChallengeEntry.id)
            .limit(50)
        ).all()
        items = "".join(f"<li>{escape(name)} {total or 0:.0f}</li>" for name, total in top)
        name = escape(challenge.title)
        return f"<!doctype html><title>{name}</title><h1>{name}</h1><ol>{items}</ol>"

    app.add_url_rule("/_floor/club/<slug>", "floor_club", floor_club)
    app.add_url_rule("/_floor/challenge/<int:challenge_id>", "floor_challenge", floor_challenge)
    app.add_url_rule("/_floor/dashboard", "floor_dashboard", floor_dashboard)
    return app


def main() -> None:
    # What app.py does first, before anything else is imported (app.py does it again,
    # harmlessly: gevent patches each module once).
    os.environ.setdefault("SOCKETIO_ASYNC_MODE", "gevent")
    if os.environ["SOCKETIO_ASYNC_MODE"] == "gevent":
        from gevent import monkey

        monkey.patch_all()
    # This checkout's `community`, not the one the shared venv's editable install points at.
    sys.path.insert(0, str(ROOT))
    import community

    create_app = community.create_app
    community.create_app = lambda config=None: with_floor(create_app(config))
    runpy.run_path(str(ROOT / "app.py"), run_name="__main__")


if __name__ == "__main__":
    main()
