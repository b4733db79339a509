"""A council opens a vote for one building, residents vote online, staff enter paper ballots, the
council closes and certifies it, the notice explains the result and the export recounts the same."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from client_helpers import login, post
from factories import grant, make_resident, make_staff, make_town, make_user, reload
from sqlmodel import select
from starlette.testclient import TestClient

from deliberate import clock, ticker
from deliberate.accounts.models import Role
from deliberate.clock import utcnow
from deliberate.places.actions import do_add_member, do_create_household
from deliberate.voting.models import Ballot, RollEntry, SealedBallot, SecretBallot, Vote
from deliberate.voting.recount import main as recount_main

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _building_with_voters(session, town, count=6):
    building = town.building(0)
    households = []
    for n in range(count):
        household = do_create_household(session, building=building, number=f"5单元{n + 1}01", area_centi=9000)
        do_add_member(session, household, name=f"投票人{n}", birth_year=1950 + n)
        households.append(household)
    session.commit()
    return building, households


def _closing_time_passes(session, vote_id):
    reload(session)
    session.get(Vote, vote_id).closes_at = utcnow() - timedelta(minutes=1)
    session.commit()


def _client(app, username):
    client = TestClient(app, follow_redirects=False)
    login(client, username)
    return client


def _create_vote(council, building, **overrides):
    closes = (utcnow() + timedelta(days=3)).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
    data = {"title": "1号楼加装电梯方案", "question": "是否同意按方案加装电梯？", "form": "yes_no",
            "rule": "two_thirds", "electorate": "households", "closes_at": closes, **overrides}
    url = f"/places/{building.id}/votes/new"
    response = post(council, url, data, form_page=url)
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


def test_a_building_vote_from_opening_to_certified_notice_and_recount(app, session, tmp_path, capsys):
    town = make_town(session)
    building, households = _building_with_voters(session, town)
    staff = make_staff(session, town.community)
    council_member = make_user(session, "council", name="楼委会主任")
    grant(session, council_member, Role.COUNCIL, building)
    online = [make_resident(session, f"r{n}", households[n], by=staff) for n in range(3)]
    del online
    council = _client(app, "council")
    vote_id = _create_vote(council, building)
    page = council.get(f"/votes/{vote_id}")
    assert "准备中" in page.text and "开始投票" in page.text
    assert post(council, f"/votes/{vote_id}/open", form_page=f"/votes/{vote_id}").status_code == 303
    reload(session)
    roll = session.exec(select(RollEntry).where(RollEntry.vote_id == vote_id)).all()
    assert len(roll) == 8  # the two households of make_town and our six

    for n, choice in enumerate(["yes", "yes", "no"]):
        resident = _client(app, f"r{n}")
        page = resident.get(f"/votes/{vote_id}")
        assert "我的选票" in page.text
        entry = re.search(r'name="entry" value="(\d+)"', page.text).group(1)
        response = post(resident, f"/votes/{vote_id}/ballot", {"entry": entry, "choice": choice},
                        form_page=f"/votes/{vote_id}")
        assert response.status_code == 303
        assert "已投票" in resident.get(f"/votes/{vote_id}").text

    staff_client = _client(app, "staff")
    paper_url = f"/votes/{vote_id}/paper"
    for serial, choice in (("P-001", "yes"), ("P-002", "yes"), ("P-003", "abstain")):
        page = staff_client.get(paper_url)
        entry = re.search(r'<option value="(\d+)">', page.text).group(1)
        response = post(staff_client, paper_url, {"entry": entry, "choice": choice, "serial": serial},
                        form_page=paper_url)
        assert response.status_code == 303, response.text
    # Two households never voted: the vote runs to its closing time, then the council closes it.
    early = post(council, f"/votes/{vote_id}/close", form_page=f"/votes/{vote_id}")
    assert early.status_code == 409 and "截止时间未到" in early.text
    _closing_time_passes(session, vote_id)
    asked = post(council, f"/votes/{vote_id}/close", form_page=f"/votes/{vote_id}")
    assert asked.status_code == 200 and "确认结束表决" in asked.text and 'name="confirmed" value="yes"' in asked.text
    reload(session)
    assert session.get(Vote, vote_id).status == "open"  # asking wrote nothing
    closing = post(council, f"/votes/{vote_id}/close", {"confirmed": "yes"}, form_page=f"/votes/{vote_id}")
    assert closing.status_code == 303
    assert post(staff_client, f"/votes/{vote_id}/certify", form_page=f"/votes/{vote_id}").status_code == 403
    certified = post(council, f"/votes/{vote_id}/certify", form_page=f"/votes/{vote_id}")
    assert certified.status_code == 303 and certified.headers["location"] == f"/votes/{vote_id}/notice"

    notice = TestClient(app).get(f"/votes/{vote_id}/notice")  # public, no login
    assert notice.status_code == 200
    assert "表决结果公示" in notice.text and "表决通过" in notice.text
    assert "参与：6 / 8 人" in notice.text
    assert "楼委会主任" in notice.text
    assert "参与表决名单" in notice.text and "共 6 人参与（网上 3，纸质 3）" in notice.text

    export = TestClient(app).get(f"/votes/{vote_id}/ballots.json").json()
    assert export["rule"] == "two_thirds" and export["electorate"]["heads"] == 8
    assert [b["choice"] for b in export["ballots"]] == ["abstain", "no", "yes", "yes", "yes", "yes"]  # no order
    assert not any("voter" in b for b in export["ballots"])  # the world recounts, but sees no names
    named = _client(app, "r0").get(f"/votes/{vote_id}/ballots.json").json()  # a resident of the building
    assert all("voter" in b for b in named["ballots"]) and len(named["ballots"]) == 6
    assert all("voter" in b for b in staff_client.get(f"/votes/{vote_id}/ballots.json").json()["ballots"])
    path = tmp_path / "ballots.json"
    path.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    assert recount_main(str(path)) == 0
    recounted = json.loads(capsys.readouterr().out)
    published = TestClient(app).get(f"/votes/{vote_id}.json").json()["result"]
    for key in ("passed", "quorum_met", "winner", "tally", "participation"):
        assert recounted[key] == published[key], key
    assert recounted["tally"]["yes"]["heads"] == 4


def test_a_secret_vote_publishes_receipts_and_exports_no_names(app, session):
    town = make_town(session)
    building, households = _building_with_voters(session, town, count=2)
    staff = make_staff(session, town.community)
    make_resident(session, "r0", households[0], by=staff)
    council_member = make_user(session, "council")
    grant(session, council_member, Role.COUNCIL, building)
    council = _client(app, "council")
    vote_id = _create_vote(council, building, form="choose_one", options="竖铺\n横铺\n人字铺", rule="plurality",
                           electorate="adults", secret="1")
    post(council, f"/votes/{vote_id}/open", form_page=f"/votes/{vote_id}")
    resident = _client(app, "r0")
    page = resident.get(f"/votes/{vote_id}")
    entry = re.search(r'name="entry" value="(\d+)"', page.text).group(1)
    response = post(resident, f"/votes/{vote_id}/ballot", {"entry": entry, "choice": "人字铺"},
                    form_page=f"/votes/{vote_id}")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    receipt = re.search(r"<code>([0-9A-Z]{5}-[0-9A-Z]{5})</code>", response.text).group(1)
    assert receipt not in resident.get(f"/votes/{vote_id}").text  # shown once, never again
    # Changing needs the receipt.
    without = post(resident, f"/votes/{vote_id}/ballot", {"entry": entry, "choice": "竖铺"},
                   form_page=f"/votes/{vote_id}")
    assert without.status_code == 409 and "回执码" in without.text
    changed = post(resident, f"/votes/{vote_id}/ballot", {"entry": entry, "choice": "竖铺", "receipt": receipt},
                   form_page=f"/votes/{vote_id}")
    assert changed.status_code == 200 and "选票已修改" in changed.text and receipt in changed.text
    reload(session)
    assert session.exec(select(Ballot)).all() == []
    assert len(session.exec(select(SecretBallot)).all()) + len(session.exec(select(SealedBallot)).all()) == 1
    _closing_time_passes(session, vote_id)
    post(council, f"/votes/{vote_id}/close", {"confirmed": "yes"}, form_page=f"/votes/{vote_id}")
    post(council, f"/votes/{vote_id}/certify", form_page=f"/votes/{vote_id}")
    notice = TestClient(app).get(f"/votes/{vote_id}/notice").text
    assert receipt in notice
    export = TestClient(app).get(f"/votes/{vote_id}/ballots.json").json()
    assert export["ballots"] == [{"choice": "竖铺", "heads": 1, "area": "0.00"}]


def test_the_result_is_explained_in_the_readers_language_from_its_facts(app, session):
    town = make_town(session)
    building, households = _building_with_voters(session, town, count=1)
    staff = make_staff(session, town.community)
    make_resident(session, "r0", households[0], by=staff)
    grant(session, make_user(session, "council"), Role.COUNCIL, building)
    council = _client(app, "council")
    vote_id = _create_vote(council, building, rule="majority")
    post(council, f"/votes/{vote_id}/open", form_page=f"/votes/{vote_id}")
    resident = _client(app, "r0")
    entry = re.search(r'name="entry" value="(\d+)"', resident.get(f"/votes/{vote_id}").text).group(1)
    post(resident, f"/votes/{vote_id}/ballot", {"entry": entry, "choice": "yes"}, form_page=f"/votes/{vote_id}")
    _closing_time_passes(session, vote_id)
    post(council, f"/votes/{vote_id}/close", {"confirmed": "yes"}, form_page=f"/votes/{vote_id}")
    post(council, f"/votes/{vote_id}/certify", form_page=f"/votes/{vote_id}")
    reload(session)
    vote = session.get(Vote, vote_id)
    stored = json.loads(vote.result_json)
    vote.result_json = json.dumps({**stored, "explanation": "过时的说明", "explanation_en": "a stale sentence"})
    session.commit()

    chinese = ("参与表决 1 人（占 3 人的 33.33%），本规则不设法定人数；"
               "同意 1 人（占参与者的 100.00%），超过参与者的半数，表决通过。")
    english = ("1 of 3 voted (33.33%): this rule has no quorum; yes: 1 (100.00% of those voting), "
               "more than half of those voting, so it passes.")
    assert (stored["explanation"], stored["explanation_en"]) == (chinese, english)
    for url in (f"/votes/{vote_id}/notice", f"/votes/{vote_id}"):
        page = TestClient(app).get(url).text
        assert chinese in page and "过时的说明" not in page
        page = TestClient(app).get(url, headers={"Accept-Language": "en"}).text
        assert english in page and "stale" not in page


def test_only_voters_on_the_roll_can_vote(app, session):
    town = make_town(session)
    building, households = _building_with_voters(session, town, count=1)
    staff = make_staff(session, town.community)
    make_resident(session, "inside", households[0], by=staff)
    make_resident(session, "outside", town.households[-1], by=staff)  # another building
    council_member = make_user(session, "council")
    grant(session, council_member, Role.COUNCIL, building)
    council = _client(app, "council")
    vote_id = _create_vote(council, building, electorate="adults")
    post(council, f"/votes/{vote_id}/open", form_page=f"/votes/{vote_id}")
    inside = _client(app, "inside")
    entry = re.search(r'name="entry" value="(\d+)"', inside.get(f"/votes/{vote_id}").text).group(1)
    outside = _client(app, "outside")
    assert "不在这次表决的投票人名单上" in outside.get(f"/votes/{vote_id}").text
    stolen = post(outside, f"/votes/{vote_id}/ballot", {"entry": entry, "choice": "no"},
                  form_page=f"/votes/{vote_id}")
    assert stolen.status_code == 403
    reload(session)
    assert session.exec(select(Ballot)).all() == []


def test_results_stay_hidden_until_close(app, session):
    town = make_town(session)
    building, households = _building_with_voters(session, town, count=1)
    staff = make_staff(session, town.community)
    make_resident(session, "r0", households[0], by=staff)
    grant(session, make_user(session, "council"), Role.COUNCIL, building)
    council = _client(app, "council")
    vote_id = _create_vote(council, building)
    post(council, f"/votes/{vote_id}/open", form_page=f"/votes/{vote_id}")
    resident = _client(app, "r0")
    entry = re.search(r'name="entry" value="(\d+)"', resident.get(f"/votes/{vote_id}").text).group(1)
    post(resident, f"/votes/{vote_id}/ballot", {"entry": entry, "choice": "yes"}, form_page=f"/votes/{vote_id}")
    data = TestClient(app).get(f"/votes/{vote_id}.json").json()
    assert data["result"] is None and data["participation"]["voted"] == 1
    assert TestClient(app).get(f"/votes/{vote_id}/ballots.json").status_code == 409
    assert TestClient(app).get(f"/votes/{vote_id}/notice").status_code == 404


def test_creating_a_vote_explains_every_mistake(app, session):
    town = make_town(session)
    building = town.building(0)
    grant(session, make_user(session, "council"), Role.COUNCIL, building)
    council = _client(app, "council")
    url = f"/places/{building.id}/votes/new"
    response = post(council, url, {"title": "", "form": "choose_one", "options": "只有一个", "rule": "owners_major",
                                   "electorate": "adults", "closes_at": "2020-01-01T10:00"}, form_page=url)
    assert response.status_code == 422
    expected = ("请填写表决事项", "至少列出两个选项", "业主表决规则只能用于业主投票", "截止时间须在至少 5 分钟之后")
    for message in expected:
        assert message in response.text
    reload(session)
    assert session.exec(select(Vote)).all() == []


def test_residents_cannot_open_votes_and_other_councils_cannot_manage_them(app, session):
    town = make_town(session)
    building = town.building(0)
    staff = make_staff(session, town.community)
    make_resident(session, "resident", town.households[0], by=staff)
    grant(session, make_user(session, "other_council"), Role.COUNCIL, town.building(1))
    grant(session, make_user(session, "council"), Role.COUNCIL, building)
    resident = _client(app, "resident")
    assert resident.get(f"/places/{building.id}/votes/new").status_code == 403
    vote_id = _create_vote(_client(app, "council"), building)
    other = _client(app, "other_council")
    assert post(other, f"/votes/{vote_id}/open", form_page="/account").status_code == 403
    assert other.get(f"/votes/{vote_id}").status_code == 403  # a draft is not public yet
    assert TestClient(app).get(f"/votes/{vote_id}", follow_redirects=False).status_code == 303


def test_the_place_page_links_to_its_votes_and_the_list_has_a_json_twin(app, session):
    town = make_town(session)
    client = TestClient(app)
    assert f"/places/{town.building(0).id}/votes" in client.get(f"/places/{town.building(0).id}").text
    data = client.get(f"/places/{town.building(0).id}/votes.json").json()
    assert data["votes"] == []


def test_a_vote_scheduled_to_open_opens_when_its_time_comes(app, session, database):
    town = make_town(session)
    building = town.building(0)
    grant(session, make_user(session, "council"), Role.COUNCIL, building)
    council = _client(app, "council")
    opens = (utcnow() + timedelta(hours=2)).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
    vote_id = _create_vote(council, building, opens_at=opens)
    assert "到时自动开始" in council.get(f"/votes/{vote_id}").text
    assert ticker.tick(database).votes_opened == 0  # not yet
    with clock.travel(timedelta(hours=2)):
        assert ticker.tick(database).votes_opened == 1  # the clock opens it when the time comes
    page = TestClient(app).get(f"/votes/{vote_id}")
    assert page.status_code == 200 and "投票中" in page.text
    reload(session)
    assert session.get(Vote, vote_id).status == "open"


def test_an_open_vote_closes_at_its_closing_time(app, session, database):
    town = make_town(session)
    building = town.building(0)
    grant(session, make_user(session, "council"), Role.COUNCIL, building)
    council = _client(app, "council")
    vote_id = _create_vote(council, building)
    post(council, f"/votes/{vote_id}/open", form_page=f"/votes/{vote_id}")
    assert ticker.tick(database).votes_closed == 0
    with clock.travel(timedelta(days=3, minutes=1)):
        assert ticker.tick(database).votes_closed == 1
        assert ticker.tick(database).votes_closed == 0  # once
    reload(session)
    vote = session.get(Vote, vote_id)
    assert vote.status == "closed" and vote.closed_at is not None
    council = _client(app, "council")  # three days on, the old session has long ended
    assert "议事会认证并公示结果" in council.get(f"/votes/{vote_id}").text


def test_an_opening_time_in_the_past_or_after_the_close_is_explained(app, session):
    town = make_town(session)
    building = town.building(0)
    grant(session, make_user(session, "council"), Role.COUNCIL, building)
    council = _client(app, "council")
    url = f"/places/{building.id}/votes/new"
    closes = (utcnow() + timedelta(days=1)).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
    late = (utcnow() + timedelta(days=2)).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
    response = post(council, url, {"title": "x", "form": "yes_no", "rule": "majority", "electorate": "adults",
                                   "opens_at": late, "closes_at": closes}, form_page=url)
    assert response.status_code == 422 and "截止时间须晚于开始时间" in response.text
    response = post(council, url, {"title": "x", "form": "yes_no", "rule": "majority", "electorate": "adults",
                                   "opens_at": "2020-01-01T08:00", "closes_at": closes}, form_page=url)
    assert response.status_code == 422 and "开始时间须在将来" in response.text
