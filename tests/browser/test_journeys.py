"""Journeys through the demo community, as people make them: on a phone, finding things by their names.

(a) a newcomer registers, claims a household and is verified by staff;
(b) a resident votes on the lift and changes the vote, and staff enter a paper ballot;
(c) journey (a) in English; (d) a vote with the keyboard only; (e) (a) and (b) with JavaScript off.
Each journey uses its own accounts, so that the journeys pass in any order or alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from browser.conftest import Visitor
from playwright.sync_api import expect

from deliberate.demo import DEMO_PASSWORD
from deliberate.web.i18n import translations

COMMUNITY = "幸福里社区"
LIFT_VOTE = "1号楼加装电梯方案"


def chinese(message: str, **variables: Any) -> str:
    return message % variables if variables else message


def english(message: str, **variables: Any) -> str:
    text = translations("en").gettext(message)
    assert text != message, f"no English for {message!r}"
    return text % variables if variables else text


# ---------------------------------------------------------------- (a) register, claim, get verified


def newcomer_journey(person: Callable[..., Visitor], t: Callable[..., str] = chinese, *, username: str, name: str,
                     compound: str, building: str, room: str, language: str = "zh-CN",
                     staff_language: str | None = None, javascript: bool = True,
                     switch_to_english: bool = False) -> Visitor:
    newcomer = person(username, language=language, javascript=javascript)
    page = newcomer.page
    newcomer.open("/")
    if switch_to_english:  # the switcher on every page, before anything else
        newcomer.follow("English", within=newcomer.menu("语言"))
        expect(page.locator("html")).to_have_attribute("lang", "en")

    newcomer.follow(t("注册"), within=newcomer.menu(t("主菜单")))
    newcomer.field(t("用户名")).fill(username)
    newcomer.field(t("姓名或称呼")).fill(name)
    newcomer.field(t("密码")).fill("a-long-secret-9")
    newcomer.field(t("再输入一次密码")).fill("a-long-secret-9")
    newcomer.press(t("注册"), within=page.get_by_role("main"))

    # Registered and logged in, straight on to claiming a household: community → compound → building → room.
    expect(page.get_by_role("heading", level=1)).to_have_text(t("认领我家房屋"))
    newcomer.follow(COMMUNITY)
    newcomer.follow(compound)
    newcomer.follow(building)
    newcomer.field(t("房号")).select_option(label=room)
    newcomer.field(t("您的姓名")).fill(name)
    newcomer.field(t("出生年份")).fill("1962")
    newcomer.press(t("提交认领"))

    # 我的账户 shows the claim waiting for staff.
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(newcomer.section(t("认领申请"))).to_contain_text(f"{building} {room}")
    expect(newcomer.section(t("认领申请"))).to_contain_text(t("等待核实"))
    expect(newcomer.section(t("我的住址"))).to_contain_text(t("您还没有通过居民核实。"))

    # Staff find it at 幸福里社区 → 管理 → 居民认领审核 and approve it.
    staff = person("staff", language=staff_language or language, javascript=javascript)
    staff.open("/")
    staff.log_in("staff", login=t("登录"), username_label=t("用户名"), password_label=t("密码"), menu=t("主菜单"))
    staff.follow(COMMUNITY, within=staff.section(t("社区")))
    staff.follow(t("居民认领审核"), within=staff.section(t("管理")))
    claim = staff.page.get_by_role("listitem").filter(has=staff.page.get_by_role("heading", name=f"{name}（1962）"))
    expect(claim).to_contain_text(f"{building} {room}")
    staff.press(t("核实通过"), within=claim)
    expect(staff.page.get_by_role("status")).to_contain_text(t("已核实 %(name)s 为居民。", name=name))
    expect(claim).to_have_count(0)  # no longer waiting

    # The newcomer reloads 我的账户: verified, and their building's page is theirs.
    newcomer.reload()
    home = newcomer.section(t("我的住址"))
    expect(home).to_contain_text(t("已核实"))
    expect(newcomer.section(t("认领申请"))).to_have_count(0)
    newcomer.follow(f"{building} {room}", within=home)
    expect(page.get_by_role("heading", level=1)).to_contain_text(building)
    expect(page.get_by_text(t("您是这里的核实居民，可以参与这里的议事。"))).to_be_visible()
    return newcomer


def test_newcomer_registers_claims_and_is_verified(person: Callable[..., Visitor]) -> None:
    newcomer = newcomer_journey(person, username="chen_xiaoming", name="陈晓明",
                                compound="和平里小区", building="2号楼", room="1单元101")
    expect(newcomer.page.locator("html")).to_have_attribute("lang", "zh-CN")


# ---------------------------------------------------------------- (b) vote, change it, enter a paper ballot


def _turnout(page: Any) -> int:
    text = page.locator(".turnout").inner_text()
    found = re.search(r"\d+", text)
    assert found, text
    return int(found.group())


def go_to_lift_vote(visitor: Visitor) -> None:
    visitor.follow(COMMUNITY, within=visitor.section("社区"))
    visitor.follow("和平里小区")
    visitor.follow("1号楼")
    visitor.follow("表决", within=visitor.section("议事"))
    visitor.follow(LIFT_VOTE)
    expect(visitor.page.get_by_role("heading", level=1)).to_contain_text(LIFT_VOTE)


def vote_journey(person: Callable[..., Visitor], *, voter: str, household: str, paper_for: str,
                 javascript: bool = True) -> None:
    resident = person(voter, javascript=javascript)
    page = resident.page
    resident.open("/")
    resident.log_in(voter)
    go_to_lift_vote(resident)
    before = _turnout(page)
    ballot = page.get_by_role("group", name=f"投票人：{household}")
    ballot.get_by_role("radio", name="同意", exact=True).check()
    resident.press("投票")
    expect(page.get_by_text("您已投票：同意。截止前可以修改。")).to_be_visible()
    assert _turnout(page) == before + 1

    # Changing one's mind before the close: the same ballot, now 反对.
    ballot.get_by_role("radio", name="反对", exact=True).check()
    resident.press("修改选票")
    expect(page.get_by_text("您已投票：反对。截止前可以修改。")).to_be_visible()
    expect(ballot.get_by_role("radio", name="反对", exact=True)).to_be_checked()
    assert _turnout(page) == before + 1

    # Staff enter a paper ballot that a building leader collected door to door.
    staff = person("staff", javascript=javascript)
    staff.open("/")
    staff.log_in("staff")
    go_to_lift_vote(staff)
    before = _turnout(staff.page)
    staff.follow("录入纸质选票", within=staff.section("管理与公开"))
    staff.field("查找投票人（姓名或房号）").fill(paper_for.removeprefix("1号楼"))
    staff.press("查找")
    voter_list = staff.field("投票人")
    voter_list.select_option(label=paper_for)
    staff.page.get_by_role("group", name="选票上的选择").get_by_role("radio", name="同意", exact=True).check()
    serial = f"P-{paper_for[-3:]}"
    staff.field("纸质选票编号").fill(serial)
    staff.press("录入")
    expect(staff.page.get_by_role("status")).to_contain_text(f"已录入 {paper_for} 的纸质选票（编号 {serial}）。")
    expect(voter_list.locator("option", has_text=paper_for)).to_have_count(0)
    staff.follow(f"← {LIFT_VOTE}")
    assert _turnout(staff.page) == before + 1


def test_resident_votes_changes_the_vote_and_staff_enter_paper(person: Callable[..., Visitor]) -> None:
    vote_journey(person, voter="resident", household="1号楼2单元301", paper_for="1号楼1单元102")


# ---------------------------------------------------------------- (c) in English


def test_newcomer_journey_in_english(person: Callable[..., Visitor]) -> None:
    """The newcomer picks English with the switcher; staff's browser asks for English (Accept-Language)."""
    newcomer = newcomer_journey(person, english, username="li_na", name="李娜", compound="阳光花园",
                                building="1号楼", room="1单元201", language="en")
    page = newcomer.page
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("navigation", name="Main menu")).to_contain_text("My account")
    expect(page.get_by_text("You are a verified resident here")).to_be_visible()


