from zoneinfo import available_timezones

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Regexp

from community.accounts.models import USERNAME_PATTERN, Units, Visibility
from community.accounts.passwords import MAX_LENGTH, MIN_LENGTH
from community.forms import BaseForm

USERNAME_RULE = Regexp(
    f"^{USERNAME_PATTERN}$",
    message="Use 3 to 30 letters, digits, '-' or '_'.",
)
PASSWORD_LENGTH = Length(
    min=MIN_LENGTH,
    max=MAX_LENGTH,
    message=f"Use at least {MIN_LENGTH} characters (and at most {MAX_LENGTH}).",
)

UNIT_CHOICES = [SelectChoice(Units.KM.value, "Kilometres"), SelectChoice(Units.MI.value, "Miles")]
VISIBILITY_CHOICES = [
    SelectChoice(Visibility.PUBLIC.value, "Everyone"),
    SelectChoice(Visibility.MEMBERS.value, "Members of my clubs"),
    SelectChoice(Visibility.PRIVATE.value, "Only me"),
]


def timezone_choices() -> list[SelectChoice]:
    """Every IANA zone, grouped by region ("Europe", "America", ...)."""
    return [
        SelectChoice(
            name, name.replace("_", " "), optgroup=name.split("/")[0] if "/" in name else "Other"
        )
        for name in sorted(available_timezones())
    ]


class RegisterForm(BaseForm):
    username = StringField("Username", validators=[DataRequired(), USERNAME_RULE])
    email = EmailField(
        "E-mail", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )
    display_name = StringField("Display name", validators=[DataRequired(), Length(max=60)])
    password = PasswordField("Password", validators=[DataRequired(), PASSWORD_LENGTH])


class LoginForm(BaseForm):
    login = StringField("Username or e-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_LENGTH)])
    remember = BooleanField("Remember me")


class SettingsForm(BaseForm):
    display_name = StringField("Display name", validators=[DataRequired(), Length(max=60)])
    bio = TextAreaField("About you", validators=[Length(max=500)])
    units = SelectField("Distance units", choices=UNIT_CHOICES)
    timezone = SelectField("Time zone")
    default_visibility = SelectField("Who sees my runs by default", choices=VISIBILITY_CHOICES)
    leaderboard_hidden = BooleanField("Hide me from public leaderboards (I still count)")
    approves_followers = BooleanField("Approve each new follower (a private profile)")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()


class AvatarForm(BaseForm):
    # Any file: what it is, is judged from its content (community.images.processing).
    photo = FileField("New photo", validators=[FileRequired("Choose a picture to upload.")])


class ChangePasswordForm(BaseForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    new_password = PasswordField("New password", validators=[DataRequired(), PASSWORD_LENGTH])


class ChangeEmailForm(BaseForm):
    new_email = EmailField(
        "New e-mail",
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    password = PasswordField("Password", validators=[DataRequired()])


class DeleteAccountForm(BaseForm):
    password = PasswordField("Password", validators=[DataRequired()])
    confirm = StringField(
        'Type "delete my account"',
        validators=[
            DataRequired(),
            Regexp(r"^delete my account$", message='Type "delete my account" to confirm.'),
        ],
    )


class ForgotPasswordForm(BaseForm):
    email = EmailField("E-mail", validators=[DataRequired(), Email(check_deliverability=False)])


class ResetPasswordForm(BaseForm):
    password = PasswordField("New password", validators=[DataRequired(), PASSWORD_LENGTH])
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("password", message="The passwords differ.")],
    )
