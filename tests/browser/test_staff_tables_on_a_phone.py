"""Staff tables on a phone (390 px): each row becomes a card whose cells are labelled, and nothing scrolls sideways.

The tracking page (督办) and the moderation page, as `staff` sees them on the demo community; axe checks both.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from typing import Any

from browser.conftest import PHONE, SCREENSHOTS, Server, Visitor
from playwright.sync_api import expect

CARD_CELLS = """(table) => [...table.querySelectorAll('tbody tr')].map((row) => {
  const cells = [...row.children];
  return {
    width: row.getBoundingClientRect().width,
    cells: cells.map((cell) => ({
      display: getComputedStyle(cell).display,
      width: cell.getBoundingClientRect().width,
      label: cell.dataset.label || '',
      before: getComputedStyle(cell, '::before').content,
    })),
  };
})"""
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _community(server: Server) -> int:
    with urllib.request.urlopen(server.url + "/index.json", timeout=10) as answer:
        found = json.load(answer)
    return next(c["id"] for c in found["communities"] if c["name"] == "幸福里社区")


def _assert_cards(staff: Visitor, table: Any) -> int:
    """Every row of the table is a card as wide as the screen allows, each cell a block under its own label."""
    rows = table.evaluate(CARD_CELLS)
    width = PHONE["viewport"]["width"]
    for row in rows:
        assert 300 <= row["width"] <= width, row
        for cell in row["cells"]:
            if not cell["label"]:
                continue  # a table's foot
            assert cell["display"] == "block", cell
            assert cell["width"] >= 280, cell  # a line of text, not one character
            assert cell["label"] in cell["before"], cell
    return len(rows)


def test_staff_tables_become_cards_on_a_phone(person: Callable[..., Visitor], server: Server) -> None:
    staff = person("staff")
    staff.open("/")
    staff.log_in("staff")
    community = _community(server)

    staff.open(f"/places/{community}/tracking")
    expect(staff.page.get_by_role("heading", level=1)).to_contain_text("提案督办")
    assert staff.page.evaluate(SIDEWAYS) <= 0, "the tracking page scrolls sideways"
    tables = staff.page.locator("table.stack")
    shown = sum(_assert_cards(staff, tables.nth(n)) for n in range(tables.count()))
    assert shown >= 3  # the demo has something waiting in several sections
    SCREENSHOTS.mkdir(exist_ok=True)
    staff.page.screenshot(path=str(SCREENSHOTS / "tracking-phone.png"), full_page=True)
    overdue = staff.page.locator("table.stack tr.overdue").first
    expect(overdue).to_be_visible()

    staff.open(f"/places/{community}/moderation")
    expect(staff.page.get_by_role("heading", level=1)).to_contain_text("评论管理")
    assert staff.page.evaluate(SIDEWAYS) <= 0, "the moderation page scrolls sideways"
    log = staff.page.locator("table.stack")
    expect(log).to_have_count(1)
    assert _assert_cards(staff, log.first) >= 1
    staff.page.screenshot(path=str(SCREENSHOTS / "moderation-phone.png"), full_page=True)
