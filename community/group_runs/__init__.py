"""Group runs: scheduling, pace groups, RSVPs with capacity and waitlists."""
