"""Each dataset of open data, in CSV and JSON, against the world built by hand in conftest.py: its fields (whose
names are a promise), a row, the period, the places inside, the BOM, quoting, formulas, and the refusals."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from factories import reload
from opendata_world import (
    AWKWARD_BODY,
    AWKWARD_REASON,
    AWKWARD_TITLE,
    DATASETS,
    EVERYTHING,
    World,
    by,
    read_csv,
    read_json,
)
from sqlmodel import Session

from deliberate.accounts.models import User
from deliberate.opendata import export
from deliberate.opendata.datasets import catalogue
from deliberate.places.models import Place
from deliberate.proposals.models import Proposal

PLACE = ["place_id", "place_name", "place_kind"]
FIELDS = {
    "proposals": ["id", *PLACE, "title", "body", "category", "stage", "author", "cosign_count", "cosigners_needed",
                  "submitted_at", "review_due_at", "closed_at", "satisfaction", "responsible", "merged_into_id", "url"],
    "proposal_events": ["id", "proposal_id", *PLACE, "action", "from_stage", "to_stage", "reason", "actor",
                        "subject_kind", "subject_id", "at"],
    "plans": ["id", "proposal_id", *PLACE, "status", "version", "title", "description", "responsible", "schedule",
              "total_cost", "cost_line_count", "residents_share", "units_share", "government_share",
              "disclosure_starts_at", "disclosure_ends_at", "vote_id", "created_at"],
    "plan_cost_lines": ["plan_id", "proposal_id", *PLACE, "line", "item", "amount", "created_at"],
    "milestones": ["id", "proposal_id", *PLACE, "title", "responsible", "due_on", "done_at"],
    "progress_updates": ["id", "proposal_id", *PLACE, "milestone_id", "percent", "text", "created_at"],
    "costs": ["id", "proposal_id", *PLACE, "description", "amount", "payee", "document_url", "created_at"],
    "meetings": ["id", *PLACE, "kind", "title", "status", "starts_at", "ends_at", "room", "online_url", "capacity",
                 "access", "chair", "notice_days", "noticed_at", "registered", "waiting", "attended",
                 "minutes_published", "cancelled_at", "cancel_reason", "url"],
    "votes": ["id", *PLACE, "title", "question", "form", "rule", "electorate", "secret", "status", "proposal_id",
              "opens_at", "closes_at", "closed_at", "certified_at", "electorate_heads", "electorate_area",
              "participation_heads", "participation_area", "quorum_met", "passed", "winner", "explanation",
              "explanation_en", "url"],
    "vote_results": ["vote_id", *PLACE, "status", "position", "option", "heads", "area", "opens_at"],
}


def _name(session: Session, user: User) -> str:
    found = session.get(User, user.id)
    assert found is not None
    return found.display_name


def test_the_catalogue_is_the_ten_datasets_with_the_promised_field_names():
    assert {d.name: d.names for d in catalogue()} == FIELDS
    assert tuple(FIELDS) == DATASETS


@pytest.mark.parametrize("dataset", DATASETS)
def test_each_dataset_has_its_fields_as_the_csv_header_and_as_every_json_rows_keys(client, world, dataset):
    place = world.town.community
    response = client.get(f"/places/{place.id}/data/{dataset}.csv{EVERYTHING}")
    header = response.content.decode("utf-8").removeprefix("\ufeff").split("\r\n")[0]
    assert header == ",".join(FIELDS[dataset])
    document = read_json(client, place, dataset)
    assert document["fields"] == FIELDS[dataset] and document["dataset"] == dataset
    assert document["place"] == {"id": place.id, "name": place.name, "kind": "community"}
    assert document["rows"], dataset
    assert all(list(row) == FIELDS[dataset] for row in document["rows"])
    assert len(read_csv(client, place, dataset)) == len(document["rows"])


def test_proposals_row_by_row_without_the_draft(client, session, world: World):
    place = world.town.community
    rows = read_csv(client, place, "proposals")
    assert {r["title"] for r in rows} == {"楼下停车难", "'" + AWKWARD_TITLE}  # the draft is no one's but its author's
    closed = by(rows, "id", str(world.closed.id))
    assert closed | {"submitted_at": "", "closed_at": "", "review_due_at": ""} == {
        "id": str(world.closed.id), "place_id": str(world.building.id), "place_name": "1号楼", "place_kind": "building",
        "title": "楼下停车难", "body": "晚上没有车位。", "category": "parking", "stage": "closed",
        "author": _name(session, world.people["author"]), "cosign_count": "2", "cosigners_needed": "2",
        "submitted_at": "", "review_due_at": "", "closed_at": "", "satisfaction": "66.67", "responsible": "物业公司",
        "merged_into_id": "", "url": f"/proposals/{world.closed.id}",
    }
    assert closed["submitted_at"].endswith("+08:00") and closed["closed_at"] >= closed["submitted_at"]
    rejected = by(rows, "id", str(world.rejected.id))
    assert (rejected["body"], rejected["stage"], rejected["place_name"]) == (AWKWARD_BODY, "rejected", "2号楼")
    item = by(read_json(client, place, "proposals")["rows"], "id", world.rejected.id)
    assert (item["title"], item["cosign_count"], item["satisfaction"], item["merged_into_id"]) == (
        AWKWARD_TITLE, 0, None, None)


def test_events_name_who_acted_as_the_timeline_does_and_the_clock_as_nobody(client, session, world):
    place = world.town.community
    rows = [r for r in read_csv(client, place, "proposal_events") if r["proposal_id"] == str(world.rejected.id)]
    reject = by(rows, "action", "reject")
    assert (reject["from_stage"], reject["to_stage"], reject["reason"]) == ("review", "rejected", "'" + AWKWARD_REASON)
    assert reject["actor"] == _name(session, world.people["staff"])
    items = read_json(client, place, "proposal_events")["rows"]
    close = by([i for i in items if i["proposal_id"] == world.closed.id], "action", "close")
    assert (close["actor"], close["to_stage"], close["place_kind"]) == (None, "closed", "building")
    approve = by([i for i in items if i["proposal_id"] == world.closed.id], "action", "approve_plan")
    assert (approve["subject_kind"], approve["subject_id"]) == ("vote", world.plan_vote.id)


def test_plans_and_their_cost_lines(client, world):
    place = world.town.community
    plans = read_json(client, place, "plans")["rows"]
    assert [(p["title"], p["status"]) for p in plans] == [("横铺", "rejected"), ("竖铺", "approved")]
    assert plans[1] | {"id": 0, "disclosure_starts_at": "", "disclosure_ends_at": "", "created_at": ""} == {
        "id": 0, "proposal_id": world.closed.id, "place_id": world.building.id, "place_name": "1号楼",
        "place_kind": "building", "status": "approved", "version": 1, "title": "竖铺",
        "description": "铺设透水砖，划定车位。", "responsible": "物业公司", "schedule": "2027年3月至4月",
        "total_cost": "45000.00", "cost_line_count": 2, "residents_share": "15000.00", "units_share": "15000.00",
        "government_share": "15000.00", "disclosure_starts_at": "", "disclosure_ends_at": "",
        "vote_id": world.plan_vote.id, "created_at": "",
    }
    lines = read_csv(client, place, "plan_cost_lines")
    assert [(r["plan_id"], r["line"], r["item"], r["amount"]) for r in lines] == [
        (str(plans[0]["id"]), "1", "材料, 含运输", "30000.00"), (str(plans[0]["id"]), "2", "人工", "15000.00"),
        (str(plans[1]["id"]), "1", "材料, 含运输", "30000.00"), (str(plans[1]["id"]), "2", "人工", "15000.00")]


def test_works_milestones_progress_and_costs(client, world):
    place = world.town.community
    (milestone,) = read_csv(client, place, "milestones")
    assert (milestone["title"], milestone["responsible"], milestone["due_on"]) == ("铺砖", "物业公司", "2027-04-01")
    assert milestone["done_at"] == "" and milestone["proposal_id"] == str(world.closed.id)
    (update,) = read_json(client, place, "progress_updates")["rows"]
    assert (update["percent"], update["text"]) == (50, "已铺一半, 进展顺利")
    assert update["milestone_id"] == int(milestone["id"])
    (cost,) = read_csv(client, place, "costs")
    assert (cost["description"], cost["amount"], cost["payee"], cost["document_url"]) == ("透水砖", "12345.60",
                                                                                         "建材厂", "")


def test_meetings_carry_the_counts_the_page_shows_and_no_names(client, session, world):
    (row,) = read_json(client, world.town.community, "meetings")["rows"]
    assert row | {"starts_at": "", "ends_at": "", "noticed_at": ""} == {
        "id": world.meeting.id, "place_id": world.building.id, "place_name": "1号楼", "place_kind": "building",
        "kind": "listening", "title": "停车恳谈会", "status": "scheduled", "starts_at": "", "ends_at": "",
        "room": "活动室, 一楼", "online_url": None, "capacity": 10, "access": "open",
        "chair": _name(session, world.people["council"]), "notice_days": 1, "noticed_at": "", "registered": 2,
        "waiting": 0, "attended": 4, "minutes_published": False, "cancelled_at": None, "cancel_reason": None,
        "url": f"/meetings/{world.meeting.id}",
    }
    (cells,) = read_csv(client, world.town.community, "meetings")
    assert (cells["attended"], cells["minutes_published"], cells["capacity"]) == ("4", "false", "10")


def test_votes_publish_the_count_made_at_closing_and_nothing_of_an_open_or_draft_vote(client, world):
    rows = read_json(client, world.town.community, "votes")["rows"]
    assert {r["title"] for r in rows} == {world.plan_vote.title, "加装电梯", "楼道粉刷颜色"}
    owners = by(rows, "id", world.owners_vote.id)
    assert (owners["status"], owners["rule"], owners["electorate"], owners["secret"]) == (
        "certified", "owners_ordinary", "owners", False)
    assert (owners["electorate_heads"], owners["participation_heads"], owners["passed"], owners["quorum_met"]) == (
        4, 4, True, True)
    assert owners["electorate_area"] == owners["participation_area"] and owners["winner"] == "yes"
    assert "通过" in owners["explanation"] and owners["explanation_en"]
    secret = by(rows, "id", world.secret_vote.id)
    assert (secret["status"], secret["secret"], secret["passed"], secret["winner"], secret["participation_heads"]) == (
        "open", True, None, None, None)
    plan = by(rows, "id", world.plan_vote.id)
    assert (plan["proposal_id"], plan["winner"], plan["form"]) == (world.closed.id, "方案2：竖铺", "choose_one")
    results = read_csv(client, world.town.community, "vote_results")
    assert {r["vote_id"] for r in results} == {str(world.plan_vote.id), str(world.owners_vote.id)}
    counted = [(r["position"], r["option"], r["heads"]) for r in results if r["vote_id"] == str(world.owners_vote.id)]
    assert counted == [("1", "yes", "4"), ("2", "no", "0"), ("3", "abstain", "0")]
    chosen = {r["option"]: r["heads"] for r in results if r["vote_id"] == str(world.plan_vote.id)}
    assert (chosen["方案1：横铺"], chosen["方案2：竖铺"]) == ("1", "2")


def _submitted_at(session: Session, proposal: Proposal, when: datetime) -> None:
    reload(session)
    found = session.get(Proposal, proposal.id)
    assert found is not None
    found.submitted_at = when
    session.add(found)
    session.commit()


def test_the_period_is_local_days_both_included_and_by_default_the_last_twelve_months(client, session, world):
    _submitted_at(session, world.rejected, datetime(2024, 3, 10, 15, 30, tzinfo=UTC))  # 23:30 in Beijing
    place = world.town.community

    def titles(query: str) -> set[str]:
        return {r["title"] for r in read_json(client, place, "proposals", query)["rows"]}

    assert titles("") == {"楼下停车难"}
    assert titles("?from=2024-03-10&to=2024-03-10") == {AWKWARD_TITLE}
    assert titles("?from=2024-03-11&to=2024-12-31") == set()
    assert titles("?from=2024-01-01&to=2024-03-09") == set()
    assert titles("?year=2024") == {AWKWARD_TITLE}
    assert titles("?year=2023") == set()
    assert read_json(client, place, "proposals", "?year=2024")["from"] == "2024-01-01"
    assert read_csv(client, place, "milestones", "") == []  # due next April: not in the twelve months up to today
    assert len(read_csv(client, place, "milestones", "?year=2027")) == 1


def test_a_place_covers_the_places_inside_it_and_nothing_beside_it(client, world):
    def names(place: Place, dataset: str) -> set[str]:
        return {r["place_name"] for r in read_csv(client, place, dataset)}

    town = world.town
    assert names(town.community, "proposals") == {"1号楼", "2号楼"}
    assert names(town.compounds[0], "proposals") == {"1号楼"}
    assert names(town.compounds[1], "proposals") == {"2号楼"}
    assert names(town.building(3), "proposal_events") == {"2号楼"}
    assert names(town.building(1), "votes") == set()
    assert {r["place_id"] for r in read_csv(client, town.compounds[1], "proposals")} == {str(town.building(3).id)}


def test_the_csv_is_utf8_with_a_bom_crlf_lines_and_rfc4180_quoting(client, world):
    raw = client.get(f"/places/{world.town.community.id}/data/proposals.csv{EVERYTHING}")
    assert raw.content[:3] == b"\xef\xbb\xbf"
    text = raw.content.decode("utf-8")
    assert "\r\n" in text and '"\'=HYPERLINK(""http://x""), 停车 ""难"""' in text
    assert '"第一行, 有逗号\n第二行 ""引号""\n@第三行"' in text  # a newline inside a quoted cell is kept as it was
    assert 'attachment; filename="proposals-' in raw.headers["content-disposition"]


