"""Notifications by e-mail: claim those not yet mailed, write one message per person, send after the claim commits.

A notification is claimed by setting `emailed_at` in one UPDATE … RETURNING, so several server processes never
mail the same one. If the mail server cannot be reached, the claim is released and the next round tries again;
notifications older than a day are passed over rather than sent late.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import Session, col, select

from deliberate import i18n
from deliberate.accounts.models import User
from deliberate.clock import utcnow
from deliberate.db import Database
from deliberate.i18n import gettext as _
from deliberate.inbox import queries as inbox
from deliberate.mail import DeliveryFailed, Message, Sender
from deliberate.proposals.models import Notification
from deliberate.settings import Settings

BATCH = 200
MAX_AGE = timedelta(days=1)


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


def due_by_person(session: Session, ids: Sequence[int], now: datetime) -> list[tuple[User, list[Notification]]]:
    """The claimed notifications worth a message: recent, to an active account with an address that wants mail."""
    if not ids:
        return []
    rows = session.exec(
        select(Notification, User).join(User, col(User.id) == Notification.user_id)
        .where(col(Notification.id).in_(ids), col(Notification.created_at) >= now - MAX_AGE)
        .where(col(User.email).is_not(None), col(User.email_notifications).is_(True), col(User.is_active).is_(True))
        .order_by(col(Notification.id))
    ).all()
    people = {user.id: user for _n, user in rows}
    found: dict[int, list[Notification]] = defaultdict(list)
    for notification, _user in rows:
        found[notification.user_id].append(notification)
    return [(people[user_id], notifications) for user_id, notifications in found.items()]


def message_for(session: Session, user: User, notifications: Sequence[Notification], settings: Settings) -> Message:
    """One message in the person's own language listing what happened."""
    token = i18n.current_locale.set(user.locale or settings.default_locale)
    try:
        items = inbox.items(session, notifications)
        if len(items) == 1:
            subject = _("[议事厅] %(title)s：%(what)s", title=items[0].title, what=items[0].what)
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


def _lines(item: inbox.Item, settings: Settings) -> list[str]:
    when = item.at.astimezone(ZoneInfo(settings.timezone)).strftime("%Y-%m-%d %H:%M")
    who = item.actor.display_name if item.actor else _("系统")
    lines = [f"· {item.title}", f"  {item.what} · {who} · {when}"]
    if item.excerpt:
        lines.append(f"  {item.excerpt}")
    return lines + [f"  {settings.public_url}{item.url}", ""]


def send_pending(database: Database, sender: Sender, now: datetime | None = None) -> int:
    """One round: claim a batch, commit, send. Returns how many notifications were claimed (0: nothing to do)."""
    now = now or utcnow()
    with database.writing() as session:
        ids = claim(session, now)
        messages = [message_for(session, user, notifications, database.settings)
                    for user, notifications in due_by_person(session, ids, now)]
    if messages:
        try:
            sender.send(messages)
        except DeliveryFailed:
            with database.writing() as session:
                release(session, ids)
            raise
    return len(ids)

