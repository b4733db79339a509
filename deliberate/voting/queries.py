"""What the pages of votes read: the roll and its totals, ballots for counting and recounting, and one page
object per screen (its fields are the template's names; `as_json` is the page's `.json` twin)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, String, and_, case, cast, func, literal, or_, union
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from deliberate.accounts.models import ClaimStatus, ResidencyClaim, User
from deliberate.accounts.people import Person
from deliberate.clock import utcnow
from deliberate.db import from_centi, to_centi
from deliberate.places import actions as places
from deliberate.places.models import Member, Owner, Place
from deliberate.policy import Act, may
from deliberate.voting import electorate, labels, tally, urn
from deliberate.voting.models import (
    Ballot,
    ElectorateKind,
    PaperCorrection,
    RollEntry,
    SecretBallot,
    Vote,
    VoteOption,
    VoteStatus,
)

UrlFor = Callable[..., str]


def options_of(session: Session, vote: Vote) -> list[str]:
    if vote.form == tally.Form.YES_NO:
        return []
    rows = session.exec(select(VoteOption).where(col(VoteOption.vote_id) == vote.id).order_by(col(VoteOption.position)))
    return [o.label for o in rows.all()]


def _verified_members(session: Session, user: User) -> list[Member]:
    return list(session.exec(
        select(Member).join(ResidencyClaim, col(ResidencyClaim.member_id) == Member.id)
        .where(col(ResidencyClaim.user_id) == user.id, ResidencyClaim.status == ClaimStatus.APPROVED)
    ).all())


def entries_for(session: Session, vote: Vote, user: User) -> list[RollEntry]:
    """The roll entries this account may cast online: its own, or its household's (户代表), or
    the units it owns as a verified resident."""
    keys = _keys(session, user, {vote.electorate})[vote.electorate]
    return list(session.exec(
        select(RollEntry).where(col(RollEntry.vote_id) == vote.id, RollEntry.voter_key.in_(keys))  # type: ignore[attr-defined]
        .order_by(col(RollEntry.id))
    ).all())


def _keys(session: Session, user: User, electorates: set[str]) -> dict[str, set[str]]:
    """The roll keys this account casts, for each of these electorates."""
    keys = {f"user:{user.id}"}
    members = _verified_members(session, user)
    keys |= {f"member:{m.id}" for m in members}
    found = {kind: set(keys) for kind in electorates}
    if ElectorateKind.HOUSEHOLDS in electorates:
        found[ElectorateKind.HOUSEHOLDS] |= {f"household:{m.household_id}" for m in members}
    if ElectorateKind.OWNERS in electorates and members:
        names = {m.name for m in members}
        owned = session.exec(
            select(Owner).where(Owner.household_id.in_([m.household_id for m in members]))  # type: ignore[attr-defined]
        ).all()
        found[ElectorateKind.OWNERS] |= electorate.owner_keys(
            session, [o for o in owned if o.name in names and not o.is_developer])
    return found


@dataclass(frozen=True)
class OpenBallot:
    """An open vote this account may cast, as the home page and the place's page list it."""

    vote: Vote
    place: Place
    entries: list[RollEntry]  # the lines of its roll this account casts (its own, its household's, …)
    options: list[str]
    labels: Any = labels

    @property
    def to_cast(self) -> list[RollEntry]:
        return [e for e in self.entries if not e.has_voted]


def open_ballots(session: Session, user: User | None, *, within: Place | None = None) -> list[OpenBallot]:
    """Open votes (in `within` and the places inside it, if given) this account may cast, soonest deadline
    first: a probe of each open vote's roll by the account's keys. None for a visitor not logged in."""
    if user is None:
        return []
    keys = _keys(session, user, {ElectorateKind.HOUSEHOLDS, ElectorateKind.OWNERS})
    base = keys[ElectorateKind.HOUSEHOLDS] & keys[ElectorateKind.OWNERS]
    key = col(RollEntry.voter_key)
    query = (
        select(Vote, Place, RollEntry).join(Place, col(Place.id) == Vote.place_id)
        .join(RollEntry, col(RollEntry.vote_id) == Vote.id)
        .where(col(Vote.status) == VoteStatus.OPEN, or_(
            key.in_(base),
            and_(col(Vote.electorate) == ElectorateKind.HOUSEHOLDS, key.in_(keys[ElectorateKind.HOUSEHOLDS])),
            and_(col(Vote.electorate) == ElectorateKind.OWNERS, key.in_(keys[ElectorateKind.OWNERS]))))
        .order_by(col(Vote.closes_at), col(Vote.id), col(RollEntry.id))
    )
    if within is not None:
        query = query.where(col(Place.path).startswith(within.path))
    found: dict[int, tuple[Vote, Place, list[RollEntry]]] = {}
    for vote, place, entry in session.exec(query).all():
        found.setdefault(vote.id, (vote, place, []))[2].append(entry)
    return [OpenBallot(vote, place, entries, options_of(session, vote)) for vote, place, entries in found.values()]