@pytest.mark.parametrize("value, cell", [
    ("=1+1", "'=1+1"), ("+86", "'+86"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("a=b", "a=b"), ("", ""), (None, ""), (True, "true"), (False, "false"), (-3, "-3"), (12, "12"),
])
def test_a_cell_a_spreadsheet_would_run_gets_an_apostrophe_and_values_are_written_plainly(value, cell):
    assert export.cell(value) == cell


def test_a_missing_place_or_dataset_is_not_found(client, world):
    for path in ("/places/999999/data", "/places/999999/data.json", "/places/999999/data/proposals.csv",
                 "/places/999999/data/proposals.json", f"/places/{world.building.id}/data/members.csv",
                 f"/places/{world.building.id}/data/members.json"):
        assert client.get(path).status_code == 404, path
    assert client.get("/places/999999/data/proposals.json").json()["error"]["status"] == 404


@pytest.mark.parametrize("query, zh, en", [
    ("?from=2025-13-01", "日期应写成 年-月-日", "Write the date as year-month-day"),
    ("?from=2025-05-02&to=2025-05-01", "开始日期不能晚于结束日期", "The start date cannot be after the end date"),
    ("?year=25", "年份应是", "The year must be four digits"),
    ("?year=2025&from=2025-01-01", "请只填年份", "Fill in either the year"),
    ("?to=0001-01-01", "日期应在", "The date must be between"),
])
def test_a_bad_period_is_422_with_the_problem_in_the_readers_language(client, world, query, zh, en):
    place = world.building.id
    for path in (f"/places/{place}/data/votes.csv{query}", f"/places/{place}/data/votes.json{query}",
                 f"/places/{place}/data{query}"):
        chinese = client.get(path)
        english = client.get(path, headers={"Accept-Language": "en"})
        assert (chinese.status_code, english.status_code) == (422, 422), path
        assert zh in chinese.text and en in english.text, path
    index = client.get(f"/places/{place}/data{query}")
    assert 'aria-invalid="true"' in index.text and "下载 CSV" not in index.text


def test_the_index_lists_every_dataset_with_its_fields_and_both_files_and_the_place_page_links_it(client, world):
    place = world.town.compounds[0]
    page = client.get(f"/places/{place.id}/data?year=2026")
    assert page.status_code == 200
    for dataset in DATASETS:
        assert f'href="/places/{place.id}/data/{dataset}.csv?from=2026-01-01&amp;to=2026-12-31"' in page.text
        assert f'href="/places/{place.id}/data/{dataset}.json?from=2026-01-01&amp;to=2026-12-31"' in page.text
    assert "<code>participation_area</code>" in page.text and "参加投票的专有面积合计" in page.text
    twin = client.get(f"/places/{place.id}/data.json").json()
    assert [d["name"] for d in twin["datasets"]] == list(DATASETS)
    assert twin["datasets"][0]["fields"][0] == {"name": "id", "type": "integer", "about": "提案编号"}
    english = client.get(f"/places/{place.id}/data.json", headers={"Accept-Language": "en"}).json()
    assert english["datasets"][0]["fields"][0]["about"] == "Proposal no."
    assert f'href="/places/{place.id}/data"' in client.get(f"/places/{place.id}").text


def test_the_data_and_the_statistics_of_a_place_link_to_each_other(client, session):
    from factories import make_town

    town = make_town(session)
    session.commit()
    data = client.get(f"/places/{town.community.id}/data").text
    assert f'href="/places/{town.community.id}/statistics"' in data
    statistics = client.get(f"/places/{town.community.id}/statistics").text
    assert f'href="/places/{town.community.id}/data"' in statistics
