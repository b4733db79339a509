"""Notifications by e-mail: claim those not yet mailed, write one message per person, send after the claim commits.

A notification is claimed by setting `emailed_at` in one UPDATE … RETURNING, so several server processes never
mail the same one. If the mail server cannot be reached, the claim is released and the next round tries again;
notifications older than a day are passed over rather than sent late.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from deliberate.accounts.models import User
from deliberate.db import Database, utcnow
from deliberate.mail import DeliveryFailed, Message, Sender
from deliberate.proposals import rules
from deliberate.proposals.models import Notification, Proposal, ProposalEvent
from deliberate.proposals.rules import Stage
from deliberate.settings import Settings
from deliberate.web import i18n
from deliberate.web.i18n import gettext as _

BATCH = 200
MAX_AGE = timedelta(days=1)


@dataclass(frozen=True)
class Item:
    event: ProposalEvent
    proposal: Proposal
    actor: User | None


def claim(session: Session, now: datetime, limit: int = BATCH) -> list[int]:
    ids = session.exec(
        select(Notification.id).where(col(Notification.emailed_at).is_(None)).order_by(col(Notification.id))
        .limit(limit)
    ).all()
    if not ids:
        return []
    claimed = session.execute(
        update(Notification).where(col(Notification.id).in_(ids), col(Notification.emailed_at).is_(None))
        .values(emailed_at=now).returning(col(Notification.id)),
        execution_options={"synchronize_session": False},
    )
    return sorted(row[0] for row in claimed)


def release(session: Session, ids: Sequence[int]) -> None:
    session.execute(
        update(Notification).where(col(Notification.id).in_(ids)).values(emailed_at=None),
        execution_options={"synchronize_session": False},
    )


def due_by_person(session: Session, ids: Sequence[int], now: datetime) -> list[tuple[User, list[Item]]]:
    """The claimed notifications worth a message: recent, to an active account with an address that wants mail."""
    if not ids:
        return []
    actor = aliased(User)
    rows = session.exec(
        select(User, ProposalEvent, Proposal, actor)
        .select_from(Notification)
        .join(User, col(User.id) == Notification.user_id)
        .join(ProposalEvent, col(ProposalEvent.id) == Notification.event_id)
        .join(Proposal, col(Proposal.id) == Notification.proposal_id)
        .join(actor, col(actor.id) == ProposalEvent.actor_id, isouter=True)
        .where(col(Notification.id).in_(ids), col(Notification.created_at) >= now - MAX_AGE)
        .where(col(User.email).is_not(None), col(User.email_notifications).is_(True), col(User.is_active).is_(True))
        .order_by(col(Notification.id))
    ).all()
    people: dict[int, User] = {}
    found: dict[int, list[Item]] = defaultdict(list)
    for user, event, proposal, by in rows:
        people[user.id] = user  # type: ignore[index]
        found[user.id].append(Item(event, proposal, by))  # type: ignore[index]
    return [(people[user_id], items) for user_id, items in found.items()]


def message_for(user: User, items: Sequence[Item], settings: Settings) -> Message:
    """One message in the person's own language listing what happened."""
    token = i18n.current_locale.set(user.locale or settings.default_locale)
    try:
        if len(items) == 1:
            subject = _("[议事厅] %(title)s：%(what)s", title=items[0].proposal.title, what=_what(items[0]))
        else:
            subject = _("[议事厅] 您关注的提案有 %(count)s 条新进展", count=len(items))
        lines = [_("%(name)s，您好：", name=user.display_name), ""]
        for item in items:
            lines += _lines(item, settings)
        lines += [
            _("全部通知：%(url)s", url=f"{settings.public_url}/notifications"),
            _("不想再收到这类邮件，可以在“我的账户”里关闭邮件通知：%(url)s", url=f"{settings.public_url}/account"),
        ]
        return Message(to=user.email or "", subject=subject, body="\n".join(lines) + "\n")
    finally:
        i18n.current_locale.reset(token)


def _what(item: Item) -> str:
    label = rules.event_labels().get(item.event.action, item.event.action)
    if item.event.from_stage == item.event.to_stage:
        return label
    return _("%(what)s（%(stage)s）", what=label, stage=rules.stage_labels()[Stage(item.event.to_stage)])


def _lines(item: Item, settings: Settings) -> list[str]:
    when = item.event.at.astimezone(ZoneInfo(settings.timezone)).strftime("%Y-%m-%d %H:%M")
    who = item.actor.display_name if item.actor else _("系统")
    lines = [f"· {item.proposal.title}", f"  {_what(item)} · {who} · {when}"]
    if item.event.reason:
        lines.append(f"  {item.event.reason}")
    lines += [f"  {settings.public_url}/proposals/{item.proposal.id}#timeline", ""]
    return lines


def send_pending(database: Database, sender: Sender, now: datetime | None = None) -> int:
    """One round: claim a batch, commit, send. Returns how many notifications were claimed (0: nothing to do)."""
    now = now or utcnow()
    with database.writing() as session:
        ids = claim(session, now)
        messages = [message_for(user, items, database.settings)
                    for user, items in due_by_person(session, ids, now)]
    if messages:
        try:
            sender.send(messages)
        except DeliveryFailed:
            with database.writing() as session:
                release(session, ids)
            raise
    return len(ids)

