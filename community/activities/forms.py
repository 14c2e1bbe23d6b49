from flask_wtf.file import FileRequired, MultipleFileField
from wtforms import (
    BooleanField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from community.accounts.forms import VISIBILITY_CHOICES
from community.activities.models import RunType
from community.forms import BaseForm, DateField, DecimalField, IntegerField
from community.units import parse_duration

RUN_TYPE_CHOICES = [SelectChoice(t.value, t.value.title()) for t in RunType]


def _duration(form: BaseForm, field: StringField) -> None:
    if parse_duration(field.data or "") is None:
        raise ValidationError("Enter the time as h:mm:ss, for example 0:45:30.")


# In the runner's units, km or mi.
DISTANCE_RANGE = NumberRange(min=0.01, max=1000, message="Enter a distance from 0.01 to 1,000.")


class RunForm(BaseForm):
    """A run entered by hand; distance in the runner's units, elevation in m or ft."""

    date = DateField("Date", validators=[DataRequired(message="Enter the date of the run.")])
    time = TimeField("Start time", validators=[DataRequired(message="Enter the start time.")])
    distance = DecimalField(
        "Distance",
        places=2,
        validators=[DataRequired(message="Enter the distance."), DISTANCE_RANGE],
    )
    duration = StringField("Time (h:mm:ss)", validators=[DataRequired(), _duration])
    elevation_gain = DecimalField(
        "Elevation gain",
        places=0,
        validators=[
            Optional(),
            NumberRange(min=0, max=30000, message="Enter an elevation gain from 0 to 30,000."),
        ],
    )
    title = StringField("Title", validators=[Length(max=120)])
    notes = TextAreaField("Notes", validators=[Length(max=5000)])
    effort = IntegerField(
        "Perceived effort (1-10)",
        validators=[Optional(), NumberRange(min=1, max=10, message="From 1 to 10.")],
    )
    run_type = SelectField("Type", choices=RUN_TYPE_CHOICES)
    visibility = SelectField("Who can see it", choices=VISIBILITY_CHOICES)
    confirm_fast = BooleanField("Yes, this pace is right")


class RunEditForm(RunForm):
    """For runs from a file: measured values are kept, so they are not asked for."""

    date = DateField("Date", validators=[Optional()])
    time = TimeField("Start time", validators=[Optional()])
    distance = DecimalField("Distance", places=2, validators=[Optional(), DISTANCE_RANGE])
    duration = StringField("Time (h:mm:ss)", validators=[Optional()])


class UploadForm(BaseForm):
    files = MultipleFileField(
        "GPX, TCX or FIT files, or a zip archive of them",
        validators=[FileRequired(message="Choose at least one file.")],
    )
