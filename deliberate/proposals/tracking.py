"""What waits on whom (督办) in a place and every place inside it: queries and the rows they make, no HTTP.

`tracking(session, place, now)` returns the sections the staff page shows; `to_csv` writes the same rows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from deliberate.accounts.models import User
from deliberate.i18n import gettext as _
from deliberate.places.models import Place
from deliberate.proposals import rules
from deliberate.proposals.models import Milestone, Plan, PlanStatus, PlanVersion, Proposal, ProposalRating
from deliberate.proposals.rules import Stage
from deliberate.voting.models import Vote, VoteStatus

SHANGHAI = ZoneInfo("Asia/Shanghai")
SOON_DAYS = 7  # milestones due within this many days are listed before they are late


class Section(StrEnum):
    REVIEW = "review"
    DISCLOSURE = "disclosure"
    MILESTONES_OVERDUE = "milestones_overdue"
    MILESTONES_SOON = "milestones_soon"
    ACCEPTANCE = "acceptance"
    RATING = "rating"


def section_labels() -> dict[Section, str]:
    return {
        Section.REVIEW: _("待受理"),
        Section.DISCLOSURE: _("方案公示与表决"),
        Section.MILESTONES_OVERDUE: _("逾期节点（督办）"),
        Section.MILESTONES_SOON: _("%(n)s 天内到期的节点", n=SOON_DAYS),
        Section.ACCEPTANCE: _("待验收"),
        Section.RATING: _("满意度评价"),
    }


@dataclass(frozen=True)
class Row:
    """One thing waiting: on which proposal, for what, on whom, by when, and how late.

    For an acceptance there is no deadline: `due` is when the waiting began and `days_overdue` the days waited.
    """

    section: Section
    proposal_id: int
    title: str
    place_name: str
    waiting_for: str
    responsible: str
    due: datetime | date | None
    days_overdue: int
    overdue: bool
    vote_id: int | None = None
    ratings: int | None = None


@dataclass(frozen=True)
class SectionRows:
    key: Section
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Tracking:
    place_id: int
    today: date  # in the place's time zone
    sections: tuple[SectionRows, ...]

    @property
    def rows(self) -> list[Row]:
        return [row for section in self.sections for row in section.rows]

    @property
    def overdue(self) -> int:
        return sum(row.overdue for row in self.rows)

    def section(self, key: Section) -> SectionRows:
        return next(section for section in self.sections if section.key == key)


def tracking(session: Session, place: Place, now: datetime, *, zone: ZoneInfo = SHANGHAI) -> Tracking:
    """Every waiting item of proposals in `place` and below, each section sorted most overdue first."""
    if now.tzinfo is None:
        raise ValueError("naive datetime given; use aware times")
    scope = _Scope(session, place, now, now.astimezone(zone).date(), _names_within(session, place))
    milestones_overdue, milestones_soon = _milestones(scope)
    found = {
        Section.REVIEW: _review(scope),
        Section.DISCLOSURE: _disclosure(scope) + _decision(scope),
        Section.MILESTONES_OVERDUE: milestones_overdue,
        Section.MILESTONES_SOON: milestones_soon,
        Section.ACCEPTANCE: _acceptance(scope),
        Section.RATING: _rating(scope),
    }
    return Tracking(
        place_id=place.id,
        today=scope.today,
        sections=tuple(SectionRows(key, tuple(sorted(rows, key=_most_overdue_first))) for key, rows in found.items()),
    )


def _most_overdue_first(row: Row) -> tuple[int, bool, datetime, int]:
    due = row.due
    if isinstance(due, date) and not isinstance(due, datetime):
        due = datetime.combine(due, time.min, tzinfo=SHANGHAI)
    return (-row.days_overdue, due is None, due or datetime.max.replace(tzinfo=SHANGHAI), row.proposal_id)


def _names_within(session: Session, place: Place) -> dict[int, str]:
    return dict(session.exec(select(Place.id, Place.name).where(col(Place.path).startswith(place.path))).all())


@dataclass(frozen=True)
class _Scope:
    session: Session
    place: Place
    now: datetime
    today: date
    names: dict[int, str]  # of the place and every place inside it

    def within(self, *stages: Stage) -> Any:
        """Proposals of these stages in the place or inside it, with their place's path."""
        return (
            select(Proposal, Place.path).join(Place, col(Place.id) == Proposal.place_id)
            .where(col(Place.path).startswith(self.place.path), col(Proposal.stage).in_([s.value for s in stages]))
        )

    def label(self, path: str) -> str:
        """A place named from below the tracked place down ("幸福里1区 / 1号楼"): building names repeat."""
        ids = [int(part) for part in path.strip("/").split("/")][len(self.place.ancestor_ids):]
        return " / ".join(self.names.get(i, "") for i in ids) or self.place.name

    def deadline(self, due: datetime | None) -> tuple[int, bool]:
        if due is None:
            return 0, False
        return rules.days_overdue(due, self.now), rules.is_overdue(due, self.now)


