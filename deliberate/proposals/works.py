"""The works and their supervision: milestones, progress, costs, inspections, acceptance, ratings, closing."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction

from sqlalchemy import and_, func
from sqlmodel import Session, col, select

from deliberate.accounts.models import User
from deliberate.accounts.people import Person
from deliberate.clock import utcnow
from deliberate.db import from_centi
from deliberate.i18n import gettext as _
from deliberate.places.models import Place
from deliberate.proposals import actions, plans, rules
from deliberate.proposals import photos as pictures
from deliberate.proposals.access import actors_for, resolve
from deliberate.proposals.models import (
    CostItem,
    Inspection,
    InspectionKind,
    Milestone,
    Plan,
    PlanStatus,
    PlanVersion,
    ProgressUpdate,
    Proposal,
    ProposalEvent,
    ProposalRating,
)
from deliberate.proposals.photos import Upload
from deliberate.proposals.rules import Action as Move
from deliberate.proposals.rules import Actor, ProposalError, Rating, Stage

WORKS_STAGES = (Stage.IMPLEMENTATION.value, Stage.ACCEPTANCE.value)


def _ensure_works(proposal: Proposal) -> None:
    if proposal.stage not in WORKS_STAGES:
        raise ProposalError(_("方案通过后、验收之前才能记录施工情况。"))


def do_add_milestone(session: Session, proposal: Proposal, by: User, *, title: str, due_on: date,
                     responsible: str) -> Milestone:
    """A milestone; the same one sent again while it is still open is the one already set."""
    _ensure_works(proposal)
    responsible = responsible or proposal.responsible
    same = session.exec(select(Milestone).where(
        Milestone.proposal_id == proposal.id, Milestone.title == title, Milestone.due_on == due_on,
        Milestone.responsible == responsible, col(Milestone.done_at).is_(None))).first()
    if same is not None:
        return same
    milestone = Milestone(proposal_id=proposal.id, title=title, due_on=due_on, responsible=responsible)
    session.add(milestone)
    session.flush()
    actions.record(session, proposal, action="milestone_added", to_stage=proposal.stage, by=by,
                   reason=title, subject=("milestone", milestone.id))
    return milestone


def do_complete_milestone(session: Session, proposal: Proposal, milestone: Milestone, by: User) -> None:
    _ensure_works(proposal)
    if milestone.proposal_id != proposal.id:
        raise ValueError("milestone of another proposal")
    if milestone.done_at is not None:
        raise ProposalError(_("这个节点已经完成。"))
    milestone.done_at = utcnow()
    session.add(milestone)
    actions.record(session, proposal, action="milestone_done", to_stage=proposal.stage, by=by,
                   reason=milestone.title, subject=("milestone", milestone.id))


def milestones_of(session: Session, proposal: Proposal) -> list[Milestone]:
    return list(session.exec(
        select(Milestone).where(Milestone.proposal_id == proposal.id).order_by(col(Milestone.due_on), col(Milestone.id))
    ).all())


def do_report_progress(session: Session, proposal: Proposal, by: User, *, text: str, percent: int,
                       milestone: Milestone | None = None, photos: Sequence[Upload] = ()) -> ProgressUpdate:
    _ensure_works(proposal)
    if not 0 <= percent <= 100:
        raise ProposalError(_("进度须在 0 到 100 之间。"), 422)
    latest = session.exec(select(ProgressUpdate).where(ProgressUpdate.proposal_id == proposal.id)
                          .order_by(col(ProgressUpdate.id).desc()).limit(1)).first()
    if latest is not None and (latest.text, latest.percent, latest.by_id) == (text, percent, by.id):
        return latest  # the same report sent again: a second click or the back button
    update = ProgressUpdate(proposal_id=proposal.id, text=text, percent=percent, by_id=by.id,
                            milestone_id=milestone.id if milestone else None)
    session.add(update)
    session.flush()
    actions.record(session, proposal, action="progress", to_stage=proposal.stage, by=by,
                   reason=f"{percent}% · {text}"[:2000], subject=("progress", update.id))
    pictures.do_attach(session, proposal, by, "progress", update.id, photos)
    return update


def progress_of(session: Session, proposal: Proposal) -> list[ProgressUpdate]:
    return list(session.exec(
        select(ProgressUpdate).where(ProgressUpdate.proposal_id == proposal.id)
        .order_by(col(ProgressUpdate.created_at).desc(), col(ProgressUpdate.id).desc())
    ).all())


def current_percent(session: Session, proposal: Proposal) -> int:
    updates = progress_of(session, proposal)
    return updates[0].percent if updates else 0


def do_disclose_cost(session: Session, proposal: Proposal, by: User, *, description: str, amount_centi: int,
                     payee: str, document_id: int | None = None, document: Upload | None = None) -> CostItem:
    """Money spent, with its document: a photo already stored (`document_id`) or one sent with it."""
    _ensure_works(proposal)
    if amount_centi < 0:
        raise ProposalError(_("金额不能为负。"), 422)
    latest = session.exec(select(CostItem).where(CostItem.proposal_id == proposal.id)
                          .order_by(col(CostItem.id).desc()).limit(1)).first()
    if latest is not None and (latest.description, latest.amount_centi, latest.payee) == (description, amount_centi,
                                                                                          payee):
        raise ProposalError(_("这笔费用与刚公开的上一笔完全相同（项目、金额、收款方），没有重复记录。"
                              "如确是另一笔，请在项目中写明区别。"))
    scanned = pictures.do_attach(session, proposal, by, "cost", None, [document] if document else [])
    item = CostItem(proposal_id=proposal.id, description=description, amount_centi=amount_centi,
                    payee=payee, document_id=scanned[0].id if scanned else document_id, by_id=by.id)
    session.add(item)
    session.flush()
    for photo in scanned:
        photo.owner_id = item.id
        session.add(photo)
    actions.record(session, proposal, action="cost", to_stage=proposal.stage, by=by,
                   reason=f"{description} ¥{from_centi(amount_centi):.2f}", subject=("cost", item.id))
    return item


def costs_of(session: Session, proposal: Proposal) -> list[CostItem]:
    return list(session.exec(
        select(CostItem).where(CostItem.proposal_id == proposal.id).order_by(col(CostItem.id))
    ).all())


RESTARTS = (Move.APPROVE_PLAN.value, Move.FAIL_ACCEPTANCE.value, Move.START_WORKS.value)


def started_in(actions_in_order: Sequence[str]) -> bool:
    """Whether, in a timeline's actions (oldest first), the works' start follows the last approval or failure."""
    last = next((action for action in reversed(actions_in_order) if action in RESTARTS), None)
    return last == Move.START_WORKS.value


def works_started(session: Session, proposal: Proposal) -> bool:
    """Whether the start of the works is on record since the plan was approved or the last failed acceptance."""
    last = session.exec(
        select(ProposalEvent.action).where(
            ProposalEvent.proposal_id == proposal.id,
            col(ProposalEvent.action).in_(RESTARTS))
        .order_by(col(ProposalEvent.id).desc()).limit(1)
    ).first()
    return last == Move.START_WORKS.value


@dataclass(frozen=True)
class Spending:
    """Money spent on the works against the approved plan's total, and the cost lines without a receipt."""

    spent_centi: int
    budget_centi: int | None  # the approved plan's cost total; None when no plan with costs was approved
    unreceipted: int = 0  # cost lines disclosed without a photo of the invoice, contract or receipt

    @property
    def over_centi(self) -> int:
        return max(0, self.spent_centi - self.budget_centi) if self.budget_centi is not None else 0

    @property
    def over(self) -> bool:
        return self.over_centi > 0

    @property
    def percent(self) -> str | None:
        """Spent as a share of the budget ("104.17"), or None without a budget."""
        if not self.budget_centi:
            return None
        return rules.rate_percent(Fraction(self.spent_centi, self.budget_centi))


