"""Feed items as cards: what a runner sees on each, and the page they sit on."""

import re
from collections import Counter
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask, render_template_string
from sqlalchemy import event

from community.activities import services as runs
from community.clubs.models import Club
from community.db_types import utcnow
from community.extensions import db
from community.feed import posts, queries, services
from community.feed.models import FeedItem
from tests.feed.builders import log_run, named
from tests.helpers import add_member, as_, html, make_club, make_runner, submit, text

CSS = Path(__file__).parents[2] / "static" / "css" / "app.css"


class Page(HTMLParser):
    """The ids of a page, and its elements with their attributes, in order."""

    def __init__(self, markup: str) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.feed(markup)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.elements.append((tag, found))
        if found.get("id"):
            self.ids.append(found["id"] or "")


def club_of_three(app: Flask) -> int:
    """Riverside: Olga (owner), Ana Lima and Ben Okafor."""
    olga = make_runner(app, "olga", display_name="Olga Petrova")
    club_id = make_club(app, olga, slug="riverside")
    add_member(app, club_id, make_runner(app, "ana", display_name="Ana Lima"))
    add_member(app, club_id, make_runner(app, "ben", display_name="Ben Okafor"))
    return club_id


def cheered(app: Flask, item: int, *names: str, say: str = "") -> None:
    with app.app_context():
        for name in names:
            services.give_kudos(named(name), item, now=utcnow())
            if say:
                services.add_comment(named(name), item, say, now=utcnow())
        db.session.commit()


def test_a_club_page_with_many_items_has_no_id_twice(app):
    club_id = club_of_three(app)
    for n in range(25):
        item = log_run(app, "ana" if n % 2 else "ben", km=5 + n)
        cheered(app, item, "olga", say=f"Well run, number {n}")
    with app.app_context():
        posts.post(
            named("olga"), db.session.get(Club, club_id), "Kit day", pinned=True, now=utcnow()
        )
        db.session.commit()
    page = Page(html(as_(app, "olga").get("/clubs/riverside")))
    assert len(page.ids) > 50
    assert [name for name, times in Counter(page.ids).items() if times > 1] == []
    tokens = [attrs for tag, attrs in page.elements if attrs.get("name") == "csrf_token"]
    assert len(tokens) > 50 and all("id" not in attrs for attrs in tokens)


def test_the_visually_hidden_labels_have_their_rule(app):
    """Each card's "Comment" label is for screen readers: it must not show as a stray word."""
    rule = re.search(r"\.visually-hidden\s*\{([^}]*)\}", CSS.read_text())
    assert rule, "no .visually-hidden rule in app.css"
    assert "position: absolute" in rule.group(1) and "clip: rect(0, 0, 0, 0)" in rule.group(1)


def test_a_run_card_says_when_it_was_run_with_its_distance_time_and_pace(app):
    club_of_three(app)
    with app.app_context():
        ana = named("ana")
        ana.timezone = "Asia/Tokyo"
        # Run three days ago in the evening, logged now.
        ran = (utcnow() - timedelta(days=3)).replace(hour=17, minute=30, second=0, microsecond=0)
        runs.log_run(
            ana,
            runs.RunDetails(start_time=ran, distance_m=10_000, duration_s=3000, title="River ten"),
            now=utcnow(),
        )
        db.session.commit()
    card = text(as_(app, "ana").get("/feed/u/ana"))
    when = ran.astimezone(ZoneInfo("Asia/Tokyo")).strftime("%a %-d %b %Y, %H:%M")
    assert f"Ana Lima ran 10.00 km : River ten {when}" in card
    assert "Distance 10.00 km Time 50:00 Pace 5:00 /km" in card


def test_kudos_show_the_faces_of_who_gave_them(app):
    club_of_three(app)
    item = log_run(app, "ana")
    cheered(app, item, "ben", "olga")
    page = html(as_(app, "ana").get("/clubs/riverside"))
    faces = re.search(
        r'<span class="faces" aria-hidden="true">(.*?)</span>\s*<span data-kudos-count', page, re.S
    )
    assert faces
    assert re.findall(r'class="avatar[^"]*" data-initials="(\w+)"', faces.group(1)) == ["BO", "OP"]
    assert "Ben Okafor and Olga Petrova gave kudos" in text(as_(app, "ana").get("/clubs/riverside"))


def test_comments_wait_behind_their_count_until_opened(app):
    club_of_three(app)
    item = log_run(app, "ana")
    cheered(app, item, "ben", "olga", say="Flying!")
    page = html(as_(app, "ana").get("/clubs/riverside"))
    box = re.search(
        r'<details class="feed-comments-box" id="comments-\d+"( open)?>\s*<summary[^>]*>([^<]*)<',
        page,
    )
    assert box and box.group(1) is None
    assert box.group(2) == "2 comments"


