"""A visitor opens the demo compound's page and sees what is happening there and how well it went, on a desktop
and on a phone (one card per block, nothing scrolling sideways); screenshots for the README go to tests/screenshots/.
Every page reached is checked with axe (the `person` fixture)."""

from __future__ import annotations

from collections.abc import Callable

from browser.conftest import DESKTOP, SCREENSHOTS, Visitor
from playwright.sync_api import expect

COMPOUND = "和平里小区"
BLOCKS = ("进行中的表决", "各阶段的提案", "即将召开的会议", "施工中的工程", "表决结果", "最近办结", "议事会与负责人")


def _walk_to_the_compound(visitor: Visitor) -> None:
    visitor.open("/")
    visitor.follow("幸福里社区", exact=False)
    visitor.follow(COMPOUND, exact=False)
    expect(visitor.page.get_by_role("heading", level=1)).to_contain_text(COMPOUND)
    for heading in BLOCKS:
        expect(visitor.page.get_by_role("heading", name=heading, exact=True)).to_be_visible()


def test_a_visitor_sees_what_is_happening_in_a_compound(person: Callable[..., Visitor]) -> None:
    visitor = person("visitor", **{**DESKTOP, "is_mobile": False, "has_touch": False})
    _walk_to_the_compound(visitor)
    page = visitor.page
    stages = page.locator(".stage-counts a")
    assert stages.count() > 0
    assert "stage=" in (stages.first.get_attribute("href") or "")
    for progress in page.locator(".work-progress").all():
        expect(progress.locator("progress")).to_have_attribute("max", "100")
        expect(progress).to_contain_text("%")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "desktop-place-home.png"), full_page=True)
    stages.first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    visitor.arrived()


def test_a_compounds_page_on_a_phone(person: Callable[..., Visitor]) -> None:
    visitor = person("phone")
    _walk_to_the_compound(visitor)
    width = visitor.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, "the page scrolls sideways on a phone"
    small = visitor.page.evaluate(
        "() => [...document.querySelectorAll('.place-home a')].filter(a => a.getBoundingClientRect().height < 44)"
        ".map(a => a.textContent.trim())")
    assert small == [], f"links shorter than 44 px: {small}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    visitor.page.screenshot(path=str(SCREENSHOTS / "phone-place-home.png"), full_page=True)