def spending_of(costs: Sequence[CostItem], approved: PlanVersion | None) -> Spending:
    budget = sum(line.amount_centi for line in plans.cost_lines(approved)) if approved is not None else 0
    return Spending(sum(c.amount_centi for c in costs), budget or None,
                    sum(1 for c in costs if c.document_id is None))


def spendings(session: Session, proposal_ids: Sequence[int]) -> dict[int, Spending]:
    """The spending of each proposal, in one statement however many they are."""
    if not proposal_ids:
        return {}
    own = col(CostItem.proposal_id) == Proposal.id
    spent = select(func.coalesce(func.sum(CostItem.amount_centi), 0)).where(own).correlate(Proposal).scalar_subquery()
    missing = (select(func.count()).select_from(CostItem).where(own, col(CostItem.document_id).is_(None))
               .correlate(Proposal).scalar_subquery())
    rows = session.exec(
        select(col(Proposal.id), spent, missing, col(PlanVersion.cost_lines))
        .join(Plan, and_(col(Plan.proposal_id) == Proposal.id, col(Plan.status) == PlanStatus.APPROVED), isouter=True)
        .join(PlanVersion, and_(col(PlanVersion.plan_id) == Plan.id, col(PlanVersion.number) == Plan.version),
              isouter=True)
        .where(col(Proposal.id).in_(proposal_ids))
    ).all()
    found = {}
    for proposal_id, total, unreceipted, lines in rows:
        budget = sum(int(line["amount_centi"]) for line in json.loads(lines)) if lines else 0
        found[proposal_id] = Spending(int(total or 0), budget or None, int(unreceipted or 0))
    return found


