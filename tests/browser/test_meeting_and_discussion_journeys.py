"""Journeys through meetings and discussion threads, on the demo community, as people make them.

(a) meetings: a resident finds the 民情恳谈会 of her building on its calendar, sees the notice it was given,
    registers, adds it to her phone's calendar and finds it in 我报名的会议; its sign-in opens only two hours
    before the start, so staff find it closed, and a passer-by reads the demo hearing's published minutes;
    with JavaScript off, staff schedule a 民事协商会 at 铁路宿舍 3号楼 in good time, a resident of the building
    registers, cancels and registers again, and its printable notice has the title and the time;
(b) discussion: a resident says where she stands, a neighbour answers, she follows 通知 to the answer; another
    neighbour reports it, staff hide it from 评论管理, the public sees the placeholder, staff restore it, and the
    moderation log has the three steps in order; posting and answering again with JavaScript off;
(c) staff call an urgent 民情恳谈会 on the lane proposal starting within the hour, the resident registers,
    staff sign her in, the meeting begins, staff draft and submit the minutes; the chair approves them and the
    resident reads them from the proposal. Minutes wait for the start: rather than wait, the test moves the
    meeting's times back in the server's database, as if its hour had come. The meeting is called by a
    module-wide fixture that the first test asks for (she finds it among her meetings), and (c) comes last.

The demo objects here are used by no other journey: the 1号楼 listening meeting, the lane proposal
(2号楼和3号楼之间的巷道, at disclosure) for the new meeting's agenda, the leaking roofs (in review) for the threads,
铁路宿舍 3号楼 and its building leader (leader_tl3) for the meeting scheduled with JavaScript off.
Residents are on phones, staff and the chair at a desk.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from browser.conftest import Audit, Server, Visitor, fail_on_axe_findings, new_visitor
from browser.test_loop_journeys import (
    COMMUNITY,
    DESK,
    assert_steps,
    chinese,
    go_to_proposal,
    heading,
    joins,
    labelled,
    open_details,
    sign_in,
    status,
    timeline,
)
from icalendar import Calendar
from playwright.sync_api import expect

from deliberate.clock import utcnow
from deliberate.db import Database
from deliberate.demo import DEMO_PASSWORD
from deliberate.meetings.models import Meeting
from deliberate.settings import Settings

CHINA = ZoneInfo("Asia/Shanghai")  # the server's settings.timezone: the form's times are Beijing time

LISTENING = "1号楼楼道堆物和单元门口台阶恳谈会"  # 和平里小区 1号楼, the day after tomorrow, open for registration
HEARING = "铁路宿舍封闭管理听证会"  # 铁路宿舍, three weeks ago, minutes published
LANE = "2号楼和3号楼之间的巷道坑洼积水，请整体翻修"  # 和平里小区, plans at disclosure
ROOFS = "屋面防水老化，顶层住户家家漏雨"  # 和平里小区, waiting for review

URGENT = "暴雨前巷道积水紧急恳谈会"  # called by the `urgent_meeting` fixture
CONSULTATION = "3号楼楼顶水箱清洗和费用分摊协商会"  # 铁路宿舍 3号楼, scheduled with JavaScript off
LEAD = timedelta(minutes=30)  # from calling the urgent meeting to its start at the least: sign-in opens 2 h before

REGISTERED = re.compile(r"已报名 (\d+) 人")
COMMENT_ANCHOR = re.compile(r"#c(\d+)$")


# ---------------------------------------------------------------- (a) meetings


def registered_count(visitor: Visitor) -> int:
    text = visitor.section("报名").locator(".turnout").inner_text()
    found = REGISTERED.search(text)
    assert found, text
    return int(found.group(1))


def register(resident: Visitor) -> None:
    """Registers for the meeting whose page she is on: one more registered, and she is told she is."""
    before = registered_count(resident)
    resident.press("我要参加，报名", within=resident.section("报名"))
    expect(status(resident)).to_contain_text("报名成功。请按时参加。")
    registration = resident.section("报名")
    expect(registration).to_contain_text("您已报名，请按时参加。")
    expect(registration.get_by_role("button", name="取消报名", exact=True)).to_be_visible()
    assert registered_count(resident) == before + 1


def go_to_building_calendar(visitor: Visitor) -> None:
    visitor.open("/")
    visitor.follow(COMMUNITY, within=visitor.section("社区"))
    visitor.follow("和平里小区")
    visitor.follow("1号楼")
    visitor.follow("会议", within=visitor.section("议事"))
    expect(heading(visitor)).to_have_text("1号楼 的会议")


def next_start() -> datetime:
    """The start an urgent meeting gets if it is called now: the first whole minute (the form takes hours and
    minutes, Beijing time) at least LEAD away."""
    at = (datetime.now(CHINA) + LEAD).replace(second=0, microsecond=0) + timedelta(minutes=1)
    if at.hour == 23 and at.minute == 59:  # no room left that day for an end after the start
        at += timedelta(minutes=1)
    return at


def schedule_urgent_meeting(staff: Visitor, title: str, reason: str) -> tuple[str, datetime]:
    """Staff call a 民情恳谈会 at 和平里小区 on the lane, starting within the hour: urgent, with the reason.
    Returns the meeting's address and start."""
    staff.open("/")
    staff.follow(COMMUNITY, within=staff.section("社区"))
    staff.follow("和平里小区")
    staff.follow("安排会议", within=staff.section("议事"))
    expect(heading(staff)).to_have_text("在 和平里小区 安排会议")
    staff.field("会议类型").select_option(label="民情恳谈会（提前 1 天通知）")
    staff.field("会议名称").fill(title)
    staff.field("会议说明（可不填）").fill("暴雨前听听巷道两侧住户的意见：哪里积水最深，施工前先做哪些应急处理。")
    staff.field("开会地点").fill("和平里小区活动室")
    staff.page.get_by_role("radio", name="本地核实居民可报名", exact=True).check()
    staff.field("主持人").select_option(label="胡美玲")
    staff.page.get_by_role("group", name="议程：要讨论的提案").get_by_role(
        "checkbox", name=re.compile(re.escape(LANE))).check()
    staff.page.get_by_role("checkbox", name="来不及按通知期提前通知，需要紧急召开", exact=True).check()
    staff.field("紧急召开的理由（公开）").fill(reason)
    starts = next_start()
    ends = min(starts + timedelta(hours=1), starts.replace(hour=23, minute=59))
    staff.field("日期").fill(starts.strftime("%Y-%m-%d"))
    staff.field("开始").fill(starts.strftime("%H:%M"))
    staff.field("结束").fill(ends.strftime("%H:%M"))
    staff.press("安排会议，发布通知")
    expect(status(staff)).to_contain_text("会议已安排，通知已发布。")
    expect(heading(staff)).to_contain_text(title)
    facts = staff.page.locator("dl.facts")
    expect(facts).to_contain_text("民情恳谈会须提前 1 天通知；")
    expect(facts).to_contain_text("不足通知期")
    expect(facts).to_contain_text(f"紧急召开的理由：{reason}")
    expect(facts).to_contain_text("胡美玲")
    return staff.page.url.split("#")[0].removeprefix(staff.base_url), starts


