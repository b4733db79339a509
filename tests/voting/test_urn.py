"""The urn of a secret vote: ballots sealed as cast, published in shuffled batches, all again at the close."""

from __future__ import annotations

from datetime import timedelta

import pytest
from factories import make_town, make_user
from sqlmodel import Session, select

from deliberate.clock import utcnow
from deliberate.db import SEALING_KEY
from deliberate.voting import actions, queries, urn
from deliberate.voting.models import SealedBallot, SecretBallot, Vote


def _secret_vote(session: Session) -> Vote:
    town = make_town(session)
    vote = actions.do_create_vote(
        session, place=town.community, title="路面", question="", form="yes_no", rule="majority",
        electorate_kind="households", secret=True, closes_at=utcnow() + timedelta(days=7), options=[],
        by=make_user(session, "creator"))
    actions.do_open(session, vote, town.community)
    return vote


def _paper(n: int, choice: str = '"yes"') -> urn.Paper:
    return urn.Paper(receipt=f"R{n:04d}", choice=choice, heads=1, area_centi=0)


def _published(session: Session, vote: Vote) -> set[str]:
    return {b.receipt for b in session.exec(select(SecretBallot).where(SecretBallot.vote_id == vote.id))}


def test_ballots_stay_sealed_until_a_batch_is_full_then_are_published_together(session: Session) -> None:
    vote = _secret_vote(session)
    for n in range(urn.MIX_AT - 1):
        urn.drop(session, vote, _paper(n))
    assert _published(session, vote) == set() and urn.waiting(session, vote) == urn.MIX_AT - 1
    sealed = session.exec(select(SealedBallot)).all()
    assert all(b"R000" not in row.sealed and b"yes" not in row.sealed for row in sealed)  # nothing readable
    urn.drop(session, vote, _paper(99))
    assert urn.waiting(session, vote) == 0
    assert _published(session, vote) == {f"R{n:04d}" for n in [*range(urn.MIX_AT - 1), 99]}


def test_the_count_while_open_includes_the_sealed_and_the_close_publishes_everything_again(session: Session) -> None:
    vote = _secret_vote(session)
    for n in range(urn.MIX_AT + 3):
        urn.drop(session, vote, _paper(n, '"no"' if n % 3 else '"yes"'))
    assert len(queries.secret_papers(session, vote)) == urn.MIX_AT + 3
    urn.close(session, vote)
    assert urn.waiting(session, vote) == 0 and len(_published(session, vote)) == urn.MIX_AT + 3


def test_a_ballot_is_found_by_its_receipt_sealed_or_published(session: Session) -> None:
    vote = _secret_vote(session)
    for n in range(urn.MIX_AT + 1):
        urn.drop(session, vote, _paper(n))
    published, sealed = urn.find(session, vote, "R0000"), urn.find(session, vote, f"R{urn.MIX_AT:04d}")
    assert published is not None and sealed is not None and urn.find(session, vote, "NOPE") is None
    assert "R0000" not in _published(session, vote) and urn.waiting(session, vote) == 0


def test_ballots_sealed_under_another_secret_key_refuse_to_open(session: Session) -> None:
    vote = _secret_vote(session)
    urn.drop(session, vote, _paper(1))
    urn.check_key(session)
    session.info[SEALING_KEY] = b"\x00" * 32
    with pytest.raises(urn.UrnKeyError):
        urn.check_key(session)
    with pytest.raises(urn.UrnKeyError):
        urn.close(session, vote)
