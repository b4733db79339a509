"""The proposals of a place: Chinese search, filters, drafts kept out, child places included, both sorts,
keyset pages that show every proposal exactly once, 400 for what cannot be read, and the `.json` twin."""

from __future__ import annotations

import base64
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from client_helpers import login
from factories import make_resident, make_town, make_user
from starlette.testclient import TestClient

from deliberate.accounts.people import load_person
from deliberate.app import create_app
from deliberate.proposals import actions
from deliberate.proposals.models import Proposal

SAME_TIME = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def _propose(session, place, author, title, body="", category="other", *, submit=True) -> Proposal:
    proposal = actions.do_create(
        session, place=place, author=author, draft=actions.Draft(title, body, category), submit=submit,
        person=load_person(session, author),
    )
    session.commit()
    return proposal


def _listed(client, url) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return [p["title"] for p in response.json()["proposals"]]


@pytest.fixture
def town(session):
    return make_town(session)


@pytest.fixture
def author(session, town):
    return make_resident(session, "author", town.households[0])  # lives in building 0 of compound 0


def test_two_character_words_are_found_in_the_title_or_the_body(client, session, town, author):
    place = town.community
    _propose(session, place, author, "小区停车难，建议划线", "晚上车位不够。", "parking")
    _propose(session, place, author, "老楼改造", "希望给3号楼加装电梯，方便老人上下楼。", "lift")
    _propose(session, place, author, "绿化带修剪", "树枝挡住了路灯。", "greening")
    url = f"/places/{place.id}/proposals.json"

    assert _listed(client, url + "?q=停车") == ["小区停车难，建议划线"]
    assert _listed(client, url + "?q=电梯") == ["老楼改造"]
    assert _listed(client, url + "?q=电梯 老人") == ["老楼改造"]  # every term must appear
    assert _listed(client, url + "?q=电梯　停车") == []  # a full-width space separates terms too
    assert _listed(client, url + "?q=暖气") == []
    page = client.get(f"/places/{place.id}/proposals?q=停车")
    assert "小区停车难" in page.text and "绿化带修剪" not in page.text
    assert 'value="停车"' in page.text  # the search box keeps what was asked


def test_percent_and_underscore_in_the_search_are_taken_literally(client, session, town, author):
    place = town.community
    _propose(session, place, author, "物业费降价50%")
    _propose(session, place, author, "物业费降价500元")
    _propose(session, place, author, "WiFi_覆盖")
    _propose(session, place, author, "WiFix覆盖")
    url = f"/places/{place.id}/proposals.json"

    assert _listed(client, url + "?q=50%25") == ["物业费降价50%"]
    assert _listed(client, url + "?q=i_") == ["WiFi_覆盖"]
    assert _listed(client, url + "?q=%25") == ["物业费降价50%"]
    assert sorted(_listed(client, url + "?q=wifi")) == ["WiFi_覆盖", "WiFix覆盖"]  # letters in any case
    assert _listed(client, url + "?q=\\") == []
    assert _listed(client, url + "?q=%00降价50%25") == ["物业费降价50%"]  # a control character separates terms


def test_filters_by_stage_category_and_every_open_stage(client, session, town, author):
    place = town.community
    cosigning = _propose(session, place, author, "征集附议中", category="parking")
    accepted = _propose(session, place, author, "已立案", category="lift")
    closed = _propose(session, place, author, "已办结", category="parking")
    accepted.stage, closed.stage = "accepted", "closed"
    session.commit()
    del cosigning
    url = f"/places/{place.id}/proposals.json"

    assert _listed(client, url + "?stage=cosigning") == ["征集附议中"]
    assert _listed(client, url + "?stage=closed") == ["已办结"]
    assert sorted(_listed(client, url + "?stage=open")) == ["已立案", "征集附议中"]
    assert sorted(_listed(client, url + "?category=parking")) == ["已办结", "征集附议中"]
    assert _listed(client, url + "?category=parking&stage=open") == ["征集附议中"]
    assert len(_listed(client, url + "?stage=&category=&q=&sort=")) == 3  # an empty filter is no filter


