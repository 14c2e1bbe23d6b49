"""Every feature's models, imported once so Alembic and relationships see them all."""

from community.accounts.models import User

__all__ = ["User"]
