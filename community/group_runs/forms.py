from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from community.forms import BaseForm, DateField, DateTimeLocalField, DecimalField, IntegerField


class PaceGroupForm(Form):
    """One row of pace groups; a row without a name is ignored."""

    name = StringField("Pace group", validators=[Optional(), Length(max=40)])
    capacity = IntegerField(
        "Places", validators=[Optional(), NumberRange(min=0, max=10000, message="0 to 10,000.")]
    )
    leader = StringField("Leader (username)", validators=[Optional(), Length(max=30)])
    no_drop = BooleanField("No-drop")


class CapacityForm(BaseForm):
    """A pace group's places, changed on the run page (empty: no limit)."""

    capacity = IntegerField(
        "Places", validators=[Optional(), NumberRange(min=0, max=10000, message="0 to 10,000.")]
    )


class RunDetailsForm(BaseForm):
    """What a run is: the fields shared by scheduling and editing."""

    title = StringField("Title", validators=[DataRequired(), Length(max=120)])
    date = DateField("Date", validators=[DataRequired(message="Enter the date.")])
    time = TimeField("Start time", validators=[DataRequired(message="Enter the start time.")])
    meeting_point = StringField("Meeting point", validators=[DataRequired(), Length(max=200)])
    latitude = DecimalField(
        "Latitude", places=6, validators=[Optional(), NumberRange(min=-90, max=90)]
    )
    longitude = DecimalField(
        "Longitude", places=6, validators=[Optional(), NumberRange(min=-180, max=180)]
    )
    planned_distance = DecimalField(
        "Planned distance", places=1, validators=[Optional(), NumberRange(min=0.1, max=400)]
    )
    description = TextAreaField("Details", validators=[Length(max=3000)])
    rsvp_deadline = DateTimeLocalField("RSVP deadline", validators=[Optional()])


class ScheduleForm(RunDetailsForm):
    repeat = SelectField(
        "Repeat",
        choices=[
            SelectChoice("once", "Once"),
            SelectChoice("1", "Every week"),
            SelectChoice("2", "Every two weeks"),
        ],
        default="once",
    )
    repeat_until = DateField("Repeat until (optional)", validators=[Optional()])
    route_file = FileField("Route (GPX, optional)")
    capacity = IntegerField(
        "Places (without pace groups)",
        validators=[Optional(), NumberRange(min=0, max=10000, message="0 to 10,000.")],
    )
    pace_groups = FieldList(FormField(PaceGroupForm), min_entries=3, max_entries=8)


class EditRunForm(RunDetailsForm):
    apply_to = RadioField(
        "Change",
        choices=[
            SelectChoice("this", "This run only"),
            SelectChoice("following", "This and the following runs of the series"),
        ],
        default="this",
    )
