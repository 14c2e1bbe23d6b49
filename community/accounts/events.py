"""Accounts' domain events, for the features above."""

from blinker import Namespace

_signals = Namespace()
# privacy_changed.send(sender, user_id=..., leaderboard_hidden=...): the runner changed
# whether other people see them on leaderboards.
privacy_changed = _signals.signal("account-privacy-changed")
# account_deleting.send(sender, user_id=...): about to be deleted, with all it owns (cascade);
# features keeping totals over it settle them first.
account_deleting = _signals.signal("account-deleting")
# blocked.send(None, blocker_id=..., blocked_id=...): in the blocker's transaction; the
# features above end what the two had between them (follows).
blocked = _signals.signal("account-blocked")
