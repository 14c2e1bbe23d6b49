"""Clubs' domain events, for the features above (challenges, the feed)."""

from blinker import Namespace

_signals = Namespace()
# membership_ended.send(sender, club_id=..., user_id=...): the runner left or was removed.
membership_ended = _signals.signal("club-membership-ended")
