"""The only writers of votes and ballots, and the queries that count them."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from deliberate.accounts.models import User
from deliberate.clock import utcnow
from deliberate.places.models import Place
from deliberate.refusal import Refused
from deliberate.voting import electorate, labels, place_rules, queries, tally, urn
from deliberate.voting.models import (
    Ballot,
    Channel,
    ElectorateKind,
    PaperCorrection,
    PaperSerial,
    RollEntry,
    Vote,
    VoteOption,
    VoteStatus,
)

CHINA = ZoneInfo("Asia/Shanghai")  # whose calendar year decides who is 18
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud and copied by hand


class VoteError(Refused):
    """A request the vote refuses, named by a code (tests match it) and said in the person's language."""

    STATUS = {"bad_choice": 422, "not_on_roll": 403, "reason_needed": 422, "serial_needed": 422,
              "no_such_paper": 404, "owners_unchecked": 422}

    def __init__(self, code: str) -> None:
        super().__init__(labels.error_message(code), self.STATUS.get(code, 409))
        self.code = code

    def __str__(self) -> str:
        return self.code


@dataclass(frozen=True)
class CastResult:
    changed: bool
    receipt: str | None = None  # secret ballots only, shown to the voter once


def new_receipt() -> str:
    code = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(10))
    return f"{code[:5]}-{code[5:]}"


def do_create_vote(
    session: Session, *, place: Place, title: str, question: str, form: str, rule: str, electorate_kind: str,
    secret: bool, closes_at: datetime, options: list[str], by: User, results_while_open: bool = False,
    subject: tuple[str, int] | None = None, opens_at: datetime | None = None,
) -> Vote:
    """A vote in preparation. With `opens_at` it opens by itself at that time (see open_if_due)."""
    vote = Vote(
        place_id=place.id, title=title, question=question, form=form, rule=rule,
        electorate=electorate_kind, secret=secret, closes_at=closes_at, created_by_id=by.id, opens_at=opens_at,
        results_while_open=results_while_open,
        subject_kind=subject[0] if subject else "", subject_id=subject[1] if subject else None,
        non_voters_with_majority=rule in tally.OWNERS_RULES and place_rules.non_voters_with_majority(session, place),
    )
    session.add(vote)
    session.flush()
    for position, label in enumerate(options):
        session.add(VoteOption(vote_id=vote.id, position=position, label=label))
    session.flush()
    return vote


def check_owners_named_apart(session: Session, vote: Vote, place: Place, *, checked: bool) -> None:
    """Before staff open an owners' vote, they have seen the owners whose names collide (electorate.name_collisions)
    and said so (`checked`); else VoteError. The clock opening a vote at its time asks nobody."""
    if vote.electorate == ElectorateKind.OWNERS and not checked and electorate.name_collisions(session, place):
        raise VoteError("owners_unchecked")


def do_open(session: Session, vote: Vote, place: Place, *, now: datetime | None = None) -> int:
    """Draws the roll from the place as it is now and freezes it; returns its size."""
    now = now or utcnow()
    if vote.status != VoteStatus.DRAFT:
        raise VoteError("not_draft")
    if vote.closes_at <= now:
        raise VoteError("closes_in_past")
    voters = electorate.draw(session, place, vote.electorate, year=now.astimezone(CHINA).year)
    if not voters:
        raise VoteError("empty_roll")
    if vote.rule in tally.OWNERS_RULES and sum(v.area_centi for v in voters) == 0:
        raise VoteError("no_area")  # the owners' rules weigh by area: the register must give it
    for voter in voters:
        session.add(RollEntry(
            vote_id=vote.id, voter_key=voter.key, label=voter.label, user_id=voter.user_id,
            household_ids=",".join(str(i) for i in voter.household_ids), owner_name=voter.owner_name,
            heads=voter.heads, area_centi=voter.area_centi,
        ))
    vote.status = VoteStatus.OPEN
    vote.opens_at = now
    session.add(vote)
    session.flush()
    return len(voters)


def check_choice(vote: Vote, options: list[str], choice: Any) -> Any:
    """The ballot's choice as stored, or VoteError("bad_choice")."""
    if vote.form == tally.Form.YES_NO:
        if choice in ("yes", "no", "abstain"):
            return choice
        raise VoteError("bad_choice")
    if vote.form == tally.Form.CHOOSE_ONE:
        if choice == "abstain" or choice in options:
            return choice
        raise VoteError("bad_choice")
    if choice == "abstain" or choice == []:
        return "abstain"
    if isinstance(choice, list) and choice and len(set(choice)) == len(choice) and all(c in options for c in choice):
        return [c for c in options if c in choice]
    raise VoteError("bad_choice")


