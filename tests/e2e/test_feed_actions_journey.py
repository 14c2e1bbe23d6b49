"""Feed actions in a real browser: taking back kudos, editing and deleting comments, club
posts pinned and deleted, a report dismissed, and older pages. One runner acts; the other
sees it on the page they have open."""

from datetime import timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from community.accounts.models import User
from community.activities import services as runs
from community.activities.models import Run
from community.clubs.models import Club
from community.db_types import utcnow
from community.extensions import db
from community.feed import posts, services
from community.feed.models import FeedItem
from tests.e2e.pages import confirming, item, log_in, open_comments, open_menu, watching
from tests.helpers import add_member, make_runner

pytestmark = pytest.mark.browser


def flash(page: Page, message: str) -> None:
    expect(page.locator(".flash").filter(has_text=message)).to_be_visible()


def user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def ran(app: Flask, username: str, title: str, hours_ago: float = 1) -> None:
    """A public run of `username`'s, logged through the service, that ended recently."""
    with app.app_context():
        now = utcnow()
        runs.log_run(
            user(username),
            runs.RunDetails(
                start_time=now - timedelta(hours=hours_ago),
                distance_m=8000,
                duration_s=2640,
                title=title,
            ),
            now=now,
        )
        db.session.commit()


def announced(app: Flask, club_id: int, body: str, minutes_ago: float = 0) -> None:
    """A club post by the club's owner, Ben, through the service (not pinned)."""
    with app.app_context():
        posts.post(
            user("ben"),
            db.session.get(Club, club_id),
            body,
            pinned=False,
            now=utcnow() - timedelta(minutes=minutes_ago),
        )
        db.session.commit()


# --- kudos and comments ---------------------------------------------------------------


def test_kudos_taken_back_leave_the_runners_open_page_live(
    club_mates, app: Flask, new_page
) -> None:
    ran(app, "ana", "Sunday long run")
    ana, ben = new_page(), new_page()
    log_in(ana, "ana")
    watching(ana)
    ana_item = item(ana, "Sunday long run")
    expect(ana_item.locator("[data-kudos-count]")).to_have_text("")

    log_in(ben, "ben")
    ben.goto("/u/ana")
    ben.get_by_role("button", name="Give kudos").click()
    expect(ana_item).to_contain_text("Ben Okafor gave kudos")

    # Ben takes it back: the button turns back, and Ana's count drops without a reload.
    ben.get_by_role("button", name="Take back kudos").click()
    flash(ben, "Kudos taken back.")
    expect(ben.get_by_role("button", name="Give kudos")).to_be_visible()
    expect(ana_item.locator("[data-kudos-count='0']")).to_have_text("")
    expect(ana_item).not_to_contain_text("gave kudos")


def test_a_comment_edited_then_deleted_changes_on_the_runners_open_page_live(
    club_mates, app: Flask, new_page
) -> None:
    ran(app, "ana", "Track session")
    ana, ben = new_page(), new_page()
    log_in(ana, "ana")
    watching(ana)
    ana_item = item(ana, "Track session")

    log_in(ben, "ben")
    ben.goto("/u/ana")
    ben_item = item(ben, "Track session")
    ben_item.get_by_label("Comment").fill("Nice splits!")
    ben_item.get_by_role("button", name="Comment", exact=True).click()
    flash(ben, "Comment posted.")
    expect(ana_item).to_contain_text("Ben Okafor: Nice splits!")

    # He edits it through the form under his comment; Ana sees the new text, marked edited.
    open_comments(item(ben, "Track session"))
    comment = item(ben, "Track session").locator("li[data-comment-id]")
    comment.get_by_text("Edit", exact=True).click()
    expect(comment.get_by_label("Edit your comment")).to_have_value("Nice splits!")
    comment.get_by_label("Edit your comment").fill("Nice splits, even pacing!")
    comment.get_by_role("button", name="Save", exact=True).click()
    flash(ben, "Comment saved.")
    expect(ana_item).to_contain_text("Ben Okafor: Nice splits, even pacing! (edited)")
    expect(ana_item).not_to_contain_text("Nice splits!")

    # He deletes it; it leaves Ana's page.
    open_comments(item(ben, "Track session"))
    comment.get_by_role("button", name="Delete", exact=True).click()
    flash(ben, "Comment deleted.")
    expect(item(ben, "Track session").locator("li[data-comment-id]")).to_have_count(0)
    expect(ana_item.locator("li[data-comment-id]")).to_have_count(0)
    expect(ana_item).not_to_contain_text("even pacing")


