"""What waits on whom (督办) in a place and every place inside it: queries and the rows they make, no HTTP.

`tracking(session, place, now)` returns a page of each section the staff page shows and the counts of all of
them, made by the database; `every_row` reads every row in chunks for the CSV export (`csv_chunks`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, literal, or_, type_coerce, union_all
from sqlmodel import Session, col, select

from deliberate.accounts.models import User
from deliberate.db import UTCDateTime
from deliberate.i18n import gettext as _
from deliberate.places.models import Place
from deliberate.proposals import rules, works
from deliberate.proposals.listing import place_ids_within
from deliberate.proposals.models import Milestone, Plan, PlanStatus, PlanVersion, Proposal, ProposalRating
from deliberate.proposals.rules import Stage
from deliberate.voting.models import Vote, VoteStatus

SHANGHAI = ZoneInfo("Asia/Shanghai")
SOON_DAYS = 7  # milestones due within this many days are listed before they are late
PAGE_SIZE = 20  # rows of a section on the page; the others are a "more" link away
CHUNK = 500  # rows the CSV export reads at a time


class Section(StrEnum):
    REVIEW = "review"
    PLANNING = "planning"  # accepted, its plans being drafted
    DISCLOSURE = "disclosure"
    MILESTONES_OVERDUE = "milestones_overdue"
    MILESTONES_SOON = "milestones_soon"
    ACCEPTANCE = "acceptance"
    RATING = "rating"


WORKS_SECTIONS = (Section.MILESTONES_OVERDUE, Section.MILESTONES_SOON, Section.ACCEPTANCE)  # rows show spending


def section_labels() -> dict[Section, str]:
    return {
        Section.REVIEW: _("待受理"),
        Section.PLANNING: _("待制定方案"),
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
    spending: works.Spending | None = None  # for works: spent against the approved plan, receipts missing


@dataclass(frozen=True)
class SectionRows:
    """One page of a section's rows, with what the database counted for the whole section."""

    key: Section
    rows: tuple[Row, ...]
    total: int = 0
    overdue: int = 0
    page: int = 1
    size: int = PAGE_SIZE

    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.page * self.size < self.total else None


@dataclass(frozen=True)
class Tracking:
    place_id: int
    today: date  # in the place's time zone
    sections: tuple[SectionRows, ...]

    @property
    def rows(self) -> list[Row]:
        """The rows of the pages shown."""
        return [row for section in self.sections for row in section.rows]

    @property
    def overdue(self) -> int:
        return sum(section.overdue for section in self.sections)

    def section(self, key: Section) -> SectionRows:
        return next(section for section in self.sections if section.key == key)


def tracking(session: Session, place: Place, now: datetime, *, zone: ZoneInfo = SHANGHAI,
             pages: Mapping[Section, int] | None = None, size: int = PAGE_SIZE) -> Tracking:
    """One page of every section (the first unless `pages` says), each most overdue first, and their counts."""
    scope = _scope(session, place, now, zone)
    counts = _counts(scope)
    offsets = {key: (_page_number(pages, key) - 1) * size for key in Section}
    found = {key: _page(scope, key, offset=offsets[key], limit=size)  # a section with nothing there is not read
             if counts.get(key, (0, 0))[0] > offsets[key] else [] for key in Section}
    rows = _rows(scope, found)
    return Tracking(place_id=place.id, today=scope.today, sections=tuple(
        SectionRows(key, tuple(rows[key]), *counts.get(key, (0, 0)), page=_page_number(pages, key), size=size)
        for key in Section
    ))


def every_row(session: Session, place: Place, now: datetime, *, zone: ZoneInfo = SHANGHAI,
              chunk: int = CHUNK) -> Iterator[Row]:
    """Every row of every section in the page's order, read `chunk` rows at a time (for the CSV export)."""
    scope = _scope(session, place, now, zone)
    for key in Section:
        offset = 0
        while True:
            keys = _page(scope, key, offset=offset, limit=chunk)
            yield from _rows(scope, {key: keys})[key]
            if len(keys) < chunk:
                break
            offset += chunk


