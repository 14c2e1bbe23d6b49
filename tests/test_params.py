"""A number too big for an id column names nothing: no 500 from the database."""

from community.params import MAX_ID
from tests.helpers import as_, make_runner

HUGE = 2**64


def test_a_page_number_beyond_reason_is_the_first_page(app):
    make_runner(app, "ana")
    for path in ("/notifications/", "/runs/", "/clubs/"):
        assert as_(app, "ana").get(f"{path}?page={HUGE}").status_code == 200, path


def test_a_feed_cursor_beyond_any_id_is_the_first_page(app):
    make_runner(app, "ana")
    assert as_(app, "ana").get(f"/feed/?before={HUGE}").status_code == 200


def test_an_id_beyond_any_column_in_a_path_is_a_404(app):
    make_runner(app, "ana")
    assert as_(app, "ana").get(f"/runs/{HUGE}").status_code == 404
    assert as_(app, "ana").get(f"/runs/{MAX_ID + 1}").status_code == 404
    assert as_(app, "ana").get(f"/runs/{MAX_ID}").status_code == 404
