"""What the pages of proposals read: one page object per screen (its fields are the template's names; `as_json`
is the page's `.json` twin).

The proposal page reads each kind of thing once, whatever the number of plans, events, photos or works
(no query per row), and only what its stage can have: there are no works before a plan is approved and no
ratings before the acceptance. What the layers above add (its thread, its meetings, its plans' comment
counts) the view puts in the fields left for them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from deliberate.accounts.models import User
from deliberate.accounts.people import Person
from deliberate.clock import utcnow
from deliberate.db import from_centi
from deliberate.i18n import gettext as _
from deliberate.places import actions as places
from deliberate.places.models import Place
from deliberate.policy import Act, may
from deliberate.proposals import actions, listing, photos, plans, rules, works
from deliberate.proposals import tracking as tracked
from deliberate.proposals.access import actors_for, allowed_moves
from deliberate.proposals.models import (
    Cosign,
    CostItem,
    Follow,
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
from deliberate.proposals.plans import CostLine
from deliberate.proposals.rules import Action as Move
from deliberate.proposals.rules import Stage
from deliberate.voting import labels as vote_labels
from deliberate.voting.models import Vote

UrlFor = Callable[..., str]
AFTER_APPROVAL = frozenset({Stage.IMPLEMENTATION, Stage.ACCEPTANCE, Stage.RATING, Stage.CLOSED})  # works exist
RATED = frozenset({Stage.RATING, Stage.CLOSED})


def _trail(session: Session, place: Place) -> list[Place]:
    return [*places.ancestors(session, place), place]


def summary(proposal: Proposal, url: UrlFor, *, prefix: str | None = None) -> dict[str, Any]:
    """The proposal as the lists' `.json` twins show it; `prefix` (from `id_prefix`) saves a route lookup."""
    return {
        "id": proposal.id, "title": proposal.title, "stage": proposal.stage, "category": proposal.category,
        "place_id": proposal.place_id, "cosign_count": proposal.cosign_count,
        "cosigners_needed": proposal.cosigners_needed, "created_at": proposal.created_at,
        "url": f"{prefix}{proposal.id}" if prefix is not None else url("proposals:detail", id=proposal.id),
    }


def id_prefix(url: UrlFor, name: str) -> str:
    """The path of route `name` (one whose path ends in its id) up to the id: a page of rows formats each row's
    link from it (`prefix + id`) instead of asking the router once per row."""
    path = str(url(name, id=0))
    if not path.endswith("/0"):
        raise ValueError(f"{name} does not end in its id: {path}")
    return path[:-1]


# The proposal page -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Invalid:
    """A form of the proposal page sent back to be fixed: which, its problems by field, and what was typed."""

    form: str  # "review", "milestone", "progress", "cost", "inspection", "acceptance", "rating"
    errors: dict[str, str]
    entered: Mapping[str, Any]


@dataclass(frozen=True)
class Can:
    """What this reader may do on the proposal's place beyond the moves of the state machine."""

    review: bool
    works: bool
    supervise: bool
    accept: bool
    resident: bool


@dataclass(frozen=True)
class Deadline:
    """The deadline of the current stage, and how far past it we are."""

    label: str
    due: datetime
    overdue_days: int
    overdue: bool


@dataclass(frozen=True)
class Works:
    """The record of the works, once a plan is approved."""

    milestones: list[Milestone] = field(default_factory=list)
    progress: list[ProgressUpdate] = field(default_factory=list)  # newest first
    costs: list[CostItem] = field(default_factory=list)
    inspections: list[Inspection] = field(default_factory=list)  # newest first


