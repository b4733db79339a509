"""Reading the audit log of a place and the places inside it, newest first, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from deliberate.accounts.models import User
from deliberate.audit.models import AuditEntry
from deliberate.db import Page, paginate
from deliberate.i18n import gettext as _
from deliberate.places import settings
from deliberate.places.models import Place
from deliberate.places.settings import PlaceSetting
from deliberate.proposals.models import Proposal
from deliberate.proposals.rules import Stage, stage_labels
from deliberate.voting import labels as vote_labels
from deliberate.voting.models import Vote

PAGE_SIZE = 50


@dataclass(frozen=True)
class Line:
    entry: AuditEntry
    title: str
    place: Place
    actor: User | None
    before: str  # in the reader's language
    after: str


@dataclass(frozen=True)
class AuditPage:
    place: Place
    lines: list[Line]
    page: Page[Any]

    def as_json(self, url_for: Any) -> dict[str, Any]:
        return {
            "place": {"id": self.place.id, "name": self.place.name},
            "page": self.page.as_json(),
            "entries": [{"at": line.entry.at.isoformat(), "subject": line.entry.subject_kind,
                         "id": line.entry.subject_id, "title": line.title, "place_id": line.place.id,
                         "before": line.entry.before, "after": line.entry.after,
                         "actor": line.actor.display_name if line.actor else None} for line in self.lines],
        }


def audit_page(session: Session, place: Place, number: int) -> AuditPage:
    statement = (select(AuditEntry).join(Place, col(Place.id) == AuditEntry.place_id)
                 .where(col(Place.path).startswith(place.path)).order_by(col(AuditEntry.id).desc()))
    page = paginate(session, statement, number=number, size=PAGE_SIZE)
    entries: list[AuditEntry] = page.items
    return AuditPage(place=place, lines=_lines(session, entries), page=page)


def _lines(session: Session, entries: list[AuditEntry]) -> list[Line]:
    """Each entry with its subject's title, its place and its actor: one query for each kind, not each row."""
    titles = _titles(session, Proposal, {e.subject_id for e in entries if e.subject_kind == "proposal"}, "proposal")
    titles |= _titles(session, Vote, {e.subject_id for e in entries if e.subject_kind == "vote"}, "vote")
    keys = _setting_keys(session, {e.subject_id for e in entries if e.subject_kind == "setting"})
    places = _by_id(session, Place, {e.place_id for e in entries})
    actors = _by_id(session, User, {e.actor_id for e in entries if e.actor_id is not None})
    return [Line(entry=e, title=_title(e, titles, keys), place=places[e.place_id],
                 actor=actors.get(e.actor_id) if e.actor_id is not None else None,
                 before=_label(e.subject_kind, e.before, keys.get(e.subject_id)),
                 after=_label(e.subject_kind, e.after, keys.get(e.subject_id))) for e in entries]


def _setting_keys(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.exec(select(PlaceSetting.id, PlaceSetting.key).where(col(PlaceSetting.id).in_(ids))).all()
    return dict(rows)


def _title(entry: AuditEntry, titles: dict[tuple[str, int], str], keys: dict[int, str]) -> str:
    if entry.subject_kind == "setting":
        declared = settings.setting(keys.get(entry.subject_id, ""))
        return declared.label() if declared else keys.get(entry.subject_id, "")
    return titles.get((entry.subject_kind, entry.subject_id), "")


def setting_value(key: str | None, value: str) -> str:
    """A setting's value in the audit log as a person reads it; "" is the place inheriting it."""
    if not value:
        return _("继承上级设置")
    declared = settings.setting(key or "")
    return declared.shown(value) if declared else value


def _titles(session: Session, model: Any, ids: set[int], kind: str) -> dict[tuple[str, int], str]:
    if not ids:
        return {}
    rows = session.exec(select(model.id, model.title).where(col(model.id).in_(ids))).all()
    return {(kind, ident): title for ident, title in rows}


def _by_id(session: Session, model: Any, ids: set[int]) -> dict[int, Any]:
    if not ids:
        return {}
    return {row.id: row for row in session.exec(select(model).where(col(model.id).in_(ids))).all()}


def _label(kind: str, state: str, key: str | None = None) -> str:
    if kind == "setting":
        return setting_value(key, state)
    if not state:
        return ""
    if kind == "proposal":
        return stage_labels().get(Stage(state), state) if state in Stage._value2member_map_ else state
    return vote_labels.status_labels().get(state, state)


def setting_history(session: Session, place: Place, limit: int = PAGE_SIZE) -> list[Line]:
    """The latest changes of this place's own settings (规则设置), newest first: who, when, old → new."""
    entries = list(session.exec(
        select(AuditEntry).where(AuditEntry.place_id == place.id, AuditEntry.subject_kind == "setting")
        .order_by(col(AuditEntry.id).desc()).limit(limit)
    ).all())
    return _lines(session, entries)