def _accepting(vote: Vote, now: datetime) -> None:
    if vote.status != VoteStatus.OPEN:
        raise VoteError("not_open")
    if now >= vote.closes_at:
        raise VoteError("closed")


def do_cast(
    session: Session, vote: Vote, entry: RollEntry, choice: Any, *, channel: str = Channel.ONLINE,
    entered_by: User | None = None, paper_serial: str = "", receipt: str = "", now: datetime | None = None,
) -> CastResult:
    """Records one voter's ballot. A voter never has two: the database refuses a second row (open
    ballots) or a second mark on the roll (secret ballots), whatever the concurrency."""
    now = now or utcnow()
    _accepting(vote, now)
    if entry.vote_id != vote.id:
        raise VoteError("not_on_roll")
    stored = json.dumps(check_choice(vote, queries.options_of(session, vote), choice), ensure_ascii=False)
    paper_serial = normal_serial(paper_serial) if channel == Channel.PAPER else ""
    if vote.secret:
        return _cast_secret(session, vote, entry, stored, channel, entered_by, paper_serial, receipt)
    return _cast_open(session, vote, entry, stored, channel, entered_by, paper_serial, now)


def _insert(session: Session):  # type: ignore[no-untyped-def]
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _cast_open(
    session: Session, vote: Vote, entry: RollEntry, stored: str, channel: str, entered_by: User | None,
    paper_serial: str, now: datetime,
) -> CastResult:
    values = {"vote_id": vote.id, "roll_entry_id": entry.id, "choice": stored, "channel": channel,
              "paper_serial": paper_serial, "entered_by_id": entered_by.id if entered_by else None, "cast_at": now,
              "changes": 0}
    statement = _insert(session)(Ballot).values(**values)
    if channel == Channel.ONLINE:
        # A voter may change an online ballot until close; a paper ballot stands.
        statement = statement.on_conflict_do_update(
            index_elements=["roll_entry_id"],
            set_={"choice": stored, "cast_at": now, "changes": Ballot.changes + 1},
            where=Ballot.channel == Channel.ONLINE,
        )
    else:
        statement = statement.on_conflict_do_nothing(index_elements=["roll_entry_id"])
    # RETURNING, not rowcount: PostgreSQL reports no rowcount for an upsert. No row back means the
    # conflict was not ours to overwrite.
    written = session.exec(statement.returning(Ballot.changes)).first()
    if written is None:
        raise VoteError("voted_on_paper" if channel == Channel.ONLINE else "already_voted")
    changed = bool(written[0])
    _mark_voted(session, entry, channel, entered_by)
    _claim_serial(session, vote, paper_serial)
    return CastResult(changed=changed)


def normal_serial(serial: str) -> str:
    """A paper serial as typed, without spaces and in capitals: "hp1 0017" is HP1-0017's neighbour, not another."""
    return "".join(serial.split()).upper()


def _claim_serial(session: Session, vote: Vote, serial: str) -> None:
    """The database holds each serial of a vote once: a second ballot with it is refused, whatever the concurrency."""
    if not serial:
        return
    digest = urn.serial_digest(session, vote, serial)
    claimed = session.exec(_insert(session)(PaperSerial).values(vote_id=vote.id, digest=digest)
                           .on_conflict_do_nothing().returning(PaperSerial.digest)).first()
    if claimed is None:
        raise VoteError("serial_taken")


def _release_serial(session: Session, vote: Vote, serial: str) -> None:
    session.exec(delete(PaperSerial).where(col(PaperSerial.vote_id) == vote.id,
                                           col(PaperSerial.digest) == urn.serial_digest(session, vote, serial)))


def _mark_voted(session: Session, entry: RollEntry, channel: str, entered_by: User | None) -> int:
    result = session.exec(
        update(RollEntry).where(col(RollEntry.id) == entry.id, RollEntry.has_voted.is_(False))  # type: ignore[attr-defined]
        .values(has_voted=True, channel=channel, entered_by_id=entered_by.id if entered_by else None)
    )
    return result.rowcount