# Sections ---------------------------------------------------------------------------------------


def _review(scope: _Scope) -> list[Row]:
    found = scope.session.exec(
        scope.within(Stage.REVIEW, Stage.CHANGES_REQUESTED).add_columns(User.display_name)
        .join(User, col(User.id) == Proposal.author_id)
    ).all()
    rows = []
    for proposal, path, author_name in found:
        changes = proposal.stage == Stage.CHANGES_REQUESTED
        days, overdue = scope.deadline(proposal.review_due_at)
        rows.append(Row(
            Section.REVIEW, proposal.id, proposal.title, scope.label(path),
            _("等待作者修改") if changes else _("等待受理"),
            author_name if changes else _("工作人员/议事会"),
            proposal.review_due_at, days, overdue,
        ))
    return rows


def _disclosure(scope: _Scope) -> list[Row]:
    found = scope.session.exec(
        scope.within(Stage.DISCLOSURE).add_columns(Plan)
        .join(Plan, col(Plan.proposal_id) == Proposal.id).where(Plan.status == PlanStatus.DISCLOSED)
    ).all()
    titles = _plan_titles(scope.session, [plan for _proposal, _path, plan in found])
    rows = []
    for proposal, path, plan in found:
        days, overdue = scope.deadline(plan.disclosure_ends_at)
        title = titles.get(plan.id, "")
        waiting = (_("方案「%(title)s」公示期满，待结束公示", title=title) if overdue
                   else _("方案「%(title)s」公示中", title=title))
        rows.append(Row(
            Section.DISCLOSURE, proposal.id, proposal.title, scope.label(path), waiting, _("工作人员/议事会"),
            plan.disclosure_ends_at, days, overdue, vote_id=plan.vote_id,
        ))
    return rows


def _plan_titles(session: Session, plans: Sequence[Plan]) -> dict[int, str]:
    """The title of each plan's current version."""
    if not plans:
        return {}
    versions = session.exec(
        select(PlanVersion.plan_id, PlanVersion.number, PlanVersion.title)
        .where(col(PlanVersion.plan_id).in_([plan.id for plan in plans]))
    ).all()
    current = {plan.id: plan.version for plan in plans}
    return {plan_id: title for plan_id, number, title in versions if current.get(plan_id) == number}


def _decision(scope: _Scope) -> list[Row]:
    """Disclosure over: a vote runs or the council decides. Due when the vote closes, else when disclosure ended."""
    found = scope.session.exec(scope.within(Stage.DECISION)).all()
    if not found:
        return []
    plans = scope.session.exec(
        select(Plan).where(col(Plan.proposal_id).in_([proposal.id for proposal, _path in found]),
                           Plan.status == PlanStatus.DISCLOSED)
        .order_by(col(Plan.id))
    ).all()
    vote_ids = {plan.vote_id for plan in plans if plan.vote_id is not None}
    votes = {v.id: v for v in scope.session.exec(select(Vote).where(col(Vote.id).in_(vote_ids))).all()}
    rows = []
    for proposal, path in found:
        own = [plan for plan in plans if plan.proposal_id == proposal.id]
        vote = next((votes[plan.vote_id] for plan in own if plan.vote_id in votes), None)
        ends = [plan.disclosure_ends_at for plan in own if plan.disclosure_ends_at is not None]
        if vote is not None:
            due: datetime = vote.closes_at
            waiting, responsible = _vote_waiting(vote)
        else:
            due = max(ends) if ends else proposal.stage_changed_at
            waiting, responsible = _("公示期满，等待议事会决定"), _("议事会")
        days, overdue = scope.deadline(due)
        rows.append(Row(
            Section.DISCLOSURE, proposal.id, proposal.title, scope.label(path), waiting, responsible,
            due, days, overdue, vote_id=vote.id if vote else None,
        ))
    return rows


