"""Notifications: what happened to you, with an unread count that updates live."""