def test_drafts_are_never_listed_not_even_to_their_author(client, session, town, author):
    place = town.community
    _propose(session, place, author, "还在写的草稿", "停车", submit=False)
    _propose(session, place, author, "已提交的提案", "停车")
    url = f"/places/{place.id}/proposals.json"

    assert _listed(client, url) == ["已提交的提案"]
    assert _listed(client, url + "?stage=draft") == []
    login(client, "author")
    assert _listed(client, url + "?q=停车") == ["已提交的提案"]
    assert "还在写的草稿" not in client.get(f"/places/{place.id}/proposals").text


def test_a_community_lists_the_proposals_of_its_compounds_and_buildings(client, session, town, author):
    other_town = make_town(session, "红旗社区")
    neighbour = make_resident(session, "neighbour", other_town.households[0])
    _propose(session, town.community, author, "社区提案")
    _propose(session, town.compounds[0], author, "小区提案")
    _propose(session, town.building(0), author, "楼栋提案")
    _propose(session, other_town.community, neighbour, "别的社区的提案")

    everything = sorted(_listed(client, f"/places/{town.community.id}/proposals.json"))
    assert everything == ["小区提案", "楼栋提案", "社区提案"]
    assert sorted(_listed(client, f"/places/{town.compounds[0].id}/proposals.json")) == ["小区提案", "楼栋提案"]
    assert _listed(client, f"/places/{town.building(0).id}/proposals.json") == ["楼栋提案"]
    assert _listed(client, f"/places/{town.building(1).id}/proposals.json") == []
    page = client.get(f"/places/{town.community.id}/proposals")
    assert "幸福里社区1区 › 1号楼" in page.text  # each card says where, below the place listed
    assert "· 1号楼" in client.get(f"/places/{town.compounds[0].id}/proposals").text


def test_proposals_sort_by_newest_or_by_most_cosigned(client, session, town, author):
    place = town.community
    old = _propose(session, place, author, "旧提案")
    new = _propose(session, place, author, "新提案")
    popular = _propose(session, place, author, "附议多的提案")
    old.created_at, new.created_at, popular.created_at = SAME_TIME, SAME_TIME + timedelta(days=2), SAME_TIME
    old.cosign_count, new.cosign_count, popular.cosign_count = 1, 0, 5
    session.commit()
    url = f"/places/{place.id}/proposals.json"

    assert _listed(client, url) == ["新提案", "附议多的提案", "旧提案"]  # ties: the later id first
    assert _listed(client, url + "?sort=newest") == ["新提案", "附议多的提案", "旧提案"]
    assert _listed(client, url + "?sort=cosigns") == ["附议多的提案", "旧提案", "新提案"]


def _walk(client, url: str) -> tuple[list[int], int]:
    seen: list[int] = []
    pages = 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.text
        seen += [p["id"] for p in response.json()["proposals"]]
        url = response.json()["next"]
        pages += 1
    return seen, pages


