"""Rolls drawn and frozen at opening; one ballot per voter whatever the channel or concurrency; secrecy."""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta

import pytest
from factories import make_resident, make_town, make_user, reload
from sqlalchemy import inspect
from sqlmodel import func, select

from deliberate.clock import utcnow
from deliberate.models import metadata
from deliberate.places.actions import do_add_member, do_add_owner
from deliberate.voting import actions, queries
from deliberate.voting.actions import VoteError
from deliberate.voting.electorate import Unit, owner_voters
from deliberate.voting.models import Ballot, Channel, RollEntry, Vote

_CREATORS = itertools.count()


def _vote(session, place, *, electorate="adults", secret=False, form="yes_no", options=(), rule="majority"):
    creator = make_user(session, f"creator{next(_CREATORS)}")
    vote = actions.do_create_vote(
        session, place=place, title="加装电梯", question="是否同意？", form=form, rule=rule,
        electorate_kind=electorate, secret=secret, closes_at=utcnow() + timedelta(days=7), options=list(options),
        by=creator,
    )
    actions.do_open(session, vote, place)
    session.commit()
    return vote


def _entry(session, vote, user):
    entries = queries.entries_for(session, vote, user)
    assert len(entries) == 1
    return entries[0]


def test_the_court_counts_one_buyer_of_several_units_once_and_the_developer_once():
    units = [
        Unit(1, "1号楼101", 8950, ("张三",), False),
        Unit(2, "1号楼102", 10000, ("张三",), False),
        Unit(3, "1号楼201", 9000, ("李四", "王五"), False),
        Unit(4, "1号楼202", 9500, ("阳光置业",), True),
        Unit(5, "1号楼301", 9600, ("阳光置业",), True),
        Unit(6, "1号楼302", 9700, (), False),
    ]
    voters = {v.key: v for v in owner_voters(units)}
    assert set(voters) == {"owner:张三", "unit:3", "developer"}
    assert voters["owner:张三"].area_centi == 18950 and voters["owner:张三"].heads == 1
    assert voters["unit:3"].area_centi == 9000
    assert voters["developer"].area_centi == 19100 and voters["developer"].heads == 1


def test_the_adult_roll_counts_residents_who_turn_18_this_year_and_not_younger(session):
    town = make_town(session)
    household = town.households[0]
    year = utcnow().year
    do_add_member(session, household, name="刚成年", birth_year=year - 18)
    do_add_member(session, household, name="未成年", birth_year=year - 17)
    session.commit()
    vote = _vote(session, town.building(0))
    labels = [e.label for e in session.exec(select(RollEntry).where(RollEntry.vote_id == vote.id)).all()]
    assert any("刚成年" in label for label in labels)
    assert not any("未成年" in label for label in labels)
    assert len(labels) == 3  # the two registered adults of the building and the new one


def test_the_roll_is_frozen_when_the_vote_opens(session):
    town = make_town(session)
    vote = _vote(session, town.building(0))
    before = session.exec(select(func.count()).select_from(RollEntry).where(RollEntry.vote_id == vote.id)).one()
    do_add_member(session, town.households[0], name="后搬来", birth_year=1980)
    session.commit()
    after = session.exec(select(func.count()).select_from(RollEntry).where(RollEntry.vote_id == vote.id)).one()
    assert before == after == 2


def test_owner_rolls_weigh_by_area_from_the_register(session):
    town = make_town(session)
    for household in town.households[:2]:
        do_add_owner(session, household, name="业主甲")
    session.commit()
    vote = _vote(session, town.building(0), electorate="owners")
    entries = session.exec(select(RollEntry).where(RollEntry.vote_id == vote.id)).all()
    assert [(e.voter_key, e.heads, e.area_centi) for e in entries] == [("owner:业主甲", 1, 8950 + 9950)]