def download_ical(resident: Visitor) -> tuple[str, bytes]:
    """加入我的日历（.ics）, as the phone downloads it: the content type it was sent with, and the file."""
    page = resident.page
    with page.expect_response(re.compile(r"/meetings/\d+\.ics$")) as answer, page.expect_download() as download:
        page.get_by_role("link", name="加入我的日历（.ics）", exact=True).click()
    path = download.value.path()
    assert path is not None, download.value.failure()
    return answer.value.headers.get("content-type", ""), path.read_bytes()


def the_listening_meeting(resident: Visitor) -> None:
    """Her building's 民情恳谈会, from its calendar: the notice it was given, registration, the .ics file."""
    go_to_building_calendar(resident)
    resident.follow(LISTENING, within=resident.section("即将召开"))
    expect(heading(resident)).to_contain_text(LISTENING)
    notice = resident.page.locator("dl.facts")
    expect(notice).to_contain_text("民情恳谈会须提前 1 天通知；")
    expect(notice).to_contain_text("符合通知期")
    expect(notice).to_contain_text("田文斌")  # the chair
    register(resident)
    content_type, body = download_ical(resident)
    assert content_type.startswith("text/calendar"), content_type
    events = Calendar.from_ical(body).walk("VEVENT")
    assert len(events) == 1, body
    assert str(events[0]["SUMMARY"]) == f"民情恳谈会：{LISTENING}", events[0]["SUMMARY"]


