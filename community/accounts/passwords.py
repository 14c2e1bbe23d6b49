"""Password hashing (argon2id) and the password policy (length and common passwords)."""

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 8
# Long passphrases are welcome; the cap only stops multi-megabyte inputs reaching argon2.
MAX_LENGTH = 256


@cache
def _common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, *, username: str = "", email: str = "") -> str | None:
    """Why this password is refused, or None. No composition rules, as NIST and ASVS advise."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    folded = password.lower()
    if folded in _common_passwords():
        return "This is one of the most common passwords; choose another."
    if folded in {username.lower(), email.lower(), email.lower().split("@")[0]} - {""}:
        return "Don't use your username or e-mail as your password."
    return None


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_COST"],
        parallelism=config["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


@cache
def _dummy_hash(time_cost: int, memory_cost: int, parallelism: int) -> str:
    return PasswordHasher(time_cost, memory_cost, parallelism=parallelism).hash("not-a-password")


def burn_verification_time(password: str) -> None:
    """Spend a verification's time for an unknown login, so timing reveals no accounts."""
    config = current_app.config
    dummy = _dummy_hash(
        config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_COST"], config["ARGON2_PARALLELISM"]
    )
    verify_password(dummy, password)
