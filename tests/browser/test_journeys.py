"""Journeys through the demo community, as people make them: on a phone, finding things by their names.

(a) a newcomer registers, claims a household and is verified by staff;
(b) a resident votes on the lift and changes the vote, and staff enter a paper ballot;
(c) journey (a) in English; (d) a vote with the keyboard only; (e) (a) and (b) with JavaScript off;
(f) a proposal: written, co-signed by the neighbours until it goes to review, and accepted by staff
(also with JavaScript off, and its form completed with the keyboard only).
Each journey uses its own accounts, so that the journeys pass in any order or alone.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Callable
from typing import Any

from browser.conftest import Visitor
from playwright.sync_api import expect

from deliberate.demo import DEMO_PASSWORD
from deliberate.i18n import translations

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
        newcomer.press("English", within=newcomer.menu("语言"))
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
    # The newcomer is not on the household's register: staff see it and must confirm before approving.
    expect(claim).to_contain_text(t("名册上没有此人"))
    claim.get_by_role("checkbox").check()
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
    """A browser that asks for Chinese, switched to English by the button on the page, keeps English."""
    newcomer = newcomer_journey(person, english, username="zhao_lei", name="赵磊", compound="铁路宿舍",
                                building="2号楼", room="1单元101", staff_language="en", switch_to_english=True)
    expect(newcomer.page.get_by_role("button", name="中文")).to_have_attribute("lang", "zh-CN")
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

    yes = page.locator("form.ballot").get_by_role("radio", name="同意", exact=True)
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
    expect(page.locator("form.ballot").get_by_role("radio", name="反对", exact=True)).to_be_checked()
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


# ---------------------------------------------------------------- (f) a proposal: submitted, co-signed, accepted

# 和平里小区 1号楼 has 24 households, so its default threshold (1/5 of the households) is 5 co-signing households;
# these six logins are verified residents of six different households there.
HP1_RESIDENTS = ("leader_hp1", "resident", "hp1_council1", "hp1_council2", "hp1_council3", "hp_council1")
COSIGN_COUNT = re.compile(r"已附议 (\d+) 人，需 (\d+) 人")


def _photo() -> bytes:
    """A real 1×1 PNG: the picture of the problem the resident took with the phone."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x80\x80\x80")) + chunk(b"IEND", b""))


def _cosigns(visitor: Visitor) -> tuple[int, int]:
    """(co-signed, needed), as the 附议 part of the proposal's page reads."""
    found = COSIGN_COUNT.search(visitor.section("附议").inner_text())
    assert found, visitor.section("附议").inner_text()
    return int(found.group(1)), int(found.group(2))


def go_to_hp1_proposals(visitor: Visitor) -> None:
    visitor.follow(COMMUNITY, within=visitor.section("社区"))
    visitor.follow("和平里小区")
    visitor.follow("1号楼")
    visitor.follow("提案", within=visitor.section("议事"))
    expect(visitor.page.get_by_role("heading", level=1)).to_have_text("1号楼 的提案")


