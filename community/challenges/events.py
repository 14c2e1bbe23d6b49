"""Challenges' domain events, for the features above (notifications, the feed)."""

from blinker import Namespace

_signals = Namespace()
# completed.send(sender, challenge_id=..., user_id=..., title=..., at=...): a runner reached
# the goal, at that moment.
completed = _signals.signal("challenge-completed")
# uncompleted.send(sender, challenge_id=..., user_id=...): the run that completed it was
# edited or deleted, and the goal is no longer met.
uncompleted = _signals.signal("challenge-uncompleted")
# club_goal_reached.send(sender, challenge_id=..., club_id=..., title=..., user_id=...):
# together, a club first reached its goal (sent once per challenge); user_id is the entrant
# whose run took it over the line.
club_goal_reached = _signals.signal("challenge-club-goal-reached")
