"""What the stored counters must equal, recounted from the rows alone.

Counters kept beside the rows (entrants, places taken, challenge totals, score buckets)
make pages cheap; each feature knows how to recount its own. `flask --app app check` runs
them all and the concurrency specs end with `assert differences() == []`.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Difference:
    """One stored value that disagrees with a recount of the rows."""

    what: str
    stored: object
    counted: object

    def __str__(self) -> str:
        return f"{self.what}: stored {self.stored!r}, counted {self.counted!r}"


def differences() -> list[Difference]:
    """Every difference, feature by feature (read-only; inside an app context)."""
    from community.challenges import invariants as challenges
    from community.feed import invariants as feed
    from community.group_runs import invariants as group_runs

    return [*challenges.differences(), *group_runs.differences(), *feed.differences()]
