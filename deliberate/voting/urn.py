"""The urn of a secret vote: how a ballot goes from the voter to the published list without a trace between.

The transaction that marks a voter on the roll must also store the ballot, or an acknowledged ballot could be
lost. Whatever it stores can be read back from a copy of the database, its write-ahead log (SQLite's WAL,
PostgreSQL's transaction ids) or a diff of the two. So the ballot goes into the urn sealed: under a random
token, encrypted (AES-GCM) with a key derived from the server's SECRET_KEY, which is never in the database.
When the urn holds `MIX_AT` ballots of a vote, they are opened together and published in shuffled order
(`secret_ballot`, keyed by the receipt); the voters of that batch are indistinguishable from each other.
When the vote closes, every ballot of the vote is drawn and published again in one shuffled batch, so that
in the end no batch boundary remains either.

Ballots are cast side by side (each holds the vote only shared), so the urn takes care of its own concurrency:
a batch is drawn from the sealed rows no other transaction holds (`FOR UPDATE SKIP LOCKED` on PostgreSQL;
SQLite has one writer), and published only if it still holds `MIX_AT` of them. Two casters never publish the
same ballot, and none publishes a batch smaller than `MIX_AT` because the others took the rest.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import delete, func, insert
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from deliberate.db import SEALING_KEY
from deliberate.voting.models import SealedBallot, SecretBallot, Vote

MIX_AT = 10  # ballots per published batch: each voter hides among at least this many


class UrnKeyError(RuntimeError):
    """The sealed ballots cannot be opened: the server's SECRET_KEY is not the one they were sealed with."""


@dataclass(frozen=True)
class Paper:
    """One secret ballot's content, as sealed and as published."""

    receipt: str
    choice: str  # JSON
    heads: int
    area_centi: int
    paper_serial: str = ""


def _cipher(session: Session) -> AESGCM:
    key = session.info.get(SEALING_KEY)
    if not isinstance(key, bytes):
        raise UrnKeyError("this session carries no sealing key")
    return AESGCM(key)


def _aad(vote_id: int) -> bytes:
    return f"vote:{vote_id}".encode()  # a sealed ballot opens only for its own vote


def drop(session: Session, vote: Vote, paper: Paper) -> None:
    """Seals one ballot into the urn; when the urn is full enough, publishes its ballots."""
    nonce = secrets.token_bytes(12)
    sealed = nonce + _cipher(session).encrypt(nonce, json.dumps(asdict(paper)).encode(), _aad(vote.id))
    session.add(SealedBallot(token=secrets.token_hex(16), vote_id=vote.id, sealed=sealed))
    session.flush()
    if waiting(session, vote) >= MIX_AT:
        batch = session.exec(_sealed(vote).with_for_update(skip_locked=True)).all()
        if len(batch) >= MIX_AT:
            _publish(session, vote, _take(session, vote, batch))


def waiting(session: Session, vote: Vote) -> int:
    return int(session.exec(select(func.count()).select_from(SealedBallot)
                            .where(col(SealedBallot.vote_id) == vote.id)).one())


def _sealed(vote: Vote) -> SelectOfScalar[SealedBallot]:
    return select(SealedBallot).where(col(SealedBallot.vote_id) == vote.id).order_by(col(SealedBallot.token))


def sealed_papers(session: Session, vote: Vote) -> list[Paper]:
    """The ballots still in the urn, opened in memory (to count them while the vote is open)."""
    rows = session.exec(_sealed(vote)).all()
    return sorted((_open(session, vote, row) for row in rows), key=lambda paper: paper.receipt)


def find(session: Session, vote: Vote, receipt: str) -> Paper | None:
    """The ballot with this receipt, wherever it is; taken out (to be dropped in again changed).

    The urn is searched first and locked: a batch being published at the same moment either waits for this
    transaction or has already published the ballot, which the second look then finds."""
    return _find(session, vote, lambda paper: paper.receipt == receipt, col(SecretBallot.receipt) == receipt)


