"""A researcher downloads a year of a community's data: from the community's page to the open data index, a year
typed in, and the proposals' CSV saved, with its BOM, its header and the demo's proposals in it. On a phone in
Chinese, and on a desktop in English (a screenshot of the index for the README)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date

from browser.conftest import DESKTOP, SCREENSHOTS, Visitor
from playwright.sync_api import expect

from deliberate.i18n import translations


def _download(researcher: Visitor, section: str, link: str) -> bytes:
    with researcher.page.expect_download() as started:
        researcher.section(section).get_by_role("link", name=link, exact=True).click()
    path = started.value.path()
    assert path is not None
    return path.read_bytes()


def test_a_researcher_downloads_a_year_of_the_communitys_proposals(person: Callable[..., Visitor]) -> None:
    researcher = person("researcher")
    researcher.open("/")
    researcher.follow("幸福里社区")
    researcher.follow("开放数据下载（CSV、JSON）")
    expect(researcher.page.get_by_role("heading", level=1)).to_have_text("开放数据 · 幸福里社区")
    year = str(date.today().year)
    researcher.field("或年份").fill(year)
    researcher.press("更新下载链接")
    expect(researcher.page.get_by_text(f"下载链接的时间范围：{year}-01-01 至 {year}-12-31")).to_be_visible()
    content = _download(researcher, "提案 proposals", "下载 CSV")
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert rows and set(rows[0]) >= {"id", "place_name", "title", "stage", "author"}
    assert {row["place_kind"] for row in rows} <= {"community", "compound", "building"}
    assert not any(row["stage"] == "draft" for row in rows)

    researcher.field("开始日期").fill("2026-05-02")
    researcher.field("结束日期").fill("2026-05-01")
    researcher.field("或年份").fill("")
    with researcher.page.expect_navigation():
        researcher.page.get_by_role("button", name="更新下载链接").click()
    expect(researcher.page.get_by_role("alert")).to_contain_text("开始日期不能晚于结束日期。")


def test_the_open_data_index_in_english_on_a_desktop(person: Callable[..., Visitor]) -> None:
    en = translations("en").gettext
    researcher = person("researcher-en", language="en", **DESKTOP)
    researcher.open("/")
    researcher.follow("幸福里社区")
    researcher.follow(en("开放数据下载（CSV、JSON）"))
    researcher.page.get_by_text(en("字段说明（%(n)s 个）") % {"n": 26}).click()  # the votes' fields
    expect(researcher.page.get_by_role("cell", name="participation_area", exact=True)).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    researcher.page.screenshot(path=str(SCREENSHOTS / "open-data-desktop-en.png"), full_page=True)
    content = _download(researcher, f'{en("表决")} votes', en("下载 JSON"))
    assert content.startswith(b'{"dataset": "votes"')