@dataclass(frozen=True)
class ProposalPage:
    proposal: Proposal
    place: Place
    trail: list[Place]
    author: User | None
    moves: list[rules.Action]
    can: Can
    timeline: list[tuple[ProposalEvent, User | None]]
    plans: list[tuple[Plan, PlanVersion]]
    votes: dict[int, Vote]
    pictures: dict[tuple[str, int | None], list[int]]
    milestones: list[Milestone]
    progress: list[ProgressUpdate]
    costs: list[CostItem]
    inspections: list[Inspection]
    percent: int
    satisfaction: works.Satisfaction
    deadline: Deadline | None
    disclosure_ends: datetime | None
    now: datetime
    today: date
    cosigned: bool
    following: bool
    own_rating: ProposalRating | None
    merge_targets: list[Proposal]
    merged_into: Proposal | None
    is_author: bool
    spending: works.Spending | None = None  # once a plan is approved: spent against its budget
    works_started: bool = False  # 开工 recorded since the plan's approval or the last failed acceptance
    notices: frozenset[str] = frozenset()  # the notices (公示) it has reached: "plans", "acceptance", "closing"
    errors_for: dict[str, dict[str, str]] = field(default_factory=dict)  # a form sent back: its problems
    entered: Mapping[str, Any] = field(default_factory=dict)  # and what was typed in it
    discussion: Any = None  # the thread (discussion.queries.ThreadView), which the view adds
    meetings: list[Any] = field(default_factory=list)  # meetings whose agenda holds it, which the view adds
    plan_comments: dict[int, int] = field(default_factory=dict)  # comments on each plan, which the view adds
    stage_labels: dict[rules.Stage, str] = field(default_factory=rules.stage_labels)
    category_labels: dict[rules.Category, str] = field(default_factory=rules.category_labels)
    event_labels: dict[str, str] = field(default_factory=rules.event_labels)
    rating_labels: dict[rules.Rating, str] = field(default_factory=rules.rating_labels)
    Move: type[rules.Action] = rules.Action
    Stage: type[rules.Stage] = rules.Stage

    def as_json(self, url: UrlFor) -> dict[str, Any]:
        proposal, place = self.proposal, self.place
        return {
            "id": proposal.id, "title": proposal.title, "stage": proposal.stage, "category": proposal.category,
            "place": {"id": place.id, "name": place.name, "kind": place.kind}, "cosign_count": proposal.cosign_count,
            "cosigners_needed": proposal.cosigners_needed, "created_at": proposal.created_at,
            "url": url("proposals:detail", id=proposal.id), "submitted_at": proposal.submitted_at,
            "review_due_at": proposal.review_due_at, "rating_ends_at": proposal.rating_ends_at,
            "closed_at": proposal.closed_at,
            "satisfaction": proposal.satisfaction or None, "responsible": proposal.responsible or None,
            "merged_into": proposal.merged_into_id, "body": proposal.body,
            "author": self.author.display_name if self.author else None,
            "plans": [plan_json(plan, version) for plan, version in self.plans],
            "milestones": [{"title": m.title, "due_on": m.due_on.isoformat(), "done_at": m.done_at,
                            "responsible": m.responsible} for m in self.milestones],
            "progress": [{"percent": u.percent, "text": u.text, "at": u.created_at} for u in self.progress],
            "costs": [{"description": c.description, "amount": f"{from_centi(c.amount_centi):.2f}",
                       "payee": c.payee, "at": c.created_at, "receipt": c.document_id is not None}
                      for c in self.costs],
            "spending": {"spent": f"{from_centi(self.spending.spent_centi):.2f}",
                         "budget": (f"{from_centi(self.spending.budget_centi):.2f}"
                                    if self.spending.budget_centi is not None else None),
                         "over_budget": self.spending.over, "without_receipt": self.spending.unreceipted}
            if self.spending else None,
            "inspections": [{"kind": i.kind, "findings": i.findings, "at": i.created_at} for i in self.inspections],
            "ratings": {r.value: n for r, n in self.satisfaction.counts.items()},
            "satisfaction_rate": self.satisfaction.percent,
            "timeline": [{"action": e.action, "from": e.from_stage, "to": e.to_stage, "reason": e.reason,
                          "by": u.display_name if u else None, "at": e.at,
                          "subject": {"kind": e.subject_kind, "id": e.subject_id} if e.subject_kind else None}
                         for e, u in self.timeline],
        }


def plan_json(plan: Plan, version: PlanVersion) -> dict[str, Any]:
    return {
        "id": plan.id, "status": plan.status, "version": plan.version, "title": version.title,
        "description": version.description, "responsible": version.responsible, "schedule": version.schedule,
        "cost_lines": [{"item": c.item, "amount": f"{from_centi(c.amount_centi):.2f}"}
                       for c in plans.cost_lines(version)],
        "funding": {"residents": f"{from_centi(version.residents_centi):.2f}",
                    "units": f"{from_centi(version.units_centi):.2f}",
                    "government": f"{from_centi(version.government_centi):.2f}"},
        "disclosure_starts_at": plan.disclosure_starts_at, "disclosure_ends_at": plan.disclosure_ends_at,
        "vote_id": plan.vote_id,
    }


