from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from community.feed.services import MAX_COMMENT
from community.forms import BaseForm


class CommentForm(BaseForm):
    body = TextAreaField(
        "Comment",
        validators=[
            DataRequired("Write something first."),
            Length(max=MAX_COMMENT, message=f"Keep it under {MAX_COMMENT} characters."),
        ],
    )