def test_a_voter_changes_an_open_ballot_and_keeps_exactly_one(session):
    town = make_town(session)
    resident = make_resident(session, "r1", town.households[0])
    vote = _vote(session, town.building(0))
    entry = _entry(session, vote, resident)
    assert not actions.do_cast(session, vote, entry, "yes").changed
    assert actions.do_cast(session, vote, entry, "no").changed
    session.commit()
    ballots = session.exec(select(Ballot).where(Ballot.vote_id == vote.id)).all()
    assert [(b.choice, b.changes) for b in ballots] == [('"no"', 1)]


def test_paper_and_online_exclude_each_other(session):
    town = make_town(session)
    staff = make_user(session, "staffer")
    online = make_resident(session, "r1", town.households[0])
    vote = _vote(session, town.building(0))
    entries = session.exec(select(RollEntry).where(RollEntry.vote_id == vote.id).order_by(RollEntry.id)).all()
    mine = _entry(session, vote, online)
    other = next(e for e in entries if e.id != mine.id)
    actions.do_cast(session, vote, mine, "yes")
    with pytest.raises(VoteError, match="already_voted"):
        actions.do_cast(session, vote, mine, "no", channel=Channel.PAPER, entered_by=staff, paper_serial="A-001")
    actions.do_cast(session, vote, other, "no", channel=Channel.PAPER, entered_by=staff, paper_serial="A-002")
    with pytest.raises(VoteError, match="already_voted"):
        actions.do_cast(session, vote, other, "yes", channel=Channel.PAPER, entered_by=staff, paper_serial="A-003")
    session.commit()
    assert session.exec(select(func.count()).select_from(Ballot).where(Ballot.vote_id == vote.id)).one() == 2
    paper = session.exec(select(Ballot).where(Ballot.channel == Channel.PAPER)).one()
    assert paper.entered_by_id == staff.id and paper.paper_serial == "A-002"


def test_a_paper_voter_cannot_then_vote_online(session):
    town = make_town(session)
    staff = make_user(session, "staffer")
    resident = make_resident(session, "r1", town.households[0])
    for secret in (False, True):
        vote = _vote(session, town.building(0), secret=secret)
        entry = _entry(session, vote, resident)
        actions.do_cast(session, vote, entry, "no", channel=Channel.PAPER, entered_by=staff, paper_serial="P1")
        with pytest.raises(VoteError, match="voted_on_paper"):
            actions.do_cast(session, vote, entry, "yes")
        session.rollback()


def test_a_secret_ballot_is_changed_only_with_its_receipt(session):
    town = make_town(session)
    resident = make_resident(session, "r1", town.households[0])
    vote = _vote(session, town.building(0), secret=True)
    entry = _entry(session, vote, resident)
    first = actions.do_cast(session, vote, entry, "yes")
    assert first.receipt and len(first.receipt) == 11
    with pytest.raises(VoteError, match="receipt_needed"):
        actions.do_cast(session, vote, entry, "no")
    with pytest.raises(VoteError, match="receipt_needed"):
        actions.do_cast(session, vote, entry, "no", receipt="WRONG-CODE0")
    changed = actions.do_cast(session, vote, entry, "no", receipt=first.receipt.lower())
    assert changed.changed and changed.receipt == first.receipt
    session.commit()
    assert queries.receipts(session, vote) == [(first.receipt, "no")]


def test_nothing_in_the_database_links_the_roll_to_a_secret_ballot(session, database):
    town = make_town(session)
    resident = make_resident(session, "r1", town.households[0])
    vote = _vote(session, town.building(0), secret=True)
    receipt = actions.do_cast(session, vote, _entry(session, vote, resident), "yes").receipt
    session.commit()
    secret_table = metadata.tables["secret_ballot"]
    assert {fk.column.table.name for fk in secret_table.foreign_keys} == {"vote"}
    assert set(secret_table.columns.keys()) == {"receipt", "vote_id", "choice", "heads", "area_centi", "paper_serial"}
    for table in metadata.tables.values():
        assert all(fk.column.table.name != "secret_ballot" for fk in table.foreign_keys), table.name
    # The database as it really is (the migrations), not only the models.
    with database.engine.connect() as connection:
        live = inspect(connection)
        assert {c["name"] for c in live.get_columns("secret_ballot")} == set(secret_table.columns.keys())
        assert [fk["referred_table"] for fk in live.get_foreign_keys("secret_ballot")] == ["vote"]
    # And no row of the roll carries the receipt or the choice.
    for entry in session.exec(select(RollEntry).where(RollEntry.vote_id == vote.id)).all():
        assert receipt not in str(entry.model_dump().values())
    assert session.exec(select(Ballot).where(Ballot.vote_id == vote.id)).all() == []
    assert "voter" not in str(queries.recount_export(session, vote))


