"""Group runs' domain events, for the features above (notifications, the feed)."""

from blinker import Namespace

_signals = Namespace()
# promoted.send(sender, run_id=..., user_id=..., title=...): a waiting runner got a place.
promoted = _signals.signal("group-run-promoted")
# run_changed.send(sender, run_id=..., user_ids=[...], title=..., cancelled=...): the time or
# place changed, or the run was cancelled; user_ids are the runners going or waiting.
run_changed = _signals.signal("group-run-changed")
# attended.send(sender, group_run_id=..., user_id=...): a runner's run was linked to a group
# run they ran with the club (found by time and place, or linked by hand).
attended = _signals.signal("group-run-attended")
# unattended.send(sender, group_run_id=..., user_id=...): the runner unlinked their run.
unattended = _signals.signal("group-run-unattended")
