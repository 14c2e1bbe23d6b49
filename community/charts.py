"""Charts as data: what `static/js/charts.js` draws and what "Show as a table" lists.

A feature builds a `Chart` (values already in the viewer's units); the template macro
`charts/_chart.html` renders its table and hands the same numbers to the script in a JSON
block. Values are formatted the same way on both sides, so the table reads as the chart's
tooltips do.
"""

from dataclasses import dataclass, field
from typing import Any, Literal

from community.units import format_duration

# bars: one bar per x; line: a solid line; reference: a dashed line to compare with (an
# average, a goal); step: a line that holds its value until the next x (running totals).
Style = Literal["bars", "line", "reference", "step"]
# number: `decimals` and the unit; duration: h:mm:ss from seconds; pace: m:ss per unit
# from seconds per unit.
Format = Literal["number", "duration", "pace"]


@dataclass(frozen=True)
class Series:
    label: str
    values: list[float | None]
    style: Style = "line"
    # Drawn stronger than the others (the viewer's own line among several runners).
    emphasis: bool = False


@dataclass(frozen=True)
class Chart:
    """One chart: its x positions with their labels, and one or more series over them."""

    key: str  # unique on the page: the ids of its caption and table
    title: str  # the caption and the accessible name
    x_title: str  # the table's first column and the x axis' title
    x: list[float]
    x_labels: list[str]
    y_title: str
    series: list[Series]
    format: Format = "number"
    unit: str = ""
    decimals: int = 0
    # Faster is up: a pace axis runs from slow at the bottom to fast at the top.
    inverted: bool = False
    # Numbers on the x axis (a distance) rather than one label per value (weeks, days).
    numeric_x: bool = False
    # Shorter labels for the axis ("Nov" for "Nov 2026"); the x labels when empty.
    x_ticks: list[str] = field(default_factory=list)
    # Charts with the same group move their cursors together (a run's profile).
    group: str = ""
    notes: tuple[str, ...] = field(default=())

    def formatted(self, value: float | None) -> str:
        return format_value(value, self.format, self.unit, self.decimals)

    def rows(self) -> list[tuple[str, list[str]]]:
        """The table: one row per x, each series' value as text ("" where it has none)."""
        return [
            (label, [self.formatted(series.values[index]) for series in self.series])
            for index, label in enumerate(self.x_labels)
        ]

    def as_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "xTitle": self.x_title,
            "x": self.x,
            "xLabels": self.x_labels,
            "xTicks": self.x_ticks or self.x_labels,
            "numericX": self.numeric_x,
            "yTitle": self.y_title,
            "format": self.format,
            "unit": self.unit,
            "decimals": self.decimals,
            "inverted": self.inverted,
            "group": self.group,
            "series": [
                {
                    "label": s.label,
                    "values": s.values,
                    "style": s.style,
                    "emphasis": s.emphasis,
                }
                for s in self.series
            ],
        }


def format_value(value: float | None, format: Format, unit: str, decimals: int = 0) -> str:
    """A chart's value as people read it; charts.js' formatValue() must agree."""
    if value is None:
        return ""
    if format == "duration":
        return format_duration(value)
    if format == "pace":
        minutes, seconds = divmod(round(value), 60)
        return f"{minutes}:{seconds:02d} /{unit}"
    number = f"{value:,.{decimals}f}"
    return f"{number} {unit}" if unit else number
