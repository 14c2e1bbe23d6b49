"""A board's rows as every viewer sees them: rendered once, until a standing on it changes.

Only what is the same for every viewer is kept: the public board's rows, per page, unit and
standings (live or frozen). The viewer's own row is picked out afterwards, and "my rank",
the club filter and everything else on the page are worked out per request.

Each board has a version; any change to a row on it sets a new one once the change commits
(`changed_after_commit`, called where the board room hears of it, in tally.py). Rows are
kept with the version they were read at and served only while it is current, so rows read
from data older than a change are never served after it. Rows are kept a minute at most,
for what no standing change covers (a runner renaming themselves).
"""

from collections.abc import Callable
from uuid import uuid4

from markupsafe import Markup

from community.extensions import cache
from community.realtime import call_after_commit

ROWS_TIMEOUT_S = 60


def _version_key(challenge_id: int) -> str:
    return f"challenge-board:{challenge_id}:version"


def _version(challenge_id: int) -> str:
    key = _version_key(challenge_id)
    version = cache.get(key)
    if version is None:
        # Another process may set one first: `add` keeps theirs, and both read the same.
        cache.add(key, uuid4().hex, timeout=0)
        version = cache.get(key)
    return str(version)


def changed_after_commit(challenge_id: int) -> None:
    """The board's rows change with this transaction: a new version once it commits."""
    call_after_commit(lambda: cache.set(_version_key(challenge_id), uuid4().hex, timeout=0))


def rows(challenge_id: int, variant: str, render: Callable[[], str]) -> str:
    """The rows of one board variant (page, units, standings), rendered at most once a version.

    The rows are kept with the version they were read at, and fetched with the board's
    current version in one round trip.
    """
    version_key = _version_key(challenge_id)
    rows_key = f"challenge-board:{challenge_id}:rows:{variant}"
    version, kept = cache.get_many(version_key, rows_key)
    if version is None:
        version = _version(challenge_id)
    if kept is not None and kept[0] == version:
        return str(kept[1])
    html = render()
    cache.set(rows_key, (version, html), timeout=ROWS_TIMEOUT_S)
    return html


def mark_viewer(html: str, user_id: int | None) -> Markup:
    """Pick out the viewer's own row in rows every viewer shares."""
    if user_id is not None:
        mine = f'data-user-id="{user_id}"'
        html = html.replace(mine, f'{mine} class="me" aria-current="true"', 1)
    return Markup(html)  # noqa: S704 (our own template's output, escaped when rendered)
