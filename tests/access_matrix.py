"""The access matrix: every route and every Socket.IO event, against every role.

This data is the single source of truth. `tests/test_access.py` walks each cell against a
real app in the world of `tests/world.py`, checks that every route of the URL map and every
socket event has a row, and that docs/ACCESS.md is what `render()` makes of it. After
changing a row, regenerate the document:

    .venv/bin/python -m tests.access_matrix

Each row is a route (or an event), what it is asked about, and one outcome per role, in the
order of ROLES: anonymous, outsider, member, admin, owner, blocked, site admin.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tests.helpers import PASSWORD
from tests.pictures import picture
from tests.world import PLAYERS, ROLE_MEANING, ROLES, SECRETS

DOCUMENT = Path(__file__).resolve().parent.parent / "docs" / "ACCESS.md"

OUTCOMES = {
    "ok": "allowed: the page (2xx), or a redirect (3xx) to where the action leads; an action "
    "changes the database (but for the few rows that say they write nothing)",
    "no-op": "let through, but nothing changes: the feature refuses with a message (not "
    "yours, not a member, already done) or there was nothing to do",
    "login": "a redirect to /login; a socket that is refused at connect",
    "400": "the request is refused before any rule: it lacks what it needs",
    "403": "forbidden: the role may see the thing but not do this; nothing changes",
    "404": "hidden: the thing looks like nothing there; nothing changes",
    "refused": "a socket event answered {ok: false}, or the items asked for not joined",
}
HTTP_OUTCOMES = {"ok", "no-op", "login", "400", "403", "404"}
SOCKET_OUTCOMES = {"ok", "refused", "login"}


@dataclass(frozen=True)
class W:
    """A value taken from the world (tests/world.py build()), by its key."""

    key: str


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes


@dataclass(frozen=True)
class Row:
    method: str  # GET, POST, or EVENT for a Socket.IO event
    rule: str  # the URL rule as the app declares it, or the event's name
    about: str  # what the route is asked about, in words
    expect: tuple[str, ...]  # one outcome per role, in ROLES' order
    # Path parameter -> world key (for an `any(...)` converter: the value itself).
    params: Mapping[str, str] = field(default_factory=dict)
    # The query string; form fields (POST) or payload (EVENT); W(key) for the world's values.
    query: Mapping[str, object] = field(default_factory=dict)
    data: Mapping[str, object] = field(default_factory=dict)
    files: Mapping[str, Upload] = field(default_factory=dict)
    # False: "ok" sends mail or finds nothing to do, so the database may stay as it was.
    writes: bool = True
    # The path holds this role's secret (a calendar link): its holder reads as that role.
    reads_as: str | None = None

    @property
    def route(self) -> str:
        return f"event {self.rule}" if self.method == "EVENT" else f"{self.method} {self.rule}"

    def outcome(self, role: str) -> str:
        return self.expect[ROLES.index(role)]


def _row(method: str, rule: str, about: str, expect: str, **options: object) -> Row:
    outcomes = tuple(expect.split())
    allowed = SOCKET_OUTCOMES if method == "EVENT" else HTTP_OUTCOMES
    assert len(outcomes) == len(ROLES), f"{rule}: {len(outcomes)} outcomes for {len(ROLES)} roles"
    assert set(outcomes) <= allowed, f"{rule}: {set(outcomes) - allowed}"
    known = {"query", "data", "files", "writes", "reads_as"}
    params = {k: v for k, v in options.items() if k not in known}
    rest = {k: v for k, v in options.items() if k in known}
    return Row(method, rule, about, outcomes, params, **rest)  # type: ignore[arg-type]


def page(rule: str, about: str, expect: str, **options: object) -> Row:
    return _row("GET", rule, about, expect, **options)


def action(rule: str, about: str, expect: str, **options: object) -> Row:
    return _row("POST", rule, about, expect, **options)


def event(name: str, about: str, expect: str, payload: Mapping[str, object]) -> Row:
    return _row("EVENT", name, about, expect, data=payload)


NEW_PASSWORD = "a whole new horse battery"
RUN_FORM = {
    "date": W("yesterday"),
    "time": "07:15",
    "distance": "6.2",
    "duration": "0:32:10",
    "title": "Morning run",
    "run_type": "easy",
    "visibility": "public",
    "effort": "6",
}
GROUP_RUN_FORM = {
    "title": "Hill repeats",
    "date": W("in_a_week"),
    "time": "18:30",
    "meeting_point": "The old oak",
}
GOAL_FORM = {"kind": "habit", "amount": "3", "starts_on": W("today"), "weeks": "4"}
CHALLENGE_FORM = {
    "title": "Run 50 km",
    "kind": "distance",
    "goal": "50",
    "effort_label": "5 km",
    "starts_on": W("today"),
    "ends_on": W("in_20_days"),
    "timezone": "UTC",
    "grace_days": "3",
    "freeze_hours": "0",
}
GPX = b"""<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="access-matrix" xmlns="http://www.topografix.com/GPX/1/1">
<trk><name>Lunch loop</name><trkseg>
<trkpt lat="51.5000" lon="-0.1200"><time>2026-01-05T12:00:00Z</time></trkpt>
<trkpt lat="51.5010" lon="-0.1200"><time>2026-01-05T12:00:40Z</time></trkpt>
<trkpt lat="51.5020" lon="-0.1200"><time>2026-01-05T12:01:20Z</time></trkpt>
<trkpt lat="51.5030" lon="-0.1200"><time>2026-01-05T12:02:00Z</time></trkpt>
</trkseg></trk></gpx>
"""
AFTER = {"after": "0"}
PHOTO = {"photo": Upload("me.png", picture(96, 96))}

# Outcomes, by role:  anonymous outsider member admin owner blocked site_admin
SECTIONS: dict[str, list[Row]] = {
    "Home and accounts": [
        page("/healthz", "the process answers (load balancers)", "ok ok ok ok ok ok ok"),
        page("/readyz", "the database answers (load balancers)", "ok ok ok ok ok ok ok"),
        page(
            "/metrics",
            "Prometheus metrics, from the host itself (elsewhere: tests/ops/test_metrics.py)",
            "ok ok ok ok ok ok ok",
        ),
        page("/", "the landing page", "ok ok ok ok ok ok ok"),
        page("/dashboard", "the runner's dashboard", "login ok ok ok ok ok ok"),
        page("/register", "the sign-up form", "ok ok ok ok ok ok ok"),
        action(
            "/register",
            "a new account",
            "ok no-op no-op no-op no-op no-op no-op",
            data={
                "username": "newbie",
                "email": "newbie@example.com",
                "display_name": "Newbie",
                "password": PASSWORD,
            },
        ),
        page("/login", "the log-in form", "ok ok ok ok ok ok ok"),
        action(
            "/login",
            "otto's log-in",
            "ok no-op no-op no-op no-op no-op no-op",
            data={"login": "otto", "password": PASSWORD},
        ),
        action("/logout", "the runner's sessions", "login ok ok ok ok ok ok"),
        page("/settings", "the runner's settings", "login ok ok ok ok ok ok"),
        action(
            "/settings",
            "the runner's settings",
            "login ok ok ok ok ok ok",
            data={
                "display_name": "Renamed",
                "bio": "",
                "units": "km",
                "timezone": "UTC",
                "default_visibility": "public",
            },
        ),
        action(
            "/settings/password",
            "the runner's password",
            "login ok ok ok ok ok ok",
            data={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        ),
        action(
            "/settings/email",
            "the runner's e-mail",
            "login ok ok ok ok ok ok",
            data={"new_email": "renamed@example.com", "password": PASSWORD},
        ),
        action(
            "/settings/delete",
            "the runner's account",
            "login ok ok ok ok ok ok",
            data={"password": PASSWORD, "confirm": "delete my account"},
        ),
        action(
            "/settings/avatar",
            "the runner's photo",
            "login ok ok ok ok ok ok",
            files=PHOTO,
        ),
        action(
            "/settings/avatar/remove",
            "the runner's photo (only mia has one)",
            "login no-op ok no-op no-op no-op no-op",
        ),
        page(
            "/avatars/<int:user_id>/<any(sm, lg):variant>/<key>.webp",
            "mia's photo (as her profile)",
            "ok ok ok ok ok 404 ok",
            user_id="member_id",
            variant="sm",
            key="member_avatar_key",
        ),
        page("/forgot-password", "the reset form", "ok ok ok ok ok ok ok"),
        action(
            "/forgot-password",
            "a reset link for mia (sent by mail: nothing stored)",
            "ok ok ok ok ok ok ok",
            data={"email": W("member_email")},
            writes=False,
        ),
        page(
            "/reset-password/<token>",
            "mia's reset link (the link is the credential)",
            "ok ok ok ok ok ok ok",
            token="reset_token",
        ),
        action(
            "/reset-password/<token>",
            "mia's reset link (the link is the credential)",
            "ok ok ok ok ok ok ok",
            token="reset_token",
            data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        ),
        page(
            "/mail/cant-go/<token>",
            "mia's can't-go link from a reminder (the link is the credential)",
            "ok ok ok ok ok ok ok",
            token="cant_go_token",
            reads_as="member",
        ),
        action(
            "/mail/cant-go/<token>",
            "mia's can't-go link from a reminder (the link is the credential)",
            "ok ok ok ok ok ok ok",
            token="cant_go_token",
            reads_as="member",
        ),
        page(
            "/mail/unsubscribe/<token>",
            "mia's unsubscribe link (the link is the credential)",
            "ok ok ok ok ok ok ok",
            token="unsubscribe_token",
        ),
        action(
            "/mail/unsubscribe/<token>",
            "mia's one-click unsubscribe (RFC 8058: no session, no CSRF token)",
            "ok ok ok ok ok ok ok",
            token="unsubscribe_token",
        ),
        action("/settings/mail", "the runner's e-mail choices", "login ok ok ok ok ok ok"),
        page("/u/<username>", "mia's profile", "ok ok ok ok ok 404 ok", username="member_name"),
        page("/year", "one's own year in running", "login ok ok ok ok ok ok"),
        page(
            "/u/<username>/year/<int:year>",
            "mia's year in running, not shared",
            "404 404 ok 404 404 404 404",
            username="member_name",
            year="this_year",
        ),
        action(
            "/u/<username>/year/<int:year>/share",
            "sharing mia's year",
            "login 404 ok 404 404 404 404",
            username="member_name",
            year="this_year",
        ),
        action(
            "/u/<username>/block",
            "blocking mia",
            "login ok no-op ok ok 404 ok",
            username="member_name",
        ),
        action(
            "/u/<username>/unblock",
            "lifting a block on mia",
            "login no-op no-op no-op no-op 404 no-op",
            username="member_name",
        ),
        action(
            "/u/<username>/unblock",
            "lifting a block on blake (only mia has one)",
            "login no-op ok no-op no-op no-op no-op",
            username="blocked_name",
        ),
    ],
    "Follows": [
        action(
            "/u/<username>/follow",
            "following mia (she approves each follower; adam follows her)",
            "login ok no-op no-op ok 404 ok",
            username="member_name",
        ),
        action(
            "/u/<username>/unfollow",
            "unfollowing mia (adam follows her)",
            "login no-op no-op ok no-op 404 no-op",
            username="member_name",
        ),
        page("/follows/requests", "the runner's follow requests", "login ok ok ok ok ok ok"),
        action(
            "/follows/requests/<int:follower_id>/approve",
            "fay's request to follow mia",
            "login no-op ok no-op no-op no-op no-op",
            follower_id="follower_id",
        ),
        action(
            "/follows/requests/<int:follower_id>/decline",
            "fay's request to follow mia",
            "login no-op ok no-op no-op no-op no-op",
            follower_id="follower_id",
        ),
    ],
    "Clubs": [
        page("/clubs/", "the directory", "ok ok ok ok ok ok ok"),
        page("/clubs/new", "the new-club form", "login ok ok ok ok ok ok"),
        action(
            "/clubs/new",
            "a new club",
            "login ok ok ok ok ok ok",
            data={
                "name": "New club",
                "slug": "new-club",
                "timezone": "UTC",
                "visibility": "public",
            },
        ),
        page(
            "/clubs/<slug>",
            "the private club (outsiders: its name and a request form)",
            "ok ok ok ok ok ok ok",
            slug="private_club",
        ),
        page("/clubs/<slug>", "the public club", "ok ok ok ok ok ok ok", slug="public_club"),
        page(
            "/clubs/<slug>/year/<int:year>",
            "the private club's year in running (members only)",
            "404 404 ok ok ok ok 404",
            slug="private_club",
            year="this_year",
        ),
        page(
            "/clubs/<slug>/year/<int:year>",
            "the public club's year in running",
            "ok ok ok ok ok ok ok",
            slug="public_club",
            year="this_year",
        ),
        action(
            "/clubs/<slug>/join",
            "the private club (by request or invite only)",
            "login 403 403 403 403 403 403",
            slug="private_club",
        ),
        action(
            "/clubs/<slug>/join",
            "the public club",
            "login ok no-op no-op no-op no-op ok",
            slug="public_club",
        ),
        action(
            "/clubs/<slug>/request",
            "asking to join the private club",
            "login ok no-op no-op no-op no-op ok",
            slug="private_club",
            data={"message": "Hello"},
        ),
        action(
            "/clubs/<slug>/leave",
            "leaving the private club (the owner hands it over first)",
            "login no-op ok ok no-op ok no-op",
            slug="private_club",
        ),
        page(
            "/clubs/<slug>/manage",
            "the private club's admin page",
            "login 403 403 ok ok 403 403",
            slug="private_club",
        ),
        action(
            "/clubs/<slug>/manage",
            "the private club's details",
            "login 403 403 ok ok 403 403",
            slug="private_club",
            data={
                "name": "Hideout",
                "description": "Renamed",
                "timezone": "UTC",
                "visibility": "private",
            },
        ),
        action(
            "/clubs/<slug>/image",
            "the private club's image",
            "login 403 403 ok ok 403 403",
            slug="private_club",
            files=PHOTO,
        ),
        action(
            "/clubs/<slug>/image/remove",
            "the private club's image",
            "login 403 403 ok ok 403 403",
            slug="private_club",
        ),
        page(
            "/clubs/<slug>/image/<any(banner, sm):variant>/<key>.webp",
            "the private club's image (as its content)",
            "404 404 ok ok ok ok 404",
            slug="private_club",
            variant="banner",
            key="private_club_image_key",
        ),
        page(
            "/clubs/<slug>/image/<any(banner, sm):variant>/<key>.webp",
            "the public club's image",
            "ok ok ok ok ok ok ok",
            slug="public_club",
            variant="sm",
            key="public_club_image_key",
        ),
        action(
            "/clubs/<slug>/requests/<int:request_id>/<any(approve, decline):decision>",
            "approving jo's request to join the private club",
            "login 403 403 ok ok 403 403",
            slug="private_club",
            request_id="join_request",
            decision="approve",
        ),
        action(
            "/clubs/<slug>/requests/<int:request_id>/<any(approve, decline):decision>",
            "declining jo's request to join the private club",
            "login 403 403 ok ok 403 403",
            slug="private_club",
            request_id="join_request",
            decision="decline",
        ),
        action(
            "/clubs/<slug>/invites",
            "a new invite link to the private club",
            "login 403 403 ok ok 403 403",
            slug="private_club",
            data={"expires_in_days": "7", "max_uses": "5"},
        ),
        action(
            "/clubs/<slug>/invites/<int:invite_id>/revoke",
            "the private club's invite link",
            "login 403 403 ok ok 403 403",
            slug="private_club",
            invite_id="invite_id",
        ),
        action(
            "/clubs/<slug>/members/<int:user_id>/remove",
            "removing rex (a member) from the private club",
            "login 403 403 ok ok 403 403",
            slug="private_club",
            user_id="rex_id",
        ),
        action(
            "/clubs/<slug>/members/<int:user_id>/<any(promote, demote):change>",
            "promoting rex (a member) in the private club",
            "login 403 403 ok ok 403 403",
            slug="private_club",
            user_id="rex_id",
            change="promote",
        ),
        action(
            "/clubs/<slug>/members/<int:user_id>/<any(promote, demote):change>",
            "demoting adam (an admin) in the private club",
            "login 403 403 403 ok 403 403",
            slug="private_club",
            user_id="admin_id",
            change="demote",
        ),
        action(
            "/clubs/<slug>/members/<int:user_id>/transfer",
            "handing the private club to rex",
            "login 403 403 403 ok 403 403",
            slug="private_club",
            user_id="rex_id",
        ),
        action(
            "/clubs/<slug>/delete",
            "deleting the private club",
            "login 403 403 403 ok 403 403",
            slug="private_club",
            data={"confirm": "hideout"},
        ),
        page(
            "/clubs/invite/<token>",
            "the private club's invite link (the link is the credential)",
            "login ok ok ok ok ok ok",
            token="invite_token",
        ),
        action(
            "/clubs/invite/<token>",
            "joining the private club by its invite link",
            "login ok no-op no-op no-op no-op ok",
            token="invite_token",
        ),
    ],
    "Group runs": [
        page(
            "/clubs/<slug>/group-runs/new",
            "the private club's scheduling form",
            "login 403 403 ok ok 403 403",
            slug="private_club",
        ),
        action(
            "/clubs/<slug>/group-runs/new",
            "a new run of the private club",
            "login 403 403 ok ok 403 403",
            slug="private_club",
            data={**GROUP_RUN_FORM, "capacity": "8"},
        ),
        page("/group-runs/", "the runner's upcoming runs", "login ok ok ok ok ok ok"),
        page(
            "/group-runs/<int:run_id>",
            "the private club's next run",
            "404 404 ok ok ok ok 404",
            run_id="group_run",
        ),
        page(
            "/group-runs/<int:run_id>",
            "the public club's next run",
            "ok ok ok ok ok ok ok",
            run_id="public_group_run",
        ),
        page(
            "/group-runs/<int:run_id>.ics",
            "the private club's next run",
            "404 404 ok ok ok ok 404",
            run_id="group_run",
        ),
        action(
            "/group-runs/<int:run_id>/rsvp",
            "going to the private club's next run (mia is going)",
            "login 404 no-op ok ok ok 404",
            run_id="group_run",
            data={"status": "going"},
        ),
        action(
            "/group-runs/<int:run_id>/rsvp",
            "going to the public club's next run",
            "login ok ok ok ok ok ok",
            run_id="public_group_run",
            data={"status": "going"},
        ),
        action(
            "/group-runs/<int:run_id>/attendance",
            "unlinking one's run from the private club's last run (mia's is linked)",
            "login 404 ok no-op no-op no-op 404",
            run_id="past_group_run",
            data={"remove": "1"},
        ),
        action(
            "/group-runs/<int:run_id>/cancel",
            "cancelling the private club's next run",
            "login 404 403 ok ok 403 404",
            run_id="group_run",
        ),
        page(
            "/group-runs/<int:run_id>/edit",
            "the private club's next run",
            "login 404 403 ok ok 403 404",
            run_id="group_run",
        ),
        action(
            "/group-runs/<int:run_id>/edit",
            "the private club's next run",
            "login 404 403 ok ok 403 404",
            run_id="group_run",
            data={**GROUP_RUN_FORM, "apply_to": "this"},
        ),
        action(
            "/group-runs/<int:run_id>/groups/<int:group_id>/capacity",
            "the places of the private club's next run",
            "login 404 403 ok ok 403 404",
            run_id="group_run",
            group_id="pace_group",
            data={"capacity": "12"},
        ),
        page(
            "/calendar/<token>.ics",
            "mia's calendar link (the link is the credential)",
            "ok ok ok ok ok ok ok",
            token="calendar_token",
            reads_as="member",
        ),
        action("/calendar/feed", "a new calendar link", "login ok ok ok ok ok ok"),
        action(
            "/calendar/feed/revoke",
            "the runner's calendar link (mia has one)",
            "login no-op ok no-op no-op no-op no-op",
        ),
    ],
    "Runs": [
        page("/runs/", "the runner's runs", "login ok ok ok ok ok ok"),
        page("/runs/new", "the run form", "login ok ok ok ok ok ok"),
        action("/runs/new", "a run logged by hand", "login ok ok ok ok ok ok", data=RUN_FORM),
        page("/runs/upload", "the upload form", "login ok ok ok ok ok ok"),
        action(
            "/runs/upload",
            "a GPX file",
            "login ok ok ok ok ok ok",
            files={"files": Upload("loop.gpx", GPX)},
        ),
        page("/runs/progress", "the runner's progress", "login ok ok ok ok ok ok"),
        page(
            "/runs/<int:run_id>",
            "mia's public run",
            "ok ok ok ok ok 404 ok",
            run_id="public_run",
        ),
        page(
            "/runs/<int:run_id>",
            "mia's members-only run",
            "404 404 ok ok ok 404 404",
            run_id="members_run",
        ),
        page(
            "/runs/<int:run_id>",
            "mia's private run",
            "404 404 ok 404 404 404 404",
            run_id="private_run",
        ),
        page(
            "/runs/<int:run_id>/edit",
            "mia's public run",
            "login 403 ok 403 403 404 403",
            run_id="public_run",
        ),
        action(
            "/runs/<int:run_id>/edit",
            "mia's public run",
            "login 403 ok 403 403 404 403",
            run_id="public_run",
            data=RUN_FORM,
        ),
        action(
            "/runs/<int:run_id>/delete",
            "mia's public run",
            "login 403 ok 403 403 404 403",
            run_id="public_run",
        ),
        action(
            "/runs/<int:run_id>/delete",
            "mia's private run",
            "login 404 ok 404 404 404 404",
            run_id="private_run",
        ),
    ],
    "Goals": [
        page("/goals/", "one's own goals", "login ok ok ok ok ok ok"),
        page("/milestones/", "one's own milestones", "login ok ok ok ok ok ok"),
        page("/reflections/", "one's own journal", "login ok ok ok ok ok ok"),
        page(
            "/reflections/runs/<int:run_id>",
            "a reflection on mia's run",
            "login 404 ok 404 404 404 404",
            run_id="public_run",
        ),
        action(
            "/reflections/runs/<int:run_id>",
            "a reflection on mia's run",
            "login 404 ok 404 404 404 404",
            run_id="public_run",
            data={"feeling": "4", "went_well": "Strong finish."},
        ),
        page("/goals/new", "the goal builder", "login ok ok ok ok ok ok"),
        action("/goals/new", "setting a habit", "login ok ok ok ok ok ok", data=GOAL_FORM),
        action(
            "/goals/why",
            "one's own reason to run",
            "login ok ok ok ok ok ok",
            data={"statement": "To see the sun come up."},
        ),
        page(
            "/goals/<int:goal_id>/edit",
            "mia's goal",
            "login 404 ok 404 404 404 404",
            goal_id="member_goal",
        ),
        action(
            "/goals/<int:goal_id>/edit",
            "mia's goal",
            "login 404 ok 404 404 404 404",
            goal_id="member_goal",
            data=GOAL_FORM,
        ),
        action(
            "/goals/<int:goal_id>/steps",
            "mia's goal: its monthly steps",
            "login 404 ok 404 404 404 404",
            goal_id="member_goal",
        ),
        action(
            "/goals/<int:goal_id>/delete",
            "mia's goal",
            "login 404 ok 404 404 404 404",
            goal_id="member_goal",
        ),
        page(
            "/goals/clubs/<slug>",
            "the goals shared with the private club (members only)",
            "login 404 ok ok ok ok 404",
            slug="private_club",
        ),
        page(
            "/goals/clubs/<slug>",
            "the goals shared with the public club (members only)",
            "login 404 ok ok ok ok 404",
            slug="public_club",
        ),
        action(
            "/goals/<int:goal_id>/cheer",
            "mia's goal shared with the private club (not her own; not by whom she blocked)",
            "login 404 no-op ok ok 404 404",
            goal_id="member_shared_goal",
        ),
    ],
    "Challenges": [
        page("/challenges/", "the challenges", "ok ok ok ok ok ok ok"),
        page("/challenges/new", "a site challenge's form", "login 403 403 403 403 403 ok"),
        page(
            "/challenges/new",
            "the private club's challenge form (?club=)",
            "login 403 403 ok ok 403 403",
            query={"club": W("private_club")},
        ),
        action(
            "/challenges/new",
            "a site challenge",
            "login 403 403 403 403 403 ok",
            data=CHALLENGE_FORM,
        ),
        action(
            "/challenges/new",
            "a challenge of the private club (?club=)",
            "login 403 403 ok ok 403 403",
            query={"club": W("private_club")},
            data=CHALLENGE_FORM,
        ),
        page(
            "/challenges/<int:challenge_id>",
            "the private club's challenge",
            "404 404 ok ok ok ok 404",
            challenge_id="challenge",
        ),
        page(
            "/challenges/<int:challenge_id>",
            "the site's monthly challenge",
            "ok ok ok ok ok ok ok",
            challenge_id="site_challenge",
        ),
        page(
            "/challenges/<int:challenge_id>/standings",
            "the private club's challenge's standings over time (JSON)",
            "404 404 ok ok ok ok 404",
            challenge_id="challenge",
        ),
        page(
            "/challenges/<int:challenge_id>/standings",
            "the site's monthly challenge's standings over time (JSON)",
            "ok ok ok ok ok ok ok",
            challenge_id="site_challenge",
        ),
        action(
            "/challenges/<int:challenge_id>/join",
            "the private club's challenge (mia is in)",
            "login 404 no-op ok ok ok 404",
            challenge_id="challenge",
        ),
        action(
            "/challenges/<int:challenge_id>/leave",
            "the private club's challenge (mia is in)",
            "login 404 ok no-op no-op no-op 404",
            challenge_id="challenge",
        ),
        action(
            "/challenges/<int:challenge_id>/visibility",
            "hiding from the private club's challenge board (mia is in)",
            "login 404 ok no-op no-op no-op 404",
            challenge_id="challenge",
            data={"hidden": "1"},
        ),
        page(
            "/challenges/clubs/<slug>/boards",
            "the private club's boards",
            "404 404 ok ok ok ok 404",
            slug="private_club",
        ),
        action(
            "/challenges/clubs/<slug>/monthly",
            "the private club's monthly challenge",
            "login 404 403 ok ok 403 404",
            slug="private_club",
            data={"active": "y", "goal": "100"},
        ),
    ],
    "Feed": [
        page("/feed/", "the runner's feed", "login ok ok ok ok ok ok"),
        page(
            "/feed/live", "the runner's feed, since an item", "login ok ok ok ok ok ok", query=AFTER
        ),
        page(
            "/feed/clubs/<slug>",
            "the private club's feed",
            "404 404 ok ok ok ok 404",
            slug="private_club",
        ),
        page(
            "/feed/clubs/<slug>",
            "the public club's feed",
            "ok ok ok ok ok ok ok",
            slug="public_club",
        ),
        page(
            "/feed/clubs/<slug>/live",
            "the private club's feed, since an item",
            "login 404 ok ok ok ok 404",
            slug="private_club",
            query=AFTER,
        ),
        action(
            "/feed/clubs/<slug>/posts",
            "a post in the private club",
            "login 404 403 ok ok 403 404",
            slug="private_club",
            data={"body": "Club news"},
        ),
        page(
            "/feed/clubs/<slug>/reports",
            "the private club's reports",
            "login 404 403 ok ok 403 404",
            slug="private_club",
        ),
        page("/feed/reports", "the site's reports", "login 403 403 403 403 403 ok"),
        action(
            "/feed/reports/<int:report_id>/hide",
            "a report to the private club's admins (about mia)",
            "login 404 403 ok ok 403 404",
            report_id="club_report",
        ),
        action(
            "/feed/reports/<int:report_id>/dismiss",
            "a report to the private club's admins (about mia)",
            "login 404 403 ok ok 403 404",
            report_id="club_report",
        ),
        action(
            "/feed/reports/<int:report_id>/hide",
            "a report to the site's admins",
            "login 403 403 403 403 403 ok",
            report_id="site_report",
        ),
        action(
            "/feed/reports/<int:report_id>/dismiss",
            "a report to the site's admins",
            "login 403 403 403 403 403 ok",
            report_id="site_report",
        ),
        page("/feed/u/<username>", "mia's feed", "ok ok ok ok ok 404 ok", username="member_name"),
        page(
            "/feed/u/<username>/live",
            "mia's feed, since an item",
            "login ok ok ok ok 404 ok",
            username="member_name",
            query=AFTER,
        ),
        action(
            "/feed/items/<int:item_id>/kudos",
            "mia's public run (adam gave kudos)",
            "login ok no-op no-op ok 404 ok",
            item_id="public_run_item",
        ),
        action(
            "/feed/items/<int:item_id>/kudos",
            "mia's members-only run",
            "login 404 no-op ok ok 404 404",
            item_id="members_run_item",
        ),
        action(
            "/feed/items/<int:item_id>/kudos/delete",
            "mia's public run (adam gave kudos)",
            "login no-op no-op ok no-op 404 no-op",
            item_id="public_run_item",
        ),
        action(
            "/feed/items/<int:item_id>/comments",
            "mia's members-only run",
            "login 404 ok ok ok 404 404",
            item_id="members_run_item",
            data={"body": "Well run"},
        ),
        action(
            "/feed/comments/<int:comment_id>/edit",
            "mia's comment on the private club's pinned post",
            "login 404 ok 403 403 404 404",
            comment_id="comment",
            data={"body": "Edited"},
        ),
        action(
            "/feed/comments/<int:comment_id>/delete",
            "mia's comment on the private club's pinned post",
            "login 404 ok ok ok 404 404",
            comment_id="comment",
        ),
        action(
            "/feed/comments/<int:comment_id>/report",
            "mia's comment on the private club's pinned post",
            "login 404 no-op ok ok 404 404",
            comment_id="comment",
            data={"reason": "Not kind"},
        ),
        action(
            "/feed/items/<int:item_id>/report",
            "mia's members-only run",
            "login 404 no-op ok ok 404 404",
            item_id="members_run_item",
            data={"reason": "Not kind"},
        ),
        action(
            "/feed/items/<int:item_id>/report",
            "mia's public run",
            "login ok no-op ok ok 404 ok",
            item_id="public_run_item",
            data={"reason": "Not kind"},
        ),
        action(
            "/feed/items/<int:item_id>/pin",
            "adam's unpinned post in the private club",
            "login 404 403 ok ok 403 404",
            item_id="post",
        ),
        action(
            "/feed/items/<int:item_id>/unpin",
            "adam's pinned post in the private club",
            "login 404 403 ok ok 403 404",
            item_id="pinned_post",
        ),
        action(
            "/feed/items/<int:item_id>/delete",
            "adam's post in the private club",
            "login 404 403 ok ok 403 404",
            item_id="post",
        ),
    ],
    "Notifications": [
        page("/notifications/", "the runner's notifications", "login ok ok ok ok ok ok"),
        action(
            "/notifications/read",
            "the runner's notifications (those unread, if any)",
            "login ok ok ok ok ok ok",
            writes=False,
        ),
    ],
    "Socket.IO events": [
        event("connect", "a socket", "login ok ok ok ok ok ok", {}),
        event(
            "club:watch",
            "the private club",
            "login refused ok ok ok ok refused",
            {"club_id": W("private_club_id")},
        ),
        event(
            "run:watch",
            "the private club's next run",
            "login refused ok ok ok ok refused",
            {"run_id": W("group_run")},
        ),
        event(
            "challenge:watch",
            "the private club's challenge",
            "login refused ok ok ok ok refused",
            {"challenge_id": W("challenge")},
        ),
        event(
            "feed:watch",
            "the private club's feed",
            "login refused ok ok ok ok refused",
            {"feed": "club", "id": W("private_club_id")},
        ),
        event(
            "feed:watch",
            "mia's feed",
            "login ok ok ok ok refused ok",
            {"feed": "profile", "id": W("member_id")},
        ),
        event(
            "feed:watch",
            "mia's members-only run",
            "login refused ok ok ok refused refused",
            {"items": [W("members_run_item")]},
        ),
        event(
            "feed:watch",
            "the private club's pinned post",
            "login refused ok ok ok ok refused",
            {"items": [W("pinned_post")]},
        ),
    ],
}

ROWS: list[Row] = [row for rows in SECTIONS.values() for row in rows]


# --- the document -------------------------------------------------------------------------

ROLE_HEADINGS = [role.replace("_", " ") for role in ROLES]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _table(rows: list[Row]) -> list[str]:
    lines = [
        "| route | asked about | " + " | ".join(ROLE_HEADINGS) + " |",
        "|---|---|" + "---|" * len(ROLES),
    ]
    for row in rows:
        route = _cell(f"`{row.route}`")
        lines.append(f"| {route} | {_cell(row.about)} | " + " | ".join(row.expect) + " |")
    return lines


def render() -> str:
    """docs/ACCESS.md, from the rows above and the world's roles and secrets."""
    cells = len(ROWS) * len(ROLES)
    routes = len({row.route for row in ROWS if row.method != "EVENT"})
    events = len({row.rule for row in ROWS if row.method == "EVENT"})
    lines = [
        "# Who may do what: the access matrix",
        "",
        "<!-- Generated from tests/access_matrix.py: do not edit by hand. -->",
        "Generated from the rows in `tests/access_matrix.py`; regenerate it with "
        "`.venv/bin/python -m tests.access_matrix`. `tests/test_access.py` walks every cell "
        "against a real app, fails when a route of the URL map or a Socket.IO event has no "
        "row, and fails when this file is not what the rows render.",
        "",
        f"{len(ROWS)} rows ({routes} routes with their methods, {events} socket events, "
        f"some asked about more than one thing) x {len(ROLES)} roles = {cells} cells.",
        "",
        "## Roles",
        "",
        "Each role is played by one runner of the world built in `tests/world.py`: a private "
        "club, Hideout (where a leak would matter), and a public club, Meadow, with the same "
        "people in them.",
        "",
        "| role | who |",
        "|---|---|",
        *(f"| {role.replace('_', ' ')} | {ROLE_MEANING[role]} |" for role in ROLES),
        "",
        "## Outcomes",
        "",
        *(f"- **{name}**: {meaning}." for name, meaning in OUTCOMES.items()),
        "",
        "Every refusal (login, 400, 403, 404, no-op, refused) is checked to change no row of "
        "the database; every cell starts from the same world.",
        "",
        "A private club's name and landing page are public (found by name, with a form to ask "
        "to join), so its admin actions answer 403 to outsiders, decided before anything in "
        "the club is looked up; what is inside it (runs, posts, comments, reports, group runs, "
        "challenges, boards, feeds) is a 404 to them. A secret link (a calendar feed, a "
        "password reset, an invite) is its own credential: whoever holds it is let in.",
        "",
        "## What each role may read",
        "",
        "Every response of every cell is read for these markers, planted in the world; a "
        "role that is not listed for one must never be shown it.",
        "",
        "| marker | what it is | who may read it |",
        "|---|---|---|",
        *(
            f"| `{marker}` | {what} | "
            + ", ".join(r.replace("_", " ") for r in ROLES if r in roles)
            + " |"
            for marker, (what, roles) in SECRETS.items()
        ),
    ]
    for title, rows in SECTIONS.items():
        lines += ["", f"## {title}", "", *_table(rows)]
    return "\n".join(lines) + "\n"


_PARAMETER = re.compile(r"<(?:([^:>]+):)?([^>]+)>")


def path_of(row: Row, world: Mapping[str, object]) -> str:
    """The row's rule with its parameters filled in from the world."""

    def fill(match: re.Match[str]) -> str:
        converter, name = match.group(1) or "", match.group(2)
        value = row.params[name]
        return value if converter.startswith("any(") else str(world[value])

    return _PARAMETER.sub(fill, row.rule)


def resolved(value: object, world: Mapping[str, object]) -> object:
    """A form, query or payload value with the world's values put in for W(key)."""
    if isinstance(value, W):
        return world[value.key]
    if isinstance(value, list):
        return [resolved(v, world) for v in value]
    if isinstance(value, dict):
        return {k: resolved(v, world) for k, v in value.items()}
    return value


assert set(PLAYERS) | {"anonymous"} == set(ROLES)

if __name__ == "__main__":
    DOCUMENT.parent.mkdir(exist_ok=True)
    DOCUMENT.write_text(render(), encoding="utf-8")
    print(f"wrote {DOCUMENT}")  # noqa: T201
