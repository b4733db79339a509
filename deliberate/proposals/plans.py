"""Plans of an accepted proposal: drafted and versioned, disclosed (公示), then decided by the council or a vote."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_
from sqlmodel import Session, col, select

from deliberate.accounts.models import User
from deliberate.accounts.people import Person
from deliberate.clock import utcnow
from deliberate.db import from_centi
from deliberate.i18n import gettext as _
from deliberate.places.models import Place
from deliberate.proposals import actions, rules
from deliberate.proposals.access import actors_for, resolve
from deliberate.proposals.models import (
    Notification,
    NotificationKind,
    Plan,
    PlanStatus,
    PlanVersion,
    Proposal,
    ProposalEvent,
)
from deliberate.proposals.rules import Action as Move
from deliberate.proposals.rules import Actor, ProposalError, Stage
from deliberate.voting import actions as voting
from deliberate.voting import labels as vote_labels
from deliberate.voting import queries as voting_queries
from deliberate.voting import tally
from deliberate.voting.models import Vote, VoteStatus

MAX_PLANS = 6


@dataclass(frozen=True)
class CostLine:
    item: str
    amount_centi: int


@dataclass(frozen=True)
class PlanText:
    title: str
    description: str
    responsible: str
    schedule: str
    cost_lines: tuple[CostLine, ...]
    residents_centi: int
    units_centi: int
    government_centi: int

    @property
    def total_centi(self) -> int:
        return sum(line.amount_centi for line in self.cost_lines)


def _version_from(text: PlanText, plan: Plan, number: int, by: User, note: str) -> PlanVersion:
    return PlanVersion(
        plan_id=plan.id, number=number, title=text.title, description=text.description,
        responsible=text.responsible, schedule=text.schedule,
        cost_lines=json.dumps([{"item": c.item, "amount_centi": c.amount_centi} for c in text.cost_lines],
                              ensure_ascii=False),
        residents_centi=text.residents_centi, units_centi=text.units_centi, government_centi=text.government_centi,
        edited_by_id=by.id, note=note,
    )


def plans_of(session: Session, proposal: Proposal) -> list[tuple[Plan, PlanVersion]]:
    """Each plan with its current version, in the order they were drafted."""
    rows = session.exec(
        select(Plan, PlanVersion).join(PlanVersion, and_(col(PlanVersion.plan_id) == Plan.id,
                                                         col(PlanVersion.number) == Plan.version))
        .where(Plan.proposal_id == proposal.id).order_by(col(Plan.id))
    ).all()
    return [(plan, version) for plan, version in rows]


def versions_of(session: Session, plan: Plan) -> list[PlanVersion]:
    return list(session.exec(
        select(PlanVersion).where(PlanVersion.plan_id == plan.id).order_by(col(PlanVersion.number).desc())
    ).all())


def cost_lines(version: PlanVersion) -> list[CostLine]:
    return [CostLine(line["item"], int(line["amount_centi"])) for line in json.loads(version.cost_lines)]


def text_of(version: PlanVersion) -> PlanText:
    """What a version says, as a form sends it: two equal texts are the same plan."""
    return PlanText(version.title, version.description, version.responsible, version.schedule,
                    tuple(cost_lines(version)), version.residents_centi, version.units_centi, version.government_centi)


@dataclass(frozen=True)
class Change:
    """One field that differs between two versions of a plan, as a reader sees it."""

    field: str
    before: str
    after: str


def _yuan(centi: int) -> str:
    return f"{from_centi(centi):,.2f}"


def _line_amounts(version: PlanVersion) -> dict[str, int]:
    amounts: dict[str, int] = {}
    for line in cost_lines(version):
        amounts[line.item] = amounts.get(line.item, 0) + line.amount_centi
    return amounts


def changes_between(old: PlanVersion, new: PlanVersion) -> list[Change]:
    """Every field that changed from `old` to `new`: the text, each cost line (added, removed or changed), the
    total and each funder's share; "—" where a line was absent."""
    found = [Change(label, before, after) for label, before, after in (
        (_("方案名称"), old.title, new.title), (_("做什么、怎么做"), old.description, new.description),
        (_("责任方"), old.responsible, new.responsible), (_("工期安排"), old.schedule, new.schedule),
    ) if before != after]
    before, after = _line_amounts(old), _line_amounts(new)
    for item in [*before, *(i for i in after if i not in before)]:
        if before.get(item) != after.get(item):
            found.append(Change(_("费用：%(item)s", item=item),
                                _yuan(before[item]) if item in before else "—",
                                _yuan(after[item]) if item in after else "—"))
    old_total, new_total = sum(before.values()), sum(after.values())
    if old_total != new_total:
        found.append(Change(_("费用合计"), _yuan(old_total), _yuan(new_total)))
    for label, was, now in ((_("居民自筹"), old.residents_centi, new.residents_centi),
                            (_("共建单位"), old.units_centi, new.units_centi),
                            (_("政府补贴"), old.government_centi, new.government_centi)):
        if was != now:
            found.append(Change(label, _yuan(was), _yuan(now)))
    return found