def kudos_from(app: Flask, username: str, title: str) -> None:
    """`username` gives kudos to the feed item of the run called `title`, through the service."""
    with app.app_context():
        item_id = db.session.scalar(
            select(FeedItem.id).join(FeedItem.run).where(Run.title == title)
        )
        services.give_kudos(user(username), item_id, now=utcnow())
        db.session.commit()


def test_a_comment_being_written_keeps_its_text_while_kudos_arrive_live(
    club_mates, app: Flask, new_page
) -> None:
    ran(app, "ana", "Hill reps")
    for name in ("cleo", "dan"):
        make_runner(app, name, display_name=f"{name.title()} Park")
    ben = new_page()
    log_in(ben, "ben")
    ben.goto("/u/ana")
    watching(ben)
    card = item(ben, "Hill reps")

    # Ben starts a comment and looks away; Cleo's kudos redraw his card around the draft.
    card.get_by_label("Comment").fill("Those hills")
    ben.get_by_role("heading", name="Ana Lima").click()
    kudos_from(app, "cleo", "Hill reps")
    expect(card).to_contain_text("Cleo Park gave kudos")
    expect(card.locator(".faces .avatar")).to_have_count(1)  # the card's fresh copy is in
    expect(card.get_by_label("Comment")).to_have_value("Those hills")

    # He types on, the box focused, as Dan's kudos arrive: his text stays as he typed it.
    card.get_by_label("Comment").press("End")
    card.get_by_label("Comment").press_sequentially(" look steep")
    kudos_from(app, "dan", "Hill reps")
    expect(card.locator(".faces .avatar")).to_have_count(2)
    card.get_by_label("Comment").press_sequentially("!")
    expect(card.get_by_label("Comment")).to_have_value("Those hills look steep!")
    card.get_by_role("button", name="Comment", exact=True).click()
    flash(ben, "Comment posted.")
    expect(item(ben, "Hill reps")).to_contain_text("Ben Okafor: Those hills look steep!")
    expect(item(ben, "Hill reps")).to_contain_text("Cleo Park and Dan Park gave kudos")


# --- club posts -----------------------------------------------------------------------


def pinned_block(page: Page):
    return page.locator("[data-pinned-posts]")


def test_the_owner_posts_pins_unpins_and_deletes_an_announcement(club_mates, new_page) -> None:
    text = "Hill repeats on Saturday, meet at the bandstand."
    ana, ben = new_page(), new_page()
    log_in(ben, "ben")
    ben.goto("/clubs/riverside")
    ben.get_by_text("Post an announcement").click()
    ben.get_by_label("Announcement").fill(text)
    ben.get_by_role("button", name="Post", exact=True).click()

    # Not pinned: in the feed, with no badge, and no pinned block on top.
    flash(ben, "Posted to the club feed.")
    post = item(ben, text)
    expect(post).to_contain_text("Ben Okafor posted in Riverside Runners")
    expect(post.get_by_text("Pinned", exact=True)).to_have_count(0)
    expect(pinned_block(ben)).to_have_count(0)

    # Ana has the club page open.
    log_in(ana, "ana")
    ana.goto("/clubs/riverside")
    watching(ana)
    expect(item(ana, text)).to_be_visible()

    post.get_by_role("button", name="Pin", exact=True).click()
    flash(ben, "Pinned on top.")
    expect(post.get_by_text("Pinned", exact=True)).to_be_visible()
    expect(pinned_block(ben)).to_contain_text(f"Pinned Ben Okafor: {text}")

    post.get_by_role("button", name="Unpin", exact=True).click()
    flash(ben, "Unpinned.")
    expect(post.get_by_text("Pinned", exact=True)).to_have_count(0)
    expect(pinned_block(ben)).to_have_count(0)
    expect(post.get_by_role("button", name="Pin", exact=True)).to_be_visible()

    open_menu(post)
    confirming(ben, post.get_by_role("button", name="Delete post").click)
    flash(ben, "Post deleted.")
    expect(item(ben, text)).to_have_count(0)
    # It leaves Ana's open club page without a reload.
    expect(item(ana, text)).to_have_count(0)