def test_english_switcher(person: Callable[..., Visitor]) -> None:
    """A browser that asks for Chinese, switched to English by the link on the page, keeps English."""
    newcomer = newcomer_journey(person, english, username="zhao_lei", name="赵磊", compound="铁路宿舍",
                                building="2号楼", room="1单元101", staff_language="en", switch_to_english=True)
    expect(newcomer.page.get_by_role("link", name="中文")).to_have_attribute("lang", "zh-CN")
    expect(newcomer.menu("Main menu").get_by_role("button", name="Log out")).to_be_visible()


# ---------------------------------------------------------------- (d) keyboard only


def _focused(locator: Any) -> bool:
    return bool(locator.evaluate("element => element === document.activeElement"))


def _tab_to(page: Any, locator: Any, *, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if _focused(locator):
            outline = locator.evaluate("e => getComputedStyle(e).outlineStyle + ' ' + getComputedStyle(e).outlineWidth")
            assert not outline.startswith("none") and not outline.endswith(" 0px"), f"focus not visible: {outline}"
            return
    raise AssertionError(f"Tab never reached {locator}")


def test_vote_with_the_keyboard_only(person: Callable[..., Visitor]) -> None:
    voter = person("hp1_council2")
    page = voter.page
    voter.open("/")
    # Links are followed and forms sent with Enter, fields typed into: no mouse anywhere.
    with voter.leaving():
        voter.menu().get_by_role("link", name="登录").press("Enter")
    voter.field("用户名").press_sequentially("hp1_council2")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    with voter.leaving():
        page.keyboard.press("Enter")
    for name, within in [(COMMUNITY, voter.section("社区")), ("和平里小区", page), ("1号楼", page),
                         ("表决", voter.section("议事")), (LIFT_VOTE, page)]:
        with voter.leaving():
            within.get_by_role("link", name=name, exact=True).press("Enter")

    yes = page.get_by_role("radio", name="同意", exact=True)
    _tab_to(page, yes)
    page.keyboard.press("Space")
    expect(yes).to_be_checked()
    page.keyboard.press("Tab")
    assert _focused(page.get_by_role("button", name="投票", exact=True)), "Tab after the choices should reach 投票"
    with voter.leaving():
        page.keyboard.press("Enter")
    expect(page.get_by_text("您已投票：同意。截止前可以修改。")).to_be_visible()

    # Change it: into the group (the chosen radio takes focus), arrow to 反对, Tab to 修改选票, Enter.
    _tab_to(page, yes)
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="反对", exact=True)).to_be_checked()
    page.keyboard.press("Tab")
    assert _focused(page.get_by_role("button", name="修改选票", exact=True))
    with voter.leaving():
        page.keyboard.press("Enter")
    expect(page.get_by_text("您已投票：反对。截止前可以修改。")).to_be_visible()


def test_skip_link_is_first_and_leads_to_the_content(person: Callable[..., Visitor]) -> None:
    visitor = person("anonymous")
    visitor.open("/")
    visitor.page.keyboard.press("Tab")
    skip = visitor.page.get_by_role("link", name="跳到正文")
    assert _focused(skip)
    expect(skip).to_be_in_viewport()
    visitor.page.keyboard.press("Enter")
    assert visitor.page.url.endswith("#main")


# ---------------------------------------------------------------- (e) without JavaScript


def test_newcomer_journey_without_javascript(person: Callable[..., Visitor]) -> None:
    newcomer_journey(person, username="sun_li", name="孙丽", compound="阳光花园", building="4号楼",
                     room="1单元301", javascript=False)


def test_vote_journey_without_javascript(person: Callable[..., Visitor]) -> None:
    vote_journey(person, voter="hp1_council3", household="1号楼2单元102", paper_for="1号楼1单元201",
                 javascript=False)
