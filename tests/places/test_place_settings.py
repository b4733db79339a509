"""规则设置: a place's rules, inherited community → compound → building, each with its legal floor, changed by the
community's staff and admins only, every change on the record, and read by the proposals it governs."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from client_helpers import login, post
from factories import grant, make_proposal_cast, make_resident, make_staff, make_town, make_user, reload
from query_helpers import counted
from sqlmodel import select
from starlette.testclient import TestClient

from deliberate.accounts.models import Role, User
from deliberate.accounts.people import load_person
from deliberate.audit.models import AuditEntry
from deliberate.places import settings
from deliberate.places.settings import PlaceSetting, SettingError
from deliberate.proposals import actions as proposals
from deliberate.proposals import rules
from deliberate.proposals.actions import Draft, rules_of

REVIEW = "proposals.review_days"


def _client(app, username: str | None = None) -> TestClient:  # type: ignore[no-untyped-def]
    client = TestClient(app, follow_redirects=False)
    if username:
        login(client, username)
    return client


def _save(client: TestClient, place_id: int, key: str, **fields: str):  # type: ignore[no-untyped-def]
    url = f"/places/{place_id}/settings"
    return post(client, url, {"key": key, **fields}, form_page="/")


def _row(page: str, key: str) -> str:
    """The part of the settings page about one setting."""
    found = re.search(rf'<div class="setting[^"]*" id="s-{re.escape(key)}">(.*?)</form>|'
                      rf'<div class="setting[^"]*" id="s-{re.escape(key)}">(.*?)</div>', page, re.S)
    assert found, key
    return found.group(1) or found.group(2)


@pytest.fixture
def town(session):  # type: ignore[no-untyped-def]
    town = make_town(session)
    make_staff(session, town.community, "staff")
    admin = make_user(session, "admin")
    grant(session, admin, Role.ADMIN, town.community)
    compound_staff = make_user(session, "compound_staff")
    grant(session, compound_staff, Role.STAFF, town.compounds[0])
    make_resident(session, "resident", town.households[0])
    return town


def test_a_compound_and_its_buildings_inherit_the_communitys_value_until_they_set_their_own(app, session, town):
    community, compound, building = town.community, town.compounds[0], town.building(0)
    staff = _client(app, "staff")
    assert _save(staff, community.id, REVIEW, value="20").status_code == 303
    page = staff.get(f"/places/{building.id}/settings").text
    assert "20 天" in _row(page, REVIEW) and f"沿用{community.name}的设置" in _row(page, REVIEW)
    assert "恢复沿用上级设置" not in _row(page, REVIEW)  # nothing of its own to give back

    assert _save(staff, compound.id, REVIEW, value="25").status_code == 303
    reload(session)
    days = [rules_of(session, place).review_days for place in (community, compound, building, town.building(2))]
    assert days == [20, 25, 25, 20]
    compound_page = staff.get(f"/places/{compound.id}/settings").text
    assert "本处设置" in _row(compound_page, REVIEW) and "恢复沿用上级设置" in _row(compound_page, REVIEW)
    building_page = staff.get(f"/places/{building.id}/settings").text
    assert "25 天" in _row(building_page, REVIEW) and f"沿用{compound.name}的设置" in _row(building_page, REVIEW)

    assert _save(staff, compound.id, REVIEW, inherit="1").status_code == 303  # back to inheriting
    reload(session)
    assert rules_of(session, building).review_days == 20
    assert f"沿用{community.name}的设置" in _row(staff.get(f"/places/{compound.id}/settings").text, REVIEW)
    default_page = staff.get(f"/places/{community.id}/settings").text
    assert "默认值" in _row(default_page, "proposals.rating_days")


def test_a_value_below_its_legal_floor_is_refused_with_422_and_the_form_kept(app, session, town):
    staff = _client(app, "staff")
    compound = town.compounds[0]
    key = "meetings.notice.owners_assembly"
    response = _save(staff, compound.id, key, value="10")
    assert response.status_code == 422
    row = _row(response.text, key)
    assert "不能少于 15 天" in row and "物业管理条例 第十四条" in row and 'value="10"' in row
    assert 'aria-invalid="true"' in row and "error-summary" in response.text
    share = _save(staff, compound.id, "proposals.threshold", kind="households", amount="30")
    assert share.status_code == 422 and "比例不能超过 20%" in share.text and 'value="30"' in share.text
    assert _save(staff, compound.id, REVIEW, value="两周").status_code == 422
    assert _save(staff, compound.id, "proposals.satisfaction_formula", value="everyone").status_code == 422
    assert _save(staff, compound.id, key, value="15").status_code == 303  # the floor itself is allowed
    reload(session)
    assert settings.values(session, compound, settings.declared())[key] == "15"
    assert session.exec(select(PlaceSetting.key).where(PlaceSetting.place_id == compound.id)).all() == [key]
    with pytest.raises(SettingError):
        settings.do_set(session, compound, "meetings.notice.council", "6")  # the action checks it too


def test_only_the_communitys_staff_and_admins_may_change_the_rules(app, session, town):
    compound = town.compounds[0]
    for username in ("compound_staff", "resident"):
        client = _client(app, username)
        assert _save(client, compound.id, REVIEW, value="20").status_code == 403
        assert "保存为本处设置" not in client.get(f"/places/{compound.id}/settings").text
        assert "规则设置" not in client.get(f"/places/{compound.id}").text
    assert _save(_client(app), compound.id, REVIEW, value="20").status_code in (303, 403)
    reload(session)
    assert session.exec(select(PlaceSetting)).all() == []
    for username, days in (("staff", "20"), ("admin", "21")):
        client = _client(app, username)
        assert "规则设置" in client.get(f"/places/{compound.id}").text
        assert _save(client, compound.id, REVIEW, value=days).status_code == 303
        reload(session)
        assert rules_of(session, compound).review_days == int(days)


def test_every_change_is_in_the_audit_log_and_in_the_pages_history(app, session, town):
    compound = town.compounds[0]
    staff = _client(app, "staff")
    _save(staff, compound.id, REVIEW, value="20")
    _save(_client(app, "admin"), compound.id, REVIEW, value="30")
    _save(staff, compound.id, REVIEW, inherit="1")
    reload(session)
    row = session.exec(select(PlaceSetting).where(PlaceSetting.key == REVIEW)).one()
    assert row.value is None  # given back, kept for its history
    entries = session.exec(select(AuditEntry).where(AuditEntry.subject_kind == "setting")
                           .order_by(AuditEntry.id)).all()
    staff_id, admin_id = (session.exec(select(User.id).where(User.username == name)).one()
                          for name in ("staff", "admin"))
    assert [(e.place_id, e.subject_id, e.before, e.after, e.actor_id) for e in entries] == [
        (compound.id, row.id, "", "20", staff_id), (compound.id, row.id, "20", "30", admin_id),
        (compound.id, row.id, "30", "", staff_id)]
    page = staff.get(f"/places/{compound.id}/settings").text
    history = page[page.index("修改记录"):]
    assert history.count("受理期限") == 3
    assert "30 天 → 继承上级设置" in history and "20 天 → 30 天" in history and "继承上级设置 → 20 天" in history
    assert "admin" in history and "staff" in history
    assert "修改记录" not in _client(app, "resident").get(f"/places/{compound.id}/settings").text
    log = staff.get(f"/places/{town.community.id}/audit").text
    assert "规则设置" in log and "20 天 → 30 天" in log


def test_rules_of_reads_a_buildings_rules_in_one_query_however_many_places_set_them(session, database, town):
    building = town.building(0)
    for place, days in ((town.community, "20"), (town.compounds[0], "25"), (building, "30")):
        settings.do_set(session, place, REVIEW, days)
    settings.do_set(session, town.community, "proposals.threshold", "count:3")
    session.commit()
    reload(session)
    other = town.building(3)
    assert building.path and other.path  # loaded before counting
    with counted(database.engine) as seen:
        found = rules_of(session, building)
    assert [s for s in seen if s != "BEGIN"] == [seen[-1]] and "place_setting" in seen[-1]
    assert (found.review_days, found.threshold) == (30, rules.Threshold("count", count=3))
    with counted(database.engine) as seen:
        assert rules_of(session, other).review_days == 20  # inherited from the community, two levels up
    assert len([s for s in seen if s != "BEGIN"]) == 1


def test_raising_the_review_days_changes_the_deadline_of_a_proposal_submitted_after(session):
    town, building, people = make_proposal_cast(session)
    settings.do_set(session, building, REVIEW, None)  # the cast's building took every default as its own
    settings.do_set(session, town.compounds[0], REVIEW, "40")
    session.commit()
    author = load_person(session, people["author"])
    proposal = proposals.do_create(session, place=building, author=people["author"],
                                   draft=Draft("楼下停车难", "晚上没有车位。", "parking"), submit=True, person=author)
    for name in ("neighbour", "neighbour2"):
        proposals.do_cosign(session, proposal, building, load_person(session, people[name]), people[name])
    session.commit()
    assert proposal.stage == rules.Stage.REVIEW
    assert proposal.review_due_at is not None
    assert proposal.review_due_at - proposal.stage_changed_at == timedelta(days=40)


def test_the_settings_page_speaks_json_and_links_its_legal_sources(app, session, town):
    settings.do_set(session, town.community, "proposals.threshold", "count:10")
    session.commit()
    data = _client(app).get(f"/places/{town.compounds[0].id}/settings.json").json()
    found = {s["key"]: s for s in data["settings"]}
    assert found["proposals.threshold"] == {"key": "proposals.threshold", "value": "count:10", "own": False,
                                            "from_place_id": town.community.id}
    assert found["votes.non_voters_with_majority"]["value"] == "no"
    page = _client(app).get(f"/places/{town.compounds[0].id}/settings").text
    assert "城市居民委员会组织法 第十条" in page and "指导规则 第三十九条" in page
    assert "固定人数 10 人" in page
