"""Template helpers: one-click action forms, local times, and units by the viewer's choice."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, g
from flask_login import current_user

from community import units as u
from community.forms import ActionForm


def _viewer() -> tuple[str, ZoneInfo]:
    """The viewer's units and time zone, read once a request: a page's filters ask for
    them hundreds of times, and each look at `current_user` goes through two proxies."""
    found: tuple[str, ZoneInfo] | None = g.get("viewer_units_zone")
    if found is None:
        if current_user.is_authenticated:
            found = (current_user.units, current_user.zone)
        else:
            found = ("km", ZoneInfo("UTC"))
        g.viewer_units_zone = found
    return found


def _viewer_units() -> str:
    return _viewer()[0]


def localtime(value: datetime | None, fmt: str = "%-d %b %Y, %H:%M") -> str:
    """A stored UTC time in the viewer's time zone."""
    if value is None:
        return ""
    return value.astimezone(_viewer()[1]).strftime(fmt)


def club_time(
    value: datetime | None,
    club_zone: str,
    fmt: str = "%a %-d %b, %H:%M",
    *,
    named: bool = False,
) -> str:
    """A club's time (a group run's start) as the club reads it; where the viewer's zone
    shows another time, both zones are named and the viewer's own time follows. `named`:
    the club's zone is named even where the two agree."""
    if value is None:
        return ""
    theirs = value.astimezone(ZoneInfo(club_zone))
    mine_zone = _viewer()[1]
    mine = value.astimezone(mine_zone)
    if mine.replace(tzinfo=None) == theirs.replace(tzinfo=None):
        return f"{theirs.strftime(fmt)} ({club_zone})" if named else theirs.strftime(fmt)
    own = mine.strftime("%H:%M" if mine.date() == theirs.date() else fmt)
    return f"{theirs.strftime(fmt)} ({club_zone}), {own} your time ({mine_zone.key})"


def distance(metres: float | None, units: str | None = None) -> str:
    return u.format_distance(metres, units or _viewer_units())


def pace(seconds: float | None, metres: float | None) -> str:
    return u.format_pace(seconds, metres, _viewer_units())


def elevation(metres: float | None) -> str:
    return u.format_elevation(metres, _viewer_units())


def _context() -> dict[str, Any]:
    # Only drawn (its token), never validated: it must not read the request's body, which an
    # error page for a request too large to read (413) has none of.
    return {"action_form": ActionForm(formdata=None), "viewer_units": _viewer_units()}


def init_app(app: Flask) -> None:
    app.context_processor(_context)
    app.add_template_filter(localtime, "localtime")
    app.add_template_filter(club_time, "club_time")
    app.add_template_filter(distance, "distance")
    app.add_template_filter(u.format_duration, "duration")
    app.add_template_filter(elevation, "elevation")
    app.add_template_global(pace, "pace")
