"""How many entrants are ahead of a score, without counting them one by one.

Each challenge keeps a histogram of its public board (`ScoreBucket`): how many visible
entries have a score inside each bucket. The entrants ahead of a score are the buckets above
its own, summed, plus a count of the few entries inside its bucket with a higher score, so
the cost of "my rank" no longer grows with the rank (counting 90,000 entries ahead took
25 ms; see bench/RESULTS.md).

The buckets follow every change of an entry's score or hidden flag: a listener on the
session's flushes, so no code path that moves an entry can forget it. Bucket rows are
updated after the entry rows in the same flush, in (challenge, bucket) order, so two
transactions never wait on each other's buckets in a cycle. Bulk statements that bypass
the ORM (none touch score or hidden) would have to call `recount`; `tally.rebuild` does.
"""

import functools
import math
from bisect import bisect_right
from collections import Counter
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Float,
    Integer,
    Select,
    bindparam,
    delete,
    event,
    func,
    insert,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, UOWTransaction, attributes
from sqlalchemy.sql.dml import Insert

from community.challenges.models import ChallengeEntry, ScoreBucket
from community.extensions import db


def _edges() -> list[int]:
    # Every whole number to 50 (counts of runs or weeks tie a lot), then 2 % apart up to
    # 10^10 (metres, seconds); mirrored for minus seconds (fastest efforts). Whole-number
    # edges compare exactly with the stored scores in Python and in SQL alike.
    positive = sorted({round(1.02**step) for step in range(1, 1200)} - {0})
    positive = [edge for edge in positive if edge <= 10**10]
    return [-edge for edge in reversed(positive)] + [0] + positive


EDGES = _edges()


def bucket_of(score: float) -> int:
    """Bucket b holds the scores from EDGES[b - 1] (included) up to EDGES[b] (excluded)."""
    return bisect_right(EDGES, score)


@functools.cache
def _ahead_statement() -> Select:
    # Built once: constructing it costs more Python than running it.
    challenge_id = bindparam("challenge_id")
    above = select(func.coalesce(func.sum(ScoreBucket.entrants), 0)).where(
        ScoreBucket.challenge_id == challenge_id, ScoreBucket.bucket > bindparam("bucket")
    )
    inside = select(func.count()).where(
        ChallengeEntry.challenge_id == challenge_id,
        ChallengeEntry.hidden.is_(False),
        ChallengeEntry.score > bindparam("score", type_=Float()),
        ChallengeEntry.score < bindparam("upper", type_=Float()),
    )
    return select(above.scalar_subquery() + inside.scalar_subquery())


def ahead(challenge_id: int, score: float) -> int:
    """Visible entries with a higher score: one statement, whatever the rank."""
    bucket = bucket_of(score)
    upper = EDGES[bucket] if bucket < len(EDGES) else math.inf
    found = db.session.connection().execute(
        _ahead_statement(),
        {"challenge_id": challenge_id, "bucket": bucket, "score": score, "upper": upper},
    )
    return int(found.scalar() or 0)


@functools.cache
def _ahead_of_each_statement(count: int) -> CompoundSelect:
    # The challenges as a list of rows, then two grouped parts over it (the buckets above,
    # the entries inside the score's bucket): one plan for any number of challenges
    # instead of two subqueries each (PostgreSQL planned 40 for 20 challenges).
    rows = [
        select(
            bindparam(f"challenge_{n}", type_=Integer).label("challenge_id"),
            bindparam(f"bucket_{n}", type_=Integer).label("bucket"),
            bindparam(f"score_{n}", type_=Float()).label("score"),
            bindparam(f"upper_{n}", type_=Float()).label("upper"),
        )
        for n in range(count)
    ]
    asked = (union_all(*rows) if count > 1 else rows[0]).cte("asked")
    above = (
        select(asked.c.challenge_id, func.sum(ScoreBucket.entrants))
        .join(
            ScoreBucket,
            (ScoreBucket.challenge_id == asked.c.challenge_id)
            & (ScoreBucket.bucket > asked.c.bucket),
        )
        .group_by(asked.c.challenge_id)
    )
    inside = (
        select(asked.c.challenge_id, func.count())
        .join(
            ChallengeEntry,
            (ChallengeEntry.challenge_id == asked.c.challenge_id)
            & ChallengeEntry.hidden.is_(False)
            & (ChallengeEntry.score > asked.c.score)
            & (ChallengeEntry.score < asked.c.upper),
        )
        .group_by(asked.c.challenge_id)
    )
    return union_all(above, inside)