def _vote_waiting(vote: Vote) -> tuple[str, str]:
    if vote.status == VoteStatus.DRAFT:
        return _("表决准备中"), _("工作人员/议事会")
    if vote.status == VoteStatus.OPEN:
        return _("表决进行中"), _("投票人")
    if vote.status == VoteStatus.CLOSED:
        return _("表决已截止，等待议事会认证"), _("议事会")
    return _("表决结果已公布，等待确认方案"), _("工作人员/议事会")


def _milestones(scope: _Scope) -> tuple[list[Row], list[Row]]:
    """Open milestones of works in progress: late ones, and those due within `SOON_DAYS` days."""
    today = scope.today
    found = scope.session.exec(
        scope.within(Stage.IMPLEMENTATION).add_columns(Milestone)
        .join(Milestone, col(Milestone.proposal_id) == Proposal.id)
        .where(col(Milestone.done_at).is_(None), col(Milestone.due_on) <= today + timedelta(days=SOON_DAYS))
    ).all()
    late: list[Row] = []
    soon: list[Row] = []
    for proposal, path, milestone in found:
        overdue = today > milestone.due_on
        row = Row(
            Section.MILESTONES_OVERDUE if overdue else Section.MILESTONES_SOON,
            proposal.id, proposal.title, scope.label(path),
            _("节点：%(title)s", title=milestone.title),
            milestone.responsible or proposal.responsible or _("未指定"),
            milestone.due_on, (today - milestone.due_on).days if overdue else 0, overdue,
        )
        (late if overdue else soon).append(row)
    return late, soon


def _acceptance(scope: _Scope) -> list[Row]:
    rows = []
    for proposal, path in scope.session.exec(scope.within(Stage.ACCEPTANCE)).all():
        waited = max(0, (scope.now - proposal.stage_changed_at) // timedelta(days=1))
        rows.append(Row(
            Section.ACCEPTANCE, proposal.id, proposal.title, scope.label(path),
            _("等待现场验收，已等待 %(n)s 天", n=waited), _("居民代表/监督员"),
            proposal.stage_changed_at, waited, False,
        ))
    return rows


def _rating(scope: _Scope) -> list[Row]:
    found = scope.session.exec(scope.within(Stage.RATING)).all()
    counts = _rating_counts(scope.session, [proposal.id for proposal, _path in found])
    rows = []
    for proposal, path in found:
        n = counts.get(proposal.id, 0)
        days, ended = scope.deadline(proposal.rating_ends_at)
        rows.append(Row(
            Section.RATING, proposal.id, proposal.title, scope.label(path),
            _("评价期已结束，可以办结（%(n)s 份评价）", n=n) if ended else _("居民评价中，已有 %(n)s 份评价", n=n),
            _("工作人员") if ended else _("居民"),
            proposal.rating_ends_at, days, ended, ratings=n,
        ))
    return rows


def _rating_counts(session: Session, proposal_ids: list[int]) -> dict[int, int]:
    if not proposal_ids:
        return {}
    found = session.exec(
        select(ProposalRating.proposal_id, func.count()).where(col(ProposalRating.proposal_id).in_(proposal_ids))
        .group_by(col(ProposalRating.proposal_id))
    ).all()
    return dict(found)


# Export ----------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A cell as text that a spreadsheet shows rather than runs: a leading = + - @ gets an apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_header() -> list[str]:
    return [_("类别"), _("提案编号"), _("提案标题"), _("地点"), _("等待事项"), _("责任方"), _("期限"), _("逾期天数")]


def format_due(due: datetime | date | None, zone: ZoneInfo = SHANGHAI) -> str:
    if due is None:
        return ""
    if isinstance(due, datetime):
        return due.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    return due.isoformat()


def to_csv(rows: Iterable[Row], *, zone: ZoneInfo = SHANGHAI) -> str:
    """The rows as CSV text, with a BOM so that Excel reads the Chinese as UTF-8."""
    labels = section_labels()
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(csv_header())
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in (
            labels[row.section], row.proposal_id, row.title, row.place_name, row.waiting_for, row.responsible,
            format_due(row.due, zone), row.days_overdue,
        )])
    return out.getvalue()


def csv_filename(place: Place, today: date) -> str:
    return f"tracking-{place.id}-{today.isoformat()}.csv"