def _ensure_drafting(proposal: Proposal) -> None:
    if proposal.stage != Stage.ACCEPTED:
        raise ProposalError(_("只有已立案、尚未公示的提案可以制定或修改方案。"))


def do_add_plan(session: Session, proposal: Proposal, by: User, text: PlanText) -> Plan:
    """A new draft plan; the same text sent again (a second click, the back button) is the plan already drafted."""
    _ensure_drafting(proposal)
    current = [(p, v) for p, v in plans_of(session, proposal) if p.status == PlanStatus.DRAFT]
    same = next((p for p, v in current if text_of(v) == text), None)
    if same is not None:
        return same
    drafted = [p for p, _v in current]
    if len(drafted) >= MAX_PLANS:
        raise ProposalError(_("一条提案最多同时有 %(n)s 个备选方案。", n=MAX_PLANS))
    plan = Plan(proposal_id=proposal.id, status=PlanStatus.DRAFT, version=1)
    session.add(plan)
    session.flush()
    session.add(_version_from(text, plan, 1, by, ""))
    session.flush()
    actions.record(session, proposal, action="plan_drafted", to_stage=proposal.stage, by=by,
                   reason=text.title, subject=("plan", plan.id))
    return plan


def do_edit_plan(session: Session, proposal: Proposal, plan: Plan, by: User, text: PlanText, note: str,
                 *, based_on: int | None = None) -> PlanVersion:
    """A new version; every earlier one is kept and shown. The text of the current version sent again is that
    version (nothing new); a form opened on an older version (`based_on`) that would overwrite a colleague's
    revision is refused."""
    _ensure_drafting(proposal)
    if plan.status != PlanStatus.DRAFT:
        raise ProposalError(_("这个方案已有结论，不能再修改；请另拟新方案。"))
    latest = versions_of(session, plan)[0]
    if text_of(latest) == text:
        return latest
    if based_on is not None and based_on != plan.version:
        raise ProposalError(_("这个方案在您修订时已被改为第 %(n)s 版。请重新打开修订页面，在最新版本上修改。",
                              n=plan.version))
    plan.version += 1
    version = _version_from(text, plan, plan.version, by, note)
    session.add(plan)
    session.add(version)
    session.flush()
    actions.record(session, proposal, action="plan_edited", to_stage=proposal.stage, by=by,
                   reason=note or text.title, subject=("plan", plan.id))
    return version


def ensure_publishable(session: Session, proposal: Proposal) -> list[Plan]:
    """The drafted plans to publish; refused while an accepted proposal has none."""
    drafted = [p for p, _v in plans_of(session, proposal) if p.status == PlanStatus.DRAFT]
    if not drafted and proposal.stage == Stage.ACCEPTED:
        raise ProposalError(_("请先制定至少一个方案，再公示。"))
    return drafted


