"""The only writers of proposals: each move goes through the state machine and leaves an event on the timeline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from deliberate.accounts.models import ClaimStatus, ResidencyClaim, Role, RoleGrant, User
from deliberate.accounts.people import Person
from deliberate.clock import utcnow
from deliberate.i18n import gettext as _
from deliberate.places import settings
from deliberate.places.models import Household, Owner, Place
from deliberate.proposals import photos as pictures
from deliberate.proposals import rules
from deliberate.proposals.access import actors_for, resolve
from deliberate.proposals.models import Cosign, Follow, Notification, Proposal, ProposalEvent
from deliberate.proposals.rules import Action as Move
from deliberate.proposals.rules import Actor, IllegalTransition, ProposalError, Stage
from deliberate.voting import electorate
from deliberate.voting.models import Vote, VoteStatus

# A place's rules -------------------------------------------------------------------------------


def rules_of(session: Session, place: Place) -> rules.PlaceRules:
    """The place's effective rules: its own settings, else those of the places containing it, else the defaults.
    One query, however deep the place."""
    return rules.PlaceRules.from_settings(settings.values(session, place, rules.SETTINGS))


def do_set_rules(session: Session, place: Place, place_rules: rules.PlaceRules) -> None:
    """Give the place all these rules as its own (the demo's and the tests' shortcut for the settings page)."""
    settings.do_set_many(session, place, place_rules.as_settings())


# Events and notifications ----------------------------------------------------------------------


def record(
    session: Session, proposal: Proposal, *, action: str, to_stage: str, by: User | None, reason: str = "",
    subject: tuple[str, int] | None = None, at: datetime | None = None, notify: bool = True,
) -> ProposalEvent:
    """Write one event on the timeline, move the proposal to `to_stage`, and tell its followers."""
    now = at or utcnow()
    event = ProposalEvent(
        proposal_id=proposal.id, actor_id=by.id if by else None, action=action,
        from_stage=proposal.stage, to_stage=to_stage, reason=reason, at=now,
        subject_kind=subject[0] if subject else "", subject_id=subject[1] if subject else None,
    )
    if to_stage != proposal.stage:
        proposal.stage = to_stage
        proposal.stage_changed_at = now
    proposal.updated_at = now
    session.add(proposal)
    session.add(event)
    session.flush()
    if notify:
        _notify(session, proposal, event, followers(session, proposal))
    return event


def followers(session: Session, proposal: Proposal) -> list[int]:
    return list(session.exec(select(Follow.user_id).where(Follow.proposal_id == proposal.id)).all())


def _notify(session: Session, proposal: Proposal, event: ProposalEvent, user_ids: list[int]) -> None:
    for user_id in sorted(set(user_ids) - {event.actor_id}):
        session.add(Notification(user_id=user_id, proposal_id=proposal.id, event_id=event.id))
    session.flush()


def reviewers_of(session: Session, place: Place) -> list[int]:
    """Staff and admins of the place or above it, and the place's own council: told when review begins."""
    grants = session.exec(
        select(RoleGrant.user_id, RoleGrant.role, Place.path).join(Place, col(Place.id) == RoleGrant.place_id)
        .where(col(Place.path).in_(_containing_paths(place)))
    ).all()
    return sorted({
        user_id for user_id, role, path in grants
        if role in (Role.STAFF, Role.ADMIN) or (role == Role.COUNCIL and path == place.path)
    })


def do_follow(session: Session, proposal: Proposal, user: User) -> bool:
    """Follow (idempotent); True when newly following."""
    if session.exec(select(Follow.id).where(Follow.proposal_id == proposal.id, Follow.user_id == user.id)).first():
        return False
    try:
        with session.begin_nested():
            session.add(Follow(proposal_id=proposal.id, user_id=user.id))
    except IntegrityError:  # followed at the same moment in another request
        return False
    return True


def do_unfollow(session: Session, proposal: Proposal, user: User) -> None:
    follow = session.exec(select(Follow).where(Follow.proposal_id == proposal.id, Follow.user_id == user.id)).first()
    if follow is not None:
        session.delete(follow)
        session.flush()


def is_following(session: Session, proposal: Proposal, user: User | None) -> bool:
    if user is None:
        return False
    return session.exec(
        select(Follow.id).where(Follow.proposal_id == proposal.id, Follow.user_id == user.id)
    ).first() is not None


