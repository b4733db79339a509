"""The browser tests' server: `deliberate ARGS…` or `uvicorn ARGS…` as usual, but argon2 hashes as cheaply as in
the other tests (the demo's accounts and every login in the journeys). Never run in production;
tests/accounts/test_auth.py checks the real parameters.

    python tests/browser/server.py deliberate demo
    python tests/browser/server.py uvicorn deliberate.asgi:app --port 8001
"""

from __future__ import annotations

import sys

from argon2 import PasswordHasher

from deliberate.accounts import passwords


def main(program: str, *args: str) -> int:
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    passwords.DUMMY_HASH = passwords._hasher.hash("not-a-real-password")
    if program == "uvicorn":
        import uvicorn

        uvicorn.main(list(args))  # exits
    from deliberate.cli import main as deliberate

    return deliberate(list(args))


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