def proposal_page(session: Session, proposal: Proposal, place: Place, person: Person | None, user: User | None, *,
                  zone: ZoneInfo, invalid: Invalid | None = None) -> ProposalPage:
    """The proposal's page; with `invalid`, one of its forms shown again with what was typed and what is wrong."""
    stage, now = Stage(proposal.stage), utcnow()
    moves = allowed_moves(actors_for(person, proposal, place), stage)
    plan_rows = plans.plans_of(session, proposal)
    timeline = timeline_of(session, proposal)
    done = works_of(session, proposal) if stage in AFTER_APPROVAL else Works()
    cosigned, following = reader_marks(session, proposal, user)
    ends = disclosure_end(plan_rows)
    return ProposalPage(
        proposal=proposal, place=place, trail=_trail(session, place),
        author=session.get(User, proposal.author_id),  # read with the timeline, which it began
        moves=moves, can=can(person, place), timeline=timeline, plans=plan_rows, votes=votes_of(session, plan_rows),
        pictures=photos.photos_of(session, proposal), milestones=done.milestones, progress=done.progress,
        costs=done.costs, inspections=done.inspections, percent=done.progress[0].percent if done.progress else 0,
        satisfaction=satisfaction(session, proposal, place), deadline=deadline(proposal, ends, now),
        disclosure_ends=ends, now=now, today=now.astimezone(zone).date(), cosigned=cosigned, following=following,
        own_rating=works.own_rating(session, proposal, user) if stage in RATED else None,
        merge_targets=actions.merge_targets(session, proposal, place) if Move.MERGE in moves else [],
        merged_into=session.get(Proposal, proposal.merged_into_id) if proposal.merged_into_id else None,
        is_author=user is not None and user.id == proposal.author_id,
        spending=works.spending_of(done.costs, approved_version(plan_rows)) if stage in AFTER_APPROVAL else None,
        works_started=works.started_in([event.action for event, _user in timeline]),
        notices=notices_reached(proposal, plan_rows),
        errors_for={invalid.form: invalid.errors} if invalid else {}, entered=invalid.entered if invalid else {},
    )


# Notices (公示) for the bulletin board --------------------------------------------------------------

# Each notice, and the stages at which its step has been reached: before them there is nothing to post.
NOTICE_STAGES: dict[str, frozenset[Stage]] = {
    "plans": frozenset({Stage.DISCLOSURE, Stage.DECISION}) | AFTER_APPROVAL,
    "acceptance": RATED,
    "closing": frozenset({Stage.CLOSED}),
}


_COST_LINES = plans.cost_lines  # (a field of the notice is named `plans`)


@dataclass
class ProposalNotice:
    """A printable notice of one step of a proposal: its plans in disclosure, its acceptance, its closing."""

    kind: str  # a key of NOTICE_STAGES
    proposal: Proposal
    place: Place
    trail: list[Place]
    plans: list[tuple[Plan, PlanVersion]]  # the plans that were disclosed
    approved: PlanVersion | None
    acceptance: Inspection | None  # the acceptance that passed (the latest)
    satisfaction: works.Satisfaction | None  # on the closing's notice
    spent_centi: int
    issued_at: datetime | None  # the day the step was reached: the notice's date
    cost_lines: Callable[[PlanVersion], list[CostLine]] = _COST_LINES
    rating_labels: dict[rules.Rating, str] = field(default_factory=rules.rating_labels)


def notices_reached(proposal: Proposal, plan_rows: list[tuple[Plan, PlanVersion]]) -> frozenset[str]:
    """The notices this proposal has reached (the plans' only once a plan was disclosed)."""
    disclosed = any(plan.disclosure_starts_at for plan, _version in plan_rows)
    return frozenset(kind for kind, stages in NOTICE_STAGES.items()
                     if Stage(proposal.stage) in stages and (kind != "plans" or disclosed))