def do_start_works(session: Session, proposal: Proposal, place: Place, person: Person, by: User,
                   reason: str = "") -> ProposalEvent:
    """开工, once: again after a failed acceptance (the works restart), never twice in a row."""
    resolve(actors_for(person, proposal, place), Stage(proposal.stage), Move.START_WORKS)
    if works_started(session, proposal):
        raise ProposalError(_("开工已经记录过了，不必再记录。"))
    return actions.move(session, proposal, place, person, by, Move.START_WORKS, reason=reason)


def do_complete_works(session: Session, proposal: Proposal, place: Place, person: Person, by: User,
                      reason: str = "") -> ProposalEvent:
    return actions.move(session, proposal, place, person, by, Move.COMPLETE_WORKS, reason=reason)


def do_inspect(session: Session, proposal: Proposal, place: Place, person: Person, by: User,
               findings: str, *, photos: Sequence[Upload] = ()) -> Inspection:
    """A supervisor's inspection report during the works."""
    if Actor.SUPERVISOR not in actors_for(person, proposal, place):
        raise ProposalError(_("只有本地的监督员可以提交检查报告。"), 403)
    _ensure_works(proposal)
    latest = session.exec(select(Inspection).where(Inspection.proposal_id == proposal.id)
                          .order_by(col(Inspection.id).desc()).limit(1)).first()
    if latest is not None and (latest.kind, latest.findings, latest.by_id) == (InspectionKind.INSPECTION, findings,
                                                                              by.id):
        return latest  # the same report sent again
    inspection = Inspection(proposal_id=proposal.id, kind=InspectionKind.INSPECTION, findings=findings,
                            by_id=by.id)
    session.add(inspection)
    session.flush()
    actions.record(session, proposal, action="inspection", to_stage=proposal.stage, by=by, reason=findings,
                   subject=("inspection", inspection.id))
    pictures.do_attach(session, proposal, by, "inspection", inspection.id, photos)
    return inspection


def do_acceptance(session: Session, proposal: Proposal, place: Place, person: Person, by: User, *,
                  passed: bool, findings: str, photos: Sequence[Upload] = ()) -> Inspection:
    """The on-site acceptance (验收): pass opens the rating period; fail sends the works back with findings."""
    move = Move.PASS_ACCEPTANCE if passed else Move.FAIL_ACCEPTANCE
    _actor, _next = resolve(actors_for(person, proposal, place), Stage(proposal.stage), move, findings=findings)
    kind = InspectionKind.ACCEPTANCE_PASSED if passed else InspectionKind.ACCEPTANCE_FAILED
    inspection = Inspection(proposal_id=proposal.id, kind=kind, findings=findings, by_id=by.id)
    session.add(inspection)
    session.flush()
    event = actions.move(session, proposal, place, person, by, move, findings=findings,
                         subject=("inspection", inspection.id))
    if passed:
        proposal.rating_ends_at = event.at + timedelta(days=actions.rules_of(session, place).rating_days)
        session.add(proposal)
        session.flush()
    pictures.do_attach(session, proposal, by, "acceptance", inspection.id, photos)
    return inspection


def inspections_of(session: Session, proposal: Proposal) -> list[Inspection]:
    return list(session.exec(
        select(Inspection).where(Inspection.proposal_id == proposal.id).order_by(col(Inspection.id).desc())
    ).all())


def do_rate(session: Session, proposal: Proposal, place: Place, person: Person, by: User, *, rating: Rating,
            comment: str, now: datetime | None = None) -> bool:
    """One rating per resident, changeable until the period ends; True when it is the person's first."""
    resolve(actors_for(person, proposal, place), Stage(proposal.stage), Move.RATE)
    now = now or utcnow()
    if proposal.rating_ends_at is not None and now >= proposal.rating_ends_at:
        raise ProposalError(_("评价期已结束。"))
    existing = session.exec(select(ProposalRating).where(ProposalRating.proposal_id == proposal.id,
                                                         ProposalRating.user_id == by.id)).first()
    if existing is not None:
        existing.rating, existing.comment, existing.updated_at = rating.value, comment, now
        session.add(existing)
        session.flush()
        return False
    session.add(ProposalRating(proposal_id=proposal.id, user_id=by.id, rating=rating.value,
                               comment=comment, created_at=now, updated_at=now))
    session.flush()
    actions.record(session, proposal, action=Move.RATE.value, to_stage=proposal.stage, by=by, notify=False)
    return True