def read_the_hearing_minutes(person: Callable[..., Visitor]) -> None:
    """The demo hearing's minutes are public: anyone finds them on 铁路宿舍's calendar."""
    reader = person("anonymous")
    reader.open("/")
    reader.follow(COMMUNITY, within=reader.section("社区"))
    reader.follow("铁路宿舍")
    reader.follow("会议", within=reader.section("议事"))
    held = reader.section("已召开的会议").get_by_role("listitem").filter(
        has=reader.page.get_by_role("link", name=HEARING, exact=True))
    expect(held).to_contain_text("民意听证会")
    reader.follow("会议纪要", within=held)
    expect(heading(reader)).to_have_text("会议纪要")
    minutes = reader.page.locator("article.minutes")
    expect(minutes).to_contain_text(f"民意听证会：{HEARING}")
    expect(minutes).to_contain_text("受理立案。由小区议事会牵头，按听证会上的意见拟定方案")
    expect(minutes).to_contain_text("对提案的作用：受理立案（已生效）")
    expect(minutes).to_contain_text("主持人 魏光明 批准")
    expect(minutes).not_to_contain_text("尚未公开")


def sign_in_is_not_open_yet(staff: Visitor) -> None:
    """Staff at the listening meeting's sign-in page: it opens two hours before the start, the list is there."""
    go_to_building_calendar(staff)
    staff.follow(LISTENING)
    staff.follow("签到与参会名单", within=staff.section("会务管理"))
    expect(heading(staff)).to_have_text(f"签到：{LISTENING}")
    expect(staff.page.get_by_text("签到在会议开始前两小时开放。")).to_be_visible()
    row = staff.section("报名名单").get_by_role("row").filter(has_text="张秀英")
    expect(row).to_contain_text("已报名")
    expect(staff.page.get_by_role("button", name="签到", exact=True)).to_have_count(0)
    expect(staff.page.get_by_role("heading", name="未报名到场")).to_have_count(0)


def sign_her_in(staff: Visitor, address: str) -> None:
    staff.open(address)
    staff.follow("签到与参会名单", within=staff.section("会务管理"))
    row = staff.section("报名名单").get_by_role("row").filter(has_text="张秀英")
    staff.press("签到", within=row)
    expect(status(staff)).to_contain_text("张秀英 已签到。")
    expect(staff.section("报名名单").get_by_role("row").filter(has_text="张秀英")).to_contain_text("已签到")
    expect(staff.page.locator(".turnout")).to_contain_text("实到 1 人（来宾 0 人）；报名 1 人，候补 0 人。")
    present = staff.section("参会名单（仅工作人员可见）").get_by_role("row").filter(has_text="张秀英")
    expect(present).to_contain_text("1号楼 2单元301")


