"""Accounts: registration, log-in, settings, password reset, session revocation."""