def do_publish(session: Session, proposal: Proposal, place: Place, person: Person, by: User,
               *, now: datetime | None = None) -> ProposalEvent:
    """Disclose every drafted plan at once for the place's disclosure period."""
    drafted = ensure_publishable(session, proposal)
    event = actions.move(session, proposal, place, person, by, Move.PUBLISH_PLAN)
    proposal.plan_due_at = None
    start = now or event.at
    ends = start + timedelta(days=actions.rules_of(session, place).disclosure_days)
    for plan in drafted:
        plan.status, plan.disclosure_starts_at, plan.disclosure_ends_at = PlanStatus.DISCLOSED, start, ends
        session.add(plan)
    session.flush()
    return event


def disclosed(session: Session, proposal: Proposal) -> list[Plan]:
    return list(session.exec(
        select(Plan).where(Plan.proposal_id == proposal.id, Plan.status == PlanStatus.DISCLOSED).order_by(col(Plan.id))
    ).all())


def disclosure_ends(session: Session, proposal: Proposal) -> datetime | None:
    ends = [p.disclosure_ends_at for p in disclosed(session, proposal) if p.disclosure_ends_at]
    return max(ends) if ends else None


def ensure_disclosure_over(session: Session, proposal: Proposal, place: Place, *, now: datetime | None = None) -> None:
    ends = disclosure_ends(session, proposal)
    if ends is not None and (now or utcnow()) < ends:
        raise ProposalError(_("公示期未满（%(days)s 天），不能提前结束。",
                              days=actions.rules_of(session, place).disclosure_days))


def do_end_disclosure(session: Session, proposal: Proposal, place: Place, person: Person | None, by: User | None,
                      *, now: datetime | None = None) -> ProposalEvent:
    ensure_disclosure_over(session, proposal, place, now=now)
    return actions.move(session, proposal, place, person, by, Move.END_DISCLOSURE, as_system=person is None)


def do_decide(session: Session, proposal: Proposal, place: Place, person: Person | None, by: User | None,
              plan: Plan | None, *, reason: str = "", vote: Vote | None = None) -> ProposalEvent:
    """Approve one disclosed plan (the others fall), or reject them all and go back to drafting. While a vote
    decides the plans (in preparation, open, or counted and waiting for certification) only its certified
    result decides them: anyone else is refused until the vote is withdrawn."""
    move = Move.APPROVE_PLAN if plan is not None else Move.REJECT_PLAN
    actors = [Actor.SYSTEM] if vote is not None else actors_for(person, proposal, place)
    resolve(actors, Stage(proposal.stage), move)  # decided already: say so, whichever plan this form named
    refuse_while_a_vote_decides(session, proposal, vote)
    candidates = disclosed(session, proposal)
    if plan is not None and plan.id not in {p.id for p in candidates}:
        raise ProposalError(_("只能通过已公示的方案。"))
    subject = ("vote", vote.id) if vote is not None else (("plan", plan.id) if plan is not None else None)
    event = actions.move(session, proposal, place, person, by, move, reason=reason, subject=subject,
                         as_system=vote is not None)
    for candidate in candidates:
        candidate.status = PlanStatus.APPROVED if plan is not None and candidate.id == plan.id else PlanStatus.REJECTED
        session.add(candidate)
    if plan is not None:
        current = session.exec(select(PlanVersion).where(PlanVersion.plan_id == plan.id,
                                                         PlanVersion.number == plan.version)).one()
        proposal.responsible = current.responsible
    else:  # back to drafting, with a new deadline for the plans
        proposal.plan_due_at = rules.plan_due(event.at, actions.rules_of(session, place).plan_days)
    session.add(proposal)
    session.flush()
    return event