def accounts_on_roll(vote: Vote) -> Select[tuple[int]]:
    """The accounts that may cast a line of this vote's roll online, exactly as `entries_for` decides it, as one
    statement (to tell them all when the vote opens, however long the roll): each probe is an index lookup on
    (vote, voter key)."""
    on_roll = col(RollEntry.vote_id) == vote.id
    claims = (select(ResidencyClaim.user_id, col(Member.id).label("member_id"), Member.household_id, Member.name)
              .join(Member, col(Member.id) == ResidencyClaim.member_id)
              .where(col(ResidencyClaim.status) == ClaimStatus.APPROVED).subquery())

    def keyed(prefix: str, value: Any) -> Any:
        return literal(prefix) + cast(value, String)

    own = select(RollEntry.user_id).where(on_roll, col(RollEntry.voter_key).startswith("user:"),
                                          col(RollEntry.user_id).is_not(None))
    member = select(claims.c.user_id).join(RollEntry, and_(on_roll, col(RollEntry.voter_key) == keyed(
        "member:", claims.c.member_id)))
    wanted = [own, member]
    if vote.electorate == ElectorateKind.HOUSEHOLDS:
        wanted.append(select(claims.c.user_id).join(RollEntry, and_(on_roll, col(RollEntry.voter_key) == keyed(
            "household:", claims.c.household_id))))
    if vote.electorate == ElectorateKind.OWNERS:
        owned = (select(claims.c.user_id, Owner.name, Owner.household_id, Owner.identity)
                 .join(Owner, and_(col(Owner.household_id) == claims.c.household_id, col(Owner.name) == claims.c.name,
                                   col(Owner.is_developer).is_(False))).subquery())
        wanted.append(select(owned.c.user_id).join(RollEntry, and_(on_roll, or_(
            and_(owned.c.identity == "", col(RollEntry.voter_key) == literal("owner:") + owned.c.name),
            col(RollEntry.voter_key) == keyed("unit:", owned.c.household_id)))))
        # An owner with an identity stands on the roll under the first unit that identity holds (electorate.owner_keys)
        held = aliased(Owner)
        wanted.append(select(owned.c.user_id).join(held, and_(owned.c.identity != "",
                                                              col(held.identity) == owned.c.identity))
                      .join(RollEntry, and_(on_roll, col(RollEntry.voter_key) == keyed("holder:", held.household_id))))
    return union(*wanted)  # type: ignore[return-value]


def own_ballot(session: Session, vote: Vote, entry: RollEntry) -> Ballot | None:
    if vote.secret:
        return None
    return session.exec(select(Ballot).where(col(Ballot.roll_entry_id) == entry.id)).first()


def roll_totals(session: Session, vote: Vote) -> tuple[int, int, int, int]:
    """(voters on the roll, their area in hundredths, voters who have voted, their area), in one pass."""
    voted = col(RollEntry.has_voted).is_(True)
    row = session.exec(
        select(func.coalesce(func.sum(RollEntry.heads), 0), func.coalesce(func.sum(RollEntry.area_centi), 0),
               func.coalesce(func.sum(case((voted, RollEntry.heads), else_=0)), 0),
               func.coalesce(func.sum(case((voted, RollEntry.area_centi), else_=0)), 0))
        .where(col(RollEntry.vote_id) == vote.id)
    ).one()
    return int(row[0]), int(row[1]), int(row[2]), int(row[3])