# Moves -----------------------------------------------------------------------------------------


def move(
    session: Session, proposal: Proposal, place: Place, person: Person | None, by: User | None, action: Move, *,
    reason: str = "", findings: str = "", subject: tuple[str, int] | None = None, as_system: bool = False,
) -> ProposalEvent:
    """Check the move against the state machine for this person and record it; IllegalTransition if refused."""
    actors = [Actor.SYSTEM] if as_system else actors_for(person, proposal, place)
    _actor, to_stage = resolve(actors, Stage(proposal.stage), action, findings=findings, reason=reason)
    return record(session, proposal, action=action.value, to_stage=to_stage.value, by=by,
                  reason=(reason or findings).strip(), subject=subject)


@dataclass(frozen=True)
class Draft:
    title: str
    body: str
    category: str


def do_create(session: Session, *, place: Place, author: User, draft: Draft, submit: bool, person: Person,
              photos: Sequence[pictures.Upload] = ()) -> Proposal:
    """A new draft by `author` (with its checked photos), submitted at once if asked. The same text sent again by
    its author for the same place (a second click, the back button) is the proposal already written: the
    author's row is locked first, so that two such requests at once make one."""
    session.exec(select(User.id).where(col(User.id) == author.id).with_for_update()).one()
    same = session.exec(select(Proposal).where(
        Proposal.author_id == author.id, Proposal.place_id == place.id, Proposal.title == draft.title,
        Proposal.body == draft.body, Proposal.category == draft.category,
        col(Proposal.stage).in_([Stage.DRAFT.value, Stage.COSIGNING.value]))).first()
    if same is not None:
        if submit and same.stage == Stage.DRAFT:
            do_submit(session, same, place, person, author)
        return same
    now = utcnow()
    proposal = Proposal(
        place_id=place.id, author_id=author.id, title=draft.title, body=draft.body,
        category=draft.category, stage=Stage.DRAFT.value, created_at=now, updated_at=now, stage_changed_at=now,
    )
    session.add(proposal)
    session.flush()
    record(session, proposal, action="create", to_stage=Stage.DRAFT.value, by=author, notify=False)
    do_follow(session, proposal, author)
    if submit:
        do_submit(session, proposal, place, person, author)
    pictures.do_attach(session, proposal, author, "proposal", proposal.id, photos)
    return proposal


def do_edit(session: Session, proposal: Proposal, place: Place, person: Person, by: User, draft: Draft, *,
            photos: Sequence[pictures.Upload] = (), submit: bool = False) -> bool:
    """The author's new text (and more photos); with `submit`, a draft is submitted too. True when it was."""
    resolve(actors_for(person, proposal, place), Stage(proposal.stage), Move.EDIT)
    changed = (draft.title, draft.body, draft.category) != (proposal.title, proposal.body, proposal.category)
    proposal.title, proposal.body, proposal.category = draft.title, draft.body, draft.category
    if changed:
        record(session, proposal, action=Move.EDIT.value, to_stage=proposal.stage, by=by, notify=False)
    pictures.do_attach(session, proposal, by, "proposal", proposal.id, photos)
    if not submit or proposal.stage != Stage.DRAFT:
        return False
    do_submit(session, proposal, place, person, by)
    return True


def threshold_counts(session: Session, place: Place, *, year: int, kind: str = "") -> dict[str, int | Decimal]:
    """The place's totals a threshold is measured against; with `kind`, only the one that threshold needs."""
    totals: dict[str, int | Decimal] = {"households": 0, "adults": 0, "owner_heads_total": 0,
                                        "owner_area_total": Decimal(0)}
    if kind in ("", "share_of_households"):
        totals["households"] = len(electorate.draw(session, place, "households", year=year))
    if kind in ("", "share_of_adults"):
        totals["adults"] = len(electorate.draw(session, place, "adults", year=year))
    if kind in ("", "owners"):
        owners = electorate.draw(session, place, "owners", year=year)
        totals["owner_heads_total"] = sum(v.heads for v in owners)
        totals["owner_area_total"] = Decimal(sum(v.area_centi for v in owners)) / 100
    return totals


