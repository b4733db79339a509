"""A request the rules refuse, with the status the person is answered with and the sentence they read.

Domains raise these (or their own subclasses); the request boundary rolls back whatever the handler began,
and the web layer answers with the status and the sentence, in the person's language: 404 for what does
not exist or may not be known to exist, 403 for who may not, 409 for what the state does not allow now,
422 for what was typed, 429 for too much too fast.
"""

from __future__ import annotations


class Refused(Exception):
    status: int = 409

    def __init__(self, message: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class NotFound(Refused):
    status = 404


class Forbidden(Refused):
    status = 403


class Conflict(Refused):
    status = 409


class Invalid(Refused):
    status = 422
