"""Form base classes and the input fields every feature's forms use.

Numbers and dates are parsed here, once for the whole app, into values the database
holds: a number past what an integer column takes, a NaN or an infinity, or a date no run
falls on, is a field error, never a database error. `tests/test_forms.py` checks that no
form uses WTForms' own number or date fields instead.
"""

import decimal
from datetime import date, datetime
from typing import Any

from flask_wtf import FlaskForm
from wtforms import fields

from community.params import MAX_ID

# Integer columns are 32-bit on PostgreSQL; fields keep their own, tighter NumberRange.
MAX_INTEGER = MAX_ID
# Whatever a distance, an elevation or a coordinate means, it is no bigger than this.
MAX_DECIMAL = decimal.Decimal(10**9)
# Runs, group runs and challenges happen between these years; time zone arithmetic on the
# first or last representable day would overflow.
FIRST_YEAR, LAST_YEAR = 1900, 2199


class IntegerField(fields.IntegerField):
    """A whole number an integer column holds."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if self.data is not None and not -MAX_INTEGER <= self.data <= MAX_INTEGER:
            self.data = None
            raise ValueError("Enter a smaller whole number.")


class DecimalField(fields.DecimalField):
    """A finite decimal of sensible size (no NaN, infinity or 1e999999)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        # Only what the form sent: a field left out keeps the object's value (a float).
        if not valuelist:
            return
        if self.data is not None and (not self.data.is_finite() or abs(self.data) > MAX_DECIMAL):
            self.data = None
            raise ValueError("Enter a number.")


def _check_year(field: fields.Field, value: date | None) -> None:
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        field.data = None
        raise ValueError(f"Enter a date between {FIRST_YEAR} and {LAST_YEAR}.")


class DateField(fields.DateField):
    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        _check_year(self, self.data)


class DateTimeLocalField(fields.DateTimeLocalField):
    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        value: datetime | None = self.data
        _check_year(self, value.date() if value is not None else None)


class BaseForm(FlaskForm):
    """Every form carries a CSRF token (Flask-WTF)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A hidden token needs no label, so no id: a page with many forms had dozens of
        # elements sharing id="csrf_token".
        token = self._fields.get("csrf_token")
        if token is not None:
            token.render_kw = {"id": False}


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
