"""Which milestones a runner's history earns, and with which run: pure functions.

A milestone is earned once, by the first run (in start order) that reaches it; the longest
run so far is earned again by each run longer than every run before it, once the runner has
a few runs behind them. Every rule reads the runs in start order, so a new run that is the
runner's latest can only add milestones of its own, and `Tally.add` decides them from a
summary of the runs before it (count, total, longest, the current streak) just as it does
when it walks the whole history: one rule for the incremental path and the recount.

Suspect runs (an impossible pace) count for nothing; services leave them out.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from community.milestones.models import MilestoneKind as K

# A watch measures a race a little short: 1 % under the distance still counts as run.
DISTANCE_TOLERANCE = 0.99
FIRSTS = (
    (K.FIRST_5K, 5_000.0),
    (K.FIRST_10K, 10_000.0),
    (K.FIRST_HALF, 21_097.5),
    (K.FIRST_MARATHON, 42_195.0),
)
TOTALS = (
    (K.TOTAL_100, 100_000.0),
    (K.TOTAL_500, 500_000.0),
    (K.TOTAL_1000, 1_000_000.0),
    (K.TOTAL_5000, 5_000_000.0),
)
# Weeks in a row (Monday to Sunday in the runner's zone) with at least one run.
STREAKS = ((K.STREAK_4, 4), (K.STREAK_12, 12), (K.STREAK_26, 26), (K.STREAK_52, 52))
LONGEST_STREAK = STREAKS[-1][1]
# A first few runs are each "the longest so far": news only from the sixth run on.
LONGEST_AFTER = 5


@dataclass(frozen=True)
class RunFact:
    run_id: int
    start: datetime  # UTC
    distance_m: float
    group_run: bool = False  # linked to a group run the runner ran with their club


@dataclass(frozen=True)
class ClubJoined:
    club_id: int
    name: str
    joined_at: datetime  # UTC


@dataclass(frozen=True)
class Earned:
    kind: str
    key: str
    run_id: int | None
    earned_at: datetime
    label: str = ""

    @property
    def ident(self) -> tuple[str, str, int | None]:
        return (self.kind, self.key, self.run_id)


def week_of(moment: datetime, zone: ZoneInfo) -> int:
    """Weeks since a Monday long ago, in the runner's zone: consecutive weeks differ by 1."""
    return (moment.astimezone(zone).date().toordinal() - 1) // 7


def anniversary(joined: date, years: int) -> date:
    try:
        return joined.replace(year=joined.year + years)
    except ValueError:  # joined on 29 February
        return date(joined.year + years, 2, 28)


def years_since(joined: date, day: date) -> int:
    """Whole years from `joined` to `day` (0 before the first anniversary)."""
    years = day.year - joined.year
    return years if years <= 0 or anniversary(joined, years) <= day else years - 1


def _metres(value: float) -> float:
    # Sums in SQL and in Python may differ in the last bits: compare to the decimetre.
    return round(value, 1)


@dataclass
class Tally:
    """The runs so far, in start order, as much as the rules need of them."""

    zone: ZoneInfo
    clubs: tuple[ClubJoined, ...] = ()
    runs: int = 0
    total_m: float = 0.0
    longest_m: float = 0.0
    last_week: int | None = None
    streak: int = 0
    # (kind, key) earned already: once-only kinds with an empty key, anniversaries by club/year.
    have: set[tuple[str, str]] = field(default_factory=set)

    def _earn(self, found: list[Earned], run: RunFact, kind: str, key: str = "", label: str = ""):
        if (kind, key) in self.have:
            return
        if kind != K.LONGEST_RUN:
            self.have.add((kind, key))
        found.append(Earned(kind, key, run.run_id, run.start, label))

    def add(self, run: RunFact) -> list[Earned]:
        """The milestones `run` earns, coming after every run counted so far."""
        found: list[Earned] = []
        self._earn(found, run, K.FIRST_RUN)
        for kind, metres in FIRSTS:
            if run.distance_m >= metres * DISTANCE_TOLERANCE:
                self._earn(found, run, kind)
        self.total_m += run.distance_m
        for kind, metres in TOTALS:
            if _metres(self.total_m) >= metres:
                self._earn(found, run, kind)
        if self.runs >= LONGEST_AFTER and run.distance_m > self.longest_m:
            self._earn(found, run, K.LONGEST_RUN, str(run.run_id))
        self.longest_m = max(self.longest_m, run.distance_m)
        self.runs += 1
        week = week_of(run.start, self.zone)
        if week != self.last_week:
            following = self.last_week is not None and week == self.last_week + 1
            self.streak = self.streak + 1 if following else 1
            self.last_week = week
            for kind, weeks in STREAKS:
                if self.streak >= weeks:
                    self._earn(found, run, kind)
        if run.group_run:
            self._earn(found, run, K.FIRST_GROUP_RUN)
        day = run.start.astimezone(self.zone).date()
        for club in self.clubs:
            years = years_since(club.joined_at.astimezone(self.zone).date(), day)
            if years >= 1:
                self._earn(found, run, K.CLUB_ANNIVERSARY, f"{club.club_id}:{years}", club.name)
        return found


def streak_before(weeks: Iterable[int], last_week: int) -> int:
    """The weeks in a row that end with `last_week`, from the weeks that had a run."""
    had = set(weeks)
    streak = 0
    while last_week - streak in had:
        streak += 1
    return streak


def from_runs(
    runs: Iterable[RunFact], zone: ZoneInfo, clubs: Iterable[ClubJoined] = ()
) -> list[Earned]:
    """Every milestone the runs earn, walking them in start order (then by id)."""
    tally = Tally(zone, tuple(clubs))
    found: list[Earned] = []
    for run in sorted(runs, key=lambda r: (r.start, r.run_id)):
        found.extend(tally.add(run))
    return found
