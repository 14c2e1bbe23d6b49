"""Clubs' domain events, for the features above (challenges, the feed)."""

from blinker import Namespace

_signals = Namespace()
# membership_ended.send(sender, club_id=..., user_id=...): the runner left or was removed.
membership_ended = _signals.signal("club-membership-ended")
# membership_started.send(sender, club_id=..., user_id=...): a new member (not the owner).
membership_started = _signals.signal("club-membership-started")