def the_meeting_begins(server: Server, address: str) -> None:
    """The minutes can be drafted once the meeting has begun. Its hour comes without waiting for it: its start and
    end move back together in the server's database, so that it began a second ago and lasts as long as called."""
    database = Database(replace(Settings(), database_url=server.database_url))
    try:
        with database.writing() as session:
            meeting = session.get(Meeting, int(address.rstrip("/").rsplit("/", 1)[-1]))
            assert meeting is not None, address
            early = meeting.starts_at - utcnow() + timedelta(seconds=1)
            assert early > timedelta(0), "it had begun already: LEAD is too short to prove anything here"
            meeting.starts_at -= early
            meeting.ends_at -= early
            session.add(meeting)
    finally:
        database.dispose()


def draft_and_submit_minutes(staff: Visitor, address: str, decision: str) -> None:
    staff.open(address)
    expect(heading(staff)).to_contain_text("进行中")
    staff.follow("起草纪要", within=staff.section("会议纪要"))
    expect(staff.field("出席情况")).to_have_value("实到 1 人（其中来宾 0 人）。")
    staff.field("会议概况（可不填）").fill("会议由胡美玲主持，巷道两侧住户到会发言。")
    item = staff.page.get_by_role("group", name=re.compile(re.escape(f"提案：{LANE}")))
    labelled(item, "发言要点").fill("住户反映 2号楼西侧积水最深，雨后两天才退；希望施工前先疏通明沟。")
    labelled(item, "决定").fill(decision)
    labelled(item, "对提案的作用（纪要公开时生效）").select_option(label="不改变提案进度")
    staff.press("提交主持人批准")
    expect(status(staff)).to_contain_text("纪要已提交主持人审批。")
    expect(staff.page.get_by_text("草稿，已提交，等待主持人批准。尚未公开。")).to_be_visible()


def chair_approves(chair: Visitor) -> None:
    chair.reload()
    minutes = chair.section("会议纪要")
    expect(minutes).to_contain_text("纪要已提交，等待主持人批准后公开。")
    chair.follow("查看草稿", within=minutes)
    chair.press("批准并公开纪要", within=chair.section("审批"))
    expect(status(chair)).to_contain_text("纪要已批准并公开；议程中的提案页面都已链接到它。")
    expect(chair.page.locator("article.minutes")).to_contain_text("主持人 胡美玲 批准")


@dataclass(frozen=True)
class UrgentMeeting:
    address: str
    starts: datetime
    server: Server
    staff: Visitor  # who called it, at the desk
    resident: Visitor  # who registered, on her phone


@pytest.fixture(scope="module")
def urgent_meeting(browser: Any, server: Server, audit: Audit) -> Iterator[UrgentMeeting]:
    """Staff call the urgent meeting on the lane, starting at the first whole minute at least LEAD away, and the
    resident opens the notice shared in the compound's group chat and registers before it starts."""
    contexts, visitors = [], []

    def make(who: str, **options: Any) -> Visitor:
        context, visitor = new_visitor(browser, server, audit, who, **options)
        contexts.append(context)
        visitors.append(visitor)
        return visitor

    try:
        staff, resident = make("staff", **DESK), make("resident")
        sign_in(staff, "staff", chinese)
        sign_in(resident, "resident", chinese)
        address, starts = schedule_urgent_meeting(
            staff, URGENT, "气象台发布暴雨预警，巷道今晚可能再次积水，需要马上听取两侧住户的意见。")
        resident.open(address)
        assert datetime.now(CHINA) < starts - timedelta(seconds=2), "too slow: it began before she could register"
        expect(resident.page.locator("dl.facts")).to_contain_text("不足通知期")
        register(resident)
        fail_on_axe_findings(visitors)
        yield UrgentMeeting(address, starts, server, staff, resident)
    finally:
        for context in contexts:
            context.close()
    fail_on_axe_findings(visitors)


