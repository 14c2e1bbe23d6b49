from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from community.feed.models import MAX_POST
from community.feed.moderation import MAX_REASON
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


class ReportForm(BaseForm):
    reason = StringField(
        "Why report it?",
        validators=[
            DataRequired("Say what is wrong, so the admins know what to look for."),
            Length(max=MAX_REASON, message=f"Keep it under {MAX_REASON} characters."),
        ],
    )


class PostForm(BaseForm):
    body = TextAreaField(
        "Announcement",
        validators=[
            DataRequired("Write the announcement first."),
            Length(max=MAX_POST, message=f"Keep it under {MAX_POST} characters."),
        ],
    )
    pinned = BooleanField("Pin it to the top of the club feed")
