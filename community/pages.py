"""Page slots: what a higher feature shows on a lower feature's page.

The club page (clubs) shows upcoming group runs and the club feed; a profile (accounts)
shows follows and the runner's feed; a run's page (activities) shows its kudos and comments.
A lower feature never imports a higher one, so each higher feature registers a filler for
its slot, and the page's view calls them all before rendering: the template receives
`slots`, plain data, and never reaches the database itself.

A page's subject is what its view knows: the club page passes the club, the viewer, the
member count and, when its list of members holds them all, their ids (`member_ids`, else
None); the dashboard the runner and whether they are in a club (`in_a_club`). A filler
takes what it uses and `**_` for the rest.
"""

from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app
from flask.sansio.blueprints import BlueprintSetupState

Filler = Callable[..., Any]
_KEY = "page_slots"


def slot(bp: Blueprint, page: str, name: str) -> Callable[[Filler], Filler]:
    """Register the decorated function as the filler of slot `name` on `page`, for every app
    `bp` is registered on. The view of `page` calls it with the page's own subject."""

    def register(filler: Filler) -> Filler:
        def on_app(state: BlueprintSetupState) -> None:
            state.app.extensions.setdefault(_KEY, {}).setdefault(page, {})[name] = filler

        bp.record_once(on_app)
        return filler

    return register


def fill(page: str, **subject: Any) -> dict[str, Any]:
    """Every slot of `page`, filled for `subject` (a name absent: its feature is not on)."""
    fillers: dict[str, Filler] = current_app.extensions.get(_KEY, {}).get(page, {})
    return {name: filler(**subject) for name, filler in fillers.items()}
