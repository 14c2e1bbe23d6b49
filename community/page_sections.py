"""Sections that higher features add to a lower feature's page.

A club's page is drawn by clubs, a runner's profile by accounts; neither may import the
features above them (challenges, the feed...). Each of those registers a section: a
function that reads its part of the page model. The page's view calls every section
before rendering, so the template only renders what it is given and never queries.
"""

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

# page name -> the functions that read its sections, each returning template variables.
Section = Callable[..., dict[str, Any]]
_KEY = "runhive.page_sections"


def add(app: Flask, page: str, section: Section) -> None:
    """Register `section` for `page` on this app (called from create_app)."""
    app.extensions.setdefault(_KEY, {}).setdefault(page, []).append(section)


def read(page: str, **context: Any) -> dict[str, Any]:
    """Every registered section of `page`, given the page's own context, merged."""
    found: dict[str, Any] = {}
    for section in current_app.extensions.get(_KEY, {}).get(page, []):
        found.update(section(**context))
    return found
