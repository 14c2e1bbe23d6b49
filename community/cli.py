"""Command-line tasks: `flask seed-demo`."""

import click
from flask import Flask
from sqlalchemy import select

from community.accounts import services as accounts
from community.accounts.models import User
from community.extensions import db

# Demo accounts are public by design; README lists this password.
DEMO_PASSWORD = "runhive-demo-2026"  # noqa: S105

DEMO_RUNNERS = [
    ("ana", "Ana Moreno", "Europe/Madrid", "km", "Marathoner chasing a sub-3:30 in spring."),
    ("ben", "Ben Okafor", "Europe/London", "mi", "Parkrun regular. Slow and steady."),
    ("chloe", "Chloé Martin", "Europe/Paris", "km", "Back from a knee injury, one km at a time."),
    ("dev", "Dev Patel", "America/New_York", "mi", "Trail runner; hills are my happy place."),
    ("emma", "Emma Larsen", "Europe/Oslo", "km", "New to running: couch to 5K in progress."),
]


def seed_demo() -> list[str]:
    """Create the demo runners that are missing; returns the usernames created."""
    created = []
    for username, name, zone, units, bio in DEMO_RUNNERS:
        if db.session.scalar(select(User.id).where(User.username == username)):
            continue
        user = accounts.register_user(
            username=username,
            email=f"{username}@demo.runhive.example.com",
            display_name=name,
            password=DEMO_PASSWORD,
        )
        accounts.update_settings(
            user,
            display_name=name,
            bio=bio,
            units=units,
            timezone=zone,
            default_visibility="public",
        )
        created.append(username)
    return created


@click.command("seed-demo")
def seed_demo_command() -> None:
    """Load the demo data (safe to run again: it only adds what is missing)."""
    created = seed_demo()
    db.session.commit()
    click.echo(f"Demo data ready ({len(created)} runners added).")
    click.echo(
        f"Log in at http://127.0.0.1:5000 as any of: {', '.join(u for u, *_ in DEMO_RUNNERS)}"
    )
    click.echo(f"Password for every demo runner: {DEMO_PASSWORD}")


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