@pytest.mark.parametrize("sort", ["newest", "cosigns"])
def test_keyset_pages_show_every_proposal_exactly_once_across_ties(settings, database, session, town, author, sort):
    place = town.community
    made = [_propose(session, place, author, f"提案{n}", category="parking" if n % 3 else "lift") for n in range(11)]
    for n, proposal in enumerate(made):  # groups of four share a time and groups of three a co-sign count
        proposal.created_at = SAME_TIME + timedelta(minutes=n // 4)
        proposal.cosign_count = n // 3
    session.commit()
    key = (lambda p: (p.created_at, p.id)) if sort == "newest" else (lambda p: (p.cosign_count, p.id))
    expected = [p.id for p in sorted(made, key=key, reverse=True)]
    app = create_app(replace(settings, page_size=3), database)

    with TestClient(app, follow_redirects=False) as client:
        seen, pages = _walk(client, f"/places/{place.id}/proposals.json?sort={sort}")
        assert seen == expected and pages == 4
        parking, _pages = _walk(client, f"/places/{place.id}/proposals.json?sort={sort}&category=parking")
        assert parking == [i for i in expected if i in {p.id for p in made if p.category == "parking"}]
        html = client.get(f"/places/{place.id}/proposals?sort={sort}&category=parking").text
        next_link = re.search(r'rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
        assert "category=parking" in next_link
        assert ("sort=cosigns" in next_link) == (sort == "cosigns")  # the default sort is left out
        deeper = client.get(next_link)
        assert deeper.status_code == 200 and "回到第一页" in deeper.text


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(("query", "message"), [
    ("after=@@@", "翻页链接无效"),
    ("after=" + _cursor("newest|yesterday|3"), "翻页链接无效"),
    ("after=" + _cursor("newest|2026-05-01T08:00:00|3"), "翻页链接无效"),  # no time zone
    ("after=" + _cursor("cosigns|5|3"), "翻页链接无效"),  # a cursor of the other sort
    ("after=" + _cursor("newest|2026-05-01T08:00:00+00:00|99999999999"), "翻页链接无效"),
    ("sort=cosigns&after=" + _cursor("cosigns|-1|3"), "翻页链接无效"),
    ("after=", "翻页链接无效"),
    ("after=" + _cursor("newest|9999-12-31T23:00:00-05:00|3"), "翻页链接无效"),  # past the end of the calendar
    ("stage=finished", "没有这个提案阶段"),
    ("category=noise", "没有这个提案类别"),
    ("sort=oldest", "没有这种排序方式"),
    ("q=" + "停" * 51, "搜索词不能超过 50 个字"),
])
def test_a_malformed_cursor_or_an_unknown_filter_answers_400(client, town, query, message):
    page = client.get(f"/places/{town.community.id}/proposals?{query}")
    assert page.status_code == 400 and message in page.text
    twin = client.get(f"/places/{town.community.id}/proposals.json?{query}")
    assert twin.status_code == 400 and message in twin.json()["error"]["message"]


def test_the_json_twin_lists_the_same_facts_as_the_page(client, session, town, author):
    proposal = _propose(session, town.building(0), author, "楼道灯不亮", "三楼的灯坏了。", "safety")
    response = client.get(f"/places/{town.community.id}/proposals.json")

    assert response.status_code == 200
    data = response.json()
    assert data["place"] == {"id": town.community.id, "kind": "community", "name": town.community.name}
    assert data["next"] is None
    assert data["proposals"] == [{
        "id": proposal.id, "title": "楼道灯不亮", "stage": "cosigning", "category": "safety",
        "place_id": town.building(0).id, "cosign_count": 0, "cosigners_needed": 1,
        "created_at": proposal.created_at.isoformat(), "url": f"/proposals/{proposal.id}",
    }]


def test_the_page_shows_cards_a_filter_form_and_invites_residents_to_propose(client, session, town, author):
    _propose(session, town.building(0), author, "楼道灯不亮", "三楼的灯坏了。", "safety")
    make_user(session, "visitor")
    url = f"/places/{town.community.id}/proposals"

    page = client.get(url)
    assert page.status_code == 200
    for text in ("楼道灯不亮", "征集附议", "安全", "已附议 0 / 需 1", '<label for="f-q">', 'name="stage"',
                 'name="category"', 'name="sort"', town.community.name):
        assert text in page.text, text
    assert "提出新提案" not in page.text
    login(client, "visitor")
    assert "提出新提案" not in client.get(url).text
    login(client, "author")
    assert f'href="/places/{town.community.id}/proposals/new"' in client.get(url).text


def test_an_empty_place_says_so_and_an_unknown_place_is_404(client, town):
    page = client.get(f"/places/{town.building(3).id}/proposals")
    assert page.status_code == 200 and "这里还没有提案" in page.text
    assert "没有符合条件的提案" in client.get(f"/places/{town.building(3).id}/proposals?q=停车").text
    assert client.get("/places/999999/proposals").status_code == 404
