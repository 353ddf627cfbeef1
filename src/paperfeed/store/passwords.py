"""Password hashing for accounts: argon2id (argon2-cffi). ``store.users`` keeps only the hashes.

A new hash costs what the settings ``password_time_cost`` and ``password_memory_kib`` say (argon2-cffi's defaults:
3 passes over 64 MiB, ~0.3 s of CPU); verifying reads the cost from the stored hash, so hashes made before an
operator changed it keep working, and a log-in that finds its hash at another cost hashes the password again
at the settings' (``needs_rehash``, argon2-cffi's ``check_needs_rehash``): a raised cost reaches every active
account.
"""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..settings import Settings

MIN_PASSWORD = 8
MAX_PASSWORD = 1024
verifier = PasswordHasher()  # (its parameters are only for hashing: verify reads each hash's own)


@lru_cache(maxsize=8)
def _hasher(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)


def hash_password(password: str, settings: Settings) -> str:
    """An argon2id hash of ``password`` at the cost ``settings`` say."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise ValueError(f"passwords are {MIN_PASSWORD} to {MAX_PASSWORD} characters")
    return _hasher(settings.password_time_cost, settings.password_memory_kib).hash(password)


def needs_rehash(stored_hash: str, settings: Settings) -> bool:
    """Whether ``stored_hash`` (one that just verified) was made at another cost than ``settings`` say."""
    try:
        return _hasher(settings.password_time_cost, settings.password_memory_kib).check_needs_rehash(stored_hash)
    except InvalidHashError:
        return False


def verify_password(stored_hash: str | None, password: str) -> bool:
    if not stored_hash or len(password) > MAX_PASSWORD:
        return False
    try:
        return verifier.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False
