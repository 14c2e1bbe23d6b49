"""Outgoing e-mail: SMTP when configured, otherwise a file in instance/mail and a log line."""

import smtplib
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path

from flask import current_app

from community.extensions import db

SMTP_POLICY = policy.SMTP.clone(max_line_length=998)


def send_mail(
    to: str,
    subject: str,
    body: str,
    html: str | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """Send now: plain text, with an HTML alternative when given. Call it after the commit
    (jobs do): an SMTP server can take seconds, and a database lock must never wait on it
    (SQLite's is the whole database's)."""
    if db.session().in_transaction():
        raise RuntimeError("send_mail() inside a database transaction: commit first")
    config = current_app.config
    # Long headers (a List-Unsubscribe link) folded, never turned into encoded words.
    message = EmailMessage(policy=SMTP_POLICY)
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    if config["MAIL_SERVER"]:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            smtp.send_message(message)
        return
    folder = Path(config["MAIL_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    path = folder / f"{stamp}-{to.replace('@', '_at_')}.eml"
    path.write_bytes(bytes(message))
    current_app.logger.info("No MAIL_SERVER set; mail to %s written to %s\n%s", to, path, body)