def test_resident_registers_for_her_buildings_meeting(person: Callable[..., Visitor],
                                                      urgent_meeting: UrgentMeeting) -> None:
    resident = person("resident")
    sign_in(resident, "resident", chinese)
    the_listening_meeting(resident)
    # The building's calendar shows the compound's meetings too; 我报名的会议 has both of hers.
    resident.follow("1号楼 的全部会议")
    expect(resident.section("即将召开").get_by_role("link", name=URGENT, exact=True)).to_be_visible()
    resident.follow("我报名的会议", within=resident.section("即将召开"))
    expect(heading(resident)).to_have_text("我报名的会议")
    for name in (LISTENING, URGENT):
        mine = resident.page.get_by_role("listitem").filter(has=resident.page.get_by_role("link", name=name))
        expect(mine).to_contain_text("已报名")

    staff = person("staff", **DESK)
    sign_in(staff, "staff", chinese)
    sign_in_is_not_open_yet(staff)
    read_the_hearing_minutes(person)


def go_to_tielu_building_3(visitor: Visitor) -> None:
    visitor.open("/")
    visitor.follow(COMMUNITY, within=visitor.section("社区"))
    visitor.follow("铁路宿舍")
    visitor.follow("3号楼")


def schedule_consultation(staff: Visitor) -> datetime:
    """Staff schedule a 民事协商会 (3 days' notice) at 铁路宿舍 3号楼 five days ahead, with every field the form
    asks for and an agenda item of its own: in good time, so not urgent. Returns its start."""
    go_to_tielu_building_3(staff)
    staff.follow("安排会议", within=staff.section("议事"))
    expect(heading(staff)).to_have_text("在 3号楼 安排会议")
    staff.field("会议类型").select_option(label="民事协商会（提前 3 天通知）")
    staff.field("会议名称").fill(CONSULTATION)
    staff.field("会议说明（可不填）").fill("楼顶水箱三年没洗了，商量请哪家来洗、费用怎么按户分摊。")
    starts = (datetime.now(CHINA) + timedelta(days=5)).replace(hour=19, minute=0, second=0, microsecond=0)
    staff.field("日期").fill(starts.strftime("%Y-%m-%d"))
    staff.field("开始").fill("19:00")
    staff.field("结束").fill("20:30")
    staff.field("开会地点").fill("铁路宿舍3号楼一单元门口")
    staff.page.get_by_role("radio", name="本地核实居民可报名", exact=True).check()
    staff.field("主持人").select_option(label="王芳")
    staff.field("议程：其他事项（每行一项）").fill("楼顶水箱清洗：请哪家、什么时候洗\n清洗费用按户分摊的办法")
    staff.press("安排会议，发布通知")
    expect(status(staff)).to_contain_text("会议已安排，通知已发布。")
    expect(heading(staff)).to_contain_text(CONSULTATION)
    facts = staff.page.locator("dl.facts")
    expect(facts).to_contain_text(f"{starts:%Y-%m-%d} 19:00–20:30")
    expect(facts).to_contain_text("民事协商会须提前 3 天通知；")
    expect(facts).to_contain_text("符合通知期")
    expect(facts).not_to_contain_text("不足通知期")
    expect(staff.section("议程").get_by_role("listitem")).to_have_text(
        ["楼顶水箱清洗：请哪家、什么时候洗", "清洗费用按户分摊的办法"])
    return starts


def cancel_registration(resident: Visitor) -> None:
    """Cancels her registration for the meeting whose page she is on: one fewer registered, and she may register
    again."""
    before = registered_count(resident)
    resident.press("取消报名", within=resident.section("报名"))
    expect(status(resident)).to_contain_text("已取消报名。")
    registration = resident.section("报名")
    expect(registration).not_to_contain_text("您已报名")
    expect(registration.get_by_role("button", name="我要参加，报名", exact=True)).to_be_visible()
    assert registered_count(resident) == before - 1


