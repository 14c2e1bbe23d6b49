"""Milestones' domain events, for the features above (the feed)."""

from blinker import Namespace

_signals = Namespace()
# earned.send(sender, user_id=..., milestones=[Milestone, ...], now=...): new rows, flushed.
earned = _signals.signal("milestones-earned")
# lost.send(sender, user_id=..., milestones=[(run_id, kind), ...]): milestones runs no
# longer earn, about to be deleted (their history changed).
lost = _signals.signal("milestones-lost")