def ballots_for_tally(session: Session, vote: Vote) -> list[tuple[Any, int, int, str]]:
    """(choice, heads, area in hundredths, voter label or "") of every ballot."""
    if vote.secret:
        return [(json.loads(p.choice), p.heads, p.area_centi, "") for p in secret_papers(session, vote)]
    joined = session.exec(
        select(Ballot, RollEntry).join(RollEntry, col(RollEntry.id) == Ballot.roll_entry_id)
        .where(col(Ballot.vote_id) == vote.id).order_by(col(RollEntry.id))
    ).all()
    return [(json.loads(b.choice), r.heads, r.area_centi, r.label) for b, r in joined]


def counted_ballots(session: Session, vote: Vote) -> list[tally.Ballot]:
    """The ballots as the tally adds them: one per distinct choice, carrying the heads and area of every
    ballot that made it (the count is a sum, so this is the same count, done by the database)."""
    if vote.secret:
        # The urn is read first; a batch published since is counted from it and left out of the published list.
        sealed = urn.sealed_papers(session, vote) if vote.status == VoteStatus.OPEN else []
        rows = list(session.exec(
            select(SecretBallot.choice, func.count(), func.sum(SecretBallot.heads), func.sum(SecretBallot.area_centi))
            .where(col(SecretBallot.vote_id) == vote.id,
                   col(SecretBallot.receipt).not_in([paper.receipt for paper in sealed]))
            .group_by(col(SecretBallot.choice)).order_by(col(SecretBallot.choice))
        ).all())
        rows += [(paper.choice, 1, paper.heads, paper.area_centi) for paper in sealed]
    else:
        rows = list(session.exec(
            select(Ballot.choice, func.count(), func.sum(RollEntry.heads), func.sum(RollEntry.area_centi))
            .join(RollEntry, col(RollEntry.id) == Ballot.roll_entry_id)
            .where(col(Ballot.vote_id) == vote.id).group_by(col(Ballot.choice)).order_by(col(Ballot.choice))
        ).all())
    ballots = []
    for choice, _n, heads, area in rows:
        value = json.loads(choice)
        ballots.append(tally.Ballot(choice=tuple(value) if isinstance(value, list) else value, heads=int(heads),
                                    area=from_centi(int(area))))
    return ballots


def result_of(session: Session, vote: Vote) -> tally.Result:
    """The vote counted now from its ballots. Once closed, the count is stored (`stored_result`)."""
    heads, area, _voted, _voted_area = roll_totals(session, vote)
    return tally.tally(
        tally.Rule(vote.rule), tally.Form(vote.form), options_of(session, vote),
        tally.Electorate(heads=heads, area=from_centi(area)), counted_ballots(session, vote),
        vote.non_voters_with_majority,
    )


def stored_result(vote: Vote) -> dict[str, Any] | None:
    """The count made when the vote closed (and published as such when certified)."""
    if vote.status in (VoteStatus.CLOSED, VoteStatus.CERTIFIED) and vote.result_json:
        return dict(json.loads(vote.result_json))
    return None


def recount_header(session: Session, vote: Vote) -> dict[str, Any]:
    """What a recount needs beside the ballots: the rule, the form, the options and the electorate."""
    heads, area, _voted, _voted_area = roll_totals(session, vote)
    # The options are written for a yes_no vote too, before the ballots: a recount then finds every key it
    # needs ahead of them and reads a large export once, instead of a second time to learn they are absent.
    options = list(tally.YES_NO_OPTIONS) if vote.form == tally.Form.YES_NO else options_of(session, vote)
    header: dict[str, Any] = {"rule": vote.rule, "form": vote.form, "options": options}
    header["electorate"] = {"heads": heads, "area": f"{from_centi(area):.2f}"}
    if vote.non_voters_with_majority:
        header["non_voters_with_majority"] = True
    return header


EXPORT_BATCH = 2000  # ballots fetched at a time while an export streams


