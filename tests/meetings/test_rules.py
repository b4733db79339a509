"""A meeting's rules, pure: notice periods per kind, who may register, seats and the waiting list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deliberate.meetings import rules
from deliberate.meetings.models import Access, MeetingStatus, RegistrationStatus
from deliberate.meetings.rules import Kind

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(("kind", "days"), [
    (Kind.LISTENING, 1), (Kind.CONSULTATION, 3), (Kind.HEARING, 7), (Kind.EVALUATION, 3),
    (Kind.COORDINATION, 1), (Kind.COUNCIL, 7), (Kind.OWNERS_ASSEMBLY, 15),
])
def test_each_kind_has_its_notice_period(kind: Kind, days: int) -> None:
    assert rules.notice_days(kind) == days
    assert rules.notice(kind, NOW, NOW + timedelta(days=days)).met
    short = rules.notice(kind, NOW, NOW + timedelta(days=days) - timedelta(seconds=1))
    assert not short.met and short.given_days == days - 1


def test_every_kind_has_a_label_and_an_owners_assembly_belongs_to_a_compound() -> None:
    assert set(rules.kind_labels()) == set(Kind)
    assert Kind.OWNERS_ASSEMBLY in rules.kinds_for("compound")
    assert Kind.OWNERS_ASSEMBLY not in rules.kinds_for("community")
    assert Kind.OWNERS_ASSEMBLY not in rules.kinds_for("building")
    assert Kind.HEARING in rules.kinds_for("building")


def test_too_short_a_notice_is_refused_with_the_days_asked_and_given_unless_urgent_with_a_reason() -> None:
    starts = NOW + timedelta(days=2, hours=3)
    refusal = rules.notice_error(Kind.HEARING, starts, NOW, "")
    assert refusal is not None and "7 天" in refusal and "2 天" in refusal
    assert rules.notice_error(Kind.HEARING, starts, NOW, "   ") is not None
    assert rules.notice_error(Kind.HEARING, starts, NOW, "管道爆裂，需立即商定抢修方案") is None
    assert rules.notice_error(Kind.LISTENING, starts, NOW, "") is None


@pytest.mark.parametrize(("starts", "ends", "which"), [
    (NOW, NOW + timedelta(hours=1), "start"),
    (NOW - timedelta(hours=1), NOW + timedelta(hours=1), "start"),
    (NOW + timedelta(days=1), NOW + timedelta(days=1), "end"),
    (NOW + timedelta(days=1), NOW + timedelta(days=1, hours=13), "end"),
])
def test_times_that_cannot_be_a_meetings_are_refused(starts: datetime, ends: datetime, which: str) -> None:
    refusal = rules.timing_error(starts, ends, NOW)
    assert refusal is not None and refusal[0] == which


def test_a_meeting_of_up_to_twelve_hours_in_the_future_is_fine() -> None:
    assert rules.timing_error(NOW + timedelta(hours=1), NOW + timedelta(hours=13), NOW) is None


def _refusal(**overrides):  # type: ignore[no-untyped-def]
    facts = {"status": MeetingStatus.SCHEDULED, "starts_at": NOW + timedelta(days=1), "now": NOW,
             "access": Access.OPEN, "lives_here": False, "invited": False, **overrides}
    return rules.registration_refusal(**facts)


def test_who_may_register_follows_the_attendance_rule() -> None:
    assert _refusal() is None
    assert _refusal(access=Access.RESIDENTS)[0] == 403
    assert _refusal(access=Access.RESIDENTS, lives_here=True) is None
    assert _refusal(access=Access.INVITED, lives_here=True)[0] == 403
    assert _refusal(access=Access.INVITED, invited=True) is None


def test_registration_closes_when_the_meeting_starts_or_is_cancelled() -> None:
    assert _refusal(now=NOW + timedelta(days=1))[0] == 409
    assert _refusal(status=MeetingStatus.CANCELLED)[0] == 409
    # The meeting's state is told before who the person is.
    assert _refusal(now=NOW + timedelta(days=2), access=Access.INVITED)[0] == 409


def test_seats_go_first_come_and_then_to_the_waiting_list() -> None:
    assert rules.seat_for(None, 10_000) == RegistrationStatus.REGISTERED
    assert rules.seat_for(2, 1) == RegistrationStatus.REGISTERED
    assert rules.seat_for(2, 2) == RegistrationStatus.WAITING
    assert rules.seat_for(2, 3) == RegistrationStatus.WAITING


@pytest.mark.parametrize(("capacity", "registered", "waiting", "promoted"), [
    (2, 1, 3, 1), (2, 2, 3, 0), (5, 1, 2, 2), (None, 7, 4, 4), (2, 3, 1, 0), (3, 0, 0, 0),
])
def test_the_waiting_list_moves_up_into_free_seats(capacity: int | None, registered: int, waiting: int,
                                                   promoted: int) -> None:
    assert rules.promotions(capacity, registered, waiting) == promoted


@given(capacity=st.integers(1, 50), registered=st.integers(0, 60), waiting=st.integers(0, 60))
def test_promotion_never_overfills_nor_skips_a_free_seat(capacity: int, registered: int, waiting: int) -> None:
    promoted = rules.promotions(capacity, registered, waiting)
    assert 0 <= promoted <= waiting
    assert registered + promoted <= max(capacity, registered)
    assert promoted == waiting or registered + promoted >= capacity


def test_sign_in_opens_two_hours_before_and_closes_with_the_minutes() -> None:
    starts = NOW + timedelta(hours=3)
    facts = {"status": MeetingStatus.SCHEDULED, "starts_at": starts, "minutes_published": False}
    assert rules.sign_in_refusal(now=NOW, **facts) is not None
    assert rules.sign_in_refusal(now=starts - timedelta(hours=2), **facts) is None
    assert rules.sign_in_refusal(now=starts + timedelta(days=1), **facts) is None
    assert rules.sign_in_refusal(now=starts, **{**facts, "minutes_published": True}) is not None
    assert rules.sign_in_refusal(now=starts, **{**facts, "status": MeetingStatus.CANCELLED}) is not None


def test_minutes_wait_for_the_meeting_and_a_cancelled_one_has_none() -> None:
    starts = NOW + timedelta(hours=1)
    assert rules.minutes_refusal(status=MeetingStatus.SCHEDULED, starts_at=starts, now=NOW) is not None
    assert rules.minutes_refusal(status=MeetingStatus.SCHEDULED, starts_at=starts, now=starts) is None
    assert rules.minutes_refusal(status=MeetingStatus.CANCELLED, starts_at=starts, now=starts) is not None