def proposal_notice(session: Session, proposal: Proposal, place: Place, kind: str) -> ProposalNotice | None:
    """The notice of that step, or None before the proposal reaches it (or for a notice that does not exist)."""
    if kind not in NOTICE_STAGES or Stage(proposal.stage) not in NOTICE_STAGES[kind]:
        return None
    plan_rows = [(plan, version) for plan, version in plans.plans_of(session, proposal) if plan.disclosure_starts_at]
    if kind not in notices_reached(proposal, plan_rows):
        return None
    acceptance, spent = None, 0
    if kind != "plans":
        acceptance = next((i for i in works.inspections_of(session, proposal)
                           if i.kind == InspectionKind.ACCEPTANCE_PASSED), None)
        spent = sum(cost.amount_centi for cost in works.costs_of(session, proposal))
    starts = [plan.disclosure_starts_at for plan, _v in plan_rows if plan.disclosure_starts_at]
    issued = {"plans": min(starts) if starts else None, "closing": proposal.closed_at,
              "acceptance": acceptance.created_at if acceptance else None}[kind]
    return ProposalNotice(
        kind=kind, proposal=proposal, place=place, trail=_trail(session, place), plans=plan_rows,
        approved=approved_version(plan_rows), acceptance=acceptance,
        satisfaction=satisfaction(session, proposal, place) if kind == "closing" else None,
        spent_centi=spent, issued_at=issued,
    )


def approved_version(plan_rows: list[tuple[Plan, PlanVersion]]) -> PlanVersion | None:
    return next((version for plan, version in plan_rows if plan.status == PlanStatus.APPROVED), None)


def decision_text(session: Session, proposal: Proposal, plan: Plan | None) -> str:
    """What a council's decision will record, in words, for its confirmation."""
    if plan is None:
        return _("议事会决定“%(title)s”的方案都不通过，退回重新拟定。", title=proposal.title)
    versions = plans.versions_of(session, plan)
    return _("议事会决定通过方案“%(plan)s”，其他方案不再采用。", plan=versions[0].title if versions else "")


def can(person: Person | None, place: Place) -> Can:
    return Can(review=may(person, Act.REVIEW_PROPOSALS, place), works=may(person, Act.MANAGE_WORKS, place),
               supervise=may(person, Act.SUPERVISE, place), accept=may(person, Act.ACCEPT_WORKS, place),
               resident=may(person, Act.ACT_AS_RESIDENT, place))


def timeline_of(session: Session, proposal: Proposal) -> list[tuple[ProposalEvent, User | None]]:
    rows = session.exec(
        select(ProposalEvent, User).join(User, col(User.id) == ProposalEvent.actor_id, isouter=True)
        .where(col(ProposalEvent.proposal_id) == proposal.id)
        .order_by(col(ProposalEvent.at), col(ProposalEvent.id))
    ).all()
    return [(event, user) for event, user in rows]


def votes_of(session: Session, plan_rows: list[tuple[Plan, PlanVersion]]) -> dict[int, Vote]:
    """The votes the plans were put to, by id."""
    ids = {plan.vote_id for plan, _version in plan_rows if plan.vote_id is not None}
    if not ids:
        return {}
    return {vote.id: vote for vote in session.exec(select(Vote).where(col(Vote.id).in_(ids))).all()}


def works_of(session: Session, proposal: Proposal) -> Works:
    return Works(works.milestones_of(session, proposal), works.progress_of(session, proposal),
                 works.costs_of(session, proposal), works.inspections_of(session, proposal))


def satisfaction(session: Session, proposal: Proposal, place: Place) -> works.Satisfaction:
    """The ratings and the rate; nobody rates before the acceptance, so nothing is read before it."""
    if proposal.stage not in RATED:
        return works.Satisfaction({}, None, rules.PlaceRules().satisfaction_formula)
    return works.satisfaction_of(session, proposal, place)


def reader_marks(session: Session, proposal: Proposal, user: User | None) -> tuple[bool, bool]:
    """(has this reader co-signed it, does this reader follow it), in one statement."""
    if user is None:
        return False, False
    cosigned = select(Cosign.id).where(col(Cosign.proposal_id) == proposal.id, col(Cosign.user_id) == user.id)
    follows = select(Follow.id).where(col(Follow.proposal_id) == proposal.id, col(Follow.user_id) == user.id)
    found = session.exec(select(cosigned.exists(), follows.exists())).one()
    return bool(found[0]), bool(found[1])


def disclosure_end(plan_rows: list[tuple[Plan, PlanVersion]]) -> datetime | None:
    """When the disclosure of the plans now disclosed ends (`plans.disclosure_ends`, from the plans read)."""
    ends = [p.disclosure_ends_at for p, _v in plan_rows if p.status == PlanStatus.DISCLOSED and p.disclosure_ends_at]
    return max(ends) if ends else None


