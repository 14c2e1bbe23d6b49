"""The jobs (queue.py): each a plain function of JSON-able arguments."""

from community.jobs.queue import job
from community.mail import send_mail


@job("mail.send")
def send(
    to: str,
    subject: str,
    body: str,
    html: str | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    send_mail(to, subject, body, html=html, headers=headers)
