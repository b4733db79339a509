"""What the pages of votes read: the roll and its totals, ballots for counting and recounting, and one page
object per screen (its fields are the template's names; `as_json` is the page's `.json` twin)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, String, and_, case, cast, func, literal, or_, union
from sqlmodel import Session, col, select

from deliberate.accounts.models import ClaimStatus, ResidencyClaim, User
from deliberate.accounts.people import Person
from deliberate.db import from_centi, to_centi
from deliberate.places import actions as places
from deliberate.places.models import Member, Owner, Place
from deliberate.policy import Act, may
from deliberate.voting import labels, tally, urn
from deliberate.voting.models import Ballot, ElectorateKind, RollEntry, SecretBallot, Vote, VoteOption, VoteStatus

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
        for owner in owned:
            if owner.name in names and not owner.is_developer:
                found[ElectorateKind.OWNERS] |= {f"owner:{owner.name}", f"unit:{owner.household_id}"}
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
        owned = (select(claims.c.user_id, Owner.name, Owner.household_id)
                 .join(Owner, and_(col(Owner.household_id) == claims.c.household_id, col(Owner.name) == claims.c.name,
                                   col(Owner.is_developer).is_(False))).subquery())
        wanted.append(select(owned.c.user_id).join(RollEntry, and_(on_roll, or_(
            col(RollEntry.voter_key) == literal("owner:") + owned.c.name,
            col(RollEntry.voter_key) == keyed("unit:", owned.c.household_id)))))
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
    )


def stored_result(vote: Vote) -> dict[str, Any] | None:
    """The count made when the vote closed (and published as such when certified)."""
    if vote.status in (VoteStatus.CLOSED, VoteStatus.CERTIFIED) and vote.result_json:
        return dict(json.loads(vote.result_json))
    return None


def recount_header(session: Session, vote: Vote) -> dict[str, Any]:
    """What a recount needs beside the ballots: the rule, the form, the options and the electorate."""
    heads, area, _voted, _voted_area = roll_totals(session, vote)
    header: dict[str, Any] = {"rule": vote.rule, "form": vote.form}
    if vote.form != tally.Form.YES_NO:
        header["options"] = options_of(session, vote)
    header["electorate"] = {"heads": heads, "area": f"{from_centi(area):.2f}"}
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


def votes_in(session: Session, place: Place) -> list[Vote]:
    return list(session.exec(
        select(Vote).where(col(Vote.place_id) == place.id).order_by(Vote.created_at.desc(), Vote.id.desc())  # type: ignore[attr-defined]
    ).all())


def unvoted(session: Session, vote: Vote, query: str = "", *, limit: int = 50) -> list[RollEntry]:
    """Roll entries still without a ballot, for staff entering paper ballots."""
    statement = select(RollEntry).where(col(RollEntry.vote_id) == vote.id, col(RollEntry.has_voted).is_(False))
    if query:
        statement = statement.where(col(RollEntry.label).contains(query))
    return list(session.exec(statement.order_by(col(RollEntry.id)).limit(limit)).all())


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

    def as_json(self, url: UrlFor) -> dict[str, Any]:
        return {"place": {"id": self.place.id, "name": self.place.name},
                "votes": [summary(v, url) for v in self.votes]}


def place_votes(session: Session, place: Place, person: Person | None) -> PlaceVotes:
    """The votes of a place, newest first; those in preparation only for whoever prepares them."""
    manages = may(person, Act.MANAGE_VOTES, place)
    return PlaceVotes(
        place=place, trail=places.ancestors(session, place), can_manage=manages, status_labels=labels.status_labels(),
        votes=[v for v in votes_in(session, place) if v.status != VoteStatus.DRAFT or manages],
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
    discussion: Any = None  # the thread (discussion.queries.ThreadView), which the view adds
    labels: Any = labels

    def as_json(self, url: UrlFor) -> dict[str, Any]:
        return {
            **summary(self.vote, url), "question": self.vote.question,
            "place": {"id": self.place.id, "name": self.place.name}, "options": self.options,
            "participation": self.turnout.as_json(), "result": self.result,
        }


def vote_page(session: Session, vote: Vote, place: Place, person: Person | None, user: User | None,
              discussion: Any = None) -> VotePage:
    entries = entries_for(session, vote, user) if user is not None and vote.status == VoteStatus.OPEN else []
    return VotePage(
        vote=vote, place=place, trail=[*places.ancestors(session, place), place], options=options_of(session, vote),
        turnout=turnout(session, vote), result=published_result(session, vote),
        mine=[(entry, own_ballot(session, vote, entry)) for entry in entries],
        can_manage=may(person, Act.MANAGE_VOTES, place), can_certify=may(person, Act.CERTIFY_VOTES, place),
        can_enter_paper=may(person, Act.ENTER_PAPER_BALLOTS, place), discussion=discussion,
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
    labels: Any = labels


def notice_page(session: Session, vote: Vote, place: Place) -> NoticePage:
    return NoticePage(
        vote=vote, place=place, trail=[*places.ancestors(session, place), place],
        result=dict(json.loads(vote.result_json)), turnout=turnout(session, vote),
        receipts=receipts(session, vote) if vote.secret else [], participants=participants(session, vote),
        certifier=session.get(User, vote.certified_by_id) if vote.certified_by_id else None,
    )


@dataclass(frozen=True)
class PaperPage:
    """Staff entering the paper ballots building leaders collected: who has not voted yet, found by name."""

    vote: Vote
    place: Place
    waiting: list[RollEntry]
    q: str
    options: list[str]
    error: str = ""
    labels: Any = labels


def paper_page(session: Session, vote: Vote, place: Place, query: str, error: str = "") -> PaperPage:
    return PaperPage(vote=vote, place=place, waiting=unvoted(session, vote, query), q=query,
                     options=options_of(session, vote), error=error)
