"""A runner's year in running as one page model: what the template shows, read in a fixed
number of statements (about ten, whatever the number of runs).

The runner sees all of their year. Anyone else sees it only when the runner shared it, and
then counted from their public runs alone: no private or members-only run, no goal (goals
are the runner's own), no club-mate's name.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, select, true
from sqlalchemy.orm import aliased

from community.accounts.models import User
from community.activities.models import BestEffort, Run, RunTrack
from community.activities.progress import Bucket, bucket_chart, bucket_totals, buckets_of
from community.challenges.models import Challenge, ChallengeEntry
from community.challenges.queries import visible_to as challenge_visible_to
from community.charts import Chart
from community.clubs.models import Club, Membership
from community.extensions import db
from community.goals import progress as goal_progress
from community.goals.models import Goal
from community.goals.queries import title_of
from community.group_runs.models import Attendance, GroupRun
from community.maps import MapView, Marker
from community.milestones.badges import BADGES, title
from community.milestones.models import Milestone
from community.milestones.queries import RUNLESS
from community.years.models import YearShare


@dataclass(frozen=True)
class RunRef:
    run_id: int
    title: str
    start_time: datetime
    distance_m: float
    duration_s: float


@dataclass(frozen=True)
class Effort:
    label: str
    duration_s: float
    run_id: int
    achieved_at: datetime
    # Still the runner's best at this distance (set this year).
    personal_best: bool


@dataclass(frozen=True)
class Earned:
    title: str
    image: str
    earned_at: datetime
    run_id: int | None


@dataclass(frozen=True)
class Companion:
    username: str
    display_name: str
    runs: int


@dataclass(frozen=True)
class RunPlace:
    """Where runs of the year started, near each other (within a few hundred metres)."""

    label: str
    lat: float
    lon: float
    runs: int


@dataclass(frozen=True)
class GoalOutcome:
    title: str
    status: str


@dataclass(frozen=True)
class YearPage:
    year: int
    runner: User
    own: bool
    shared: bool
    months: list[Bucket]
    month_chart: Chart
    longest: RunRef | None
    fastest: list[Effort]
    milestones: list[Earned]
    challenges: list[tuple[int, str, datetime]]
    group_runs: int
    companions: list[Companion]
    goals: list[GoalOutcome]
    this_year: int
    places: list[RunPlace] = field(default_factory=list)

    @property
    def places_map(self) -> MapView | None:
        if not self.places:
            return None
        markers = tuple(
            Marker(p.lat, p.lon, "meeting", f"{p.label}: {p.runs} runs") for p in self.places
        )
        return MapView(
            f"Where {self.runner.display_name}'s runs started in {self.year}", markers=markers
        )

    @property
    def distance_m(self) -> float:
        return sum(month.distance_m for month in self.months)

    @property
    def duration_s(self) -> float:
        return sum(month.duration_s for month in self.months)

    @property
    def runs(self) -> int:
        return sum(month.runs for month in self.months)

    @property
    def busiest(self) -> Bucket | None:
        best = max(self.months, key=lambda month: month.distance_m)
        return best if best.runs else None

    @property
    def public_only(self) -> bool:
        return not self.own


def is_shared(user_id: int, year: int) -> bool:
    found = db.session.scalar(
        select(YearShare.id).where(YearShare.user_id == user_id, YearShare.year == year)
    )
    return found is not None


def _window(year: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    return (
        datetime(year, 1, 1, tzinfo=zone),
        datetime(year + 1, 1, 1, tzinfo=zone),
    )


def _counted(user_id: int, start: datetime, end: datetime, public_only: bool) -> ColumnElement:
    return and_(
        Run.user_id == user_id,
        Run.start_time >= start,
        Run.start_time < end,
        Run.visibility == "public" if public_only else true(),
    )


def _longest(where: ColumnElement) -> RunRef | None:
    row = db.session.execute(
        select(Run.id, Run.title, Run.start_time, Run.distance_m, Run.duration_s)
        .where(where, Run.suspect_reason.is_(None))
        .order_by(Run.distance_m.desc(), Run.start_time)
        .limit(1)
    ).first()
    return RunRef(*row) if row else None


def _fastest(user_id: int, where: ColumnElement) -> list[Effort]:
    """The year's fastest effort at each distance, and whether it is still the runner's
    best (over every year, suspect runs aside)."""
    mine, ever = aliased(BestEffort), aliased(BestEffort)
    year_rank = (
        func.row_number()
        .over(partition_by=mine.label, order_by=(mine.duration_s, mine.achieved_at, mine.id))
        .label("rank")
    )
    ranked = (
        select(mine.id, year_rank)
        .join(Run, Run.id == mine.run_id)
        .where(where, Run.suspect_reason.is_(None))
        .subquery()
    )
    ever_run = aliased(Run)
    beaten = (
        select(func.count())
        .select_from(ever)
        .join(ever_run, ever_run.id == ever.run_id)
        .where(
            ever.user_id == user_id,
            ever.label == BestEffort.label,
            ever_run.suspect_reason.is_(None),
            (ever.duration_s < BestEffort.duration_s)
            | (
                (ever.duration_s == BestEffort.duration_s)
                & (ever.achieved_at < BestEffort.achieved_at)
            ),
        )
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(
            BestEffort.label,
            BestEffort.duration_s,
            BestEffort.run_id,
            BestEffort.achieved_at,
            beaten == 0,
        )
        .join(ranked, ranked.c.id == BestEffort.id)
        .where(ranked.c.rank == 1)
        .order_by(BestEffort.distance_m)
    )
    return [
        Effort(label, duration, run_id, at, bool(best))
        for label, duration, run_id, at, best in rows
    ]


def _milestones(user_id: int, start: datetime, end: datetime, public_only: bool) -> list[Earned]:
    statement = (
        select(
            Milestone.kind, Milestone.key, Milestone.label, Milestone.earned_at, Milestone.run_id
        )
        .outerjoin(Run, Run.id == Milestone.run_id)
        .where(
            Milestone.user_id == user_id, Milestone.earned_at >= start, Milestone.earned_at < end
        )
        .order_by(Milestone.earned_at, Milestone.id)
    )
    if public_only:
        statement = statement.where(Run.visibility == "public", Milestone.kind.not_in(RUNLESS))
    return [
        Earned(title(kind, key, label), BADGES[kind].image, earned_at, run_id)
        for kind, key, label, earned_at, run_id in db.session.execute(statement)
    ]


def _challenges(
    user_id: int, start: datetime, end: datetime, viewer_id: int | None
) -> list[tuple[int, str, datetime]]:
    rows = db.session.execute(
        select(Challenge.id, Challenge.title, ChallengeEntry.completed_at)
        .join(ChallengeEntry, ChallengeEntry.challenge_id == Challenge.id)
        .outerjoin(Club, Club.id == Challenge.club_id)
        .where(
            ChallengeEntry.user_id == user_id,
            ChallengeEntry.completed_at >= start,
            ChallengeEntry.completed_at < end,
            challenge_visible_to(viewer_id),
        )
        .order_by(ChallengeEntry.completed_at)
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]


def _together(user_id: int, start: datetime, end: datetime) -> tuple[int, list[Companion]]:
    """Group runs the runner ran with their clubs this year, and who ran most of them with
    them (one statement: the runner's own row counts the group runs)."""
    theirs = aliased(Attendance)
    attended = (
        select(Attendance.group_run_id)
        .join(GroupRun, GroupRun.id == Attendance.group_run_id)
        .where(Attendance.user_id == user_id, GroupRun.starts_at >= start, GroupRun.starts_at < end)
        .subquery()
    )
    rows = db.session.execute(
        select(User.id, User.username, User.display_name, func.count(theirs.id))
        .join(theirs, theirs.user_id == User.id)
        .where(theirs.group_run_id.in_(select(attended.c.group_run_id)))
        .group_by(User.id, User.username, User.display_name)
        .order_by(func.count(theirs.id).desc(), User.display_name)
        .limit(4)
    ).all()
    own = next((runs for uid, _, _, runs in rows if uid == user_id), 0)
    others = [
        Companion(username, name, runs) for uid, username, name, runs in rows if uid != user_id
    ]
    return own, others[:3]


# Starts within a cell of this many degrees (about 550 m of latitude) are one place.
PLACE_CELL = 0.005
PLACES_SHOWN = 3
# A group run's meeting point this close names the place.
NAMED_WITHIN_DEG = 0.006


def _places(user_id: int, start: datetime, end: datetime) -> list[RunPlace]:
    """The places the year's runs started from most often (tracks with a position), named
    after a meeting point of the runner's clubs' group runs nearby, if any."""
    starts = db.session.execute(
        select(RunTrack.start_lat, RunTrack.start_lon)
        .join(Run, Run.id == RunTrack.run_id)
        .where(
            Run.user_id == user_id,
            Run.start_time >= start,
            Run.start_time < end,
            RunTrack.start_lat.is_not(None),
        )
    ).all()
    cells: dict[tuple[int, int], list[tuple[float, float]]] = {}
    for lat, lon in starts:
        cells.setdefault((round(lat / PLACE_CELL), round(lon / PLACE_CELL)), []).append((lat, lon))
    busiest = sorted(cells.values(), key=len, reverse=True)[:PLACES_SHOWN]
    if not busiest:
        return []
    clubs = select(Membership.club_id).where(Membership.user_id == user_id)
    meeting_points = db.session.execute(
        select(GroupRun.meeting_point, GroupRun.latitude, GroupRun.longitude)
        .where(GroupRun.club_id.in_(clubs), GroupRun.latitude.is_not(None))
        .order_by(GroupRun.starts_at.desc())
        .limit(200)
    ).all()
    found = []
    for points in busiest:
        lat = sum(p[0] for p in points) / len(points)
        lon = sum(p[1] for p in points) / len(points)
        near = min(
            meeting_points,
            key=lambda m: (m.latitude - lat) ** 2 + (m.longitude - lon) ** 2,
            default=None,
        )
        named = (
            near is not None
            and max(abs(near.latitude - lat), abs(near.longitude - lon)) < NAMED_WITHIN_DEG
        )
        label = near.meeting_point if named and near else f"Around {lat:.3f}, {lon:.3f}"
        found.append(RunPlace(label, round(lat, 5), round(lon, 5), len(points)))
    return found


def _goals(user: User, year: int, now: datetime) -> list[GoalOutcome]:
    goals = list(
        db.session.scalars(
            select(Goal)
            .where(
                Goal.user_id == user.id,
                Goal.parent_id.is_(None),
                Goal.starts_on <= date(year, 12, 31),
                Goal.ends_on >= date(year, 1, 1),
            )
            .order_by(Goal.ends_on)
        )
    )
    if not goals:
        return []
    counted = goal_progress.counts(goals)
    return [
        GoalOutcome(
            title_of(goal, user.units),
            goal_progress.progress(goal, counted[goal.id], now).status.value,
        )
        for goal in goals
    ]


def year_page(
    runner: User, year: int, viewer_id: int | None, now: datetime, units: str = "km"
) -> YearPage:
    own = viewer_id == runner.id
    zone = runner.zone
    start, end = _window(year, zone)
    public_only = not own
    boundaries = [datetime(year, month, 1, tzinfo=zone) for month in range(1, 13)] + [end]
    months = bucket_totals(runner.id, boundaries, public_only=public_only)
    where = _counted(runner.id, start, end, public_only)
    together = _together(runner.id, start, end) if own else (0, [])
    return YearPage(
        year=year,
        runner=runner,
        own=own,
        shared=is_shared(runner.id, year) if own else True,
        months=months,
        month_chart=bucket_chart(
            "year-distance",
            f"Distance per month in {year}",
            months,
            "distance_m",
            units=units,
            label=lambda bucket: bucket.start.strftime("%B"),
            tick=lambda bucket: bucket.start.strftime("%b"),
            x_title="Month",
        ),
        longest=_longest(where),
        fastest=_fastest(runner.id, where),
        milestones=_milestones(runner.id, start, end, public_only),
        challenges=_challenges(runner.id, start, end, viewer_id if own else None),
        group_runs=together[0],
        companions=together[1],
        goals=_goals(runner, year, now) if own else [],
        this_year=now.astimezone(zone).year,
        # Where someone starts their runs is near where they live: the runner's own page only.
        places=_places(runner.id, start, end) if own else [],
    )


# --- a club's year -------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    username: str
    display_name: str
    value: float


@dataclass(frozen=True)
class ClubYearPage:
    """A club's year: its members' running (their runs but the private ones, as the club's
    boards count them), the group runs it held and who came, the members who joined."""

    club: Club
    year: int
    months: list[Bucket]
    month_chart: Chart
    group_runs: int
    attendances: int
    regulars: list[Member]
    furthest: list[Member]
    joined: int
    completions: list[tuple[int, str, int]]
    this_year: int

    @property
    def distance_m(self) -> float:
        return sum(month.distance_m for month in self.months)

    @property
    def runs(self) -> int:
        return sum(month.runs for month in self.months)


def _members_runs(club_id: int, start: datetime, end: datetime) -> ColumnElement:
    member = select(Membership.user_id).where(Membership.club_id == club_id)
    return and_(
        Run.user_id.in_(member),
        Run.start_time >= start,
        Run.start_time < end,
        Run.visibility != "private",
    )


def _furthest(club_id: int, start: datetime, end: datetime) -> list[Member]:
    # As the club's boards: runners who hide from boards are not named.
    total = func.sum(Run.distance_m)
    rows = db.session.execute(
        select(User.username, User.display_name, total)
        .join(Run, Run.user_id == User.id)
        .where(_members_runs(club_id, start, end), User.leaderboard_hidden.is_(False))
        .group_by(User.id, User.username, User.display_name)
        .order_by(total.desc(), User.display_name)
        .limit(5)
    )
    return [Member(*row) for row in rows]


def _club_together(club_id: int, start: datetime, end: datetime) -> tuple[int, int, list[Member]]:
    held = and_(
        GroupRun.club_id == club_id,
        GroupRun.starts_at >= start,
        GroupRun.starts_at < end,
        GroupRun.cancelled_at.is_(None),
    )
    group_runs = db.session.scalar(select(func.count(GroupRun.id)).where(held)) or 0
    came = func.count(Attendance.id)
    rows = db.session.execute(
        select(User.username, User.display_name, came)
        .join(Attendance, Attendance.user_id == User.id)
        .join(GroupRun, GroupRun.id == Attendance.group_run_id)
        .where(held)
        .group_by(User.id, User.username, User.display_name)
        .order_by(came.desc(), User.display_name)
    ).all()
    return group_runs, sum(n for *_, n in rows), [Member(*row) for row in rows[:5]]


def club_year_page(club: Club, year: int, now: datetime, units: str = "km") -> ClubYearPage:
    zone = club.zone
    start, end = _window(year, zone)
    boundaries = [datetime(year, month, 1, tzinfo=zone) for month in range(1, 13)] + [end]
    months = buckets_of(_members_runs(club.id, start, end), boundaries)
    group_runs, attendances, regulars = _club_together(club.id, start, end)
    joined = db.session.scalar(
        select(func.count(Membership.id)).where(
            Membership.club_id == club.id, Membership.joined_at >= start, Membership.joined_at < end
        )
    )
    completions = db.session.execute(
        select(Challenge.id, Challenge.title, func.count(ChallengeEntry.id))
        .join(ChallengeEntry, ChallengeEntry.challenge_id == Challenge.id)
        .where(
            Challenge.club_id == club.id,
            ChallengeEntry.completed_at >= start,
            ChallengeEntry.completed_at < end,
        )
        .group_by(Challenge.id, Challenge.title)
        .order_by(Challenge.id)
    ).all()
    return ClubYearPage(
        club=club,
        year=year,
        months=months,
        month_chart=bucket_chart(
            "club-year-distance",
            f"Members' distance per month in {year}",
            months,
            "distance_m",
            units=units,
            label=lambda bucket: bucket.start.strftime("%B"),
            tick=lambda bucket: bucket.start.strftime("%b"),
            x_title="Month",
        ),
        group_runs=group_runs,
        attendances=attendances,
        regulars=regulars,
        furthest=_furthest(club.id, start, end),
        joined=joined or 0,
        completions=[tuple(row) for row in completions],  # type: ignore[misc]
        this_year=now.astimezone(zone).year,
    )
