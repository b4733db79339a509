"""规则设置 in a browser: community staff find a compound's rules from its page, see what is its own and what it
takes from the community, are told the law when they go below it, change a rule, see it in the history and give
it back. On a phone, in Chinese; every page checked by axe."""

from __future__ import annotations

from collections.abc import Callable

from browser.conftest import Visitor
from playwright.sync_api import expect

COMMUNITY = "幸福里社区"
COMPOUND = "铁路宿舍"
NOTICE = "业主大会会议的通知期"


def test_staff_change_a_compounds_rule_are_refused_below_the_law_and_give_it_back(
        person: Callable[..., Visitor]) -> None:
    staff = person("staff")
    staff.open("/")
    staff.log_in("staff")
    staff.open("/")
    staff.follow(COMMUNITY, within=staff.section("社区"))
    staff.follow(COMPOUND)
    staff.follow("规则设置", within=staff.section("管理"))
    page = staff.page
    threshold = page.locator(".setting").filter(has=page.get_by_role("heading", name="附议门槛", exact=True))
    expect(threshold).to_contain_text("固定人数 5 人")
    expect(threshold).to_contain_text("本处设置")
    review = page.locator(".setting").filter(has=page.get_by_role("heading", name="受理期限", exact=True))
    expect(review).to_contain_text("默认值")  # neither the compound nor the community set it

    notice = page.locator(".setting").filter(has=page.get_by_role("heading", name=NOTICE, exact=True))
    expect(notice).to_contain_text("物业管理条例 第十四条")
    notice.get_by_label("天数").fill("10")
    with page.expect_navigation(wait_until="load") as answer:
        notice.get_by_role("button", name="保存为本处设置").click()
    assert answer.value is not None and answer.value.status == 422
    staff.arrived()
    notice = page.locator(".setting").filter(has=page.get_by_role("heading", name=NOTICE, exact=True))
    expect(notice.locator(".error")).to_contain_text("不能少于 15 天")
    expect(notice.get_by_label("天数")).to_have_value("10")

    notice.get_by_label("天数").fill("20")
    staff.press("保存为本处设置", within=notice)
    notice = page.locator(".setting").filter(has=page.get_by_role("heading", name=NOTICE, exact=True))
    expect(notice).to_contain_text("20 天")
    expect(notice).to_contain_text("本处设置")
    history = staff.section("修改记录")
    expect(history).to_contain_text("继承上级设置 → 20 天")
    expect(history).to_contain_text("王芳")

    staff.press("恢复沿用上级设置", within=notice)
    notice = page.locator(".setting").filter(has=page.get_by_role("heading", name=NOTICE, exact=True))
    expect(notice).to_contain_text("15 天")
    expect(notice).to_contain_text("默认值")
    expect(staff.section("修改记录")).to_contain_text("20 天 → 继承上级设置")
