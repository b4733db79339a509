"""Rules of a discussion, without a database: placement of answers, order, balance, floods, blocked words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from deliberate.discussion import rules
from deliberate.discussion.rules import Sort

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@dataclass
class C:
    id: int
    parent_id: int | None
    minutes: int
    helpful_count: int = 0

    @property
    def created_at(self) -> datetime:
        return T0 + timedelta(minutes=self.minutes)


def test_answers_nest_until_the_third_level_and_then_stay_beside_what_they_answer():
    assert rules.placement(0, parent_id=1, grandparent_id=None) == (1, 1)
    assert rules.placement(1, parent_id=2, grandparent_id=1) == (2, 2)
    assert rules.placement(2, parent_id=3, grandparent_id=2) == (2, 2)


def _ids(nodes: list[rules.Node]) -> list:  # type: ignore[type-arg]
    return [(n.comment.id, _ids(n.children)) if n.children else n.comment.id for n in nodes]  # type: ignore[attr-defined]


COMMENTS = [C(1, None, 0, helpful_count=1), C(2, None, 5, helpful_count=3), C(3, 1, 6), C(4, None, 7),
            C(5, 3, 8), C(6, 1, 9), C(7, None, 10, helpful_count=3)]


def test_top_level_comments_follow_the_chosen_order_and_answers_read_oldest_first():
    assert _ids(rules.tree(COMMENTS, Sort.OLDEST)) == [(1, [(3, [5]), 6]), 2, 4, 7]
    assert _ids(rules.tree(COMMENTS, Sort.NEWEST)) == [7, 4, 2, (1, [(3, [5]), 6])]
    # Most helpful first; equally helpful, the older first.
    assert _ids(rules.tree(COMMENTS, Sort.HELPFUL)) == [2, 7, (1, [(3, [5]), 6]), 4]


def test_the_balance_counts_each_person_once_by_their_latest_stance():
    balance = rules.balance([(1, "for"), (2, "against"), (1, "against"), (3, ""), (4, "neutral"), (5, "for")])
    assert (balance.supporting, balance.opposing, balance.neutral) == (1, 2, 1)
    assert balance.total == 4 and balance.percent(balance.opposing) == 50
    assert rules.balance([]).percent(0) == 0


def test_a_flood_is_five_comments_within_ten_minutes():
    now = T0 + timedelta(hours=1)
    recent = [now - timedelta(minutes=m) for m in (1, 2, 3, 4)]
    assert not rules.flooding(recent, now)
    assert rules.flooding([*recent, now - timedelta(minutes=9)], now)
    assert not rules.flooding([*recent, now - timedelta(minutes=11)], now)


def test_blocked_words_are_found_whatever_their_width_or_case():
    words = rules.parse_blocked_words("傻瓜\n ，SPAM, 傻瓜\n\n")
    assert words == ["傻瓜", "SPAM"]
    assert rules.blocked_word_in("你这个傻瓜", words) == "傻瓜"
    assert rules.blocked_word_in("全角的ｓｐａｍ也算", words) == "SPAM"
    assert rules.blocked_word_in("停车难的问题", words) is None


def test_a_comment_needs_words_and_not_too_many():
    assert rules.check_body("  ")
    assert rules.check_body("x" * (rules.BODY_MAX + 1))
    assert rules.check_body("同意") is None
