"""Rules of a discussion: where a reply goes, who may edit and when, floods, blocked words, order, the balance.

No session and no request here."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from deliberate.i18n import gettext as _
from deliberate.i18n import pgettext

MAX_DEPTH = 3  # a comment, a reply, a reply to the reply; deeper answers stay at the third level
BODY_MAX = 5000
REASON_MAX = 500
EDIT_WINDOW = timedelta(minutes=15)
FLOOD_COUNT = 5  # at most this many comments …
FLOOD_WINDOW = timedelta(minutes=10)  # … by one person in this long
PAGE_SIZE = 50  # top-level comments per page of a thread


class Sort(StrEnum):
    OLDEST = "oldest"
    NEWEST = "newest"
    HELPFUL = "helpful"


def sort_labels() -> dict[Sort, str]:
    return {Sort.OLDEST: _("最早"), Sort.NEWEST: _("最新"), Sort.HELPFUL: _("最有帮助")}


def stance_labels() -> dict[str, str]:
    return {"for": pgettext("stance", "支持"), "against": pgettext("stance", "反对"),
            "neutral": pgettext("stance", "中立")}


def placement(parent_depth: int, parent_id: int, grandparent_id: int | None) -> tuple[int, int]:
    """(parent id, depth) of an answer: under the comment answered, or beside it at the deepest level."""
    if parent_depth + 1 < MAX_DEPTH:
        return parent_id, parent_depth + 1
    assert grandparent_id is not None
    return grandparent_id, parent_depth


def check_body(body: str) -> str | None:
    if not body.strip():
        return _("请写下您的意见。")
    if len(body) > BODY_MAX:
        return _("评论不能超过 %(n)s 个字。", n=BODY_MAX)
    return None


def parse_blocked_words(raw: str) -> list[str]:
    """One word or phrase per line (commas also separate); blanks and repeats dropped, order kept."""
    words: list[str] = []
    for line in raw.replace("，", "\n").replace(",", "\n").splitlines():
        word = line.strip()
        if word and word not in words:
            words.append(word[:50])
    return words


def _folded(text: str) -> str:
    # Full-width letters and digits, and upper case, would otherwise slip past the list.
    return unicodedata.normalize("NFKC", text).casefold()


def blocked_word_in(text: str, words: Iterable[str]) -> str | None:
    folded = _folded(text)
    return next((word for word in words if _folded(word) in folded), None)


def flooding(recent_times: Sequence[datetime], now: datetime) -> bool:
    """True if this person has already written FLOOD_COUNT comments within FLOOD_WINDOW."""
    return sum(1 for at in recent_times if now - at < FLOOD_WINDOW) >= FLOOD_COUNT


def editable_until(created_at: datetime) -> datetime:
    return created_at + EDIT_WINDOW


@dataclass(frozen=True)
class Balance:
    """Where people stand: each person counted once, by the stance of their latest comment that states one."""

    supporting: int = 0
    opposing: int = 0
    neutral: int = 0

    @property
    def total(self) -> int:
        return self.supporting + self.opposing + self.neutral

    def percent(self, part: int) -> int:
        return round(100 * part / self.total) if self.total else 0


def balance(stances_by_time: Iterable[tuple[int, str]]) -> Balance:
    """`stances_by_time`: (author id, stance) oldest first; later stances replace earlier ones."""
    latest: dict[int, str] = {}
    for author_id, stance in stances_by_time:
        if stance:
            latest[author_id] = stance
    counts = {"for": 0, "against": 0, "neutral": 0}
    for stance in latest.values():
        counts[stance] = counts.get(stance, 0) + 1
    return Balance(counts["for"], counts["against"], counts["neutral"])


@dataclass
class Node:
    """A comment with its answers, as the page shows it."""

    comment: object
    children: list[Node] = field(default_factory=list)


def tree(comments: Sequence, sort: Sort) -> list[Node]:  # type: ignore[type-arg]
    """Top-level comments in the chosen order; answers under each, oldest first, so a conversation reads down.

    `comments` have `id`, `parent_id`, `created_at` and `helpful_count`."""
    nodes = {c.id: Node(c) for c in comments}
    roots: list[Node] = []
    for c in sorted(comments, key=lambda c: (c.created_at, c.id)):
        node = nodes[c.id]
        parent = nodes.get(c.parent_id) if c.parent_id is not None else None
        if parent is None:
            roots.append(node)
        else:
            parent.children.append(node)
    if sort is Sort.NEWEST:
        roots.sort(key=lambda n: (n.comment.created_at, n.comment.id), reverse=True)  # type: ignore[attr-defined]
    elif sort is Sort.HELPFUL:
        roots.sort(key=lambda n: (-n.comment.helpful_count, n.comment.created_at, n.comment.id))  # type: ignore[attr-defined]
    return roots
