"""argon2id password hashing; hashes made with older parameters are renewed at login."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# argon2id at OWASP's first recommended setting (Password Storage Cheat Sheet: m = 19 MiB, t = 2, p = 1):
# about 25 ms a check here, so that two cores serve dozens of logins a second. The library's default
# (64 MiB, t = 3, p = 4) is stronger, but costs ten times as much for every login of a busy community.
_hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)

# Hashes are made on a few threads of their own, one per core: more at once would not be faster, and each
# holds 19 MiB while it works (sixteen request threads hashing at once held 300 MB, and kept it).
HASHING_THREADS = max(2, os.cpu_count() or 2)
_hashing = ThreadPoolExecutor(max_workers=HASHING_THREADS, thread_name_prefix="argon2")

MIN_LENGTH = 8
MAX_LENGTH = 128


def hash_password(password: str) -> str:
    return _hashing.submit(lambda: _hasher.hash(password)).result()


def verify(stored_hash: str, password: str) -> bool:
    return _hashing.submit(_verify, stored_hash, password).result()


def _verify(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


# A hash to verify against when the account does not exist, so that the time taken does not
# tell an attacker which usernames are registered.
DUMMY_HASH = _hasher.hash("not-a-real-password")