def _page_number(pages: Mapping[Section, int] | None, key: Section) -> int:
    return max(1, (pages or {}).get(key, 1))


def _scope(session: Session, place: Place, now: datetime, zone: ZoneInfo) -> _Scope:
    if now.tzinfo is None:
        raise ValueError("naive datetime given; use aware times")
    return _Scope(session, place, now, now.astimezone(zone).date(), place_ids_within(session, place))


@dataclass(frozen=True)
class _Scope:
    session: Session
    place: Place
    now: datetime
    today: date
    place_ids: list[int]  # the place and every place inside it

    def within(self, *stages: Stage) -> Any:
        """The condition on proposals of these stages in the place or inside it (index place_id, stage)."""
        return and_(col(Proposal.place_id).in_(self.place_ids), col(Proposal.stage).in_([s.value for s in stages]))

    def deadline(self, due: datetime | None) -> tuple[int, bool]:
        if due is None:
            return 0, False
        return rules.days_overdue(due, self.now), rules.is_overdue(due, self.now)


# What each section counts and sorts by: (proposal id, item id, due, late) ----------------------


def _late(due: Any, now: datetime) -> Any:
    return case((due < now, 1), else_=0)


def _keyed(scope: _Scope, key: Section) -> list[Any]:
    """Selects of (proposal_id, item_id, due, late) whose union is the section; item_id tells plan or milestone."""
    now, soon = scope.now, scope.today + timedelta(days=SOON_DAYS)
    if key is Section.REVIEW:
        due = col(Proposal.review_due_at)
        return [select(col(Proposal.id), literal(0), due, _late(due, now))
                .where(scope.within(Stage.REVIEW, Stage.CHANGES_REQUESTED))]
    if key is Section.PLANNING:
        due = col(Proposal.plan_due_at)
        return [select(col(Proposal.id), literal(0), due, _late(due, now)).where(scope.within(Stage.ACCEPTED))]
    if key is Section.DISCLOSURE:
        ends = col(Plan.disclosure_ends_at)
        disclosed = (select(col(Proposal.id), col(Plan.id), ends, _late(ends, now))
                     .join(Plan, col(Plan.proposal_id) == Proposal.id)
                     .where(scope.within(Stage.DISCLOSURE), col(Plan.status) == PlanStatus.DISCLOSED))
        due = _decision_due()
        deciding = select(col(Proposal.id), literal(0), due, _late(due, now)).where(scope.within(Stage.DECISION))
        return [disclosed, deciding]
    if key in (Section.MILESTONES_OVERDUE, Section.MILESTONES_SOON):
        day = col(Milestone.due_on)
        window = day < scope.today if key is Section.MILESTONES_OVERDUE else and_(day >= scope.today, day <= soon)
        return [select(col(Proposal.id), col(Milestone.id), day, literal(1 if key is Section.MILESTONES_OVERDUE else 0))
                .join(Milestone, col(Milestone.proposal_id) == Proposal.id)
                .where(scope.within(Stage.IMPLEMENTATION), col(Milestone.done_at).is_(None), window)]
    if key is Section.ACCEPTANCE:
        return [select(col(Proposal.id), literal(0), col(Proposal.stage_changed_at), literal(0))
                .where(scope.within(Stage.ACCEPTANCE))]
    due = col(Proposal.rating_ends_at)
    return [select(col(Proposal.id), literal(0), due, _late(due, now)).where(scope.within(Stage.RATING))]


def _decision_due() -> Any:
    """When the vote of the first disclosed plan with one closes, else when the last disclosure ended, else
    when the stage began."""
    disclosed = and_(col(Plan.proposal_id) == Proposal.id, col(Plan.status) == PlanStatus.DISCLOSED)
    closes = (select(col(Vote.closes_at)).join(Plan, col(Plan.vote_id) == Vote.id).where(disclosed)
              .order_by(col(Plan.id)).limit(1).correlate(Proposal).scalar_subquery())
    ended = select(func.max(Plan.disclosure_ends_at)).where(disclosed).correlate(Proposal).scalar_subquery()
    return type_coerce(func.coalesce(closes, ended, col(Proposal.stage_changed_at)), UTCDateTime())


