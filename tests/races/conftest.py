"""Races: many attempts at one rule at the same moment, each in a write transaction of its own, as requests are.

`race(attempts)` starts one thread per attempt, holds them all at a barrier, lets them go together and waits
for every one. Each attempt is handed a session from the app's `Database` that writes, as a form's request
does (on SQLite it begins IMMEDIATE, so writers queue under the app's busy timeout instead of failing), and is
committed when it returns or rolled back when it raises. What the attempts returned, the refusals the web
answers with their status, and anything else (a deadlock, a unique violation: a 500) are kept apart for the
test to count.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import pytest
from sqlmodel import Session

from deliberate.db import Database
from deliberate.refusal import Refused

T = TypeVar("T")
Attempt = Callable[[Session], T]
JOIN_SECONDS = 60  # an attempt still running after this is stuck: the test fails rather than hangs


@dataclass
class Outcomes(Generic[T]):
    values: list[T] = field(default_factory=list)  # what the attempts that committed returned
    refusals: list[Refused] = field(default_factory=list)  # the rules said no (403/404/409/422/429)
    failures: list[BaseException] = field(default_factory=list)  # anything else: a 500 in the app

    @property
    def statuses(self) -> Counter[int]:
        return Counter(refused.status for refused in self.refusals)

    @property
    def messages(self) -> set[str]:
        return {refused.message for refused in self.refusals}

    def assert_clean(self, *statuses: int) -> None:
        """Nothing failed, and every refusal is one of `statuses` with a sentence for the person."""
        assert self.failures == [], self.failures
        assert set(self.statuses) <= set(statuses), self.statuses
        assert all(refused.message for refused in self.refusals)


def run_together(database: Database, attempts: Sequence[Attempt[T]]) -> Outcomes[T]:
    outcomes: Outcomes[T] = Outcomes()
    lock = threading.Lock()
    barrier = threading.Barrier(len(attempts))

    def run(attempt: Attempt[T]) -> None:
        try:
            barrier.wait(timeout=JOIN_SECONDS)
            with database.writing() as session:
                value = attempt(session)
        except Refused as refused:
            with lock:
                outcomes.refusals.append(refused)
        except BaseException as error:  # noqa: BLE001 - counted by the test
            with lock:
                outcomes.failures.append(error)
        else:
            with lock:
                outcomes.values.append(value)

    threads = [threading.Thread(target=run, args=(attempt,), daemon=True) for attempt in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_SECONDS)
    stuck = sum(thread.is_alive() for thread in threads)
    assert stuck == 0, f"{stuck} of {len(threads)} attempts still running after {JOIN_SECONDS} s"
    return outcomes


class Race:
    """Run these attempts at once, each in its own write transaction (see the module's docstring)."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def __call__(self, attempts: Sequence[Attempt[T]]) -> Outcomes[T]:
        return run_together(self.database, attempts)


@pytest.fixture
def race(database: Database) -> Race:
    return Race(database)