def do_submit(session: Session, proposal: Proposal, place: Place, person: Person, by: User) -> ProposalEvent:
    event = move(session, proposal, place, person, by, Move.SUBMIT)
    now = utcnow()
    proposal.submitted_at = now
    threshold = rules_of(session, place).threshold
    totals = threshold_counts(session, place, year=now.year, kind=threshold.kind)
    proposal.cosigners_needed = rules.cosigners_needed(
        threshold, adults=int(totals["adults"]), households=int(totals["households"]),
        owner_heads_total=int(totals["owner_heads_total"]),
    )
    session.add(proposal)
    session.flush()
    _reach_threshold_if_met(session, proposal, place)
    return event


def home_households(session: Session, user: User, place: Place) -> list[Household]:
    """The user's verified households within the place."""
    return list(session.exec(
        select(Household).join(Place, col(Place.id) == Household.building_id)
        .join(ResidencyClaim, col(ResidencyClaim.household_id) == Household.id)
        .where(ResidencyClaim.user_id == user.id, ResidencyClaim.status == ClaimStatus.APPROVED,
               col(Place.path).startswith(place.path))
        .order_by(col(Household.id))
    ).all())


def has_cosigned(session: Session, proposal: Proposal, user: User | None) -> bool:
    if user is None:
        return False
    return session.exec(
        select(Cosign.id).where(Cosign.proposal_id == proposal.id, Cosign.user_id == user.id)
    ).first() is not None


def do_cosign(session: Session, proposal: Proposal, place: Place, person: Person, by: User) -> bool:
    """Co-sign once; True when counted now, False when this person had already co-signed.

    Exact however many co-sign at once: the proposal's row is locked first, so that the stage is checked, the
    co-signs counted and the threshold reached by one transaction at a time (on PostgreSQL READ COMMITTED, each
    statement after the lock sees every co-sign committed before it); the unique (proposal, user) constraint
    refuses a second co-sign of the same person."""
    lock(session, proposal)
    resolve(actors_for(person, proposal, place), Stage(proposal.stage), Move.COSIGN)
    homes = home_households(session, by, place)
    try:
        with session.begin_nested():
            session.add(Cosign(proposal_id=proposal.id, user_id=by.id, household_id=homes[0].id if homes else None))
    except IntegrityError:
        return False
    _recount_cosigns(session, proposal)
    do_follow(session, proposal, by)
    _reach_threshold_if_met(session, proposal, place)
    return True


