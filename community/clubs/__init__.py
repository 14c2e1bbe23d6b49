"""Clubs: directory, membership (join, requests, invites), roles and moderation."""