def recount_ballots(session: Session, vote: Vote, *, with_names: bool = False) -> Iterator[dict[str, Any]]:
    """The ballots in the recount format, read in batches. Anyone may recount, but only the place's own people
    see whose an open ballot is (`with_names`, in the roll's order); without names the ballots come sorted by
    what they say, so that no order (the roll's, the public list of who took part) can tie them to voters.
    A secret ballot never carries a name."""
    named = with_names and not vote.secret
    statement: Any
    if vote.secret:
        statement = (select(SecretBallot.choice, SecretBallot.heads, SecretBallot.area_centi, literal(""))
                     .where(col(SecretBallot.vote_id) == vote.id)
                     .order_by(col(SecretBallot.choice), col(SecretBallot.heads), col(SecretBallot.area_centi)))
    else:
        statement = (select(Ballot.choice, RollEntry.heads, RollEntry.area_centi, RollEntry.label)
                     .join(RollEntry, col(RollEntry.id) == Ballot.roll_entry_id).where(col(Ballot.vote_id) == vote.id))
        statement = statement.order_by(col(RollEntry.id)) if named else statement.order_by(
            col(Ballot.choice), col(RollEntry.heads), col(RollEntry.area_centi))
    for choice, heads, area, label in session.exec(statement.execution_options(yield_per=EXPORT_BATCH)):
        ballot: dict[str, Any] = {"choice": json.loads(choice), "heads": heads, "area": f"{from_centi(area):.2f}"}
        if named and label:
            ballot["voter"] = label
        yield ballot


def recount_export(session: Session, vote: Vote, *, with_names: bool = False) -> dict[str, Any]:
    """The whole export in memory (`recount_header` and `recount_ballots` stream it)."""
    return {**recount_header(session, vote), "ballots": list(recount_ballots(session, vote, with_names=with_names))}


def secret_papers(session: Session, vote: Vote) -> list[urn.Paper]:
    """Every secret ballot of the vote, published or still sealed in the urn, in receipt order.

    The urn is read before the published list: a batch published between the two reads is then seen twice
    (and counted once, by its receipt), never missed."""
    sealed = urn.sealed_papers(session, vote) if vote.status == VoteStatus.OPEN else []
    published = session.exec(
        select(SecretBallot).where(col(SecretBallot.vote_id) == vote.id).order_by(col(SecretBallot.receipt))
    ).all()
    papers = {paper.receipt: paper for paper in sealed}
    papers.update((b.receipt, urn.Paper(b.receipt, b.choice, b.heads, b.area_centi, b.paper_serial))
                  for b in published)
    return sorted(papers.values(), key=lambda paper: paper.receipt)


def receipts(session: Session, vote: Vote) -> list[tuple[str, Any]]:
    return [(p.receipt, json.loads(p.choice)) for p in secret_papers(session, vote)]


def unvoted(session: Session, vote: Vote, query: str = "", *, limit: int = 50) -> list[RollEntry]:
    """Roll entries still without a ballot, for staff entering paper ballots."""
    statement = select(RollEntry).where(col(RollEntry.vote_id) == vote.id, col(RollEntry.has_voted).is_(False))
    if query:
        statement = statement.where(col(RollEntry.label).contains(query))
    return list(session.exec(statement.order_by(col(RollEntry.id)).limit(limit)).all())


def roll_users(session: Session, vote: Vote) -> list[int]:
    """Every account that may cast a ballot of this vote's roll (voted or not): the entries' own accounts and
    the verified residents of their households or members."""
    entries = session.exec(select(RollEntry.user_id, RollEntry.voter_key, RollEntry.household_ids)
                           .where(col(RollEntry.vote_id) == vote.id)).all()
    users = {user_id for user_id, _key, _homes in entries if user_id is not None}
    members = {int(key.split(":", 1)[1]) for _user, key, _homes in entries if key.startswith("member:")}
    homes: set[int] = set()
    if vote.electorate in (ElectorateKind.HOUSEHOLDS, ElectorateKind.OWNERS):
        homes = {int(h) for _user, _key, ids in entries for h in ids.split(",") if h}
    approved = col(ResidencyClaim.status) == ClaimStatus.APPROVED
    if members:
        users |= set(session.exec(select(ResidencyClaim.user_id).where(
            approved, col(ResidencyClaim.member_id).in_(sorted(members)))).all())
    if homes:
        users |= set(session.exec(select(ResidencyClaim.user_id).where(
            approved, col(ResidencyClaim.household_id).in_(sorted(homes)))).all())
    return sorted(users)


def participants(session: Session, vote: Vote) -> list[RollEntry]:
    """Who took part (never what they chose, for a secret vote): the roll entries marked as voted."""
    return list(session.exec(
        select(RollEntry).where(col(RollEntry.vote_id) == vote.id, RollEntry.has_voted.is_(True))  # type: ignore[attr-defined]
        .order_by(col(RollEntry.id))
    ).all())



