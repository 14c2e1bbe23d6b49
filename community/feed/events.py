"""What the feed tells the notifications (and, later, its live rooms)."""

from blinker import signal

# kudos_given.send(None, item_id=..., giver_id=..., actor_id=...): a new kudos, not a repeat.
kudos_given = signal("feed.kudos-given")
# commented.send(None, comment_id=..., user_id=..., mention=...): tell user_id of a comment
# (on their item, or mentioning them).
commented = signal("feed.commented")
# reported.send(None, report_id=...): a new report for the admins who decide it.
reported = signal("feed.reported")
