"""A job run every few seconds on a daemon thread of each server process, until stopped."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Periodic:
    """Calls `job` every `interval_seconds`; a job that returns something true has more to do and runs again
    at once. A failing round is logged and the next one tries again."""

    def __init__(self, name: str, job: Callable[[], object], interval_seconds: float) -> None:
        self._job = job
        self._interval = interval_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"deliberate-{name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                while self._job() and not self._stop.is_set():
                    pass
            except Exception:  # keep the thread alive: the next round tries again
                log.exception("%s failed", self._thread.name)
            self._stop.wait(self._interval)