def _cast_secret(
    session: Session, vote: Vote, entry: RollEntry, stored: str, channel: str, entered_by: User | None,
    paper_serial: str, receipt: str,
) -> CastResult:
    if _mark_voted(session, entry, channel, entered_by) == 1:
        _claim_serial(session, vote, paper_serial)
        code = new_receipt()
        urn.drop(session, vote, urn.Paper(code, stored, entry.heads, entry.area_centi, paper_serial))
        return CastResult(changed=False, receipt=code)
    # Already on the roll as voted: only the receipt, which only the voter holds, finds the ballot.
    if channel != Channel.ONLINE:
        raise VoteError("already_voted")
    session.refresh(entry, with_for_update=True)  # one change of this ballot at a time
    if entry.channel == Channel.PAPER:
        raise VoteError("voted_on_paper")
    found = urn.find(session, vote, receipt.strip().upper()) if receipt else None
    if found is None or found.paper_serial:
        raise VoteError("receipt_needed")
    urn.drop(session, vote, replace(found, choice=stored))
    return CastResult(changed=True, receipt=found.receipt)


@dataclass(frozen=True)
class Correction:
    serial: str  # the serial of the paper ballot entered by mistake
    new_serial: str  # the serial it has now ("" keeps it)
    choice: Any
    reason: str
    entry: RollEntry | None = None  # open votes: whose ballot it is now (None: the same voter)


def do_correct_paper(session: Session, vote: Vote, correction: Correction, *, by: User,
                     now: datetime | None = None) -> PaperCorrection:
    """Voids a paper ballot entered by mistake and enters it again, before the close; who, when and why stay on
    the record. On an open vote it may go to another voter (the wrong household was picked); a secret ballot keeps
    its voter, its weight and its receipt, and the record keeps only the serials."""
    now = now or utcnow()
    _accepting(vote, now)
    if not correction.reason.strip():
        raise VoteError("reason_needed")
    serial, new_serial = normal_serial(correction.serial), normal_serial(correction.new_serial or correction.serial)
    stored = json.dumps(check_choice(vote, queries.options_of(session, vote), correction.choice), ensure_ascii=False)
    record = PaperCorrection(vote_id=vote.id, by_id=by.id, at=now, reason=correction.reason.strip(),
                             old_serial=serial, new_serial=new_serial)
    if vote.secret:
        found = urn.find_paper(session, vote, serial)
        if found is None:
            raise VoteError("no_such_paper")
        _release_serial(session, vote, serial)
        _claim_serial(session, vote, new_serial)
        urn.drop(session, vote, replace(found, choice=stored, paper_serial=new_serial))
    else:
        ballot = session.exec(select(Ballot).where(col(Ballot.vote_id) == vote.id, col(Ballot.paper_serial) == serial,
                                                   col(Ballot.channel) == Channel.PAPER).with_for_update()).first()
        if ballot is None:
            raise VoteError("no_such_paper")
        old = session.get(RollEntry, ballot.roll_entry_id)
        assert old is not None
        record.old_voter, record.old_choice = old.label, ballot.choice
        session.delete(ballot)
        _release_serial(session, vote, serial)
        session.exec(update(RollEntry).where(col(RollEntry.id) == old.id)
                     .values(has_voted=False, channel=None, entered_by_id=None))
        session.flush()
        entry = correction.entry or old
        session.refresh(entry)
        _cast_open(session, vote, entry, stored, Channel.PAPER, by, new_serial, now)
        record.new_voter, record.new_choice = entry.label, stored
    session.add(record)
    session.flush()
    return record


def check_closable(session: Session, vote: Vote, *, now: datetime | None = None) -> tuple[int, int]:
    """Refuses (VoteError) unless the vote is open and its closing time has come or everyone has voted; else the
    heads on its roll and the heads who voted."""
    if vote.status != VoteStatus.OPEN:
        raise VoteError("not_open")
    heads, _area, voted, _voted_area = queries.roll_totals(session, vote)
    if (now or utcnow()) < vote.closes_at and voted < heads:
        raise VoteError("too_early")
    return heads, voted


def do_close(session: Session, vote: Vote, *, now: datetime | None = None) -> None:
    """Closes at or after the closing time, or earlier once everyone on the roll has voted."""
    now = now or utcnow()
    heads, voted = check_closable(session, vote, now=now)
    vote.status = VoteStatus.CLOSED
    vote.closed_at = now
    vote.roll_heads, vote.voted_heads = heads, voted  # final: no ballot comes after the close
    session.add(vote)
    if vote.secret:
        urn.close(session, vote)
    session.flush()
    # Counted once, here: the ballots no longer change, and the pages show this count.
    vote.result_json = json.dumps(queries.result_of(session, vote).to_json(), ensure_ascii=False)
    session.add(vote)
    session.flush()