# Pages -----------------------------------------------------------------------------------------


def summary(vote: Vote, url: UrlFor) -> dict[str, Any]:
    return {
        "id": vote.id, "title": vote.title, "status": vote.status, "form": vote.form, "rule": vote.rule,
        "electorate": vote.electorate, "secret": vote.secret, "opens_at": vote.opens_at,
        "closes_at": vote.closes_at, "url": url("votes:detail", id=vote.id),
    }


@dataclass(frozen=True)
class PlaceVotes:
    place: Place
    trail: list[Place]
    votes: list[Vote]
    can_manage: bool
    status_labels: dict[str, str]
    where: dict[int, str]  # for each place a listed vote belongs to: its name, as seen from the place listed

    def as_json(self, url: UrlFor) -> dict[str, Any]:
        return {"place": {"id": self.place.id, "name": self.place.name},
                "votes": [{**summary(v, url), "place": {"id": v.place_id, "name": self.where.get(v.place_id, "")}}
                          for v in self.votes]}


def votes_within(session: Session, place: Place) -> list[Vote]:
    """The votes of the place and of the places inside it (their paths start with its path), newest first."""
    inside = select(Place.id).where(col(Place.path).startswith(place.path))
    return list(session.exec(
        select(Vote).where(col(Vote.place_id).in_(inside)).order_by(col(Vote.created_at).desc(), col(Vote.id).desc())
    ).all())


def _where(session: Session, listed: Place, place_ids: set[int]) -> dict[int, str]:
    """The names from below the listed place down to each of these ("小区 › 1号楼"); its own name for itself."""
    rows = list(session.exec(select(Place).where(col(Place.id).in_(sorted(place_ids))))) if place_ids else []
    above = set(listed.ancestor_ids)
    below = {i for row in rows for i in row.ancestor_ids if i not in above}
    names = dict(session.exec(select(Place.id, Place.name).where(col(Place.id).in_(sorted(below)))).all()
                 if below else {})
    return {row.id: " › ".join(names.get(i, "") for i in row.ancestor_ids if i in below) or row.name for row in rows}


def place_votes(session: Session, place: Place, person: Person | None) -> PlaceVotes:
    """The votes of a place and of the places inside it, newest first, each with where it is held; those in
    preparation only for whoever prepares them there."""
    votes = votes_within(session, place)
    where = _where(session, place, {v.place_id for v in votes})
    drafts = {v.place_id for v in votes if v.status == VoteStatus.DRAFT}
    held = {p.id: p for p in session.exec(select(Place).where(col(Place.id).in_(sorted(drafts))))} if drafts else {}
    manages_at = {pid for pid, at in held.items() if may(person, Act.MANAGE_VOTES, at)}
    return PlaceVotes(
        place=place, trail=places.ancestors(session, place), can_manage=may(person, Act.MANAGE_VOTES, place),
        status_labels=labels.status_labels(), where=where,
        votes=[v for v in votes if v.status != VoteStatus.DRAFT or v.place_id in manages_at],
    )


@dataclass(frozen=True)
class Turnout:
    roll: int
    roll_area: int  # hundredths of a square metre
    voted: int
    voted_area: int

    def as_json(self) -> dict[str, Any]:
        return {"roll": self.roll, "voted": self.voted, "roll_area": f"{from_centi(self.roll_area):.2f}",
                "voted_area": f"{from_centi(self.voted_area):.2f}"}


def turnout(session: Session, vote: Vote) -> Turnout:
    stored = stored_result(vote)
    if stored is not None:  # the roll and who voted on it no longer change
        electorate, participation = stored["electorate"], stored["participation"]
        return Turnout(electorate["heads"], to_centi(electorate["area"]), participation["heads"],
                       to_centi(participation["area"]))
    return Turnout(*roll_totals(session, vote))


def published_result(session: Session, vote: Vote) -> dict[str, Any] | None:
    """The result as it may be shown now: certified as published, closed as counted, open only if the vote
    says so; otherwise nothing."""
    stored = stored_result(vote)
    if stored is not None:
        return stored
    if vote.status == VoteStatus.CLOSED or (vote.status == VoteStatus.OPEN and vote.results_while_open):
        return result_of(session, vote).to_json()
    return None