def proposal_journey(person: Callable[..., Visitor], *, author: str, home: str, title: str,
                     javascript: bool = True) -> None:
    # The author opens their building from 我的账户 → 我的住址, then 提案 → 提出新提案.
    proposer = person(author, javascript=javascript)
    page = proposer.page
    proposer.open("/")
    proposer.log_in(author)
    proposer.follow("我的账户", within=proposer.menu())
    proposer.follow(home, within=proposer.section("我的住址"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("1号楼")
    proposer.follow("提案", within=proposer.section("议事"))
    proposer.follow("提出新提案", within=page.get_by_role("main"))
    expect(page.get_by_role("heading", level=1)).to_have_text("提出新提案")
    proposer.field("标题").fill(title)
    proposer.field("类别").select_option(label="道路与设施")
    proposer.field("内容").fill("单元门口的路灯坏了两个月，晚上老人进出看不见台阶，上周有人摔了一跤。\n\n"
                              "建议：换成感应灯，并在台阶边缘贴反光条。")
    proposer.field("照片（可选）").set_input_files(
        files=[{"name": "台阶.png", "mimeType": "image/png", "buffer": _photo()}])
    proposer.press("提交，请邻居附议")
    expect(page.get_by_role("status")).to_contain_text("提案已提交，邻居们现在可以附议。")
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    expect(page.get_by_role("heading", level=1)).to_contain_text("征集附议")
    expect(page.get_by_role("img", name="提案照片 1")).to_be_visible()
    done, needed = _cosigns(proposer)
    neighbours = [n for n in HP1_RESIDENTS if n != author]
    assert done == 0 and 1 <= needed <= len(neighbours), f"已附议 {done}，需 {needed}: too many for this journey"
    expect(proposer.section("附议").get_by_role("button", name="我也支持，附议")).to_have_count(0)  # not the author
    address = page.url.split("#")[0].removeprefix(proposer.base_url)

    # Neighbours co-sign: the first finds it on the building's list, the others follow the link the author shared.
    for number, username in enumerate(neighbours[:needed], start=1):
        neighbour = person(username, javascript=javascript)
        if number == 1:
            neighbour.open("/")
            neighbour.log_in(username)
            go_to_hp1_proposals(neighbour)
            neighbour.follow(title)
        else:
            neighbour.open(address)
            neighbour.follow("登录后附议", within=neighbour.section("附议"))
            neighbour.field("用户名").fill(username)
            neighbour.field("密码").fill(DEMO_PASSWORD)
            neighbour.press("登录", within=neighbour.page.get_by_role("main"))
        expect(neighbour.page.get_by_role("heading", level=1)).to_contain_text(title)
        assert _cosigns(neighbour) == (number - 1, needed)
        neighbour.press("我也支持，附议", within=neighbour.section("附议"))
        status = neighbour.page.get_by_role("status")
        expect(status).to_contain_text("已附议，谢谢您的支持。")
        if number < needed:
            expect(neighbour.section("附议")).to_contain_text("您已附议。")
            assert _cosigns(neighbour) == (number, needed)
    expect(status).to_contain_text("附议人数已达到门槛，提案转入受理。")
    expect(neighbour.page.get_by_role("heading", level=1)).to_contain_text("受理中")

    # Staff are told (通知), open it and accept it.
    staff = person("staff", javascript=javascript)
    staff.open("/")
    staff.log_in("staff")
    staff.follow("通知", within=staff.menu(), exact=False)
    staff.follow(title)
    expect(staff.page.get_by_role("heading", level=1)).to_contain_text("受理中")
    review = staff.section("受理")
    review.get_by_role("group", name="受理结果").get_by_role("radio", name="受理立案", exact=True).check()
    reason = "受理立案。请物业一周内到现场查看，楼委会跟进。"
    review.get_by_label("说明（公开；驳回和请作者修改时必填）", exact=True).fill(reason)
    staff.press("提交受理结果", within=review)
    staff.press("确认受理")
    expect(staff.page.get_by_role("status")).to_contain_text("已受理立案，请拟定方案。")
    expect(staff.page.get_by_role("heading", level=1)).to_contain_text("已立案，制定方案")
    expect(staff.section("受理")).to_have_count(0)

    # 办理记录: submitted, the threshold reached (转入受理, by the system), accepted with the reason, in that order.
    steps = staff.section("办理记录").get_by_role("listitem").all_inner_texts()
    expected = [("提交", "草稿 → 征集附议"), ("转入受理", "征集附议 → 受理中"),
                ("受理立案", "受理中 → 已立案，制定方案")]
    at = [next((i for i, s in enumerate(steps) if label in s and move in s), -1) for label, move in expected]
    assert -1 not in at and at == sorted(at), f"办理记录 reads {steps}"
    assert "系统" in steps[at[1]] and reason in steps[at[2]] and "王芳" in steps[at[2]], steps

    # The author sees the same on their page.
    proposer.reload()
    expect(page.get_by_role("heading", level=1)).to_contain_text("已立案，制定方案")


def test_proposal_is_submitted_cosigned_and_accepted(person: Callable[..., Visitor]) -> None:
    proposal_journey(person, author="leader_hp1", home="1号楼 1单元601", title="单元门口路灯坏了，请换感应灯")


def test_proposal_journey_without_javascript(person: Callable[..., Visitor]) -> None:
    proposal_journey(person, author="hp1_council1", home="1号楼 1单元302", title="楼道堆放杂物，请组织清理",
                     javascript=False)


def test_proposal_form_with_the_keyboard_only(person: Callable[..., Visitor]) -> None:
    author = person("hp1_council2")
    page = author.page
    author.open("/")
    with author.leaving():
        author.menu().get_by_role("link", name="登录").press("Enter")
    author.field("用户名").press_sequentially("hp1_council2")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    with author.leaving():
        page.keyboard.press("Enter")
    for name, within in [("我的账户", author.menu()), ("1号楼 2单元402", author.section("我的住址")),
                         ("提案", author.section("议事")), ("提出新提案", page.get_by_role("main"))]:
        with author.leaving():
            within.get_by_role("link", name=name, exact=True).press("Enter")

    # Tab from field to field, typing; the category chosen with the arrow keys; Enter on the button.
    title = "2单元楼道窗户关不上，冬天漏风"
    _tab_to(page, author.field("标题"))
    page.keyboard.type(title)
    category = author.field("类别")
    _tab_to(page, category)
    for _ in range(7):  # 请选择 → 停车 … 安全
        page.keyboard.press("ArrowDown")
    expect(category).to_have_value("safety")
    _tab_to(page, author.field("内容"))
    page.keyboard.type("四楼和五楼之间的窗户合页坏了，风一吹就开。")
    submit = page.get_by_role("button", name="提交，请邻居附议", exact=True)
    _tab_to(page, submit)
    with author.leaving():
        page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("提案已提交，邻居们现在可以附议。")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(title)
    expect(heading).to_contain_text("征集附议")
    expect(page.get_by_text(re.compile(r"^\s*安全 · 1号楼"))).to_be_visible()