def test_casting_after_the_closing_time_is_refused(session):
    town = make_town(session)
    resident = make_resident(session, "r1", town.households[0])
    vote = _vote(session, town.building(0))
    entry = _entry(session, vote, resident)
    with pytest.raises(VoteError, match="closed"):
        actions.do_cast(session, vote, entry, "yes", now=vote.closes_at)


def test_a_vote_closes_early_only_when_everyone_has_voted(session):
    town = make_town(session)
    resident = make_resident(session, "r1", town.households[0])
    vote = _vote(session, town.households and town.building(0))
    with pytest.raises(VoteError, match="too_early"):
        actions.do_close(session, vote)
    staff = make_user(session, "staffer")
    for entry in session.exec(select(RollEntry).where(RollEntry.vote_id == vote.id)).all():
        if entry.user_id == resident.id:
            actions.do_cast(session, vote, entry, "yes")
        else:
            actions.do_cast(session, vote, entry, "no", channel=Channel.PAPER, entered_by=staff,
                            paper_serial=f"X-{entry.id}")
    actions.do_close(session, vote)
    assert vote.status == "closed"


def test_bad_choices_are_refused(session):
    town = make_town(session)
    resident = make_resident(session, "r1", town.households[0])
    vote = _vote(session, town.building(0), form="choose_many", options=("竖铺", "横铺", "人字铺"), rule="plurality")
    entry = _entry(session, vote, resident)
    for bad in ("yes", ["竖铺", "竖铺"], ["斜铺"], 3, None):
        with pytest.raises(VoteError, match="bad_choice"):
            actions.do_cast(session, vote, entry, bad)
    actions.do_cast(session, vote, entry, ["人字铺", "竖铺"])
    session.commit()
    assert session.exec(select(Ballot.choice)).one() == '["竖铺", "人字铺"]'


