"""Form base classes shared by the features."""

from flask_wtf import FlaskForm


class BaseForm(FlaskForm):
    """Every form carries a CSRF token (Flask-WTF)."""


class ActionForm(BaseForm):
    """An empty form for one-click actions (log out, join, RSVP, kudos): only the token."""
