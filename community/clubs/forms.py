from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from community.accounts.forms import timezone_choices
from community.clubs.models import ClubVisibility
from community.forms import BaseForm, DecimalField, IntegerField

VISIBILITY_CHOICES = [
    SelectChoice(ClubVisibility.PUBLIC.value, "Public: anyone can see the club and join"),
    SelectChoice(
        ClubVisibility.PRIVATE.value, "Private: members only; joining needs approval or an invite"
    ),
]


class ClubImageForm(BaseForm):
    # Any file: what it is, is judged from its content (community.images.processing).
    photo = FileField("New image", validators=[FileRequired("Choose a picture to upload.")])


class ClubDetailsForm(BaseForm):
    name = StringField("Club name", validators=[DataRequired(), Length(max=80)])
    description = TextAreaField("About the club", validators=[Length(max=2000)])
    city = StringField("City or area", validators=[Length(max=80)])
    timezone = SelectField("Time zone")
    visibility = SelectField("Who can see and join", choices=VISIBILITY_CHOICES)
    members_schedule_runs = BooleanField("Members may schedule group runs too")
    latitude = DecimalField(
        "Home latitude",
        places=6,
        validators=[Optional(), NumberRange(min=-90, max=90, message="Between -90 and 90.")],
    )
    longitude = DecimalField(
        "Home longitude",
        places=6,
        validators=[Optional(), NumberRange(min=-180, max=180, message="Between -180 and 180.")],
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()


class NewClubForm(ClubDetailsForm):
    slug = StringField(
        "Club address",
        validators=[
            DataRequired(),
            Regexp(
                r"^[A-Za-z0-9](?:[A-Za-z0-9-]{1,38}[A-Za-z0-9])$",
                message="Use 3 to 40 letters, digits or '-', not starting or ending with '-'.",
            ),
        ],
    )


class JoinRequestForm(BaseForm):
    message = TextAreaField("A note for the admins (optional)", validators=[Length(max=300)])


class InviteForm(BaseForm):
    expires_in_days = IntegerField(
        "Expires after (days)",
        validators=[Optional(), NumberRange(min=1, max=365, message="Between 1 and 365 days.")],
    )
    max_uses = IntegerField(
        "Number of uses",
        validators=[Optional(), NumberRange(min=1, max=10000, message="At least one use.")],
    )


class DeleteClubForm(BaseForm):
    confirm = StringField("Type the club's address to confirm", validators=[DataRequired()])