@dataclass(frozen=True)
class VotePage:
    vote: Vote
    place: Place
    trail: list[Place]
    options: list[str]
    turnout: Turnout
    result: dict[str, Any] | None
    mine: list[tuple[RollEntry, Ballot | None]]  # the ballots this reader may cast, with an open one's choice
    can_manage: bool
    can_certify: bool
    can_enter_paper: bool
    now: datetime
    accepting: bool  # ballots are taken now (the clock may not yet have closed a vote whose time is up)
    can_close_now: bool  # 结束表决 works: the closing time has come, or everyone on the roll has voted
    corrections: list[tuple[PaperCorrection, User | None]]
    can_see_voters: bool
    withdrawn_by: User | None = None
    discussion: Any = None  # the thread (discussion.queries.ThreadView), which the view adds
    plans: Any = None  # what is being decided in full, when the vote is on a proposal's plans (the view adds it)
    labels: Any = labels
    owner_collisions: tuple[Any, ...] = ()  # an owners' vote in preparation: names staff check before it opens

    def as_json(self, url: UrlFor) -> dict[str, Any]:
        found: dict[str, Any] = {
            **summary(self.vote, url), "question": self.vote.question,
            "place": {"id": self.place.id, "name": self.place.name}, "options": self.options,
            "participation": self.turnout.as_json(), "result": self.result,
            "turnout": labels.turnout_json(self.turnout.voted, self.turnout.roll),
            "paper_corrections": [correction_json(c, by, with_names=self.can_see_voters) for c, by in self.corrections],
        }
        if self.vote.status == VoteStatus.WITHDRAWN:
            found["withdrawn"] = {"at": self.vote.withdrawn_at, "reason": self.vote.withdrawal_reason,
                                  "by": self.withdrawn_by.display_name if self.withdrawn_by else None}
        if self.plans is not None:
            found["plans"] = self.plans.as_json(url)
        return found


def vote_page(session: Session, vote: Vote, place: Place, person: Person | None, user: User | None,
              discussion: Any = None, decided: Any = None) -> VotePage:
    """The vote's page; `decided` is what it decides in full, from the domain whose matter it is."""
    entries = entries_for(session, vote, user) if user is not None and vote.status == VoteStatus.OPEN else []
    now, counted = utcnow(), turnout(session, vote)
    is_open = vote.status == VoteStatus.OPEN
    can_manage = may(person, Act.MANAGE_VOTES, place)
    checks_owners = can_manage and vote.status == VoteStatus.DRAFT and vote.electorate == ElectorateKind.OWNERS
    return VotePage(
        vote=vote, place=place, trail=[*places.ancestors(session, place), place], options=options_of(session, vote),
        turnout=counted, result=published_result(session, vote),
        mine=[(entry, own_ballot(session, vote, entry)) for entry in entries],
        can_manage=can_manage, can_certify=may(person, Act.CERTIFY_VOTES, place),
        can_enter_paper=may(person, Act.ENTER_PAPER_BALLOTS, place), discussion=discussion, now=now, plans=decided,
        accepting=is_open and now < vote.closes_at,
        can_close_now=is_open and (now >= vote.closes_at or counted.voted >= counted.roll),
        withdrawn_by=session.get(User, vote.withdrawn_by_id) if vote.withdrawn_by_id else None,
        corrections=corrections(session, vote), can_see_voters=not vote.secret and may(person, Act.SEE_VOTERS, place),
        owner_collisions=tuple(electorate.name_collisions(session, place)) if checks_owners else (),
    )


@dataclass(frozen=True)
class NoticePage:
    """The certified result as a notice (公示) for the bulletin board."""

    vote: Vote
    place: Place
    trail: list[Place]
    result: dict[str, Any]
    turnout: Turnout
    receipts: list[tuple[str, Any]]
    participants: list[RollEntry]
    certifier: User | None
    corrections: list[tuple[PaperCorrection, User | None]]
    can_see_voters: bool = False
    labels: Any = labels


def notice_page(session: Session, vote: Vote, place: Place) -> NoticePage:
    return NoticePage(
        vote=vote, place=place, trail=[*places.ancestors(session, place), place],
        result=dict(json.loads(vote.result_json)), turnout=turnout(session, vote),
        receipts=receipts(session, vote) if vote.secret else [], participants=participants(session, vote),
        certifier=session.get(User, vote.certified_by_id) if vote.certified_by_id else None,
        corrections=corrections(session, vote),
    )


