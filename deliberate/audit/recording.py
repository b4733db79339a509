"""Writing the audit log: whenever a session flushes a proposal whose stage changed or a vote whose status
changed (or a new one), an entry is added in the same transaction, so that no change is ever without its
entry and no entry outlives a change that was rolled back.

It listens to every session rather than being called by each action, so that a new action cannot forget it.
The actor is what the session carries under `ACTOR` (the web layer puts there a way to find who is asking);
the clock's sessions carry none."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from deliberate.audit.models import AuditEntry
from deliberate.places.settings import PlaceSetting
from deliberate.proposals.models import Proposal
from deliberate.voting.models import Vote

ACTOR = "audit_actor"  # session.info: the acting account's id, or a function that returns it
# A place's setting (规则设置) is its own subject: before and after are its values, "" when inherited.
WATCHED: dict[type[Any], tuple[str, str]] = {Proposal: ("proposal", "stage"), Vote: ("vote", "status"),
                                             PlaceSetting: ("setting", "value")}


def actor_of(session: Session) -> int | None:
    actor = session.info.get(ACTOR)
    if callable(actor):
        actor = actor()
        session.info[ACTOR] = actor  # asked once per transaction
    return actor if isinstance(actor, int) else None


def _changes(session: Session) -> list[tuple[Any, str, str, str]]:
    """(object, kind, before, after) for every watched object this flush creates or moves."""
    found = []
    for obj in [*session.new, *session.dirty]:
        watched = WATCHED.get(type(obj))
        if watched is None:
            continue
        kind, attribute = watched
        history = inspect(obj).attrs[attribute].history
        if not history.added:
            continue
        before = _text(history.deleted[0]) if history.deleted else ""
        after = _text(history.added[0])
        if before != after:
            found.append((obj, kind, before, after))
    return found


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _record(session: Session, _context: Any, _instances: Any) -> None:
    changes = _changes(session)
    if not changes:
        return
    actor = actor_of(session)
    for obj, kind, before, after in changes:
        if obj.id is None:  # a new proposal or vote: its id comes with the flush, so the entry waits for it
            session.info.setdefault(_PENDING, []).append((obj, kind, before, after, actor))
            continue
        session.add(AuditEntry(place_id=obj.place_id, subject_kind=kind, subject_id=obj.id, before=before,
                               after=after, actor_id=actor))


_PENDING = "audit_pending"


def _record_created(session: Session, _context: Any) -> None:
    pending = session.info.pop(_PENDING, [])
    for obj, kind, before, after, actor in pending:
        session.add(AuditEntry(place_id=obj.place_id, subject_kind=kind, subject_id=obj.id, before=before,
                               after=after, actor_id=actor))


def install() -> Callable[[], None]:
    """Listen to every session of the process (idempotent); returns how to stop, for tests."""
    if not event.contains(Session, "before_flush", _record):
        event.listen(Session, "before_flush", _record)
        event.listen(Session, "after_flush_postexec", _record_created)

    def uninstall() -> None:
        event.remove(Session, "before_flush", _record)
        event.remove(Session, "after_flush_postexec", _record_created)

    return uninstall
