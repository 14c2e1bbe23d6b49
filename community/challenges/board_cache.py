"""A board's rows as every viewer sees them: rendered once, until a row on it changes.

Only what is the same for every viewer is kept: the public board's rows, per page, unit and
standings (live or frozen). The viewer's own row is picked out afterwards, and "my rank",
the club filter and everything else on the page are worked out per request.

Rows are kept under the challenge's `board_version`, which every change to a row on the
board moves in the same transaction (`changed`). A page reads the version with the
challenge, before the rows, so rows read from data older than a change are never served
after it, on any process: each process keeps its own copy, and none needs telling. Rows
are kept a minute at most, for what no standing change covers (a runner renaming
themselves).
"""

from collections.abc import Callable, Iterable

from markupsafe import Markup
from sqlalchemy import inspect, select, update
from sqlalchemy.orm.attributes import set_committed_value

from community.challenges.models import Challenge
from community.extensions import cache, db

ROWS_TIMEOUT_S = 60


def changed(challenge_ids: Iterable[int]) -> None:
    """The public rows of these boards change in this transaction: move their versions.

    This locks the challenge rows, in id order: call it before locking any entry, the
    order joins, leaves, rebuilds and logged runs all take.
    """
    ids = sorted(set(challenge_ids))
    if not ids:
        return
    in_order = (
        select(Challenge.id).where(Challenge.id.in_(ids)).order_by(Challenge.id).with_for_update()
    )
    remember(
        db.session.execute(
            update(Challenge)
            .where(Challenge.id.in_(in_order.scalar_subquery()))
            .values(board_version=Challenge.board_version + 1)
            .returning(Challenge.id, Challenge.board_version)
            .execution_options(synchronize_session=False)
        )
    )


def remember(versions: Iterable[tuple[int, int]]) -> None:
    """Give this session's challenges the versions just written (the UPDATE went past the
    ORM): the live events of the change carry them, and an open board ignores an event
    its rows were read after."""
    mapper = inspect(Challenge)
    for challenge_id, version in versions:
        challenge = db.session.identity_map.get(
            mapper.identity_key_from_primary_key((challenge_id,))
        )
        if challenge is not None:
            set_committed_value(challenge, "board_version", version)


def rows(challenge: Challenge, variant: str, render: Callable[[], str]) -> str:
    """The rows of one board variant (page, units, standings), rendered once a version."""
    key = f"challenge-board:{challenge.id}:{challenge.board_version}:{variant}"
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, timeout=ROWS_TIMEOUT_S)
    return str(html)


def mark_viewer(html: str, user_id: int | None) -> Markup:
    """Pick out the viewer's own row in rows every viewer shares."""
    if user_id is not None:
        mine = f'data-user-id="{user_id}"'
        html = html.replace(mine, f'{mine} class="me" aria-current="true"', 1)
    return Markup(html)  # noqa: S704 (our own template's output, escaped when rendered)
