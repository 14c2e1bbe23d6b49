"""Challenges: goals over a window, totals kept as runs change, and their boards."""
