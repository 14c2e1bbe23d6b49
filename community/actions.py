"""One-click actions (join, leave, RSVP, hide…): the same boundary for every feature."""

from collections.abc import Callable

from flask import abort, flash, redirect
from werkzeug.wrappers import Response

from community.extensions import db
from community.forms import ActionForm


def one_click(
    action: Callable[[], object],
    *,
    refused: type[Exception],
    forbidden: type[Exception] | None = None,
    to: str,
    success: str | None = None,
) -> Response:
    """Check the form's token, run the action, commit, and come back with its outcome.

    The message shown is `success`, or else what `action` returns. A `refused` error is shown
    as an error message; a `forbidden` one (when the action has any) is a 403; either way
    nothing of it is kept.
    """
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        message = action()
    except Exception as error:
        db.session.rollback()
        if forbidden is not None and isinstance(error, forbidden):
            abort(403)
        if not isinstance(error, refused):
            raise
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(success or str(message), "success")
    return redirect(to)