def do_certify(session: Session, vote: Vote, *, by: User) -> tally.Result:
    """Publishes the result as counted now. A vote that decides something of a higher domain (a proposal's
    plans) is certified through that domain's own action, which calls this and then acts on the result."""
    if vote.status != VoteStatus.CLOSED:
        raise VoteError("not_closed")
    stored = queries.stored_result(vote)
    result = tally.result_from_json(stored) if stored is not None else queries.result_of(session, vote)
    vote.result_json = json.dumps(result.to_json(), ensure_ascii=False)
    vote.status = VoteStatus.CERTIFIED
    vote.certified_at = utcnow()
    vote.certified_by_id = by.id
    session.add(vote)
    session.flush()
    return result


def do_withdraw(session: Session, vote: Vote, *, by: User, reason: str, now: datetime | None = None) -> None:
    """Calls off a vote whose result is not certified yet, with a reason on the record. Its ballots are kept but
    never counted or shown; a secret vote's urn is emptied into one shuffled batch, as when a vote closes, so
    that no sealed ballot waits and no batch boundary remains."""
    now = now or utcnow()
    if vote.status not in VoteStatus.DECIDING:
        raise VoteError("not_withdrawable")
    if not reason.strip():
        raise VoteError("reason_needed")
    was_open = vote.status == VoteStatus.OPEN
    vote.status = VoteStatus.WITHDRAWN
    vote.withdrawn_at, vote.withdrawn_by_id, vote.withdrawal_reason = now, by.id, reason.strip()
    if was_open:
        vote.closed_at = now  # ballots stop here (and the clock truncates the WAL after a secret one)
    session.add(vote)
    if was_open and vote.secret:
        urn.close(session, vote)
    session.flush()


def is_due(vote: Vote, now: datetime) -> bool:
    return vote.status == VoteStatus.DRAFT and vote.opens_at is not None and vote.opens_at <= now


def due_to_open(session: Session, now: datetime) -> list[int]:
    """Votes in preparation whose opening time has come (and whose closing time has not)."""
    return list(session.exec(
        select(Vote.id).where(col(Vote.status) == VoteStatus.DRAFT, col(Vote.opens_at) <= now, Vote.closes_at > now)
        .order_by(col(Vote.id))
    ).all())


def due_to_close(session: Session, now: datetime) -> list[int]:
    """Open votes whose closing time has passed."""
    return list(session.exec(
        select(Vote.id).where(col(Vote.status) == VoteStatus.OPEN, Vote.closes_at <= now).order_by(col(Vote.id))
    ).all())


def secret_closed_since(session: Session, since: datetime) -> bool:
    """Whether a secret vote has closed (its ballots published again in one shuffled batch) since then."""
    return session.exec(
        select(Vote.id).where(col(Vote.secret).is_(True), col(Vote.closed_at) >= since).limit(1)
    ).first() is not None


def _locked(session: Session, vote_id: int) -> Vote | None:
    """The vote's row for this transaction: of several processes asking together, one acts and the others
    find it already done."""
    return session.exec(
        select(Vote).where(col(Vote.id) == vote_id).with_for_update().execution_options(populate_existing=True)
    ).first()


def close_if_due(session: Session, vote_id: int, *, now: datetime | None = None) -> bool:
    """Closes an open vote whose closing time has passed, in the caller's write transaction."""
    now = now or utcnow()
    vote = _locked(session, vote_id)
    if vote is None or vote.status != VoteStatus.OPEN or now < vote.closes_at:
        return False
    do_close(session, vote, now=now)
    return True


def open_if_due(session: Session, vote_id: int, *, now: datetime | None = None) -> bool:
    """Opens a vote whose scheduled opening time has come, in the caller's write transaction."""
    now = now or utcnow()
    vote = _locked(session, vote_id)
    if vote is None or not is_due(vote, now):
        return False
    place = session.get(Place, vote.place_id)
    assert place is not None
    if vote.closes_at <= now:
        return False  # never opened in time; the council sees it still in preparation
    do_open(session, vote, place, now=now)
    return True