def find_paper(session: Session, vote: Vote, serial: str) -> Paper | None:
    """The paper ballot with this serial, wherever it is; taken out (staff correcting what they entered, who
    know the serial on the paper but not the receipt they handed on), as `find` does."""
    if not serial:
        return None
    return _find(session, vote, lambda paper: paper.paper_serial == serial, col(SecretBallot.paper_serial) == serial)


def _find(session: Session, vote: Vote, matches: Callable[[Paper], bool], published_where: Any) -> Paper | None:
    for row in session.exec(_sealed(vote).with_for_update()).all():
        paper = _open(session, vote, row)
        if matches(paper):
            session.exec(delete(SealedBallot).where(col(SealedBallot.token) == row.token))
            return paper
    published = session.exec(
        select(SecretBallot).where(published_where, col(SecretBallot.vote_id) == vote.id).with_for_update()
    ).first()
    if published is None:
        return None
    session.exec(delete(SecretBallot).where(col(SecretBallot.receipt) == published.receipt,
                                            col(SecretBallot.vote_id) == vote.id))
    return Paper(published.receipt, published.choice, published.heads, published.area_centi,
                 published.paper_serial)


def close(session: Session, vote: Vote) -> None:
    """Draws every ballot of the vote, sealed or already published, and publishes them in one shuffled batch.
    The caller holds the vote exclusively: no ballot is being cast."""
    papers = _take(session, vote, session.exec(_sealed(vote)).all())
    published = session.exec(select(SecretBallot).where(col(SecretBallot.vote_id) == vote.id)).all()
    papers += [Paper(b.receipt, b.choice, b.heads, b.area_centi, b.paper_serial) for b in published]
    session.exec(delete(SecretBallot).where(col(SecretBallot.vote_id) == vote.id))
    _publish(session, vote, papers)


def _take(session: Session, vote: Vote, rows: Sequence[SealedBallot]) -> list[Paper]:
    """Opens these sealed rows and removes them from the urn (only these: others may be arriving)."""
    papers = [_open(session, vote, row) for row in rows]
    tokens = [row.token for row in rows]
    session.exec(delete(SealedBallot).where(col(SealedBallot.token).in_(tokens)))
    for row in rows:
        session.expunge(row)
    return papers


def _publish(session: Session, vote: Vote, papers: list[Paper]) -> None:
    if not papers:
        return
    secrets.SystemRandom().shuffle(papers)
    # One statement with the rows in the shuffled order (the unit of work would sort them by key).
    session.execute(insert(SecretBallot), [{"vote_id": vote.id, **asdict(paper)} for paper in papers])


def check_key(session: Session) -> None:
    """Raises UrnKeyError if the ballots in the urn were sealed under another SECRET_KEY (they could not be
    counted): the server refuses to start rather than fail when the vote closes."""
    row = session.exec(select(SealedBallot).limit(1)).first()
    if row is not None:
        _open_row(session, row)


def _open(session: Session, vote: Vote, row: SealedBallot) -> Paper:
    assert row.vote_id == vote.id
    return _open_row(session, row)


def _open_row(session: Session, row: SealedBallot) -> Paper:
    try:
        content = _cipher(session).decrypt(row.sealed[:12], row.sealed[12:], _aad(row.vote_id))
    except InvalidTag as wrong_key:
        raise UrnKeyError("a sealed ballot does not open with this SECRET_KEY") from wrong_key
    fields: dict[str, Any] = json.loads(content)
    return Paper(**fields)


def serial_digest(session: Session, vote: Vote, serial: str) -> str:
    """A paper serial as the database keeps it to refuse a second: keyed with the urn's key, so that the row
    written beside a secret voter's mark cannot be matched with the serial their published ballot carries."""
    key = session.info.get(SEALING_KEY)
    if not isinstance(key, bytes):
        raise UrnKeyError("this session carries no sealing key")
    return hmac.new(key, f"paper-serial:{vote.id}:{serial}".encode(), hashlib.sha256).hexdigest()
