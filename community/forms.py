"""Form base classes shared by the features."""

from flask_wtf import FlaskForm


class BaseForm(FlaskForm):
    """Every form carries a CSRF token (Flask-WTF)."""


class ActionForm(BaseForm):
    """An empty form for one-click actions (log out, join, RSVP, kudos): only the token."""


def show_refusal(form: FlaskForm, error: Exception) -> None:
    """Put a service's refusal next to the field it names (`error.field`), or on the form."""
    name = getattr(error, "field", None)
    field = getattr(form, name, None) if name else None
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        form.form_errors.append(str(error))
