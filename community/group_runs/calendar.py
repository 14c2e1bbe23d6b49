"""Group runs as iCalendar (RFC 5545): one run's .ics, and a runner's subscription feed."""

import secrets
from datetime import datetime, timedelta

from icalendar import Alarm, Calendar, Event, vGeo
from sqlalchemy import select

from community.accounts.models import User
from community.extensions import db
from community.group_runs.models import CalendarFeed, GroupRun, Rsvp, RsvpStatus

PRODUCT_ID = "-//Runhive//Group runs//EN"
# A calendar needs an end: planned distance at an easy 6:00 /km, or an hour.
EASY_PACE_S_PER_M = 0.36
ALARM_BEFORE = timedelta(hours=1)


def _end(run: GroupRun) -> datetime:
    if run.planned_distance_m:
        return run.starts_at + timedelta(seconds=run.planned_distance_m * EASY_PACE_S_PER_M)
    return run.starts_at + timedelta(hours=1)


def run_event(run: GroupRun, url: str, *, now: datetime, tentative: bool = False) -> Event:
    """One run as a VEVENT. Times are UTC, so no VTIMEZONE is needed; the UID never changes
    and SEQUENCE grows with each change, so calendars update the event in place."""
    event = Event()
    event.add("uid", f"group-run-{run.id}@runhive")
    event.add("sequence", run.sequence)
    event.add("dtstamp", now)
    event.add("dtstart", run.starts_at)
    event.add("dtend", _end(run))
    event.add("summary", f"{run.title} ({run.club.name})")
    event.add("location", run.meeting_point)
    if run.latitude is not None and run.longitude is not None:
        event.add("geo", vGeo((run.latitude, run.longitude)))
    event.add("description", f"{run.description}\n\n{url}".strip())
    event.add("url", url)
    if run.is_cancelled:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "TENTATIVE" if tentative else "CONFIRMED")
        event.add_component(_alarm(run))
    return event


def _alarm(run: GroupRun) -> Alarm:
    """A calendar reminder an hour before: time to get to the meeting point."""
    alarm = Alarm()
    alarm.add("uid", f"group-run-{run.id}-alarm@runhive")
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"{run.title} at {run.meeting_point} in an hour")
    alarm.add("trigger", -ALARM_BEFORE)
    return alarm


def calendar(events: list[Event], name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODUCT_ID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for event in events:
        cal.add_component(event)
    return cal.to_ical()


def feed_runs(user_id: int, now: datetime) -> list[tuple[GroupRun, bool]]:
    """Runs the runner is going to or waiting for (the last 30 days too), with
    whether they are only on the waitlist."""
    rows = db.session.execute(
        select(GroupRun, Rsvp.status)
        .join(Rsvp, Rsvp.run_id == GroupRun.id)
        .where(
            Rsvp.user_id == user_id,
            Rsvp.status.in_([RsvpStatus.GOING.value, RsvpStatus.WAITLISTED.value]),
            GroupRun.starts_at > now - timedelta(days=30),
        )
        .order_by(GroupRun.starts_at)
    ).all()
    return [(run, status == RsvpStatus.WAITLISTED.value) for run, status in rows]


def feed_of(user: User) -> CalendarFeed | None:
    return db.session.get(CalendarFeed, user.id)


def new_feed_token(user: User) -> CalendarFeed:
    """Create the runner's feed URL, or replace it (the old URL stops working)."""
    feed = feed_of(user) or CalendarFeed(user_id=user.id)
    feed.token = secrets.token_urlsafe(32)
    db.session.add(feed)
    db.session.flush()
    return feed


def revoke_feed(user: User) -> None:
    if (feed := feed_of(user)) is not None:
        db.session.delete(feed)
        db.session.flush()


def user_for_token(token: str) -> User | None:
    return db.session.scalar(
        select(User)
        .join(CalendarFeed, CalendarFeed.user_id == User.id)
        .where(CalendarFeed.token == token)
    )
