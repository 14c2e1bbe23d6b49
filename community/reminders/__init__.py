"""Reminders by e-mail: the evening before a group run you are going to."""
