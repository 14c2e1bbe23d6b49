"""Turn other features' domain events into notifications (this feature sits on top)."""

from typing import Any

from flask import current_app
from sqlalchemy import select

from community.accounts.models import User
from community.challenges import events as challenge_events
from community.challenges.models import Challenge, ChallengeEntry
from community.challenges.rules import format_total
from community.extensions import db
from community.feed import events as feed_events
from community.feed import moderation
from community.feed.models import Comment, Report
from community.follows import events as follow_events
from community.group_runs import events as group_run_events
from community.notifications.services import notify


def _path(endpoint: str, **values: Any) -> str:
    # Works in requests, CLI commands and background work alike (no SERVER_NAME needed).
    return current_app.url_map.bind("localhost").build(endpoint, values)


def on_promoted(sender: object, run_id: int, user_id: int, title: str) -> None:
    notify(
        user_id,
        "waitlist_promoted",
        f"A place opened up: you're going to {title}.",
        _path("group_runs.show", run_id=run_id),
    )


def on_run_changed(
    sender: object, run_id: int, user_ids: list[int], title: str, cancelled: bool
) -> None:
    text = f"{title} is cancelled." if cancelled else f"{title} has a new time or place."
    for user_id in user_ids:
        kind = "run_cancelled" if cancelled else "run_changed"
        notify(user_id, kind, text, _path("group_runs.show", run_id=run_id))


def on_challenge_completed(
    sender: object, challenge_id: int, user_id: int, title: str, **_: object
) -> None:
    notify(
        user_id,
        "challenge_completed",
        f"You completed {title}. Well run!",
        _path("challenges.show", challenge_id=challenge_id),
    )


def on_club_goal_reached(
    sender: object, challenge_id: int, club_id: int, title: str, user_id: int | None
) -> None:
    challenge = db.session.get(Challenge, challenge_id)
    if challenge is None or challenge.club is None:
        return
    link = _path("challenges.show", challenge_id=challenge_id)
    entrants = db.session.execute(
        select(User.id, User.units)
        .join(ChallengeEntry, ChallengeEntry.user_id == User.id)
        .where(ChallengeEntry.challenge_id == challenge_id)
        .order_by(User.id)
    )
    for entrant_id, units in entrants.all():
        goal = format_total(challenge, challenge.goal, units)
        notify(
            entrant_id,
            "club_goal",
            f"{challenge.club.name} reached {goal} together in {title}. Well run, all of you!",
            link,
        )


def on_follow_requested(sender: object, follower_id: int, followee_id: int) -> None:
    follower = db.session.get(User, follower_id)
    if follower is not None:
        notify(
            followee_id,
            "follow_request",
            f"{follower.display_name} asks to follow you.",
            _path("follows.requests"),
        )


def on_follow_started(sender: object, follower_id: int, followee_id: int, approved: bool) -> None:
    follower, followee = db.session.get(User, follower_id), db.session.get(User, followee_id)
    if follower is None or followee is None:
        return
    if approved:
        notify(
            follower_id,
            "follow_approved",
            f"{followee.display_name} approved your request: you follow them now.",
            _path("accounts.profile", username=followee.username),
        )
    else:
        notify(
            followee_id,
            "new_follower",
            f"{follower.display_name} follows you now.",
            _path("accounts.profile", username=follower.username),
        )


def on_kudos_given(sender: object, item_id: int, giver_id: int, actor_id: int) -> None:
    giver = db.session.get(User, giver_id)
    if giver is not None:
        notify(
            actor_id,
            "kudos",
            f"{giver.display_name} gave you kudos.",
            _path("feed.profile", username=db.session.get(User, actor_id).username),
        )


def on_commented(sender: object, comment_id: int, user_id: int, mention: bool) -> None:
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        return
    who = comment.author.display_name
    text = f"{who} mentioned you in a comment." if mention else f"{who} commented: {comment.body}"
    kind = "mention" if mention else "comment"
    notify(user_id, kind, text, _path("feed.profile", username=comment.item.actor.username))


def on_reported(sender: object, report_id: int) -> None:
    report = db.session.get(Report, report_id)
    if report is None:
        return
    what = "a comment" if report.comment_id is not None else "a post"
    if report.club_id is not None:
        link = _path("feed.club_reports", slug=report.club.slug)
        where = f" in {report.club.name}"
    else:
        link, where = _path("feed.site_reports"), ""
    text = f"{report.reporter.display_name} reported {what}{where}: {report.reason}"
    for user_id in moderation.moderators(report):
        notify(user_id, "report", text, link)


def subscribe() -> None:
    feed_events.reported.connect(on_reported)
    feed_events.kudos_given.connect(on_kudos_given)
    feed_events.commented.connect(on_commented)
    follow_events.requested.connect(on_follow_requested)
    follow_events.started.connect(on_follow_started)
    challenge_events.completed.connect(on_challenge_completed)
    challenge_events.club_goal_reached.connect(on_club_goal_reached)
    group_run_events.promoted.connect(on_promoted)
    group_run_events.run_changed.connect(on_run_changed)