def test_meetings_work_without_javascript(person: Callable[..., Visitor]) -> None:
    staff = person("staff", javascript=False, **DESK)
    sign_in(staff, "staff", chinese)
    starts = schedule_consultation(staff)

    # A resident of the building (its leader) finds it on the building's calendar, on her phone.
    resident = person("leader_tl3", javascript=False)
    sign_in(resident, "leader_tl3", chinese)
    go_to_tielu_building_3(resident)
    resident.follow("会议", within=resident.section("议事"))
    expect(heading(resident)).to_have_text("3号楼 的会议")
    resident.follow(CONSULTATION, within=resident.section("即将召开"))
    expect(heading(resident)).to_contain_text(CONSULTATION)
    register(resident)
    cancel_registration(resident)
    register(resident)

    # The notice staff print and put up at the building's door.
    staff.follow("打印会议通知")
    expect(heading(staff)).to_have_text("会议通知")
    notice = staff.page.locator("article.notice")
    expect(notice).to_contain_text(f"民事协商会：{CONSULTATION}")
    expect(notice.locator("dl.facts")).to_contain_text(f"{starts:%Y-%m-%d} 19:00–20:30")
    expect(notice.locator("dl.facts")).to_contain_text("符合通知期")


# ---------------------------------------------------------------- (b) discussion


def thread(visitor: Visitor) -> Any:
    return visitor.page.get_by_role("region", name=re.compile(r"^讨论"))


def comment(visitor: Visitor, comment_id: int) -> Any:
    return visitor.page.locator(f"article#c{comment_id}")


def anchored_id(visitor: Visitor) -> int:
    """The comment the page was sent to after posting: /proposals/<id>#c<comment>."""
    found = COMMENT_ANCHOR.search(visitor.page.url)
    assert found, visitor.page.url
    return int(found.group(1))


def balance(visitor: Visitor) -> tuple[int, int, int]:
    """(supporting, opposing, neutral) as the thread's balance reads; nothing said yet is (0, 0, 0)."""
    line = thread(visitor).locator(".balance")
    if not line.count():
        return 0, 0, 0
    found = re.search(r"支持 (\d+) 人，反对 (\d+) 人，中立 (\d+) 人", line.inner_text())
    assert found, line.inner_text()
    return int(found.group(1)), int(found.group(2)), int(found.group(3))


def post(visitor: Visitor, text: str, stance: str) -> int:
    discussion = thread(visitor)
    labelled(discussion, "发表您的意见").fill(text)
    discussion.get_by_role("group", name="您的态度（可选）").get_by_role("radio", name=stance, exact=True).check()
    visitor.press("发表", within=discussion)
    expect(status(visitor)).to_contain_text("评论已发表。")
    posted = anchored_id(visitor)
    expect(comment(visitor, posted)).to_contain_text(text)
    expect(comment(visitor, posted).locator(".tag")).to_have_text(stance)
    return posted


def answer(visitor: Visitor, to: int, to_name: str, text: str) -> int:
    answered = comment(visitor, to)
    open_details(answered, "回复")
    labelled(answered, f"回复 {to_name}").fill(text)
    visitor.press("发表回复", within=answered)
    expect(status(visitor)).to_contain_text("回复已发表。")
    posted = anchored_id(visitor)
    expect(comment(visitor, posted)).to_contain_text(text)
    # An answer sits under what it answers.
    expect(visitor.page.locator(f"article#c{to} ~ ol.replies article#c{posted}")).to_have_count(1)
    return posted


def open_moderation(staff: Visitor) -> str:
    """幸福里社区 → 管理 → 评论管理. Returns its address."""
    staff.open("/")
    staff.follow(COMMUNITY, within=staff.section("社区"))
    staff.follow("评论管理", within=staff.section("管理"))
    expect(heading(staff)).to_have_text(f"评论管理：{COMMUNITY}")
    return staff.page.url.removeprefix(staff.base_url)