def deadline(proposal: Proposal, disclosure_ends: datetime | None, now: datetime) -> Deadline | None:
    due: datetime | None = None
    label = ""
    if proposal.stage == Stage.REVIEW:
        due, label = proposal.review_due_at, _("受理期限")
    elif proposal.stage == Stage.ACCEPTED:
        due, label = proposal.plan_due_at, _("方案制定期限")
    elif proposal.stage == Stage.DISCLOSURE:
        due, label = disclosure_ends, _("公示截止")
    elif proposal.stage == Stage.RATING:
        due, label = proposal.rating_ends_at, _("评价截止")
    if due is None:
        return None
    return Deadline(label, due, rules.days_overdue(due, now), now > due)


# Writing a proposal ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalForm:
    """The form of a new proposal, or of one its author edits."""

    place: Place
    trail: list[Place]
    values: dict[str, str]
    errors: dict[str, str]
    proposal: Proposal | None = None
    max_photos: int = photos.MAX_PHOTOS_PER_UPLOAD
    categories: dict[rules.Category, str] = field(default_factory=rules.category_labels)


def proposal_form(session: Session, place: Place, proposal: Proposal | None = None,
                  values: dict[str, str] | None = None, errors: dict[str, str] | None = None) -> ProposalForm:
    """As it first appears (empty, or the proposal's text), or as it was sent with its problems."""
    if values is None:
        values = ({"title": proposal.title, "body": proposal.body, "category": proposal.category} if proposal
                  else {"category": "", "title": "", "body": ""})
    return ProposalForm(place, _trail(session, place), values, errors or {}, proposal)


# Plans -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanForm:
    proposal: Proposal
    place: Place
    trail: list[Place]
    plan: Plan | None  # None: a new plan
    values: dict[str, str]
    errors: dict[str, str]


def plan_form(session: Session, proposal: Proposal, place: Place, plan: Plan | None,
              values: dict[str, str] | None = None, errors: dict[str, str] | None = None) -> PlanForm:
    """A new plan's form, a plan's current version to revise, or what was sent with its problems."""
    if values is None:
        values = plan_values(plans.versions_of(session, plan)[0]) if plan is not None else {}
    return PlanForm(proposal, place, _trail(session, place), plan, values, errors or {})


def plan_values(version: PlanVersion) -> dict[str, str]:
    """A version as its form shows it, amounts in yuan."""
    return {
        "title": version.title, "description": version.description, "responsible": version.responsible,
        "schedule": version.schedule,
        "cost_lines": "\n".join(f"{c.item} {from_centi(c.amount_centi):.2f}" for c in plans.cost_lines(version)),
        "residents": f"{from_centi(version.residents_centi):.2f}", "units": f"{from_centi(version.units_centi):.2f}",
        "government": f"{from_centi(version.government_centi):.2f}", "version": str(version.number),
    }


@dataclass(frozen=True)
class PlanHistory:
    """A plan with every version, newest first, and its thread."""

    plan: Plan
    proposal: Proposal
    place: Place
    trail: list[Place]
    versions: list[PlanVersion]
    editors: dict[int, User]
    discussion: Any = None  # the plan's thread, which the view adds
    changes: dict[int, list[plans.Change]] = field(default_factory=dict)  # by version: what it changed
    cost_lines: Callable[[PlanVersion], list[plans.CostLine]] = plans.cost_lines

    def as_json(self, url: UrlFor) -> dict[str, Any]:
        return {"plan": self.plan.id, "proposal": self.proposal.id, "versions": [
            {**plan_json(self.plan, v), "number": v.number, "note": v.note, "at": v.created_at,
             "changes": [{"field": c.field, "before": c.before, "after": c.after}
                         for c in self.changes.get(v.number, [])]} for v in self.versions]}


def plan_history(session: Session, plan: Plan, proposal: Proposal, place: Place, discussion: Any = None) -> PlanHistory:
    versions = plans.versions_of(session, plan)
    editor_ids = {v.edited_by_id for v in versions if v.edited_by_id is not None}
    editors = ({u.id: u for u in session.exec(select(User).where(col(User.id).in_(editor_ids))).all()}
               if editor_ids else {})
    changes = {new.number: plans.changes_between(old, new) for new, old in zip(versions, versions[1:], strict=False)}
    return PlanHistory(plan, proposal, place, _trail(session, place), versions, editors, discussion, changes)