def refuse_while_a_vote_decides(session: Session, proposal: Proposal, vote: Vote | None = None) -> None:
    """Only the result of the vote that decides the plans (`vote`, when it is that one) may decide them now."""
    pending = actions.deciding_vote(session, proposal)
    if pending is not None and (vote is None or vote.id != pending.id):
        raise ProposalError(_("居民正在就这些方案表决（“%(title)s”），只有表决结果能决定它们。"
                              "如要改由议事会决定，须先由管理表决的工作人员撤回这次表决并写明理由。",
                              title=pending.title))


def do_open_vote(session: Session, proposal: Proposal, place: Place, by: User, *, closes_at: datetime,
                 rule: str, electorate_kind: str, secret: bool) -> Vote:
    """Put the disclosed plans to the residents: one plan yes/no, alternatives choose-one."""
    if proposal.stage != Stage.DECISION:
        raise ProposalError(_("公示期满、待决定的方案才能付诸表决。"))
    candidates = disclosed(session, proposal)
    if any(p.vote_id for p in candidates) or actions.deciding_vote(session, proposal) is not None:
        raise ProposalError(_("这些方案已经付诸表决。"))
    texts = {p.id: v for p, v in plans_of(session, proposal)}
    alternatives = len(candidates) > 1
    vote = voting.do_create_vote(
        session, place=place, title=_("表决方案：%(title)s", title=proposal.title)[:200],
        question=_("请在备选方案中选择一个。") if alternatives else texts[candidates[0].id].title,
        form="choose_one" if alternatives else "yes_no", rule=rule, electorate_kind=electorate_kind, secret=secret,
        closes_at=closes_at, options=option_labels(candidates, texts) if alternatives else [], by=by,
        subject=("proposal", proposal.id),
    )
    for plan in candidates:
        plan.vote_id = vote.id
        session.add(plan)
    actions.record(session, proposal, action="vote_created", to_stage=proposal.stage, by=by,
                   subject=("vote", vote.id))
    return vote


def option_labels(candidates: list[Plan], texts: dict[int, PlanVersion]) -> list[str]:
    """Ballot options for alternative plans, numbered so that two plans of the same title stay apart."""
    return [_("方案%(n)s：%(title)s", n=n, title=texts[plan.id].title)[:200] for n, plan in enumerate(candidates, 1)]


def do_certify_vote(session: Session, vote: Vote, *, by: User) -> tally.Result:
    """Certify any vote; one on a proposal's plans then decides them, as the system (the one way a vote's
    result reaches the proposal loop: voting knows nothing of proposals)."""
    result = voting.do_certify(session, vote, by=by)
    apply_vote_result(session, vote, result)
    return result


