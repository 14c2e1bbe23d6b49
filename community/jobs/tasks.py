"""The jobs (queue.py): each a plain function of JSON-able arguments."""

from community.jobs.queue import job
from community.mail import send_mail

job("mail.send")(send_mail)
