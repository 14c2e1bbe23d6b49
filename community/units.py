"""Units: everything is stored in metres and seconds; people see km or miles."""

import re

METRES_PER_KM = 1000.0
METRES_PER_MILE = 1609.344
FEET_PER_METRE = 3.28084

_DURATION = re.compile(r"^\s*(?:(\d+):)?([0-5]?\d):([0-5]\d)(?:\.\d+)?\s*$")


def unit_length(units: str) -> float:
    """Metres in one km or one mile."""
    return METRES_PER_MILE if units == "mi" else METRES_PER_KM


def to_metres(value: float, units: str) -> float:
    return value * unit_length(units)


def from_metres(metres: float, units: str) -> float:
    return metres / unit_length(units)


def parse_duration(text: str) -> float | None:
    """Seconds in "h:mm:ss" or "mm:ss"; None when it is not such a time."""
    match = _DURATION.match(text or "")
    if not match:
        return None
    hours, minutes, seconds = (int(part) if part else 0 for part in match.groups())
    if match.group(1) is None and minutes > 59:
        return None
    return float(hours * 3600 + minutes * 60 + seconds)


def format_duration(seconds: float | None) -> str:
    """1:02:03 for an hour and more, 42:05 below."""
    if seconds is None:
        return ""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_effort(seconds: float | None) -> str:
    """A timed effort to the tenth of a second: 22:46.2, 1:02:03.4."""
    if seconds is None:
        return ""
    whole, tenth = divmod(round(seconds * 10), 10)
    return f"{format_duration(whole)}.{tenth}"


def format_distance(metres: float | None, units: str) -> str:
    if metres is None:
        return ""
    return f"{from_metres(metres, units):.2f} {'mi' if units == 'mi' else 'km'}"


def format_pace(seconds: float | None, metres: float | None, units: str) -> str:
    """Minutes per km or per mile, e.g. 5:12 /km."""
    if not seconds or not metres:
        return ""
    per_unit = seconds / from_metres(metres, units)
    minutes, secs = divmod(round(per_unit), 60)
    return f"{minutes}:{secs:02d} /{'mi' if units == 'mi' else 'km'}"


def format_elevation(metres: float | None, units: str) -> str:
    if metres is None:
        return ""
    if units == "mi":
        return f"{metres * FEET_PER_METRE:.0f} ft"
    return f"{metres:.0f} m"