def log_of(staff: Visitor, comment_id: int) -> list[tuple[str, str, str]]:
    """(what, who, why) for each entry of the moderation log about this comment, oldest first."""
    rows = staff.section("管理日志").locator("tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells, c => c.innerText.trim()))")
    return [(what, who, why) for _at, what, who, which, why in reversed(rows) if which == f"#{comment_id}"]


def test_comment_answer_report_hide_and_restore(person: Callable[..., Visitor]) -> None:
    resident = person("resident")
    sign_in(resident, "resident", chinese)
    address = go_to_proposal(resident, "和平里小区", ROOFS)
    supporting, opposing, neutral = balance(resident)
    said = "支持。我们1号楼顶层的邻居家也漏雨，今年夏天吊顶都泡坏了，请尽快检测。"
    first = post(resident, said, "支持")
    assert balance(resident) == (supporting + 1, opposing, neutral)

    # A neighbour answers; the resident hears of it in 通知 and follows it to the answer.
    neighbour = person("leader_hp3")
    joins(neighbour, "leader_hp3", address)
    answered = "3号楼也是。别光等社区检测，你们1号楼的人上回修楼道一分钱都不肯出。"
    reply = answer(neighbour, first, "张秀英", answered)
    resident.follow("通知", within=resident.menu(), exact=False)
    told = resident.page.get_by_role("listitem").filter(has_text="回复了讨论").filter(has_text="3号楼也是")
    expect(told).to_have_count(1)
    expect(told).to_contain_text("沈永刚")
    resident.follow(ROOFS, within=told)
    assert resident.page.url.endswith(f"{address}#c{reply}"), resident.page.url
    expect(comment(resident, reply)).to_contain_text(answered)
    expect(comment(resident, reply)).to_be_in_viewport()

    # Another neighbour reports the answer, with a reason.
    reporter = person("supervisor")
    joins(reporter, "supervisor", address)
    reporter.follow("举报", within=comment(reporter, reply))
    expect(heading(reporter)).to_have_text("举报评论")
    reason = "针对1号楼住户的地域攻击，和屋面防水无关。"
    reporter.field("举报理由").fill(reason)
    reporter.press("提交举报")
    expect(status(reporter)).to_contain_text("谢谢，工作人员会尽快处理。")
    expect(comment(reporter, reply)).to_contain_text("已举报")

    # Staff hide it from 评论管理 with a reason.
    staff = person("staff", **DESK)
    sign_in(staff, "staff", chinese)
    moderation = open_moderation(staff)
    waiting = staff.section("待处理的举报").get_by_role("listitem").filter(has_text="3号楼也是")
    expect(waiting).to_contain_text("王玉珍 于 ")
    expect(waiting).to_contain_text(f"举报：{reason}")
    hidden_because = "地域攻击，违反议事规则第三条：就事论事，不针对人。"
    labelled(waiting, "隐藏的理由（作者会看到，记入管理日志）").fill(hidden_because)
    staff.press("隐藏这条评论", within=waiting)
    expect(status(staff)).to_contain_text("评论已隐藏，作者已收到通知。")
    expect(comment(staff, reply)).to_contain_text(f"已隐藏，只有工作人员和作者能看到。理由：{hidden_because}")

    # The public sees the placeholder, and the answer's text nowhere.
    passer_by = person("anonymous")
    passer_by.open(address)
    expect(comment(passer_by, reply)).to_contain_text("这条评论因违反议事规则已被工作人员隐藏。")
    expect(thread(passer_by)).not_to_contain_text(answered)
    expect(comment(passer_by, first)).to_contain_text(said)

    # Staff restore it, from the hidden comments of 评论管理.
    staff.open(moderation)
    hidden = staff.section("已隐藏的评论").get_by_role("listitem").filter(has_text="3号楼也是")
    expect(hidden).to_contain_text(hidden_because)
    staff.follow("到讨论中查看或恢复", within=hidden)
    restored_because = "作者已当面道歉并同意修改措辞，恢复显示。"
    open_details(comment(staff, reply), "管理")
    labelled(comment(staff, reply), "恢复的理由（记入管理日志）").fill(restored_because)
    staff.press("恢复显示", within=comment(staff, reply))
    expect(status(staff)).to_contain_text("评论已恢复显示。")
    passer_by.reload()
    expect(comment(passer_by, reply)).to_contain_text(answered)

    # The moderation log: reported, hidden, restored, in that order, by whom and why.
    staff.open(moderation)
    expect(staff.section("待处理的举报").get_by_role("listitem").filter(has_text="3号楼也是")).to_have_count(0)
    assert log_of(staff, reply) == [("举报", "王玉珍", reason), ("隐藏", "王芳", hidden_because),
                                    ("恢复", "王芳", restored_because)], log_of(staff, reply)


