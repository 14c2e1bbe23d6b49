"""Template helpers: one-click action forms, local times and distances in the runner's units."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from flask_login import current_user

from community.forms import ActionForm

METRES_PER_MILE = 1609.344


def localtime(value: datetime | None, fmt: str = "%-d %b %Y, %H:%M") -> str:
    """A stored UTC time in the viewer's time zone."""
    if value is None:
        return ""
    zone = current_user.zone if current_user.is_authenticated else ZoneInfo("UTC")
    return value.astimezone(zone).strftime(fmt)


def distance(metres: float | None, units: str | None = None) -> str:
    """Metres shown in km or miles, by the viewer's preference."""
    if metres is None:
        return ""
    units = units or (current_user.units if current_user.is_authenticated else "km")
    if units == "mi":
        return f"{metres / METRES_PER_MILE:.2f} mi"
    return f"{metres / 1000:.2f} km"


def _context() -> dict[str, Any]:
    return {"action_form": ActionForm()}


def init_app(app: Flask) -> None:
    app.context_processor(_context)
    app.add_template_filter(localtime, "localtime")
    app.add_template_filter(distance, "distance")
