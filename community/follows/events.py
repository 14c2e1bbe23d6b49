"""What the follows feature tells the features above it (the notifications, the feed)."""

from blinker import signal

# A runner asked to follow one who approves each follower: follower_id, followee_id.
requested = signal("follows.requested")
# A runner now follows another: follower_id, followee_id, approved (after a request).
started = signal("follows.started")
