"""Password hashing for accounts: argon2id (argon2-cffi). ``store.users`` keeps only the hashes."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

hasher = PasswordHasher()
MIN_PASSWORD = 8
MAX_PASSWORD = 1024


def hash_password(password: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise ValueError(f"passwords are {MIN_PASSWORD} to {MAX_PASSWORD} characters")
    return hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    if not stored_hash or len(password) > MAX_PASSWORD:
        return False
    try:
        return hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False
