"""Milestones: recognition earned automatically, once, with the run that earned it."""
