"""Forgot password: a single-use, time-limited link, sent through a real SMTP server."""

import re
import socket
import threading
import time
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from community.accounts import services
from tests.helpers import PASSWORD, log_in, make_runner, submit, text

NEW_PASSWORD = "a fresh start on the hills"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.arrived = threading.Event()

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        self.arrived.set()
        return "250 Message accepted for delivery"


class SignedTwoHoursAgo(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 2 * 60 * 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox(app) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_USE_TLS=False)
    yield inbox
    controller.stop()


def reset_link(message: Message) -> str:
    body = message.get_payload(decode=True).decode()
    match = re.search(r"http://localhost(/reset-password/\S+)", body)
    assert match, body
    return match.group(1)


def ask_for_link(client, email: str = "ana@example.com"):
    return submit(client, "/forgot-password", {"email": email}, page="/forgot-password")


def test_reset_link_arrives_by_mail_and_sets_a_new_password(app, client, inbox):
    make_runner(app, "ana")
    response = ask_for_link(client, "ANA@example.com")
    assert response.headers["Location"] == "/login"
    assert inbox.arrived.wait(5)
    [message] = inbox.messages
    assert message["To"] == "ana@example.com"
    link = reset_link(message)

    response = submit(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, page=link)
    assert response.headers["Location"] == "/login"
    assert log_in(client, "ana", NEW_PASSWORD).headers["Location"] == "/dashboard"


def test_reset_link_works_only_once(app, client, inbox):
    make_runner(app, "ana")
    ask_for_link(client)
    link = reset_link(inbox.messages[0])
    submit(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, page=link)

    response = client.get(link, follow_redirects=True)
    assert "This reset link has already been used" in text(response)


def test_expired_reset_link_is_refused(app, client):
    user = make_runner(app, "ana")
    with app.test_request_context():
        payload = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="password-reset").loads(
            services.password_reset_token(user)
        )
    two_hours_ago = URLSafeTimedSerializer(
        app.config["SECRET_KEY"], salt="password-reset", signer=SignedTwoHoursAgo
    )
    old_token = two_hours_ago.dumps(payload)
    response = client.get(f"/reset-password/{old_token}", follow_redirects=True)
    assert "This reset link has expired" in text(response)


def test_forged_reset_link_is_refused(app, client):
    make_runner(app, "ana")
    response = client.get("/reset-password/not-a-real-token", follow_redirects=True)
    assert "This reset link is not valid" in text(response)


def test_unknown_email_gets_the_same_answer_and_no_mail(app, client, inbox):
    make_runner(app, "ana")
    ask_for_link(client, "ana@example.com")
    known = text(client.get("/login"))
    ask_for_link(client, "nobody@example.com")
    unknown = text(client.get("/login"))
    assert "If that e-mail belongs to an account" in known
    assert "If that e-mail belongs to an account" in unknown
    assert len(inbox.messages) == 1


def test_resetting_the_password_ends_existing_sessions(app, client, inbox):
    make_runner(app, "ana")
    logged_in = app.test_client()
    log_in(logged_in)
    ask_for_link(client)
    link = reset_link(inbox.messages[0])
    submit(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, page=link)
    assert logged_in.get("/dashboard").status_code == 302


def test_without_smtp_settings_mail_goes_to_the_instance_folder(app, client):
    make_runner(app, "ana")
    ask_for_link(client)
    [mail] = Path(app.config["MAIL_DIR"]).glob("*.eml")
    assert "/reset-password/" in mail.read_text()


def test_weak_new_password_is_refused_and_the_link_still_works(app, client, inbox):
    make_runner(app, "ana")
    ask_for_link(client)
    link = reset_link(inbox.messages[0])
    response = submit(client, link, {"password": "qwertyuiop", "confirm": "qwertyuiop"}, page=link)
    assert response.status_code == 400
    assert "most common passwords" in text(response)
    assert log_in(app.test_client(), "ana", PASSWORD).status_code == 302
    assert client.get(link).status_code == 200