def _counts(scope: _Scope) -> dict[Section, tuple[int, int]]:
    """Rows and overdue rows of each section, counted by the database in one query."""
    parts = [
        select(literal(key.value).label("section"), part.subquery().c[3].label("late"))
        for key in Section for part in _keyed(scope, key)
    ]
    every = union_all(*parts).subquery()
    found = scope.session.exec(
        select(every.c.section, func.count(), func.coalesce(func.sum(every.c.late), 0)).group_by(every.c.section)
    ).all()
    return {Section(section): (int(total), int(late)) for section, total, late in found}


@dataclass(frozen=True)
class _Key:
    proposal_id: int
    item_id: int  # the plan of a disclosure, the milestone of a milestone row, else 0
    due: datetime | date | None


def _page(scope: _Scope, key: Section, *, offset: int, limit: int) -> list[_Key]:
    """The keys of one page of the section: due first (none last), then by proposal and item."""
    parts = [part.subquery() for part in _keyed(scope, key)]
    labelled = [select(p.c[0].label("proposal_id"), p.c[1].label("item_id"), p.c[2].label("due")) for p in parts]
    every = (union_all(*labelled) if len(labelled) > 1 else labelled[0]).subquery()
    found = scope.session.exec(
        select(every.c.proposal_id, every.c.item_id, every.c.due)
        .order_by(every.c.due.is_(None), every.c.due, every.c.proposal_id, every.c.item_id)
        .offset(offset).limit(limit)
    ).all()
    return [_Key(int(proposal_id), int(item_id), due) for proposal_id, item_id, due in found]


# The rows of a page: what each needs, read with one IN query per kind --------------------------


@dataclass(frozen=True)
class _Found:
    proposals: dict[int, tuple[Proposal, str]]  # with the author's name
    labels: dict[int, str]  # by place id
    plans: dict[int, Plan]
    plan_titles: dict[int, str]
    deciding: dict[int, list[Plan]]  # the disclosed plans of proposals awaiting a decision, by proposal
    votes: dict[int, Vote]
    milestones: dict[int, Milestone]
    ratings: dict[int, int]
    spending: dict[int, works.Spending]  # of the proposals whose works are listed


def _rows(scope: _Scope, found: Mapping[Section, list[_Key]]) -> dict[Section, list[Row]]:
    keys = [k for ks in found.values() for k in ks]
    if not keys:
        return {key: [] for key in found}
    data = _read(scope, found)
    return {key: [_row(scope, data, key, k) for k in ks] for key, ks in found.items()}


def _read(scope: _Scope, found: Mapping[Section, list[_Key]]) -> _Found:
    session = scope.session
    proposal_ids = {k.proposal_id for ks in found.values() for k in ks}
    proposals = {p.id: (p, name) for p, name in session.exec(
        select(Proposal, User.display_name).join(User, col(User.id) == Proposal.author_id)
        .where(col(Proposal.id).in_(proposal_ids))
    ).all()}
    plan_ids = {k.item_id for k in found.get(Section.DISCLOSURE, []) if k.item_id}
    deciding_ids = {k.proposal_id for k in found.get(Section.DISCLOSURE, []) if not k.item_id}
    plans: dict[int, Plan] = {}
    deciding: dict[int, list[Plan]] = {}
    if plan_ids or deciding_ids:
        for plan in session.exec(select(Plan).where(or_(
            col(Plan.id).in_(plan_ids),
            and_(col(Plan.proposal_id).in_(deciding_ids), col(Plan.status) == PlanStatus.DISCLOSED),
        )).order_by(col(Plan.id))).all():
            plans[plan.id] = plan
            if plan.proposal_id in deciding_ids:
                deciding.setdefault(plan.proposal_id, []).append(plan)
    vote_ids = {plan.vote_id for own in deciding.values() for plan in own if plan.vote_id is not None}
    votes = {v.id: v for v in session.exec(select(Vote).where(col(Vote.id).in_(vote_ids))).all()} if vote_ids else {}
    milestone_ids = {k.item_id for key in (Section.MILESTONES_OVERDUE, Section.MILESTONES_SOON)
                     for k in found.get(key, [])}
    milestones = ({m.id: m for m in session.exec(select(Milestone).where(col(Milestone.id).in_(milestone_ids))).all()}
                  if milestone_ids else {})
    rated = [k.proposal_id for k in found.get(Section.RATING, [])]
    building = sorted({k.proposal_id for key in WORKS_SECTIONS for k in found.get(key, [])})
    return _Found(
        proposals=proposals, labels=_labels(scope, {p.place_id for p, _name in proposals.values()}),
        plans=plans, plan_titles=_plan_titles(session, [plans[i] for i in plan_ids if i in plans]),
        deciding=deciding, votes=votes, milestones=milestones, ratings=_rating_counts(session, rated),
        spending=works.spendings(session, building),
    )