def ahead_of_each(scores: dict[int, float]) -> dict[int, int]:
    """`ahead` for several challenges (challenge id: score) at once: one statement."""
    if not scores:
        return {}
    values: dict[str, float | int] = {}
    for n, (challenge_id, score) in enumerate(scores.items()):
        bucket = bucket_of(score)
        upper = EDGES[bucket] if bucket < len(EDGES) else math.inf
        values.update({f"challenge_{n}": challenge_id, f"bucket_{n}": bucket, f"score_{n}": score})
        values[f"upper_{n}"] = upper
    found = dict.fromkeys(scores, 0)
    for challenge_id, count in db.session.execute(_ahead_of_each_statement(len(scores)), values):
        found[challenge_id] += int(count or 0)
    return found


def _key(score: float | None, hidden: bool | None) -> int | None:
    return None if score is None or hidden else bucket_of(score)


def _before(entry: ChallengeEntry, name: str) -> Any:
    """The attribute's value as the database had it before this flush."""
    history = attributes.get_history(entry, name)
    if history.deleted:
        return history.deleted[0]
    return history.unchanged[0] if history.unchanged else None


def _moves(session: Session) -> Counter[tuple[int, int]]:
    moves: Counter[tuple[int, int]] = Counter()
    for entry in session.new:
        if isinstance(entry, ChallengeEntry):
            new = _key(entry.score, entry.hidden)
            if new is not None:
                moves[(entry.challenge_id, new)] += 1
    for entry in session.deleted:
        if isinstance(entry, ChallengeEntry):
            old = _key(_before(entry, "score"), _before(entry, "hidden"))
            if old is not None:
                moves[(entry.challenge_id, old)] -= 1
    for entry in session.dirty:
        if isinstance(entry, ChallengeEntry) and entry not in session.deleted:
            old = _key(_before(entry, "score"), _before(entry, "hidden"))
            new = _key(entry.score, entry.hidden)
            if old != new:
                if old is not None:
                    moves[(entry.challenge_id, old)] -= 1
                if new is not None:
                    moves[(entry.challenge_id, new)] += 1
    return moves


@functools.cache
def _upsert(dialect: str) -> Insert:
    build = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = build(ScoreBucket)
    return statement.on_conflict_do_update(
        index_elements=[ScoreBucket.challenge_id, ScoreBucket.bucket],
        set_={"entrants": ScoreBucket.entrants + statement.excluded.entrants},
    )


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    moves = [(key, change) for key, change in sorted(_moves(session).items()) if change]
    if not moves:
        return
    # One statement for the whole flush (an executemany, its rows sent as one INSERT), its
    # rows in (challenge, bucket) order, the order every transaction locks buckets in.
    # Plain Core on the connection, inside the flush.
    connection = session.connection()
    connection.execute(
        _upsert(connection.dialect.name),
        [
            {"challenge_id": challenge_id, "bucket": bucket, "entrants": change}
            for (challenge_id, bucket), change in moves
        ],
    )


def from_entries(challenge_id: int) -> dict[int, int]:
    """The histogram as the entries make it, counted from scratch."""
    scores = db.session.scalars(
        select(ChallengeEntry.score).where(
            ChallengeEntry.challenge_id == challenge_id,
            ChallengeEntry.hidden.is_(False),
            ChallengeEntry.score.is_not(None),
        )
    )
    return dict(Counter(bucket_of(score) for score in scores))


def recount(challenge_id: int) -> None:
    """Build a challenge's buckets again from its entries (after bulk loads, in rebuilds)."""
    counted = from_entries(challenge_id)
    db.session.execute(delete(ScoreBucket).where(ScoreBucket.challenge_id == challenge_id))
    if counted:
        db.session.execute(
            insert(ScoreBucket),
            [
                {"challenge_id": challenge_id, "bucket": bucket, "entrants": entrants}
                for bucket, entrants in sorted(counted.items())
            ],
        )


def buckets_of(challenge_id: int) -> dict[int, int]:
    """The stored histogram, empty buckets left out (for checks and tests)."""
    rows = db.session.execute(
        select(ScoreBucket.bucket, ScoreBucket.entrants).where(
            ScoreBucket.challenge_id == challenge_id, ScoreBucket.entrants != 0
        )
    )
    return {bucket: entrants for bucket, entrants in rows}


def subscribe() -> None:
    session_class = db.session.session_factory.class_
    if not event.contains(session_class, "after_flush", _after_flush):
        event.listen(session_class, "after_flush", _after_flush)
