"""A community's vote list holds the votes of its compounds and buildings, each marked with its place; the vote page
shows only the buttons that work now, and says when the others will; the receipt is one copyable line."""

from __future__ import annotations

import re
from datetime import timedelta

from client_helpers import logged_in, post
from factories import grant, make_resident, make_staff, make_town, make_user, reload
from sqlmodel import select
from starlette.testclient import TestClient

from deliberate.accounts.models import Role
from deliberate.clock import utcnow
from deliberate.voting import actions
from deliberate.voting.models import RollEntry, Vote


def _vote(session, place, by, title, *, open_it=True, days=3, secret=False) -> Vote:  # type: ignore[no-untyped-def]
    vote = actions.do_create_vote(
        session, place=place, title=title, question="", form="yes_no", rule="majority", electorate_kind="households",
        secret=secret, closes_at=utcnow() + timedelta(days=days), options=[], by=by)
    if open_it:
        actions.do_open(session, vote, place)
    session.commit()
    return vote


def test_the_community_lists_the_votes_of_its_compounds_and_buildings_each_with_its_place(app, session):
    town = make_town(session)
    elsewhere = make_town(session, name="远方社区")
    staff = make_staff(session, town.community)
    _vote(session, town.compounds[0], staff, "小区停车")
    _vote(session, town.building(1), staff, "二号楼电梯")
    _vote(session, town.building(2), staff, "准备中的表决", open_it=False)
    _vote(session, elsewhere.building(0), staff, "别的社区的表决")
    public = TestClient(app).get(f"/places/{town.community.id}/votes")
    assert "小区停车" in public.text and "二号楼电梯" in public.text and "这里和下属" not in public.text
    assert "别的社区的表决" not in public.text and "准备中的表决" not in public.text
    marked = re.search(r'二号楼电梯</a>\s*<span class="meta"><span class="tag place-tag">([^<]+)</span>', public.text)
    assert marked and marked.group(1) == f"{town.compounds[0].name} › 2号楼"
    staff_view = logged_in(app, "staff").get(f"/places/{town.community.id}/votes").text
    assert "准备中的表决" in staff_view  # who prepares it sees it
    twin = TestClient(app).get(f"/places/{town.community.id}/votes.json").json()
    assert {v["title"]: v["place"]["name"] for v in twin["votes"]} == {
        "小区停车": town.compounds[0].name, "二号楼电梯": f"{town.compounds[0].name} › 2号楼"}
    building = TestClient(app).get(f"/places/{town.building(1).id}/votes")
    assert "二号楼电梯" in building.text and "小区停车" not in building.text  # nothing from above
    empty = TestClient(app).get(f"/places/{town.building(3).id}/votes")
    assert "这里和下属的小区、楼栋都还没有表决。" in empty.text


def test_a_button_shows_only_when_it_works_and_otherwise_says_when(app, session):
    town = make_town(session)
    building = town.building(0)
    staff = make_staff(session, town.community)
    grant(session, make_user(session, "council"), Role.COUNCIL, building)
    make_resident(session, "resident", town.households[0], by=staff)
    draft = _vote(session, building, staff, "准备中", open_it=False)
    council = logged_in(app, "council")
    assert "开始投票" in council.get(f"/votes/{draft.id}").text
    running = _vote(session, building, staff, "投票中")
    page = council.get(f"/votes/{running.id}").text
    assert ">结束表决</button>" not in page and "到了之后（或名单上所有人都投票后），才能结束表决" in page
    refused = post(council, f"/votes/{running.id}/close", form_page=f"/votes/{running.id}")
    assert refused.status_code == 409 and "截止时间未到" in refused.text  # refused before asking to confirm
    for entry in session.exec(select(RollEntry).where(RollEntry.vote_id == running.id)).all():
        actions.do_cast(session, running, entry, "yes", channel="paper", paper_serial=f"P-{entry.id}")
    session.commit()
    page = council.get(f"/votes/{running.id}").text
    assert ">结束表决</button>" in page  # everyone has voted: closing works now
    asked = post(council, f"/votes/{running.id}/close", form_page=f"/votes/{running.id}")
    assert asked.status_code == 200 and "确认结束表决" in asked.text and "不能撤销" in asked.text
    assert post(council, f"/votes/{running.id}/close", {"confirmed": "yes"},
                form_page=f"/votes/{running.id}").status_code == 303
    closed = council.get(f"/votes/{running.id}").text
    assert "议事会认证并公示结果" in closed and "撤回表决" in closed
    assert "等待本级议事会认证" in logged_in(app, "staff").get(f"/votes/{running.id}").text  # staff cannot certify
    late = _vote(session, building, staff, "过了截止时间")
    reload(session)
    session.get(Vote, late.id).closes_at = utcnow() - timedelta(minutes=1)  # the clock has not closed it yet
    session.commit()
    late_page = logged_in(app, "resident").get(f"/votes/{late.id}").text
    assert "投票已截止，正在等待结束和计票。" in late_page and 'name="choice"' not in late_page
    desk = logged_in(app, "staff")
    assert "录入纸质选票</a>" not in desk.get(f"/votes/{late.id}").text
    paper = desk.get(f"/votes/{late.id}/paper").text
    assert "不能再录入纸质选票" in paper and 'name="serial"' not in paper
    stale = _vote(session, building, staff, "没来得及开始", open_it=False)
    reload(session)
    session.get(Vote, stale.id).closes_at = utcnow() - timedelta(minutes=1)
    session.commit()
    stale_page = council.get(f"/votes/{stale.id}").text
    assert ">开始投票</button>" not in stale_page and "截止时间已过，这次表决无法开始" in stale_page


def test_the_receipt_is_one_large_selectable_line_with_a_copy_button_and_goes_nowhere_else(app, session):
    town = make_town(session)
    staff = make_staff(session, town.community)
    make_resident(session, "resident", town.households[0], by=staff)
    vote = _vote(session, town.building(0), staff, "巷道铺装", secret=True)
    resident = logged_in(app, "resident")
    page = resident.get(f"/votes/{vote.id}").text
    entry = re.search(r'name="entry" value="(\d+)"', page).group(1)
    cast = post(resident, f"/votes/{vote.id}/ballot", {"entry": entry, "choice": "yes"}, form_page=f"/votes/{vote.id}")
    assert cast.status_code == 200 and cast.headers["cache-control"] == "no-store"
    receipt = re.search(r'<p class="receipt-code" id="receipt-code"[^>]*><code>([0-9A-Z]{5}-[0-9A-Z]{5})</code></p>',
                        cast.text).group(1)
    assert re.search(r'<button[^>]*data-copy="receipt-code"[^>]*hidden>', cast.text)  # shown by JavaScript only
    assert 'data-copy="receipt-code"' in cast.text and "复制回执码" in cast.text and "/js/copy.js" in cast.text
    assert "打印回执" in cast.text and "分两组，每组 5 个字符" in cast.text
    assert receipt not in resident.get(f"/votes/{vote.id}").text  # shown once
    assert receipt not in str(cast.headers)
    assert TestClient(app).get("/static/js/copy.js").status_code == 200
