"""A secret ballot's receipt as a resident on a phone sees it: large, on one line, selectable, copied with one tap,
and printable; and a vote list of the community holds the votes of its compounds and buildings."""

from __future__ import annotations

import re
from collections.abc import Callable

from browser.conftest import DESKTOP, Visitor
from playwright.sync_api import expect

COMMUNITY = "幸福里社区"
SECRET_VOTE = "楼道照明改造（不记名）"


def _to_building_votes(visitor: Visitor) -> None:
    visitor.follow(COMMUNITY, within=visitor.section("社区"))
    visitor.follow("和平里小区")
    visitor.follow("1号楼")
    visitor.follow("表决", within=visitor.section("议事"))


def test_a_secret_receipt_is_one_large_line_to_copy_or_print(person: Callable[..., Visitor]) -> None:
    council = person("hp1_council1", **{**DESKTOP, "is_mobile": False, "has_touch": False})
    council.open("/")
    council.log_in("hp1_council1")
    _to_building_votes(council)
    council.follow("发起表决")
    council.field("表决事项").fill(SECRET_VOTE)
    council.field("投票人范围").select_option(label="每户一票（户代表）")
    council.page.get_by_label(re.compile("不记名投票")).check()
    council.press("创建")
    council.press("开始投票")
    expect(council.page.get_by_role("status")).to_contain_text("投票已开始")

    resident = person("resident", permissions=["clipboard-read", "clipboard-write"])  # a phone, 390 px wide
    resident.open("/")
    resident.log_in("resident")
    _to_building_votes(resident)
    resident.follow(SECRET_VOTE)
    resident.page.get_by_role("radio", name="同意", exact=True).first.check()
    resident.press("投票")
    page = resident.page
    expect(page.get_by_role("heading", level=1)).to_have_text("选票已记录")
    code = page.locator(".receipt-code code")
    receipt = code.inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{5}-[0-9A-Z]{5}", receipt), receipt
    assert receipt not in page.url
    box = code.bounding_box()
    size = float(code.evaluate("element => parseFloat(getComputedStyle(element).fontSize)"))
    assert box is not None and size >= 24, size  # large
    lines = code.evaluate("element => { const r = document.createRange(); r.selectNodeContents(element);"
                          " return new Set([...r.getClientRects()].map(rect => Math.round(rect.top))).size; }")
    assert lines == 1, (lines, box)  # on one line, not broken across two
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box  # and all of it on the screen
    assert code.evaluate("element => getComputedStyle(element).userSelect") in ("all", "auto", "text")
    copy = page.get_by_role("button", name="复制回执码")
    expect(copy).to_be_visible()
    copy.click()
    expect(page.get_by_role("status").filter(has_text="已复制回执码")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == receipt
    expect(page.get_by_role("button", name="打印回执")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="复制回执码")).to_be_hidden()
    expect(code).to_be_visible()
    page.emulate_media(media="screen")

    # Back at the vote, the receipt is nowhere; the community's list holds this building's vote, marked.
    resident.follow("我已记下，返回表决")
    expect(page.get_by_text(receipt)).to_have_count(0)
    resident.follow(COMMUNITY, within=resident.page.locator("nav.breadcrumb"))
    resident.follow("表决", within=resident.section("议事"))
    listed = page.get_by_role("listitem").filter(has=page.get_by_role("link", name=SECRET_VOTE))
    expect(listed).to_contain_text("和平里小区 › 1号楼")
