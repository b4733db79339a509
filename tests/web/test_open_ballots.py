"""The home page, the account page and the place's page list the open votes a person may cast, with their
deadlines and the ballot itself; casting from the home page takes the ballot's own two taps."""

from __future__ import annotations

import re
from datetime import timedelta

from client_helpers import CSRF, logged_in
from factories import make_proposal_cast, make_user, reload
from sqlmodel import select
from starlette.testclient import TestClient

from deliberate.clock import utcnow
from deliberate.voting import actions as voting
from deliberate.voting.models import Ballot


def _open_vote(session, place, by, title="加装电梯", *, days=7, electorate="households"):  # type: ignore[no-untyped-def]
    vote = voting.do_create_vote(
        session, place=place, title=title, question="是否同意加装？", form="yes_no", rule="majority",
        electorate_kind=electorate, secret=False, closes_at=utcnow() + timedelta(days=days), options=[], by=by)
    voting.do_open(session, vote, place)
    session.commit()
    return vote


def test_a_resident_finds_her_open_votes_soonest_first_with_deadlines_on_home_account_and_place(app, session):
    town, building, people = make_proposal_cast(session)
    later = _open_vote(session, town.compounds[0], people["council"], "小区停车位", days=9)
    soon = _open_vote(session, building, people["council"], "加装电梯", days=3)
    _open_vote(session, town.building(3), people["council"], "别的楼的表决")  # not her roll
    neighbour = logged_in(app, "neighbour")
    home = neighbour.get("/").text
    assert "等您投票" in home and "2 项表决" in home
    assert home.index("加装电梯") < home.index("小区停车位") and "别的楼的表决" not in home
    assert "截止：" in home and "是否同意加装？" in home
    assert f'action="/votes/{soon.id}/ballot"' in home and f'action="/votes/{later.id}/ballot"' in home
    assert f'href="/votes/{soon.id}#my-ballot"' in home
    account = neighbour.get("/account").text
    assert "加装电梯" in account and "小区停车位" in account
    place = neighbour.get(f"/places/{building.id}").text
    assert "加装电梯" in place and "小区停车位" not in place  # the compound's vote is not this building's
    assert "小区停车位" in neighbour.get(f"/places/{town.compounds[0].id}").text
    outsider = logged_in(app, "outsider").get("/").text  # who lives in that other building
    assert "别的楼的表决" in outsider and "加装电梯" not in outsider
    # Someone on no roll, and a visitor, see no such list.
    make_user(session, "plain")
    assert "等您投票" not in logged_in(app, "plain").get("/").text
    assert "等您投票" not in TestClient(app).get("/").text


def test_casting_from_the_home_page_records_the_ballot_and_then_says_she_voted(app, session):
    _town, building, people = make_proposal_cast(session)
    vote = _open_vote(session, building, people["council"])
    neighbour = logged_in(app, "neighbour")
    home = neighbour.get("/").text
    form = home[home.index(f'action="/votes/{vote.id}/ballot"'):]
    entry = re.search(r'name="entry" value="(\d+)"', form).group(1)  # type: ignore[union-attr]
    token = CSRF.search(form).group(1)  # type: ignore[union-attr]
    cast = neighbour.post(f"/votes/{vote.id}/ballot", data={"csrf_token": token, "entry": entry, "choice": "yes"})
    assert cast.status_code == 303
    reload(session)
    assert len(session.exec(select(Ballot).where(Ballot.vote_id == vote.id)).all()) == 1
    after = neighbour.get("/").text
    assert "您已投票，截止前可以修改。" in after and f'action="/votes/{vote.id}/ballot"' not in after
