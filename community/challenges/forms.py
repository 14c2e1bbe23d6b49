from wtforms import (
    BooleanField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from community.accounts.forms import timezone_choices
from community.activities.analysis import BEST_EFFORT_DISTANCES
from community.challenges.models import KIND_LABELS
from community.forms import BaseForm, DateField, IntegerField


class ChallengeForm(BaseForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=120)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=2000)])
    kind = SelectField(
        "What counts", choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()]
    )
    # Read by kind: km or mi, hours, m or ft, runs, weeks, or a time such as 4:30.
    goal = StringField("Goal", validators=[Optional(), Length(max=20)])
    effort_label = SelectField(
        "Distance (fastest effort)",
        choices=[SelectChoice(label, label) for label in BEST_EFFORT_DISTANCES],
    )
    runs_per_week = IntegerField(
        "Runs a week (streak)",
        validators=[Optional(), NumberRange(min=1, max=14, message="1 to 14.")],
    )
    starts_on = DateField("First day", validators=[DataRequired(message="Enter the first day.")])
    ends_on = DateField("Last day", validators=[DataRequired(message="Enter the last day.")])
    timezone = SelectField("Time zone")
    grace_days = IntegerField(
        "Late uploads (days after the end)",
        default=3,
        validators=[Optional(), NumberRange(min=0, max=30, message="0 to 30 days.")],
    )
    freeze_hours = IntegerField(
        "Freeze the board for the last (hours)",
        default=0,
        validators=[Optional(), NumberRange(min=0, max=168, message="0 to 168 hours.")],
    )
    safe_mode = BooleanField("Safe mode: cap each week at the last 4 weeks' average + 10%")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()


class MonthlyForm(BaseForm):
    active = BooleanField("A monthly distance challenge for the club")
    goal = IntegerField(
        "Monthly goal",
        default=100,
        validators=[DataRequired(), NumberRange(min=1, max=5000, message="1 to 5,000.")],
    )