@dataclass(frozen=True)
class PaperPage:
    """Staff entering the paper ballots building leaders collected: who has not voted yet, found by name."""

    vote: Vote
    place: Place
    waiting: list[RollEntry]
    q: str
    options: list[str]
    accepting: bool  # ballots are taken now: otherwise the page says so instead of offering the form
    error: str = ""
    labels: Any = labels


def paper_page(session: Session, vote: Vote, place: Place, query: str, error: str = "") -> PaperPage:
    return PaperPage(vote=vote, place=place, waiting=unvoted(session, vote, query), q=query,
                     options=options_of(session, vote), error=error,
                     accepting=vote.status == VoteStatus.OPEN and utcnow() < vote.closes_at)


def corrections(session: Session, vote: Vote) -> list[tuple[PaperCorrection, User | None]]:
    """The paper ballots voided and entered again, in the order it was done, with who did it."""
    rows = session.exec(
        select(PaperCorrection, User).join(User, col(User.id) == PaperCorrection.by_id, isouter=True)
        .where(col(PaperCorrection.vote_id) == vote.id).order_by(col(PaperCorrection.id))
    ).all()
    return [(correction, user) for correction, user in rows]


def correction_json(correction: PaperCorrection, by: User | None, *, with_names: bool) -> dict[str, Any]:
    found: dict[str, Any] = {"at": correction.at, "by": by.display_name if by else None, "reason": correction.reason,
                             "serial": correction.old_serial, "new_serial": correction.new_serial}
    if with_names and correction.old_voter:
        found |= {"voter": correction.old_voter, "new_voter": correction.new_voter,
                  "choice": json.loads(correction.old_choice), "new_choice": json.loads(correction.new_choice)}
    return found


@dataclass(frozen=True)
class PaperListPage:
    """The paper ballots entered so far, for the staff who enter them, with the form that corrects one.

    An open vote lists each ballot: for whom, what, its serial, who entered it and when. A secret vote lists
    apart who voted on paper (and who entered it) and which serials were entered, in no order of entry, so that
    nothing on the page ties a choice, a serial or a time to a voter."""

    vote: Vote
    place: Place
    ballots: list[tuple[Ballot, RollEntry, User | None]]
    voters: list[tuple[RollEntry, User | None]]
    serials: list[str]
    corrections: list[tuple[PaperCorrection, User | None]]
    waiting: list[RollEntry]
    options: list[str]
    accepting: bool
    errors: dict[str, str]
    values: dict[str, Any]
    can_see_voters: bool = True
    labels: Any = labels


def paper_list_page(session: Session, vote: Vote, place: Place, errors: dict[str, str] | None = None,
                    values: dict[str, Any] | None = None) -> PaperListPage:
    ballots: list[tuple[Ballot, RollEntry, User | None]] = []
    voters: list[tuple[RollEntry, User | None]] = []
    serials: list[str] = []
    if vote.secret:
        voters = [(entry, user) for entry, user in session.exec(
            select(RollEntry, User).join(User, col(User.id) == RollEntry.entered_by_id, isouter=True)
            .where(col(RollEntry.vote_id) == vote.id, col(RollEntry.channel) == "paper").order_by(col(RollEntry.id))
        ).all()]
        serials = sorted(p.paper_serial for p in secret_papers(session, vote) if p.paper_serial)
    else:
        ballots = [(ballot, entry, user) for ballot, entry, user in session.exec(
            select(Ballot, RollEntry, User).join(RollEntry, col(RollEntry.id) == Ballot.roll_entry_id)
            .join(User, col(User.id) == Ballot.entered_by_id, isouter=True)
            .where(col(Ballot.vote_id) == vote.id, col(Ballot.channel) == "paper")
            .order_by(col(Ballot.cast_at), col(Ballot.id))
        ).all()]
    accepting = vote.status == VoteStatus.OPEN and utcnow() < vote.closes_at
    return PaperListPage(
        vote=vote, place=place, ballots=ballots, voters=voters, serials=serials, corrections=corrections(session, vote),
        waiting=unvoted(session, vote, limit=500) if accepting and not vote.secret else [],
        options=options_of(session, vote), accepting=accepting, errors=errors or {}, values=values or {},
    )
