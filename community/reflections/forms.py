from wtforms import RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired, Length

from community.forms import BaseForm
from community.reflections.models import FEELINGS, MAX_TEXT


class ReflectionForm(BaseForm):
    feeling = RadioField(
        "How did the week feel?",
        choices=[SelectChoice(value, word) for value, word in FEELINGS.items()],
        coerce=int,
        validators=[InputRequired(message="Choose how the week felt.")],
    )
    went_well = TextAreaField(
        "What went well?",
        validators=[Length(max=MAX_TEXT, message=f"Keep it to {MAX_TEXT} characters.")],
    )