def lock(session: Session, proposal: Proposal) -> Proposal:
    """The proposal's row locked for the rest of the transaction (SELECT … FOR UPDATE), and read afresh."""
    session.exec(
        select(Proposal).where(col(Proposal.id) == proposal.id).with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    return proposal


def _recount_cosigns(session: Session, proposal: Proposal) -> None:
    """The count kept on the proposal, set from the co-sign rows by one statement."""
    counted = select(func.count()).select_from(Cosign).where(col(Cosign.proposal_id) == proposal.id).scalar_subquery()
    count = session.exec(
        update(Proposal).where(col(Proposal.id) == proposal.id).values(cosign_count=counted)
        .returning(col(Proposal.cosign_count)).execution_options(synchronize_session=False)
    ).scalar_one()
    set_committed_value(proposal, "cosign_count", count)


def threshold_reached(session: Session, proposal: Proposal, place: Place) -> bool:
    threshold = rules_of(session, place).threshold
    cosigns = session.exec(select(Cosign).where(Cosign.proposal_id == proposal.id)).all()
    if threshold.kind != "owners":
        households = {c.household_id for c in cosigns if c.household_id is not None}
        counted = len(households) if threshold.kind == "share_of_households" else len(cosigns)
        return counted >= proposal.cosigners_needed
    totals = threshold_counts(session, place, year=utcnow().year, kind="owners")
    owner_area = _owner_area_of(session, [c.user_id for c in cosigns], place)
    return rules.threshold_met(
        threshold, cosigners=len(cosigns), cosigning_households=0, adults=0, households=0,
        owner_heads=len(owner_area), owner_heads_total=int(totals["owner_heads_total"]),
        owner_area=sum(owner_area.values(), Decimal(0)), owner_area_total=Decimal(totals["owner_area_total"]),
    )


def _owner_area_of(session: Session, user_ids: list[int], place: Place) -> dict[int, Decimal]:
    """Co-signing owners (by head) within the place, each with the exclusive area of their units."""
    if not user_ids:
        return {}
    rows = session.exec(
        select(Owner.user_id, Household.area_centi).join(Household, col(Household.id) == Owner.household_id)
        .join(Place, col(Place.id) == Household.building_id)
        .where(col(Owner.user_id).in_(user_ids), col(Place.path).startswith(place.path))
    ).all()
    area: dict[int, Decimal] = {}
    for user_id, area_centi in rows:
        if user_id is not None:  # the query asks for these users only
            area[user_id] = area.get(user_id, Decimal(0)) + Decimal(area_centi) / 100
    return area


def _reach_threshold_if_met(session: Session, proposal: Proposal, place: Place) -> None:
    if proposal.stage != Stage.COSIGNING or not threshold_reached(session, proposal, place):
        return
    event = move(session, proposal, place, None, None, Move.REACH_THRESHOLD, as_system=True)
    proposal.review_due_at = rules.review_due(event.at, rules_of(session, place).review_days)
    session.add(proposal)
    session.flush()
    _notify(session, proposal, event, reviewers_of(session, place))


# Review ----------------------------------------------------------------------------------------


def do_review(session: Session, proposal: Proposal, place: Place, person: Person, by: User, action: Move,
              reason: str = "") -> ProposalEvent:
    """Accept, reject (with a public reason) or ask the author for changes."""
    if action not in (Move.ACCEPT, Move.REJECT, Move.REQUEST_CHANGES):
        raise ValueError(action)
    if action is Move.REQUEST_CHANGES and not reason.strip():
        raise ProposalError(_("请写明需要作者修改什么。"), 422)
    event = move(session, proposal, place, person, by, action, reason=reason)
    if action is Move.REJECT:
        proposal.closed_at = event.at
    if action is Move.ACCEPT:
        proposal.plan_due_at = rules.plan_due(event.at, rules_of(session, place).plan_days)
    proposal.review_due_at = None if action is not Move.REQUEST_CHANGES else proposal.review_due_at
    session.add(proposal)
    session.flush()
    return event


def do_resubmit(session: Session, proposal: Proposal, place: Place, person: Person, by: User) -> ProposalEvent:
    event = move(session, proposal, place, person, by, Move.RESUBMIT)
    proposal.review_due_at = rules.review_due(event.at, rules_of(session, place).review_days)
    session.add(proposal)
    session.flush()
    _notify(session, proposal, event, reviewers_of(session, place))
    return event


def deciding_vote(session: Session, proposal: Proposal) -> Vote | None:
    """The vote that decides this proposal's plans now, if any (one not yet certified nor withdrawn)."""
    return session.exec(
        select(Vote).where(col(Vote.subject_kind) == "proposal", col(Vote.subject_id) == proposal.id,
                           col(Vote.status).in_(VoteStatus.DECIDING)).order_by(col(Vote.id).desc())
    ).first()


def check_withdrawable(session: Session, proposal: Proposal) -> None:
    """A proposal whose plans a vote decides is withdrawn only after that vote is (its voters are told there)."""
    pending = deciding_vote(session, proposal)
    if pending is not None:
        raise ProposalError(_("居民正在就这个提案的方案表决（“%(title)s”）：请先由管理表决的工作人员撤回这次表决，"
                              "再撤回提案。", title=pending.title))


def do_withdraw(session: Session, proposal: Proposal, place: Place, person: Person, by: User,
                reason: str = "") -> ProposalEvent:
    check_withdrawable(session, proposal)
    event = move(session, proposal, place, person, by, Move.WITHDRAW, reason=reason)
    proposal.closed_at = event.at
    proposal.review_due_at = proposal.plan_due_at = None
    session.add(proposal)
    session.flush()
    return event


def _containing_paths(place: Place) -> list[str]:
    """The paths of the place and of every place containing it."""
    ids = place.ancestor_ids
    return ["/" + "/".join(str(i) for i in ids[: n + 1]) + "/" for n in range(len(ids))]


def merge_targets(session: Session, proposal: Proposal, place: Place) -> list[Proposal]:
    """Open proposals (`rules.OPEN_FOR_MERGE`) of the same place or of a place containing it that this one may be
    merged into: a building's proposal may join its compound's or community's, never the other way (its
    co-signers would not be residents of the smaller place)."""
    return list(session.exec(
        select(Proposal).join(Place, col(Place.id) == Proposal.place_id)
        .where(col(Place.path).in_(_containing_paths(place)), Proposal.id != proposal.id,
               col(Proposal.stage).in_([s.value for s in rules.OPEN_FOR_MERGE]))
        .order_by(col(Proposal.id).desc()).limit(200)
    ).all())


def merge_refusal(proposal: Proposal, place: Place, target: Proposal, target_place: Place) -> str | None:
    """Why `proposal` (of `place`) may not be merged into `target`, or None when it may."""
    if target.id == proposal.id:
        return _("提案不能合并到它自己。")
    if target.stage == Stage.DRAFT:  # only its author knows of it
        return _("找不到要合并到的提案。")
    if target.stage not in rules.OPEN_FOR_MERGE:
        return _("只能合并到尚未公示方案的提案；“%(title)s”现在处于「%(stage)s」阶段。",
                 title=target.title, stage=rules.stage_labels()[Stage(target.stage)])
    if target_place.path not in _containing_paths(place):
        return _("只能合并到本地或包含本地的地点（%(place)s 或其上级）的提案。", place=place.name)
    return None


def check_merge(session: Session, proposal: Proposal, place: Place, target: Proposal) -> Place:
    """The target's place, if `proposal` may be merged into `target` as they now are; else ProposalError (409)."""
    target_place = session.get(Place, target.place_id)
    assert target_place is not None
    refusal = merge_refusal(proposal, place, target, target_place)
    if refusal:
        raise ProposalError(refusal)
    return target_place


def _lock_target(session: Session, target: Proposal) -> None:
    """The target's row locked too. Two staff merging two proposals into each other at once lock them in
    opposite orders; PostgreSQL then refuses one of them, which is told to try again rather than shown a 500."""
    try:
        with session.begin_nested():
            lock(session, target)
    except OperationalError:
        raise ProposalError(_("另一位工作人员正在同时处理这两条提案，请刷新页面后再试。")) from None


def do_merge(session: Session, proposal: Proposal, place: Place, person: Person, by: User, target: Proposal,
             reason: str = "") -> ProposalEvent:
    """Merge into `target` with a public reason: co-signers and followers carried over, both timelines record it."""
    if not reason.strip():
        raise ProposalError(_("合并时必须公开说明理由。"), 422)
    resolve(actors_for(person, proposal, place), Stage(proposal.stage), Move.MERGE)
    _lock_target(session, target)  # its stage is read and its co-signs counted again
    target_place = check_merge(session, proposal, place, target)
    event = move(session, proposal, place, person, by, Move.MERGE, reason=reason, subject=("proposal", target.id))
    proposal.merged_into_id = target.id
    proposal.closed_at = event.at
    proposal.review_due_at = None
    session.add(proposal)
    carried = _carry_over(session, proposal, target)
    record(session, target, action="merged_in", to_stage=target.stage, by=by, reason=reason,
           subject=("proposal", proposal.id))
    if carried:
        _recount_cosigns(session, target)
        _reach_threshold_if_met(session, target, target_place)
    return event


def _carry_over(session: Session, source: Proposal, target: Proposal) -> int:
    have = set(session.exec(select(Cosign.user_id).where(Cosign.proposal_id == target.id)).all())
    carried = 0
    for cosign in session.exec(select(Cosign).where(Cosign.proposal_id == source.id)).all():
        if cosign.user_id in have or cosign.user_id == target.author_id:
            continue
        session.add(Cosign(proposal_id=target.id, user_id=cosign.user_id, household_id=cosign.household_id))
        carried += 1
    if source.author_id not in have and source.author_id != target.author_id:
        session.add(Cosign(proposal_id=target.id, user_id=source.author_id))
        carried += 1
    following = set(followers(session, target))
    for user_id in set(followers(session, source)) - following:
        session.add(Follow(proposal_id=target.id, user_id=user_id))
    session.flush()
    return carried


__all__ = ["IllegalTransition", "ProposalError"]
