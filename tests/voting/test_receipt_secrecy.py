"""A secret ballot's receipt reaches the voter in the response that casts it and is written nowhere but
beside the choice: never into a session, a flash, a URL or a cache, where it would sit next to the voter."""

from __future__ import annotations

import re

from client_helpers import login, post
from factories import make_resident, make_staff, make_town, reload
from secrecy_helpers import RECEIPT, StatementLog, open_secret_vote
from sqlmodel import select
from starlette.testclient import TestClient

from deliberate.accounts.models import WebSession
from deliberate.places.actions import do_add_member, do_create_household


def _secret_vote(app, session):  # type: ignore[no-untyped-def]
    town = make_town(session)
    building = town.building(0)
    staff = make_staff(session, town.community)
    households = []
    for n in range(3):
        household = do_create_household(session, building=building, number=f"7单元{n + 1}01", area_centi=9000)
        do_add_member(session, household, name=f"投票人{n}", birth_year=1950 + n)
        households.append(household)
    session.commit()
    make_resident(session, "voter", households[0], by=staff)
    vote_id = open_secret_vote(app, session, building, "adults")
    return vote_id


def test_an_online_secret_receipt_is_shown_once_and_stored_only_beside_the_choice(app, session, database):
    vote_id = _secret_vote(app, session)
    voter = TestClient(app, follow_redirects=False)
    login(voter, "voter")
    page = voter.get(f"/votes/{vote_id}")
    entry = re.search(r'name="entry" value="(\d+)"', page.text).group(1)
    with StatementLog(database.engine) as log:
        cast = post(voter, f"/votes/{vote_id}/ballot", {"entry": entry, "choice": "yes"}, form_page=f"/votes/{vote_id}")
        after = voter.get(f"/votes/{vote_id}")
    assert cast.status_code == 200
    assert cast.headers["cache-control"] == "no-store"
    receipt = RECEIPT.search(cast.text).group(1)
    assert "打印回执" in cast.text and "只显示这一次" in cast.text
    assert receipt not in after.text
    # The ballot went into the urn sealed: the receipt is in no statement at all, not even beside the choice.
    assert log.writes_carrying(receipt) == []
    reload(session)
    assert all(receipt not in str(row.model_dump()) for row in session.exec(select(WebSession)).all())
    assert receipt not in str(voter.cookies.get("deliberate_session"))  # not even in the browser's own cookie


def test_a_paper_secret_receipt_is_not_flashed_to_the_staff_beside_the_voters_name(app, session, database):
    vote_id = _secret_vote(app, session)
    staff = TestClient(app, follow_redirects=False)
    login(staff, "staff")
    paper = f"/votes/{vote_id}/paper"
    entry_id, name = re.search(r'<option value="(\d+)">([^<]+)</option>', staff.get(paper).text).groups()
    with StatementLog(database.engine) as log:
        entered = post(staff, paper, {"entry": entry_id, "choice": "no", "serial": "S-1"}, form_page=paper)
    assert entered.status_code == 200 and entered.headers["cache-control"] == "no-store"
    receipt = RECEIPT.search(entered.text).group(1)
    assert name in entered.text and "继续录入" in entered.text
    assert all("secret_ballot" in statement for statement in log.writes_carrying(receipt))
    assert not [s for s, parameters in log.seen if name in parameters and "web_session" in s]
    reload(session)
    assert all(receipt not in str(row.model_dump()) for row in session.exec(select(WebSession)).all())