def test_report_and_delete_wait_in_the_items_menu(app):
    club_id = club_of_three(app)
    log_run(app, "ana")
    with app.app_context():
        posts.post(
            named("olga"), db.session.get(Club, club_id), "Kit day", pinned=False, now=utcnow()
        )
        db.session.commit()
    page = html(as_(app, "olga").get("/clubs/riverside"))
    items = page.split('<li class="feed-item"')[1:]
    menus = [
        i[i.index('<details class="menu">') : i.index('<div class="feed-cheers')] for i in items
    ]
    # Olga's own post: delete it (after a question); Ana's run: report it.
    assert len(menus) == 2
    assert 'data-confirm="Delete this post?' in menus[0] and "Report" not in menus[0]
    assert "Report" in menus[1] and "Delete" not in menus[1]


def run_of(app: Flask, item: int) -> int:
    with app.app_context():
        return db.session.get(FeedItem, item).run_id


def test_deleting_a_run_asks_first(app):
    make_runner(app, "ana")
    run_id = run_of(app, log_run(app, "ana"))
    page = Page(html(as_(app, "ana").get(f"/runs/{run_id}")))
    delete = [a for tag, a in page.elements if tag == "form" and "/delete" in (a["action"] or "")]
    assert delete and delete[0]["data-confirm"]


def test_a_runs_page_shows_its_kudos_with_faces_and_its_comments(app):
    club_of_three(app)
    item = log_run(app, "ana")
    cheered(app, item, "ben", say="Lovely pacing @ana")
    run_id = run_of(app, item)
    page = html(as_(app, "olga").get(f"/runs/{run_id}"))
    assert 'data-initials="BO"' in page  # Ben's face beside the kudos
    shown = text(as_(app, "olga").get(f"/runs/{run_id}"))
    assert "Kudos and comments" in shown and "Ben Okafor gave kudos" in shown
    assert "Ben Okafor : Lovely pacing @ana" in shown
    submit(
        as_(app, "olga"),
        f"/feed/items/{item}/kudos",
        {"next": f"/runs/{run_id}"},
        page="/dashboard",
    )
    assert "Ben Okafor and Olga Petrova gave kudos" in text(as_(app, "ana").get(f"/runs/{run_id}"))


def test_the_avatar_is_initials_on_a_colour_by_id_or_the_picture_given(app):
    with app.test_request_context():
        macro = '{% from "_avatar.html" import avatar %}'
        initials = render_template_string(macro + "{{ avatar(11, 'ana lima', 32) }}")
        picture = render_template_string(macro + "{{ avatar(11, 'Ana Lima', 40, url='/a.png') }}")
        nameless = render_template_string(macro + "{{ avatar(8, ' ', 24) }}")
    # The initials are drawn by CSS from data-initials; the name beside the face is the text.
    assert initials == (
        '<span class="avatar avatar-32 avatar-c3" data-initials="AL" aria-hidden="true"></span>'
    )
    assert '<img src="/a.png" alt="" data-initials="AL"' in picture
    assert "avatar-c0" in nameless and 'data-initials="?"' in nameless


def test_a_comments_mentions_are_resolved_in_one_statement(app):
    """Four runners named who may not see a members-only run cost what one does."""
    club_of_three(app)
    for name in ("cleo", "dan", "eve", "fay"):
        make_runner(app, name)
    item = log_run(app, "ana", visibility="members")

    def statements(body: str) -> int:
        seen: list[str] = []

        def count(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
            seen.append(statement)

        with app.app_context():
            ben = named("ben")
            event.listen(db.engine, "before_cursor_execute", count)
            try:
                services.add_comment(ben, item, body, now=utcnow())
            finally:
                event.remove(db.engine, "before_cursor_execute", count)
            db.session.commit()
        return len(seen)

    assert statements("Go @cleo") == statements("Go @cleo @dan @eve @fay and @nobody")


def test_a_cards_kudos_and_comments_are_read_together_as_each_viewer_may_see_them(app):
    """Olga runs the club, Ben comments on Ana's run and edits it, Olga cheers and comments."""
    club_of_three(app)
    item = log_run(app, "ana")
    cheered(app, item, "olga", "ben")
    with app.app_context():
        mine = services.add_comment(named("ben"), item, "Great pacing", now=utcnow())
        services.edit_comment(named("ben"), mine.id, "Great pacing!", now=utcnow())
        services.add_comment(named("olga"), item, "Well done", now=utcnow())
        db.session.commit()
        written = mine.created_at
        shown = queries.shown([item], named("ben").id)
        (card,) = queries.cards(shown, named("ben").id)
    assert (card.kudos.count, card.kudos.mine, card.kudos.names) == (
        2,
        True,
        ["Olga Petrova", "Ben Okafor"],
    )
    first, second = card.comments
    assert (first.author.username, first.body, first.edited) == ("ben", "Great pacing!", True)
    assert first.created_at == written and first.created_at.tzinfo is not None
    # Ben deletes his own comment, not Olga's; Ana, whose run it is, either; Olga her own.
    assert (first.may_delete, second.may_delete) == (True, False)
    assert (first.may_report, second.may_report) == (False, True)
    with app.app_context():
        for name, may_delete in (("ana", [True, True]), ("olga", [False, True])):
            (card,) = queries.cards(queries.shown([item], named(name).id), named(name).id)
            assert [c.may_delete for c in card.comments] == may_delete
            assert card.kudos.mine is (name == "olga")
