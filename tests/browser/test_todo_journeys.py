"""我的待办 on a phone: a resident sees her open vote first, then what waits for her co-sign and rating, and one
tap takes her to the section where it is done; staff see what waits on them, without JavaScript too.
(issue 15, item 1; axe checks every page on the way, see conftest.)"""

from __future__ import annotations

import re
from collections.abc import Callable

from browser.conftest import SCREENSHOTS, Visitor
from browser.test_wayfinding_journeys import LIFT, MIN_TAP
from playwright.sync_api import expect


def _heights(visitor: Visitor) -> list[float]:
    return list(visitor.page.locator(".todo-items a").evaluate_all(
        "links => links.map(a => a.getBoundingClientRect().height)"))


def test_a_resident_sees_her_vote_first_then_what_waits_for_her_and_taps_once_to_it(
        person: Callable[..., Visitor]) -> None:
    resident = person("resident")
    resident.open("/")
    resident.log_in("resident")
    resident.open("/")
    page = resident.page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "phone-home-todo.png"), full_page=True)
    html = page.content()
    assert html.index("等您投票") < html.index("我的待办") and LIFT in html
    todo = resident.section("我的待办")
    expect(page.locator("#todo-cosign")).to_contain_text("老年助餐点")
    expect(page.locator("#todo-rating")).to_contain_text("增设路灯")
    expect(todo).not_to_contain_text("待受理的提案")
    assert min(_heights(resident)) >= MIN_TAP
    with resident.leaving():
        page.locator("#todo-cosign").get_by_role("link", name=re.compile("老年助餐点")).click()
    assert page.url.endswith("#cosign")
    expect(page.get_by_role("heading", name="附议", exact=True)).to_be_visible()


def test_staff_see_reviews_and_the_overdue_count_without_javascript(person: Callable[..., Visitor]) -> None:
    staff = person("staff", javascript=False)
    staff.open("/")
    staff.log_in("staff")
    staff.open("/")
    expect(staff.page.locator("#todo-reviews")).to_contain_text("屋面防水老化")
    expect(staff.page.locator("#todo-overdue")).to_contain_text("项逾期")
    staff.follow(re.compile("项逾期"), within=staff.page.locator("#todo-overdue"), exact=False)
    expect(staff.page.get_by_role("heading", name=re.compile("提案督办"))).to_be_visible()
