from wtforms import BooleanField, Field, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from community.feed.models import MAX_POST
from community.feed.moderation import MAX_REASON
from community.feed.services import MAX_COMMENT
from community.forms import BaseForm


def _text(kind: type[Field], label: str, blank: str, limit: int) -> Field:
    """A required text field of at most `limit` characters."""
    return kind(
        label,
        validators=[
            DataRequired(blank),
            Length(max=limit, message=f"Keep it under {limit} characters."),
        ],
    )


class CommentForm(BaseForm):
    body = _text(TextAreaField, "Comment", "Write something first.", MAX_COMMENT)


class ReportForm(BaseForm):
    reason = _text(
        StringField,
        "Why report it?",
        "Say what is wrong, so the admins know what to look for.",
        MAX_REASON,
    )


class PostForm(BaseForm):
    body = _text(TextAreaField, "Announcement", "Write the announcement first.", MAX_POST)
    pinned = BooleanField("Pin it to the top of the club feed")