@dataclass(frozen=True)
class VoteForm:
    """Putting the disclosed plans to the residents' vote."""

    proposal: Proposal
    place: Place
    trail: list[Place]
    plans: list[Plan]
    values: dict[str, Any]
    errors: dict[str, str]
    rule_labels: dict[str, str] = field(default_factory=vote_labels.rule_labels)
    electorate_labels: dict[str, str] = field(default_factory=vote_labels.electorate_labels)


def vote_form(session: Session, proposal: Proposal, place: Place, values: dict[str, Any],
              errors: dict[str, str] | None = None) -> VoteForm:
    return VoteForm(proposal, place, _trail(session, place), plans.disclosed(session, proposal), values, errors or {})


# The proposals of a place ----------------------------------------------------------------------


@dataclass(frozen=True)
class PlaceProposals:
    place: Place
    trail: list[Place]
    page: listing.ListPage
    filters: listing.Filters
    next_url: str | None
    first_url: str
    json_url: str
    proposal_prefix: str  # a proposal's page is this and its id
    is_deep: bool  # a page after the first
    can_propose: bool
    sorts: dict[listing.Sort, str]
    stage_labels: dict[Stage, str] = field(default_factory=rules.stage_labels)
    category_labels: dict[rules.Category, str] = field(default_factory=rules.category_labels)
    stages: list[Stage] = field(default_factory=lambda: [s for s in Stage if s is not Stage.DRAFT])
    open: str = listing.OPEN
    max_query: int = listing.MAX_QUERY
    cosigning: str = Stage.COSIGNING.value

    def as_json(self, url: UrlFor) -> dict[str, Any]:
        return {
            "place": {"id": self.place.id, "kind": self.place.kind, "name": self.place.name},
            "proposals": [summary(p, url, prefix=self.proposal_prefix) for p in self.page.proposals],
            "next": self.next_url,
        }


def listed_url(path: str, filters: listing.Filters, cursor: listing.Cursor | None = None) -> str:
    """The list at `path` with these filters, from the cursor on."""
    params = filters.as_params()
    if cursor is not None:
        params["after"] = listing.encode_cursor(cursor)
    return f"{path}?{urlencode(params)}" if params else path


def place_proposals(session: Session, place: Place, person: Person | None, filters: listing.Filters,
                    after: listing.Cursor | None, *, size: int, path: str, url: UrlFor) -> PlaceProposals:
    """One page of the proposals of the place and the places inside it; `path` is the page asked for (its
    `.json` twin's pages go on in JSON)."""
    page = listing.page_of(session, place, filters, size=size, after=after)
    here = str(url("proposals:place_proposals", id=place.id))
    return PlaceProposals(
        place=place, trail=places.ancestors(session, place), page=page, filters=filters,
        next_url=listed_url(path, filters, page.next) if page.next else None, first_url=listed_url(here, filters),
        json_url=listed_url(here + ".json", filters, after), proposal_prefix=id_prefix(url, "proposals:detail"),
        is_deep=after is not None,
        can_propose=may(person, Act.ACT_AS_RESIDENT, place),
        sorts={listing.Sort.NEWEST: _("最新提出"), listing.Sort.COSIGNS: _("附议最多")},
    )


# Tracking --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrackingPage:
    """What waits on whom in the place and below it (督办), for its staff: a page of each section, and its count."""

    place: Place
    trail: list[Place]
    tracking: tracked.Tracking
    more: dict[tracked.Section, str]  # the link to the next page of each section that has one
    firsts: dict[tracked.Section, str]  # the link back to the first page of each section shown from further on
    labels: dict[tracked.Section, str] = field(default_factory=tracked.section_labels)
    Section: type[tracked.Section] = tracked.Section


def tracking_page(session: Session, place: Place, now: datetime, zone: ZoneInfo, *, path: str,
                  pages: Mapping[tracked.Section, int]) -> TrackingPage:
    """The tracking page at `path`, each section at its page in `pages` (the first if absent)."""
    found = tracked.tracking(session, place, now, zone=zone, pages=pages)

    def at(key: tracked.Section, number: int) -> str:
        params = {k.value: str(n) for k, n in {**pages, key: number}.items() if n > 1}
        return (f"{path}?{urlencode(params)}" if params else path) + f"#{key.value}"

    return TrackingPage(
        place, places.ancestors(session, place), found,
        more={s.key: at(s.key, s.next_page) for s in found.sections if s.next_page is not None},
        firsts={s.key: at(s.key, 1) for s in found.sections if s.page > 1},
    )