@pytest.mark.parametrize("secret", [False, True])
def test_many_concurrent_casts_by_one_voter_leave_exactly_one_ballot(session, database, secret):
    town = make_town(session)
    resident = make_resident(session, "r1", town.households[0])
    vote = _vote(session, town.building(0), secret=secret)
    entry_id = _entry(session, vote, resident).id
    vote_id = vote.id
    errors: list[BaseException] = []
    outcomes: list[str] = []

    def cast(choice: str) -> None:
        try:
            with database.writing() as s:
                fresh_vote = s.get(Vote, vote_id)
                fresh_entry = s.get(RollEntry, entry_id)
                result = actions.do_cast(s, fresh_vote, fresh_entry, choice)
                outcomes.append("changed" if result.changed else "first")
        except VoteError as refused:
            outcomes.append(refused.code)
        except BaseException as error:  # noqa: BLE001 - asserted below
            errors.append(error)

    threads = [threading.Thread(target=cast, args=("yes" if n % 2 else "no",)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert outcomes.count("first") == 1
    reload(session)
    if secret:  # published or still sealed in the urn
        assert len(queries.secret_papers(session, session.get(Vote, vote_id))) == 1
    else:
        assert session.exec(select(func.count()).select_from(Ballot).where(Ballot.vote_id == vote_id)).one() == 1
    assert session.get(RollEntry, entry_id).has_voted


def test_an_owners_vote_cannot_open_without_areas_in_the_register(session):
    town = make_town(session)
    for household in town.households[:2]:
        household.area_centi = 0
        session.add(household)
        do_add_owner(session, household, name="业主乙")
    session.commit()
    creator = make_user(session, "creator")
    vote = actions.do_create_vote(
        session, place=town.building(0), title="维修资金", question="", form="yes_no", rule="owners_ordinary",
        electorate_kind="owners", secret=False, closes_at=utcnow() + timedelta(days=7), options=[], by=creator,
    )
    with pytest.raises(VoteError, match="no_area"):
        actions.do_open(session, vote, town.building(0))


def test_one_vote_per_household_cast_by_any_verified_member(session):
    town = make_town(session)
    household = town.households[0]
    do_add_member(session, household, name="配偶", birth_year=1962)
    session.commit()
    first = make_resident(session, "first", household)
    second = make_resident(session, "second", household)
    vote = _vote(session, town.building(0), electorate="households")
    roll = session.exec(select(RollEntry).where(RollEntry.vote_id == vote.id)).all()
    assert [e.voter_key for e in roll] == [f"household:{h.id}" for h in town.households[:2]]
    mine, theirs = _entry(session, vote, first), _entry(session, vote, second)
    assert mine.id == theirs.id  # the same household's one vote
    actions.do_cast(session, vote, mine, "yes")
    assert actions.do_cast(session, vote, theirs, "no").changed  # the household changes its mind
    session.commit()
    assert session.exec(select(func.count()).select_from(Ballot)).one() == 1


def test_the_council_electorate_is_this_places_council_only(session):
    from factories import grant

    town = make_town(session)
    compound = town.compounds[0]
    members = [make_user(session, f"c{n}") for n in range(3)]
    for member in members:
        grant(session, member, "council", compound)
    grant(session, make_user(session, "lower"), "council", town.building(0))
    grant(session, make_user(session, "upper"), "council", town.community)
    vote = _vote(session, compound, electorate="council")
    roll = session.exec(select(RollEntry).where(RollEntry.vote_id == vote.id)).all()
    assert sorted(e.user_id for e in roll) == sorted(m.id for m in members)
    assert _entry(session, vote, members[0]).user_id == members[0].id


def test_the_representatives_are_the_building_leaders_within_the_place(session):
    from factories import grant

    town = make_town(session)
    leaders = [make_user(session, f"leader{n}") for n in range(4)]
    for leader, building in zip(leaders, town.buildings, strict=True):
        grant(session, leader, "building_leader", building)
    vote = _vote(session, town.compounds[0], electorate="representatives")
    roll = session.exec(select(RollEntry).where(RollEntry.vote_id == vote.id)).all()
    assert sorted(e.user_id for e in roll) == sorted(leader.id for leader in leaders[:2])


def test_a_scheduled_vote_opens_by_itself_once_however_many_ask_together(session, database):
    town = make_town(session)
    creator = make_user(session, "creator")
    vote = actions.do_create_vote(
        session, place=town.building(0), title="定时开始", question="", form="yes_no", rule="majority",
        electorate_kind="adults", secret=False, closes_at=utcnow() + timedelta(days=7), options=[], by=creator,
        opens_at=utcnow() + timedelta(hours=1),
    )
    session.commit()
    vote_id = vote.id
    with database.writing() as s:
        assert not actions.open_if_due(s, vote_id)  # not yet
    reload(session)
    session.get(Vote, vote_id).opens_at = utcnow() - timedelta(seconds=1)
    session.commit()
    opened: list[bool] = []
    errors: list[BaseException] = []

    def ask() -> None:
        try:
            with database.writing() as s:
                opened.append(actions.open_if_due(s, vote_id))
        except BaseException as error:  # noqa: BLE001 - asserted below
            errors.append(error)

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and opened.count(True) == 1
    reload(session)
    assert session.get(Vote, vote_id).status == "open"
    assert session.exec(select(func.count()).select_from(RollEntry).where(RollEntry.vote_id == vote_id)).one() == 2
