"""Staff print a notice (公示) for the bulletin board: from the proposal's page to its notice, which prints on one
A4 page without the site's header, footer and menus, and whose QR code, read from a screenshot by zbar, is the
page's public address. Every kind of notice is printed the same way; screenshots go to tests/screenshots/."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import replace

import pytest
from browser.conftest import DESKTOP, SCREENSHOTS, Server, Visitor
from playwright.sync_api import expect
from sqlmodel import col, select

from deliberate.db import Database
from deliberate.meetings.models import Meeting
from deliberate.proposals.models import Proposal
from deliberate.settings import Settings
from deliberate.voting.models import Vote, VoteStatus

PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def _notices(server: Server) -> dict[str, str]:
    """The address of one notice of each kind in the demo (a closed proposal has all three of its own)."""
    database = Database(replace(Settings(), database_url=server.database_url))
    try:
        with database.writing() as session:
            closed = session.exec(select(Proposal).where(col(Proposal.stage) == "closed")).first()
            vote = session.exec(select(Vote).where(col(Vote.status) == VoteStatus.CERTIFIED)).first()
            meeting = session.exec(select(Meeting).order_by(col(Meeting.id))).first()
            assert closed and vote and meeting
            return {"proposal": f"/proposals/{closed.id}",
                    **{kind: f"/proposals/{closed.id}/notice/{kind}" for kind in ("plans", "acceptance", "closing")},
                    "vote": f"/votes/{vote.id}/notice", "meeting": f"/meetings/{meeting.id}/notice"}
    finally:
        database.dispose()


A4_CONTENT = {"width": 673, "height": 1017}  # A4 less the print margins of site.css, in CSS pixels
SCREEN = DESKTOP["viewport"]


def _printed_pages(visitor: Visitor, name: str) -> int:
    """Print the page to PDF on A4 (its paper preview saved beside it) and count the PDF's pages."""
    visitor.page.set_viewport_size(A4_CONTENT)
    visitor.page.screenshot(path=str(SCREENSHOTS / f"print-notice-{name}.png"), full_page=True)
    visitor.page.set_viewport_size(SCREEN)
    pdf = SCREENSHOTS / f"notice-{name}.pdf"
    visitor.page.pdf(path=str(pdf), format="A4")
    return len(PAGE_OBJECT.findall(pdf.read_bytes()))


def _scanned(visitor: Visitor, name: str) -> str:
    """What a phone reads from the QR code as the browser draws it (a screenshot of it, read by zbarimg)."""
    shot = SCREENSHOTS / f"notice-{name}-qr.png"
    visitor.page.locator(".notice-qr svg").screenshot(path=str(shot))
    answer = subprocess.run(["zbarimg", "--raw", "-q", str(shot)], capture_output=True, text=True, check=True)
    shot.unlink()
    return answer.stdout.strip()


@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbar-tools missing: make browser-deps")
def test_staff_print_a_closings_notice_on_one_page_and_its_qr_code_opens_it(
        person: Callable[..., Visitor], server: Server) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    addresses = _notices(server)
    public = Settings().public_url  # the server's PUBLIC_URL: the default
    visitor = person("staff", **{**DESKTOP, "is_mobile": False, "has_touch": False})
    visitor.open(addresses["proposal"])
    visitor.follow("打印办结公示")
    page = visitor.page
    expect(page.get_by_role("heading", level=1)).to_have_text("办结公示")
    expect(page.locator(".notice-rate")).to_contain_text("满意度")
    expect(page.get_by_role("button", name="打印公示")).to_be_visible()  # print.js turned the hint into a button
    page.screenshot(path=str(SCREENSHOTS / "desktop-notice-closing.png"), full_page=True)
    assert _scanned(visitor, "closing") == public + addresses["closing"]
    page.emulate_media(media="print")
    for hidden in ("header.site", "footer.site", ".breadcrumb", ".notice-print"):
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator(".notice-qr svg")).to_be_visible()
    assert _printed_pages(visitor, "closing") == 1
    for kind in ("plans", "acceptance", "meeting", "vote"):
        page.emulate_media(media="screen")
        visitor.open(addresses[kind])
        assert _scanned(visitor, kind) == public + addresses[kind], kind
        page.emulate_media(media="print")
        if kind != "vote":
            assert _printed_pages(visitor, kind) == 1, f"the {kind} notice prints on more than one A4 page"
    # A vote's notice is one page too; the list of those who took part (88 here) is its annex, on pages after it.
    pages = _printed_pages(visitor, "vote")
    page.set_viewport_size(A4_CONTENT)
    end = page.evaluate("() => document.querySelector('.notice-foot').getBoundingClientRect().bottom + scrollY")
    breaks = page.evaluate("() => getComputedStyle(document.querySelector('.notice-annex')).breakBefore")
    assert end <= A4_CONTENT["height"] and breaks == "page" and pages >= 2, (end, breaks, pages)