def _labels(scope: _Scope, place_ids: set[int]) -> dict[int, str]:
    """Places named from below the tracked place down ("幸福里1区 / 1号楼"): building names repeat."""
    paths = dict(scope.session.exec(select(Place.id, Place.path).where(col(Place.id).in_(place_ids))).all())
    skip = len(scope.place.ancestor_ids)
    below = {pid: [int(part) for part in path.strip("/").split("/")][skip:] for pid, path in paths.items()}
    wanted = {i for ids in below.values() for i in ids}
    names = dict(scope.session.exec(select(Place.id, Place.name).where(col(Place.id).in_(wanted))).all())
    return {pid: " / ".join(names.get(i, "") for i in ids) or scope.place.name for pid, ids in below.items()}


def _row(scope: _Scope, data: _Found, key: Section, k: _Key) -> Row:
    proposal, author_name = data.proposals[k.proposal_id]
    label = data.labels.get(proposal.place_id, scope.place.name)
    head = (proposal.id, proposal.title, label)
    if key is Section.REVIEW:
        changes = proposal.stage == Stage.CHANGES_REQUESTED
        days, overdue = scope.deadline(proposal.review_due_at)
        return Row(key, *head, _("等待作者修改") if changes else _("等待受理"),
                   author_name if changes else _("工作人员/议事会"), proposal.review_due_at, days, overdue)
    if key is Section.PLANNING:
        days, overdue = scope.deadline(proposal.plan_due_at)
        return Row(key, *head, _("等待制定方案并公示"), _("工作人员/议事会"), proposal.plan_due_at, days, overdue)
    if key is Section.DISCLOSURE:
        if k.item_id:
            return _disclosure_row(scope, data, proposal, label, k)
        return _decision_row(scope, data, proposal, label)
    if key in (Section.MILESTONES_OVERDUE, Section.MILESTONES_SOON):
        milestone = data.milestones[k.item_id]
        overdue = scope.today > milestone.due_on
        return Row(key, *head, _("节点：%(title)s", title=milestone.title),
                   milestone.responsible or proposal.responsible or _("未指定"),
                   milestone.due_on, (scope.today - milestone.due_on).days if overdue else 0, overdue,
                   spending=data.spending.get(proposal.id))
    if key is Section.ACCEPTANCE:
        waited = max(0, (scope.now - proposal.stage_changed_at) // timedelta(days=1))
        return Row(key, *head, _("等待现场验收，已等待 %(n)s 天", n=waited), _("居民代表/监督员"),
                   proposal.stage_changed_at, waited, False, spending=data.spending.get(proposal.id))
    n = data.ratings.get(proposal.id, 0)
    days, ended = scope.deadline(proposal.rating_ends_at)
    return Row(key, *head,
               _("评价期已结束，可以办结（%(n)s 份评价）", n=n) if ended else _("居民评价中，已有 %(n)s 份评价", n=n),
               _("工作人员") if ended else _("居民"), proposal.rating_ends_at, days, ended, ratings=n)


def _disclosure_row(scope: _Scope, data: _Found, proposal: Proposal, label: str, k: _Key) -> Row:
    plan = data.plans[k.item_id]
    days, overdue = scope.deadline(plan.disclosure_ends_at)
    title = data.plan_titles.get(plan.id, "")
    waiting = (_("方案「%(title)s」公示期满，待结束公示", title=title) if overdue
               else _("方案「%(title)s」公示中", title=title))
    return Row(Section.DISCLOSURE, proposal.id, proposal.title, label, waiting, _("工作人员/议事会"),
               plan.disclosure_ends_at, days, overdue, vote_id=plan.vote_id)


def _decision_row(scope: _Scope, data: _Found, proposal: Proposal, label: str) -> Row:
    """Disclosure over: a vote runs or the council decides. Due when the vote closes, else when disclosure ended."""
    own = data.deciding.get(proposal.id, [])
    vote = next((data.votes[plan.vote_id] for plan in own if plan.vote_id in data.votes), None)
    ends = [plan.disclosure_ends_at for plan in own if plan.disclosure_ends_at is not None]
    if vote is not None:
        due: datetime = vote.closes_at
        waiting, responsible = _vote_waiting(vote)
    else:
        due = max(ends) if ends else proposal.stage_changed_at
        waiting, responsible = _("公示期满，等待议事会决定"), _("议事会")
    days, overdue = scope.deadline(due)
    return Row(Section.DISCLOSURE, proposal.id, proposal.title, label, waiting, responsible,
               due, days, overdue, vote_id=vote.id if vote else None)


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


def _vote_waiting(vote: Vote) -> tuple[str, str]:
    if vote.status == VoteStatus.DRAFT:
        return _("表决准备中"), _("工作人员/议事会")
    if vote.status == VoteStatus.OPEN:
        return _("表决进行中"), _("投票人")
    if vote.status == VoteStatus.CLOSED:
        return _("表决已截止，等待议事会认证"), _("议事会")
    return _("表决结果已公布，等待确认方案"), _("工作人员/议事会")


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
    return "".join(csv_chunks(rows, zone=zone))


def csv_chunks(rows: Iterable[Row], *, zone: ZoneInfo = SHANGHAI, every: int = CHUNK) -> Iterator[str]:
    """The same CSV text in pieces of `every` rows, the first with the BOM and the header: for streaming."""
    labels = section_labels()
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(csv_header())
    for n, row in enumerate(rows, 1):
        writer.writerow([safe_cell(cell) for cell in (
            labels[row.section], row.proposal_id, row.title, row.place_name, row.waiting_for, row.responsible,
            format_due(row.due, zone), row.days_overdue,
        )])
        if n % every == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def csv_filename(place: Place, today: date) -> str:
    return f"tracking-{place.id}-{today.isoformat()}.csv"


def overdue_counts(session: Session, places: Sequence[Place], now: datetime, *, zone: ZoneInfo = SHANGHAI) -> list[int]:
    """The overdue rows of each place's tracking page (`tracking(...).overdue`), in two queries however many places:
    the places inside them, then one count of every section of every place (for the home page's 我的待办)."""
    if not places:
        return []
    if now.tzinfo is None:
        raise ValueError("naive datetime given; use aware times")
    inside = session.exec(select(Place.id, Place.path).where(or_(*(col(Place.path).startswith(p.path)
                                                                  for p in places)))).all()
    today = now.astimezone(zone).date()
    scopes = [_Scope(session, place, now, today, [i for i, path in inside if path.startswith(place.path)])
              for place in places]
    parts = [select(literal(n).label("place"), part.subquery().c[3].label("late"))
             for n, scope in enumerate(scopes) for key in Section for part in _keyed(scope, key)]
    every = union_all(*parts).subquery()
    found = dict(session.exec(
        select(every.c.place, func.coalesce(func.sum(every.c.late), 0)).group_by(every.c.place)).all())
    return [int(found.get(n, 0)) for n in range(len(places))]
