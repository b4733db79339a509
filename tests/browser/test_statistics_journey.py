"""A visitor opens the demo compound's statistics from its page, sees the figures and the charts (drawn, each
with its table), picks another period, and prints it; screenshots for the README go to tests/screenshots/."""

from __future__ import annotations

from collections.abc import Callable

from browser.conftest import DESKTOP, SCREENSHOTS, Visitor
from playwright.sync_api import expect

COMPOUND = "和平里小区"


def _charts_drawn(visitor: Visitor) -> int:
    """How many chart images the browser decoded (an SVG it could not read has no natural width)."""
    return int(visitor.page.evaluate(
        "() => [...document.querySelectorAll('figure.chart img')].filter(i => i.complete && i.naturalWidth > 0).length"
    ))


def test_a_visitor_reads_a_compounds_statistics_and_prints_them(person: Callable[..., Visitor]) -> None:
    visitor = person("visitor", **{**DESKTOP, "is_mobile": False, "has_touch": False})
    visitor.open("/")
    visitor.follow("幸福里社区", exact=False)
    visitor.follow(COMPOUND, exact=False)
    visitor.follow("统计数据")
    page = visitor.page
    expect(page.get_by_role("heading", level=1)).to_contain_text(COMPOUND)
    expect(page.get_by_role("row", name="提出的提案")).to_be_visible()
    expect(page.get_by_role("img", name="办理结果", exact=False)).to_be_visible()
    assert _charts_drawn(visitor) == 3
    assert page.locator("table.chart-table").count() == 3
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "desktop-statistics.png"), full_page=True)
    visitor.follow(str(page.locator(".period-choices a").nth(1).inner_text()))
    expect(page.locator(".period-choices [aria-current]")).to_have_text(page.locator("p.lead").inner_text().split(
        " · ")[0])
    page.emulate_media(media="print")
    expect(page.locator(".period-form")).to_be_hidden()
    expect(page.locator("figure.chart img").first).to_be_visible()
    page.pdf(path=str(SCREENSHOTS / "statistics.pdf"), format="A4")


def test_statistics_on_a_phone(person: Callable[..., Visitor]) -> None:
    visitor = person("phone")
    visitor.open("/statistics")
    expect(visitor.page.get_by_role("heading", level=1)).to_contain_text("全部地点")
    assert _charts_drawn(visitor) == 3
    width = visitor.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, "the page scrolls sideways on a phone"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    visitor.page.screenshot(path=str(SCREENSHOTS / "phone-statistics.png"), full_page=True)
