"""An owners' roll counts one head per owner identity: two owners who share a name are two heads, one owner of several
units is one head with all their area (民法典 第二百七十八条, 建筑物区分所有权司法解释 第九条)."""

from __future__ import annotations

from datetime import timedelta

from factories import make_resident, make_town, make_user
from sqlmodel import select

from deliberate.clock import utcnow
from deliberate.places.actions import do_add_owner
from deliberate.voting import actions, electorate, queries
from deliberate.voting.electorate import Unit, owner_voters
from deliberate.voting.models import RollEntry

A, B = "a" * 64, "b" * 64  # two identities as stored (rules.owner_identity's hex)


def _heads(units):
    voters = owner_voters(units)
    return len(voters), {v.label: v.area_centi for v in voters}


def test_two_different_owners_who_share_a_name_are_two_heads():
    heads, areas = _heads([Unit(1, "1号楼101", 9000, ("张伟",), False, (A,)),
                           Unit(2, "2号楼101", 8000, ("张伟",), False, (B,))])
    assert heads == 2
    assert areas == {"张伟（1号楼101）": 9000, "张伟（2号楼101）": 8000}


def test_one_owner_of_two_units_is_one_head_with_the_area_of_both():
    voters = owner_voters([Unit(1, "1号楼101", 9000, ("王芳",), False, (A,)),
                           Unit(5, "2号楼301", 8000, ("王芳",), False, (A,))])
    assert [(v.heads, v.area_centi, v.household_ids) for v in voters] == [(1, 17000, (1, 5))]
    assert voters[0].key == "holder:1"  # the identity itself is never written on the roll
    assert A not in voters[0].key + voters[0].label


def test_the_same_identity_under_two_spellings_is_still_one_buyer():
    heads, _areas = _heads([Unit(1, "1号楼101", 9000, ("王芳",), False, (A,)),
                            Unit(2, "1号楼102", 9000, ("王 芳",), False, (A,))])
    assert heads == 1


def test_owners_without_an_identity_are_told_apart_by_name_alone_as_before():
    units = [Unit(1, "1号楼101", 9000, ("张伟",), False), Unit(2, "2号楼101", 8000, ("张伟",), False),
             Unit(3, "2号楼102", 7000, ("张伟",), False, (A,))]
    voters = {v.key: v for v in owner_voters(units)}
    assert set(voters) == {"owner:张伟", "holder:3"}
    assert voters["owner:张伟"].area_centi == 17000


def test_a_unit_whose_two_owners_share_a_name_but_not_an_identity_is_co_owned():
    voters = owner_voters([Unit(1, "1号楼101", 9000, ("张伟", "张伟"), False, (A, B))])
    assert [v.key for v in voters] == ["unit:1"]


def _owners_vote(session, place):
    vote = actions.do_create_vote(
        session, place=place, title="维修资金使用", question="是否同意？", form="yes_no", rule="owners_ordinary",
        electorate_kind="owners", secret=False, closes_at=utcnow() + timedelta(days=7), options=[],
        by=make_user(session, "creator"),
    )
    actions.do_open(session, vote, place)
    session.commit()
    return vote


def test_the_roll_drawn_from_the_register_counts_one_head_per_identity(session):
    town = make_town(session)
    compound = town.compounds[0]
    first, second, third, fourth = town.households[:4]
    do_add_owner(session, first, name="张伟", identity=A)
    do_add_owner(session, second, name="张伟", identity=B)
    do_add_owner(session, third, name="住户2", identity="c" * 64)
    do_add_owner(session, fourth, name="住户2", identity="c" * 64)
    session.commit()
    vote = _owners_vote(session, compound)
    entries = session.exec(select(RollEntry).where(RollEntry.vote_id == vote.id)).all()
    assert sorted((e.label, e.heads, e.area_centi) for e in entries) == sorted([
        ("张伟（1号楼1单元101）", 1, 8950), ("张伟（1号楼1单元201）", 1, 9950),
        ("住户2（2号楼1单元101、2号楼1单元201）", 1, 8950 + 9950),
    ])
    assert sum(e.heads for e in entries) == 3
    assert not any(A in e.voter_key + e.label or B in e.voter_key + e.label for e in entries)


def test_an_owner_verified_in_one_unit_casts_the_ballot_of_all_their_units(session):
    town = make_town(session)
    compound = town.compounds[0]
    first, _second, third, _fourth = town.households[:4]
    do_add_owner(session, first, name="r1", identity=A)
    do_add_owner(session, third, name="r1", identity=A)
    do_add_owner(session, town.households[1], name="r1", identity=B)  # another r1
    session.commit()
    vote = _owners_vote(session, compound)
    resident = make_resident(session, "r1", third)
    entries = queries.entries_for(session, vote, resident)
    assert [(e.voter_key, e.area_centi) for e in entries] == [(f"holder:{first.id}", 8950 + 8950)]


def test_name_collisions_lists_owners_whose_names_collide_unless_one_identity_joins_them(session):
    town = make_town(session)
    compound = town.compounds[0]
    first, second, third, fourth = town.households[:4]
    do_add_owner(session, first, name="张伟")
    do_add_owner(session, second, name="张伟", identity=A)
    do_add_owner(session, third, name="王芳", identity=B)
    do_add_owner(session, fourth, name="王芳", identity=B)  # one person: not a collision
    do_add_owner(session, town.households[4], name="张伟")  # in the other compound
    session.commit()
    found = electorate.name_collisions(session, compound)
    assert [(c.name, c.missing, c.heads, [o.mark for o in c.owners]) for c in found] == [("张伟", 1, 2, ["", "A"])]
    assert len(electorate.name_collisions(session, town.community)[0].owners) == 3