def rating_counts(session: Session, proposal: Proposal) -> dict[Rating, int]:
    rows = session.exec(
        select(ProposalRating.rating, func.count()).where(ProposalRating.proposal_id == proposal.id)
        .group_by(ProposalRating.rating)
    ).all()
    return {Rating(value): count for value, count in rows}


def own_rating(session: Session, proposal: Proposal, user: User | None) -> ProposalRating | None:
    if user is None:
        return None
    return session.exec(select(ProposalRating).where(ProposalRating.proposal_id == proposal.id,
                                                     ProposalRating.user_id == user.id)).first()


@dataclass(frozen=True)
class Satisfaction:
    counts: dict[Rating, int]
    percent: str | None  # "87.50", or None while nobody has rated
    formula: str


def satisfaction_of(session: Session, proposal: Proposal, place: Place) -> Satisfaction:
    counts = rating_counts(session, proposal)
    formula = actions.rules_of(session, place).satisfaction_formula
    rate = rules.satisfaction_rate(counts, formula)
    return Satisfaction(counts, rules.rate_percent(rate) if rate is not None else None, formula)


def ensure_closable(proposal: Proposal, place: Place, person: Person | None, *, now: datetime | None = None) -> None:
    """Refuse unless the proposal may be closed now: closed already (said first), or its rating period not over."""
    actors = [Actor.SYSTEM] if person is None else actors_for(person, proposal, place)
    resolve(actors, Stage(proposal.stage), Move.CLOSE)
    if proposal.rating_ends_at is not None and (now or utcnow()) < proposal.rating_ends_at:
        raise ProposalError(_("评价期未结束，不能办结。"))


def do_close(session: Session, proposal: Proposal, place: Place, person: Person | None, by: User | None,
             *, now: datetime | None = None) -> ProposalEvent:
    """办结 once the rating period is over, with the satisfaction rate published."""
    ensure_closable(proposal, place, person, now=now)
    satisfaction = satisfaction_of(session, proposal, place)
    text = (_("满意度 %(rate)s%%", rate=satisfaction.percent) if satisfaction.percent is not None
            else _("评价期内无人评价"))
    event = actions.move(session, proposal, place, person, by, Move.CLOSE, reason=text, as_system=person is None)
    proposal.closed_at = event.at
    proposal.satisfaction = satisfaction.percent or ""
    session.add(proposal)
    session.flush()
    return event


def advance_if_due(session: Session, proposal: Proposal, place: Place, *, now: datetime | None = None) -> bool:
    """Let the clock move what waits only on time: a disclosure period over, a rating period over."""
    now = now or utcnow()
    if not is_due(proposal, plans.disclosure_ends(session, proposal), now):
        return False
    if proposal.stage == Stage.DISCLOSURE:
        plans.do_end_disclosure(session, proposal, place, None, None, now=now)
    else:
        do_close(session, proposal, place, None, None, now=now)
    return True


def due_to_advance(session: Session, now: datetime) -> list[int]:
    """Proposals waiting only on time: a disclosure period over, or a rating period over."""
    disclosed = session.exec(
        select(Proposal.id).join(Plan, col(Plan.proposal_id) == Proposal.id)
        .where(Proposal.stage == Stage.DISCLOSURE.value, Plan.status == PlanStatus.DISCLOSED)
        .group_by(col(Proposal.id)).having(func.max(Plan.disclosure_ends_at) <= now)
    ).all()
    rated = session.exec(
        select(Proposal.id).where(Proposal.stage == Stage.RATING.value, col(Proposal.rating_ends_at) <= now)
    ).all()
    return sorted({*disclosed, *rated})


def advance_due(session: Session, proposal_id: int, *, now: datetime | None = None) -> bool:
    """`advance_if_due` for the clock: the proposal's row locked first, so that it moves once however many
    server processes tick together."""
    proposal = session.exec(
        select(Proposal).where(Proposal.id == proposal_id).with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if proposal is None:
        return False
    place = session.get(Place, proposal.place_id)
    assert place is not None
    return advance_if_due(session, proposal, place, now=now)


def is_due(proposal: Proposal, disclosure_end: datetime | None, now: datetime) -> bool:
    if proposal.stage == Stage.DISCLOSURE:
        return disclosure_end is not None and now >= disclosure_end
    return proposal.stage == Stage.RATING and proposal.rating_ends_at is not None and now >= proposal.rating_ends_at
