"""What the feed tells the notifications (and, later, its live rooms)."""

from blinker import signal

# kudos_given.send(None, item_id=..., giver_id=..., actor_id=...): a new kudos, not a repeat.
kudos_given = signal("feed.kudos-given")