def apply_vote_result(session: Session, vote: Vote, result: tally.Result) -> ProposalEvent | None:
    """A certified vote on a proposal's plans decides them, as the system; the timeline says how many took part."""
    passed, winner = result.passed, result.winner
    if vote.subject_kind != "proposal" or vote.subject_id is None or vote.status != VoteStatus.CERTIFIED:
        return None
    proposal = session.exec(  # locked: the council may be deciding the same plans at this moment
        select(Proposal).where(col(Proposal.id) == vote.subject_id).with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if proposal is None or proposal.stage != Stage.DECISION:
        return None
    place = session.get(Place, proposal.place_id)
    assert place is not None
    candidates = [p for p in disclosed(session, proposal) if p.vote_id == vote.id]
    texts = {p.id: v for p, v in plans_of(session, proposal)}
    chosen: Plan | None = None
    if passed and vote.form == "yes_no" and len(candidates) == 1:
        chosen = candidates[0]
    elif passed and winner is not None:
        labels = option_labels(candidates, texts)
        chosen = candidates[labels.index(winner)] if winner in labels else None
    turnout = vote_labels.turnout_text(result.participation.heads, result.electorate.heads)
    reason = (_("表决通过：%(turnout)s。", turnout=turnout) if chosen is not None
              else _("表决未通过：%(turnout)s。方案退回重新制定。", turnout=turnout))
    return do_decide(session, proposal, place, None, None, chosen, reason=reason, vote=vote)


def do_withdraw_vote(session: Session, vote: Vote, *, by: User, reason: str) -> ProposalEvent | None:
    """Withdraw a vote before its result is certified, with a reason; everyone on its roll is told. One on a
    proposal's plans gives them back to the council (or to a new vote), and the proposal's timeline says why."""
    voting.do_withdraw(session, vote, by=by, reason=reason)
    told = set(voting_queries.roll_users(session, vote)) - {by.id}
    event = None
    proposal = None
    if vote.subject_kind == "proposal" and vote.subject_id is not None:
        proposal = session.exec(  # locked: the council may be deciding it, or a new vote being opened
            select(Proposal).where(col(Proposal.id) == vote.subject_id).with_for_update()
            .execution_options(populate_existing=True)
        ).first()
    if proposal is not None:
        for plan in session.exec(select(Plan).where(col(Plan.vote_id) == vote.id)).all():
            plan.vote_id = None
            session.add(plan)
        event = actions.record(session, proposal, action="vote_withdrawn", to_stage=proposal.stage, by=by,
                               reason=vote.withdrawal_reason, subject=("vote", vote.id), notify=False)
        for user_id in sorted(set(actions.followers(session, proposal)) - told - {by.id}):
            session.add(Notification(user_id=user_id, proposal_id=proposal.id, event_id=event.id))
    for user_id in sorted(told):
        session.add(Notification(user_id=user_id, kind=NotificationKind.VOTE_WITHDRAWN, vote_id=vote.id,
                                 proposal_id=proposal.id if proposal is not None else None))
    session.flush()
    return event


@dataclass(frozen=True)
class BallotPlan:
    option: str  # the ballot's option for this plan ("" on a yes/no vote on one plan)
    plan: Plan
    version: PlanVersion
    lines: list[CostLine]

    @property
    def total_centi(self) -> int:
        return sum(line.amount_centi for line in self.lines)


@dataclass(frozen=True)
class BallotPlans:
    """What a vote on a proposal's plans decides, in full, for its ballot page."""

    proposal: Proposal
    plans: list[BallotPlan]

    def as_json(self, url: Callable[..., str]) -> dict[str, Any]:
        return {"proposal": {"id": self.proposal.id, "title": self.proposal.title,
                             "url": url("proposals:detail", id=self.proposal.id)},
                "plans": [{"option": p.option or None, "id": p.plan.id, "version": p.plan.version,
                           "title": p.version.title, "description": p.version.description,
                           "url": url("proposals:plan", id=self.proposal.id, plan_id=p.plan.id),
                           "cost_lines": [{"item": c.item, "amount": f"{from_centi(c.amount_centi):.2f}"}
                                          for c in p.lines],
                           "total": f"{from_centi(p.total_centi):.2f}",
                           "funding": {"residents": f"{from_centi(p.version.residents_centi):.2f}",
                                       "units": f"{from_centi(p.version.units_centi):.2f}",
                                       "government": f"{from_centi(p.version.government_centi):.2f}"}}
                          for p in self.plans]}


def ballot_plans(session: Session, vote: Vote) -> BallotPlans | None:
    """The plans a vote decides, each with the ballot option that stands for it (None for other votes)."""
    if vote.subject_kind != "proposal" or vote.subject_id is None:
        return None
    proposal = session.get(Proposal, vote.subject_id)
    if proposal is None:
        return None
    rows = [(plan, version) for plan, version in plans_of(session, proposal) if plan.vote_id == vote.id]
    if not rows:
        return None
    labels = option_labels([plan for plan, _v in rows], {plan.id: version for plan, version in rows})
    return BallotPlans(proposal, [
        BallotPlan(labels[n] if len(rows) > 1 else "", plan, version, cost_lines(version))
        for n, (plan, version) in enumerate(rows)
    ])
