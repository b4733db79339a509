"""The figures of a place (and every place inside it) or of the whole deployment, for a period, counted by the
database: eight grouped statements whatever the data, none of which brings a row of a table into Python.

Each figure's definition is in the README ("Statistics"); `Figures` holds the counts, the page its rates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import Integer, and_, case, cast, func, literal, or_, union_all
from sqlalchemy import select as columns_of
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session, col, select

from deliberate.discussion.models import Comment
from deliberate.meetings.models import Attendance, Meeting, MeetingStatus, Registration, RegistrationStatus
from deliberate.places.models import Place
from deliberate.places.settings import PlaceSetting
from deliberate.proposals import rules
from deliberate.proposals.models import Milestone, Proposal, ProposalEvent, ProposalRating
from deliberate.proposals.rules import Action, Rating, Stage
from deliberate.statistics.periods import SHANGHAI, Period
from deliberate.statistics.sql import local_date, local_month, seconds_between
from deliberate.voting.models import Vote, VoteStatus

OUTCOMES = (Action.ACCEPT, Action.REJECT, Action.MERGE, Action.CLOSE)
REVIEW_ENDS = (Action.ACCEPT, Action.REJECT, Action.MERGE, Action.REQUEST_CHANGES)  # a reviewer's decision
REVIEW_STARTS = (Action.REACH_THRESHOLD, Action.RESUBMIT)  # when the review's deadline starts counting
TIMED = (Action.ACCEPT, Action.APPROVE_PLAN, Action.CLOSE)  # the medians: from submission to each of these
DEFAULTS = rules.PlaceRules()
DAY = 86400


@dataclass(frozen=True)
class Figures:
    """What the database counted for one place (with the places inside it) and one period."""

    raised: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)  # accept, reject, merge, close → events in the period
    median_seconds: dict[str, float | None] = field(default_factory=dict)  # accept, approve_plan, close
    timed: dict[str, int] = field(default_factory=dict)  # how many proposals each median is taken over
    reviews: int = 0
    reviews_on_time: int = 0
    milestones: int = 0
    milestones_on_time: int = 0
    meetings: int = 0
    registered: int = 0
    signed_in: int = 0
    votes: int = 0
    on_rolls: int = 0
    voted: int = 0
    ratings: dict[str, int] = field(default_factory=dict)  # satisfied, fairly_satisfied, dissatisfied
    satisfied: int = 0  # ratings that count as satisfied under their own place's formula
    cosigns: int = 0  # on the proposals raised in the period
    comments: int = 0  # on the proposals raised in the period, neither deleted nor hidden
    by_month: dict[str, dict[str, int]] = field(default_factory=dict)  # "2026-07" → raised, close

    @property
    def valid_ratings(self) -> int:
        return sum(self.ratings.values())


def share(part: int, whole: int) -> Fraction | None:
    return Fraction(part, whole) if whole else None


def figures(session: Session, place: Place | None, period: Period, now: datetime) -> Figures:
    """Every figure for the place and the places inside it (the whole deployment for None)."""
    scope = _Scope(place, period, now)
    raised, cosigns, comments = _raised(session, scope)
    outcomes, reviews, on_time = _outcomes(session, scope)
    medians, timed = _medians(session, scope)
    milestones, milestones_on_time = _milestones(session, scope)
    meetings, registered, signed_in = _meetings(session, scope)
    votes, on_rolls, voted = _votes(session, scope)
    ratings, satisfied = _ratings(session, scope)
    return Figures(
        raised=raised, outcomes=outcomes, median_seconds=medians, timed=timed, reviews=reviews,
        reviews_on_time=on_time, milestones=milestones, milestones_on_time=milestones_on_time, meetings=meetings,
        registered=registered, signed_in=signed_in, votes=votes, on_rolls=on_rolls, voted=voted,
        ratings=ratings, satisfied=satisfied, cosigns=cosigns, comments=comments,
        by_month=_by_month(session, scope),
    )


@dataclass(frozen=True)
class _Scope:
    place: Place | None
    period: Period
    now: datetime

    @property
    def lo(self) -> datetime:
        return self.period.starts_at

    @property
    def hi(self) -> datetime:
        return self.period.ends_at

    def within(self, place_id: Any) -> list[ColumnElement[bool]]:
        """The place and the places inside it, as a subquery on the place tree (none for the deployment)."""
        if self.place is None:
            return []
        inside = select(Place.id).where(col(Place.path).startswith(self.place.path))
        return [col(place_id).in_(inside)]

    def during(self, when: Any) -> list[ColumnElement[bool]]:
        return [col(when) >= self.lo, col(when) < self.hi]


def _int(value: Any) -> int:
    return int(value or 0)


def _raised(session: Session, scope: _Scope) -> tuple[int, int, int]:
    """Proposals submitted in the period, their co-signs, and the comments in their threads."""
    raised = [*scope.within(Proposal.place_id), *scope.during(Proposal.submitted_at)]
    comments = (
        select(func.count()).select_from(Comment)
        .where(Comment.subject_kind == "proposal", col(Comment.deleted_at).is_(None), col(Comment.hidden_at).is_(None),
               col(Comment.subject_id).in_(select(Proposal.id).where(*raised)))
        .scalar_subquery()
    )
    count, cosigns, said = session.exec(
        select(func.count(), func.sum(Proposal.cosign_count), comments).where(*raised)
    ).one()
    return _int(count), _int(cosigns), _int(said)


def _events(scope: _Scope, actions: Sequence[Action]) -> list[ColumnElement[bool]]:
    return [col(ProposalEvent.action).in_([a.value for a in actions]), *scope.during(ProposalEvent.at),
            *scope.within(Proposal.place_id)]


def _rule_at(key: str, place_id: Any) -> Any:
    """The value of a place's rule (规则设置) for the proposal's place `place_id`, as the settings page reads it:
    its own, else the nearest place containing it that sets one; NULL where none does (the default applies).
    A correlated lookup on the setting's few rows, through the place's path."""
    here, above = aliased(Place), aliased(Place)
    return (
        select(PlaceSetting.value)
        .join(above, col(above.id) == PlaceSetting.place_id)
        .join(here, col(here.path).startswith(above.path))
        .where(col(here.id) == place_id, col(PlaceSetting.key) == key, col(PlaceSetting.value).is_not(None))
        .order_by(func.length(above.path).desc())
        .limit(1)
        .scalar_subquery()
    )


def _outcomes(session: Session, scope: _Scope) -> tuple[dict[str, int], int, int]:
    """Accepted, rejected, merged and closed in the period; reviews decided in it and how many within their
    deadline (the place's review days, counted from when the review began: the threshold reached, or the
    proposal resubmitted after changes). The start is looked up once per decision, in the inner statement."""
    start = aliased(ProposalEvent, name="review_start")
    began = (
        select(func.max(start.at))
        .where(start.proposal_id == ProposalEvent.proposal_id, col(start.at) <= ProposalEvent.at,
               col(start.action).in_([a.value for a in REVIEW_STARTS]))
        .scalar_subquery()
    )
    is_review = col(ProposalEvent.action).in_([a.value for a in REVIEW_ENDS])
    events = (
        select(col(ProposalEvent.action).label("action"), col(ProposalEvent.at).label("at"),
               case((is_review, began), else_=None).label("began"),
               func.coalesce(cast(_rule_at("proposals.review_days", Proposal.place_id), Integer),
                             DEFAULTS.review_days).label("days"))
        .join(Proposal, col(Proposal.id) == ProposalEvent.proposal_id)
        .where(*_events(scope, (*OUTCOMES, *REVIEW_ENDS)))
        .subquery()
    )
    in_time = seconds_between(events.c.began, events.c.at) <= events.c.days * DAY
    columns = [func.sum(case((events.c.action == a.value, 1), else_=0)) for a in OUTCOMES]
    statement: Any = columns_of(*columns, func.count(events.c.began), func.sum(case((in_time, 1), else_=0)))
    row = session.exec(statement).one()
    outcomes = {a.value: _int(n) for a, n in zip(OUTCOMES, row, strict=False)}
    return outcomes, _int(row[-2]), _int(row[-1])


def _medians(session: Session, scope: _Scope) -> tuple[dict[str, float | None], dict[str, int]]:
    """The median seconds from submission to acceptance, to an approved plan and to closing, over the proposals
    that reached each in the period: the database numbers the differences in order within each kind and
    returns the middle one (or the mean of the middle two), so only one row per kind comes back."""
    seconds = seconds_between(Proposal.submitted_at, ProposalEvent.at).label("seconds")
    differences = (
        select(col(ProposalEvent.action).label("kind"), seconds)
        .join(Proposal, col(Proposal.id) == ProposalEvent.proposal_id)
        .where(*_events(scope, TIMED), col(Proposal.submitted_at).is_not(None))
        .subquery()
    )
    numbered = select(
        differences.c.kind, differences.c.seconds,
        func.row_number().over(partition_by=differences.c.kind, order_by=differences.c.seconds).label("n"),
        func.count().over(partition_by=differences.c.kind).label("total"),
    ).subquery()
    middle = or_(numbered.c.n == (numbered.c.total + 1) // 2, numbered.c.n == (numbered.c.total + 2) // 2)
    rows = session.exec(
        select(numbered.c.kind, func.avg(numbered.c.seconds), func.max(numbered.c.total))
        .where(middle).group_by(numbered.c.kind)
    ).all()
    found = {kind: (float(median), int(total)) for kind, median, total in rows}
    medians = {a.value: found[a.value][0] if a.value in found else None for a in TIMED}
    return medians, {a.value: found[a.value][1] if a.value in found else 0 for a in TIMED}


def _milestones(session: Session, scope: _Scope) -> tuple[int, int]:
    """Milestones due in the period, counted once their day has passed or they are done; on time when done on
    or before their day (a Beijing day)."""
    period, today = scope.period, scope.now.astimezone(SHANGHAI).date()
    on_time = and_(col(Milestone.done_at).is_not(None), local_date(Milestone.done_at) <= Milestone.due_on)
    count, done = session.exec(
        select(func.count(), func.sum(case((on_time, 1), else_=0)))
        .join(Proposal, col(Proposal.id) == Milestone.proposal_id)
        .where(*scope.within(Proposal.place_id), col(Milestone.due_on) >= period.first,
               col(Milestone.due_on) <= period.last,
               or_(col(Milestone.due_on) < today, col(Milestone.done_at).is_not(None)))
    ).one()
    return _int(count), _int(done)


def _meetings(session: Session, scope: _Scope) -> tuple[int, int, int]:
    """Meetings held in the period (not cancelled, begun by now), their registrations and their sign-ins."""
    registered = (
        select(func.count()).select_from(Registration)
        .where(Registration.meeting_id == Meeting.id, Registration.status == RegistrationStatus.REGISTERED)
        .scalar_subquery()
    )
    signed_in = select(func.count()).select_from(Attendance).where(Attendance.meeting_id == Meeting.id)
    count, registrations, attendances = session.exec(
        select(func.count(), func.sum(registered), func.sum(signed_in.scalar_subquery()))
        .where(*scope.within(Meeting.place_id), *scope.during(Meeting.starts_at), col(Meeting.starts_at) <= scope.now,
               Meeting.status != MeetingStatus.CANCELLED)
    ).one()
    return _int(count), _int(registrations), _int(attendances)


def _votes(session: Session, scope: _Scope) -> tuple[int, int, int]:
    """Votes closed in the period, the heads on their rolls and the heads who took part, as each vote kept them
    when it closed (summing the rolls themselves read 3.6 million rows at district scale)."""
    count, rolls, took_part = session.exec(
        select(func.count(), func.sum(Vote.roll_heads), func.sum(Vote.voted_heads))
        .where(*scope.within(Vote.place_id), *scope.during(Vote.closed_at),
               col(Vote.status).in_([VoteStatus.CLOSED, VoteStatus.CERTIFIED]))
    ).one()
    return _int(count), _int(rolls), _int(took_part)


def _ratings(session: Session, scope: _Scope) -> tuple[dict[str, int], int]:
    """The ratings of the proposals closed in the period, by rating and by their place's formula."""
    formula = func.coalesce(_rule_at("proposals.satisfaction_formula", Proposal.place_id),
                            DEFAULTS.satisfaction_formula).label("formula")
    rows = session.exec(
        select(ProposalRating.rating, formula, func.count())
        .join(Proposal, col(Proposal.id) == ProposalRating.proposal_id)
        .where(*scope.within(Proposal.place_id), *scope.during(Proposal.closed_at), Proposal.stage == Stage.CLOSED)
        .group_by(ProposalRating.rating, formula)
    ).all()
    counts = {r.value: 0 for r in Rating}
    satisfied = 0
    for rating, place_formula, n in rows:
        counts[rating] = counts.get(rating, 0) + n
        if Rating(rating) in rules.FORMULAS.get(place_formula, rules.FORMULAS[DEFAULTS.satisfaction_formula]):
            satisfied += n
    return counts, satisfied


def _by_month(session: Session, scope: _Scope) -> dict[str, dict[str, int]]:
    """Proposals raised and closed in each Beijing month of the period."""
    month = local_month(Proposal.submitted_at)
    raised = (select(month.label("month"), literal("raised").label("kind"))
              .where(*scope.within(Proposal.place_id), *scope.during(Proposal.submitted_at)))
    closed = (select(local_month(Proposal.closed_at).label("month"), literal("close").label("kind"))
              .where(*scope.within(Proposal.place_id), *scope.during(Proposal.closed_at),
                     Proposal.stage == Stage.CLOSED))
    both = union_all(raised, closed).subquery()
    rows = session.exec(
        select(both.c.month, both.c.kind, func.count()).group_by(both.c.month, both.c.kind)
    ).all()
    months: dict[str, dict[str, int]] = {m: {"raised": 0, "close": 0} for m in scope.period.months()}
    for when, kind, n in rows:
        months.setdefault(when, {"raised": 0, "close": 0})[kind] = n
    return months
