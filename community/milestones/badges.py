"""What each milestone is called and looks like: its badge in static/badges/<kind>.svg."""

from dataclasses import dataclass

from community.milestones.models import MilestoneKind as K


@dataclass(frozen=True)
class Badge:
    kind: str
    name: str
    # What earns it, for the trophy case's locked badges and the rules.
    how: str
    family: str

    @property
    def image(self) -> str:
        """The badge's file under static/."""
        return f"badges/{self.kind}.svg"


BADGES: dict[str, Badge] = {
    badge.kind: badge
    for badge in (
        Badge(K.FIRST_RUN, "First run", "Log your first run.", "firsts"),
        Badge(K.FIRST_5K, "First 5K", "Run 5 km in one go.", "firsts"),
        Badge(K.FIRST_10K, "First 10K", "Run 10 km in one go.", "firsts"),
        Badge(K.FIRST_HALF, "First half marathon", "Run 21.1 km in one go.", "firsts"),
        Badge(K.FIRST_MARATHON, "First marathon", "Run 42.2 km in one go.", "firsts"),
        Badge(K.TOTAL_100, "100 km run", "Run 100 km in all.", "totals"),
        Badge(K.TOTAL_500, "500 km run", "Run 500 km in all.", "totals"),
        Badge(K.TOTAL_1000, "1,000 km run", "Run 1,000 km in all.", "totals"),
        Badge(K.TOTAL_5000, "5,000 km run", "Run 5,000 km in all.", "totals"),
        Badge(
            K.LONGEST_RUN,
            "Longest run so far",
            "Run further than ever before (from your sixth run on).",
            "records",
        ),
        Badge(K.STREAK_4, "4 weeks in a row", "Run every week for 4 weeks.", "streaks"),
        Badge(K.STREAK_12, "12 weeks in a row", "Run every week for 12 weeks.", "streaks"),
        Badge(K.STREAK_26, "26 weeks in a row", "Run every week for half a year.", "streaks"),
        Badge(K.STREAK_52, "52 weeks in a row", "Run every week for a whole year.", "streaks"),
        Badge(
            K.FIRST_GROUP_RUN,
            "First group run",
            "Run a group run with your club (your run linked to it).",
            "together",
        ),
        Badge(
            K.FIRST_CHALLENGE,
            "First challenge completed",
            "Reach the goal of a challenge.",
            "together",
        ),
        Badge(K.GOAL_REACHED, "Goal reached", "Reach one of your own goals.", "goals"),
        Badge(
            K.CLUB_ANNIVERSARY,
            "Club anniversary",
            "Run on or after the anniversary of joining a club.",
            "together",
        ),
    )
}


def title(kind: str, key: str = "", label: str = "") -> str:
    """The milestone in words: "First half marathon", "2 years with Riverside Runners"."""
    if kind == K.CLUB_ANNIVERSARY:
        years = int(key.rsplit(":", 1)[1]) if ":" in key else 1
        return f"{years} year{'' if years == 1 else 's'} with {label or 'the club'}"
    if kind == K.GOAL_REACHED and label:
        return f"Goal reached: {label}"
    if kind == K.FIRST_CHALLENGE and label:
        return f"First challenge completed: {label}"
    return BADGES[kind].name
