from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from community.activities.analysis import BEST_EFFORT_DISTANCES
from community.forms import BaseForm, DateField, IntegerField

KIND_CHOICES = [
    SelectChoice("total", "A total by a date (1,000 km in 2027)"),
    SelectChoice("weekly", "Every week (30 km a week for 8 weeks)"),
    SelectChoice("race", "A race time (10 km under 50:00)"),
    SelectChoice("habit", "A habit (run 3 times a week)"),
]
MEASURE_CHOICES = [
    SelectChoice("distance_m", "Distance"),
    SelectChoice("duration_s", "Time"),
    SelectChoice("runs", "Runs"),
]


class GoalForm(BaseForm):
    kind = SelectField("Kind of goal", choices=KIND_CHOICES)
    # Checked by the service against the kind (a race has no measure), not by the field.
    measure = SelectField(
        "What counts", choices=MEASURE_CHOICES, validators=[Optional()], validate_choice=False
    )
    # Read by measure: km or mi, hours (2.5 or 2:30), or runs; for a habit, runs a week.
    amount = StringField("Target", validators=[Optional(), Length(max=20)])
    race_label = SelectField(
        "Race distance",
        choices=[SelectChoice(label, label) for label in BEST_EFFORT_DISTANCES],
        validators=[Optional()],
        validate_choice=False,
    )
    race_time = StringField("Time to beat", validators=[Optional(), Length(max=10)])
    starts_on = DateField("First day", validators=[DataRequired(message="Enter the first day.")])
    ends_on = DateField("Deadline (last day)", validators=[Optional()])
    weeks = IntegerField(
        "For how many weeks",
        validators=[Optional(), NumberRange(min=1, max=104, message="1 to 104 weeks.")],
    )
    club_id = SelectField("Share with a club", coerce=int, validators=[Optional()])

    # What a link may pre-fill (the token never).
    FIELDS = frozenset(
        {"kind", "measure", "amount", "race_label", "race_time", "starts_on", "ends_on", "weeks"}
    ) | {"club_id"}


class WhyForm(BaseForm):
    statement = TextAreaField("Why I run", validators=[Length(max=280)])
    public = BooleanField("Show it on my profile")
