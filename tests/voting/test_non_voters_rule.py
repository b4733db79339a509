"""Owners who do not vote counted with the majority: a compound's rule of procedure (规则设置), off by default,
taken by a vote when it is created and kept, stated on the vote, in its result's sentence and in its export."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from decimal import Decimal

from client_helpers import login
from factories import make_resident, make_town, make_user, reload
from starlette.testclient import TestClient

from deliberate.clock import utcnow
from deliberate.places import settings
from deliberate.places.actions import do_add_owner
from deliberate.voting import actions, queries
from deliberate.voting.place_rules import NON_VOTERS
from deliberate.voting.recount import main as recount_main
from deliberate.voting.tally import Ballot, Electorate, explain, result_from_json, tally

OWNERS = Electorate(heads=10, area=Decimal("1000"))


def _ballots(yes: int, no: int) -> list[Ballot]:
    return [Ballot("yes", 1, Decimal(100))] * yes + [Ballot("no", 1, Decimal(100))] * no


def test_without_the_rule_a_low_turnout_fails_and_with_it_the_non_voters_join_the_majority():
    plain = tally("owners_ordinary", "yes_no", None, OWNERS, _ballots(4, 2))
    assert not plain.quorum_met and not plain.passed and plain.non_voters is None
    ruled = tally("owners_ordinary", "yes_no", None, OWNERS, _ballots(4, 2), non_voters_with_majority=True)
    assert ruled.quorum_met and ruled.passed and ruled.non_voters_to == "yes"
    assert (ruled.tally["yes"].heads, ruled.tally["yes"].area, ruled.participation.heads) == (8, Decimal(800), 10)
    assert (ruled.non_voters.heads, ruled.non_voters.area) == (4, Decimal(400))  # type: ignore[union-attr]
    assert "（其中未投票的 4 人、面积 400.00 ㎡ 按议事规则计入多数一方）" in explain(ruled)
    again = result_from_json(json.loads(json.dumps(ruled.to_json())))
    assert (again.passed, again.non_voters, again.non_voters_to) == (True, ruled.non_voters, "yes")


def test_nobody_is_added_when_no_side_leads_by_head_and_by_area_or_the_rule_counts_no_owners():
    split = [Ballot("yes", 1, Decimal(100)), Ballot("yes", 1, Decimal(100)), Ballot("no", 1, Decimal(300))]
    result = tally("owners_ordinary", "yes_no", None, OWNERS, split, non_voters_with_majority=True)
    assert result.non_voters is None and not result.quorum_met
    tie = tally("owners_major", "yes_no", None, OWNERS, _ballots(3, 3), non_voters_with_majority=True)
    assert tie.non_voters is None
    residents = tally("residents_meeting", "yes_no", None, Electorate(10), _ballots(4, 0),
                      non_voters_with_majority=True)
    assert residents.non_voters is None and not residents.quorum_met


def _owners_vote(session, place):  # type: ignore[no-untyped-def]
    vote = actions.do_create_vote(
        session, place=place, title="维修资金续筹", question="是否同意？", form="yes_no", rule="owners_ordinary",
        electorate_kind="owners", secret=False, closes_at=utcnow() + timedelta(days=7), options=[],
        by=make_user(session, f"creator{place.id}{utcnow().timestamp()}"),
    )
    session.commit()
    return vote


def test_a_vote_created_after_the_change_counts_by_the_new_rule_and_one_already_open_keeps_its_own(app, session,
                                                                                                 tmp_path):
    town = make_town(session)
    building = town.building(0)
    for number, household in enumerate(town.households[:2]):
        do_add_owner(session, household, name="owner" if number == 0 else "业主乙")
    session.commit()
    owner = make_resident(session, "owner", town.households[0])
    before = _owners_vote(session, building)
    actions.do_open(session, before, building)
    settings.do_set(session, town.compounds[0], NON_VOTERS, "yes")  # the compound's rules of procedure say so
    session.commit()
    after = _owners_vote(session, building)
    actions.do_open(session, after, building)
    session.commit()
    assert (before.non_voters_with_majority, after.non_voters_with_majority) == (False, True)
    for vote in (before, after):
        entry = queries.entries_for(session, vote, owner)[0]
        actions.do_cast(session, vote, entry, "yes")
    session.commit()
    reload(session)
    old, new = queries.result_of(session, before), queries.result_of(session, after)
    assert (old.quorum_met, old.passed) == (False, False)  # one of two owners: short of two thirds
    assert (new.quorum_met, new.passed, new.non_voters_to) == (True, True, "yes")
    assert "non_voters_with_majority" not in queries.recount_header(session, before)
    export = tmp_path / "ballots.json"
    export.write_text(json.dumps(queries.recount_export(session, after)), encoding="utf-8")
    out = io.StringIO()
    assert recount_main(str(export), out=out) == 0  # anyone recounting the export counts by the same rule
    recounted = json.loads(out.getvalue())
    assert recounted["passed"] and recounted["non_voters"] == {"heads": 1, "area": "99.50", "to": "yes"}
    client = TestClient(app, follow_redirects=False)
    login(client, "owner")
    assert "计入多数意见（发起表决时本地的规则设置）" in client.get(f"/votes/{after.id}").text
    assert "不计入（发起表决时本地的规则设置）" in client.get(f"/votes/{before.id}").text
    reload(session)
    council_vote = actions.do_create_vote(
        session, place=building, title="议事会", question="", form="yes_no", rule="majority", electorate_kind="adults",
        secret=False, closes_at=utcnow() + timedelta(days=7), options=[], by=owner)
    assert council_vote.non_voters_with_majority is False  # only owners' votes know the rule
