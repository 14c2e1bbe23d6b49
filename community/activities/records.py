"""World records over the distances best efforts are measured at, and the runs beyond them.

A time faster than the world record for its distance is no runner's good day but a measuring
error: a GPS jump that survived the track's cleaning, a ride uploaded as a run, miles typed as
kilometres. Such a run is kept, flagged as suspect with the reason (`Run.suspect_reason`):
it sets no personal best and counts in no fastest-effort challenge.

The men's records (the faster ones) as ratified by World Athletics,
https://worldathletics.org/records/by-category/world-records. Where it keeps both a track and a
road record (5 km, 10 km), the faster, the track's: a best effort can be run anywhere. A new
record is one line here.
"""

from dataclasses import dataclass

from community.activities.analysis import BEST_EFFORT_DISTANCES, DISTANCE_TOLERANCE_M
from community.units import format_duration


@dataclass(frozen=True)
class WorldRecord:
    mark: str  # as World Athletics writes it: 43.03, 2:11.96, 2:00:35
    holder: str
    year: int

    @property
    def seconds(self) -> float:
        total = 0.0
        for part in self.mark.split(":"):
            total = total * 60 + float(part)
        return total

    def __str__(self) -> str:
        return f"{self.mark}, {self.holder}, {self.year}"


WORLD_RECORDS: dict[str, WorldRecord] = {
    "400 m": WorldRecord("43.03", "Wayde van Niekerk", 2016),  # Rio de Janeiro, 14 Aug
    "1 km": WorldRecord("2:11.96", "Noah Ngeny", 1999),  # 1000 m, Rieti, 5 Sep
    "1 mile": WorldRecord("3:43.13", "Hicham El Guerrouj", 1999),  # Rome, 7 Jul
    "5 km": WorldRecord("12:35.36", "Joshua Cheptegei", 2020),  # 5000 m, Monaco, 14 Aug
    "10 km": WorldRecord("26:11.00", "Joshua Cheptegei", 2020),  # 10,000 m, Valencia, 7 Oct
    # Jacob Kiplimo's 56:42 (Barcelona, 2025) was not ratified: paced by the lead car.
    "Half marathon": WorldRecord("57:30", "Yomif Kejelcha", 2024),  # Valencia, 27 Oct
    "Marathon": WorldRecord("2:00:35", "Kelvin Kiptum", 2023),  # Chicago, 8 Oct
}


def suspect_notice(reason: str) -> str:
    """What a runner reads about a suspect run: the reason and what follows from it."""
    return (
        f"Flagged as suspect. {reason} It sets no personal best and counts in no "
        "fastest-effort challenge."
    )


def beyond_record(label: str, seconds: float) -> bool:
    """Whether `seconds` for the best-effort distance `label` beats its world record."""
    record = WORLD_RECORDS.get(label)
    return record is not None and seconds < record.seconds


def efforts_reason(efforts: dict[str, float]) -> str | None:
    """Why a track's best efforts (seconds by label) are beyond belief, or None: the
    shortest effort faster than its world record."""
    for label, seconds in efforts.items():
        if beyond_record(label, seconds):
            return (
                f"Its {_spoken(label)} in {format_duration(seconds)} is faster than the world "
                f"record ({WORLD_RECORDS[label]})."
            )
    return None


def pace_reason(distance_m: float, duration_s: float) -> str | None:
    """Why a run entered by hand is beyond belief, or None.

    At the run's average pace, the longest record distance it covers would take less than
    its record. Records only get slower per kilometre as the distance grows, so a pace
    beyond the record of a shorter distance, held for longer, is beyond what anyone has run
    that far. Runs shorter than the shortest record distance are not judged.
    """
    covered = [
        label
        for label, metres in BEST_EFFORT_DISTANCES.items()
        if metres <= distance_m + DISTANCE_TOLERANCE_M
    ]
    if not covered:
        return None
    label = max(covered, key=BEST_EFFORT_DISTANCES.__getitem__)
    seconds = duration_s * BEST_EFFORT_DISTANCES[label] / distance_m
    if not beyond_record(label, seconds):
        return None
    return (
        f"At its pace, {_spoken(label, article=True)} takes {format_duration(seconds)}, "
        f"faster than the world record ({WORLD_RECORDS[label]})."
    )


def _spoken(label: str, *, article: bool = False) -> str:
    """A distance's label inside a sentence: 5 km, (a) half marathon."""
    if label[0].isdigit():
        return label
    return f"{'a ' if article else ''}{label.lower()}"