def test_a_pinned_announcement_shows_its_badge_on_a_members_open_club_page(
    club_mates, app: Flask, new_page
) -> None:
    text = "Club kit orders close Friday."
    announced(app, club_mates, text)
    ana, ben = new_page(), new_page()
    log_in(ana, "ana")
    ana.goto("/clubs/riverside")
    watching(ana)
    expect(item(ana, text).get_by_text("Pinned", exact=True)).to_have_count(0)

    log_in(ben, "ben")
    ben.goto("/clubs/riverside")
    item(ben, text).get_by_role("button", name="Pin", exact=True).click()
    flash(ben, "Pinned on top.")

    expect(item(ana, text).get_by_text("Pinned", exact=True)).to_be_visible()


# --- reports --------------------------------------------------------------------------


def test_a_reported_run_is_dismissed_by_the_club_admin_and_stays(
    club_mates, app: Flask, new_page
) -> None:
    add_member(app, club_mates, make_runner(app, "cleo", display_name="Cleo Park"))
    ran(app, "ana", "River loop")
    cleo, ben = new_page(), new_page()

    # Cleo reports Ana's run (the item itself) from the club page.
    log_in(cleo, "cleo")
    cleo.goto("/clubs/riverside")
    run = item(cleo, "River loop")
    open_menu(run)
    run.get_by_text("Report", exact=True).click()
    run.get_by_label("Why report it?").fill("Looks like a car ride")
    run.get_by_role("button", name="Send report").click()
    flash(cleo, "Reported: thank you. The admins will take a look.")

    # Ben, the club's owner, finds it on the club's Reports page and dismisses it.
    log_in(ben, "ben")
    ben.goto("/clubs/riverside")
    ben.get_by_role("link", name="Reports").click()
    expect(ben.get_by_role("heading", name="Reports: Riverside Runners")).to_be_visible()
    report = ben.locator("li.report")
    expect(report).to_contain_text("A post by Ana Lima: River loop")
    expect(report).to_contain_text("Reported by Cleo Park")
    expect(report).to_contain_text("Looks like a car ride")
    report.get_by_role("button", name="Dismiss").click()
    flash(ben, "Report dismissed: it stays as it is.")
    expect(ben.get_by_text("No open reports.")).to_be_visible()

    # The run stays in the club feed, for Cleo and everyone.
    cleo.reload()
    expect(item(cleo, "River loop")).to_contain_text("Ana Lima ran 8.00 km")
    expect(item(cleo, "River loop").locator("[data-hidden]")).to_have_count(0)
    ben.goto("/clubs/riverside")
    expect(item(ben, "River loop")).to_be_visible()


# --- older pages ----------------------------------------------------------------------


def test_older_shows_the_next_page_of_the_club_feed(club_mates, app: Flask, new_page) -> None:
    # 25 posts, oldest first: a page holds 20, so the 5 oldest are on the next one.
    for number in range(1, 26):
        announced(app, club_mates, f"Notice number {number:02}.", minutes_ago=60 - number)
    ana = new_page()
    log_in(ana, "ana")
    ana.goto("/clubs/riverside")
    expect(item(ana, "Notice number 25.")).to_be_visible()
    expect(item(ana, "Notice number 06.")).to_be_visible()
    expect(item(ana, "Notice number 05.")).to_have_count(0)

    ana.get_by_role("link", name="Older").click()
    expect(ana.get_by_role("heading", name="Riverside Runners: club feed")).to_be_visible()
    for number in range(1, 6):
        expect(item(ana, f"Notice number {number:02}.")).to_be_visible()
    expect(item(ana, "Notice number 06.")).to_have_count(0)
    expect(item(ana, "Notice number 25.")).to_have_count(0)