def test_comment_and_answer_without_javascript(person: Callable[..., Visitor]) -> None:
    author = person("hp1_council3", javascript=False)
    sign_in(author, "hp1_council3", chinese)
    address = go_to_proposal(author, "和平里小区", ROOFS)
    first = post(author, "中立。先检测再说，重做防水前要把费用怎么分讲清楚。", "中立")

    neighbour = person("leader_hp4", javascript=False)
    neighbour.open(address)
    neighbour.follow("登录后参与讨论", within=thread(neighbour))
    neighbour.field("用户名").fill("leader_hp4")
    neighbour.field("密码").fill(DEMO_PASSWORD)
    neighbour.press("登录", within=neighbour.page.get_by_role("main"))
    expect(heading(neighbour)).to_contain_text(ROOFS)  # back where the link was
    reply = answer(neighbour, first, "方利萍", "同意。4号楼顶层有六户，可以先把漏雨的位置登记给楼栋长。")

    author.reload()
    expect(comment(author, reply)).to_contain_text("4号楼顶层有六户")


# ---------------------------------------------------------------- (c) the urgent meeting, signed in and minuted


def test_urgent_meeting_is_signed_in_and_minuted(person: Callable[..., Visitor], urgent_meeting: UrgentMeeting) -> None:
    """Last in the file: the meeting was called when the first test began, and begins here."""
    staff, resident, address = urgent_meeting.staff, urgent_meeting.resident, urgent_meeting.address
    sign_her_in(staff, address)  # at the door: from two hours before the start
    chair = person("hp_council1", **DESK)
    joins(chair, "hp_council1", address)
    the_meeting_begins(urgent_meeting.server, address)

    decision = "先请物业在暴雨前疏通明沟、备好沙袋；巷道怎么翻修，按公示的两个方案由居民表决。"
    draft_and_submit_minutes(staff, address, decision)
    resident.open(address)
    resident.follow(f"提案：{LANE}", within=resident.section("议程"))
    expect(heading(resident)).to_contain_text(LANE)
    meetings = resident.section("会议")
    expect(meetings.get_by_role("link", name=URGENT, exact=True)).to_be_visible()
    expect(meetings.get_by_role("link", name="会议纪要")).to_have_count(0)  # not public yet
    chair_approves(chair)

    # The resident reads them from the lane proposal, whose 办理记录 has the meeting and its minutes.
    resident.reload()
    assert_steps(timeline(resident), [("列入会议议程", f"民情恳谈会「{URGENT}」"),
                                      ("会议纪要发布", f"民情恳谈会「{URGENT}」", decision)])
    held = resident.section("会议").get_by_role("listitem").filter(
        has=resident.page.get_by_role("link", name=URGENT, exact=True))
    resident.follow("会议纪要", within=held)
    minutes = resident.page.locator("article.minutes")
    expect(minutes).to_contain_text(f"民情恳谈会：{URGENT}")
    expect(minutes).to_contain_text(decision)
    expect(minutes).to_contain_text("实到 1 人（其中来宾 0 人）。")
    expect(minutes).to_contain_text("主持人 胡美玲 批准")
    fail_on_axe_findings([staff, resident])
