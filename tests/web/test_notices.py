"""Notices (公示) for the bulletin board: a proposal's plans in disclosure, its acceptance and its closing, each
printable with its facts and a QR code of its page; 404 before the step. The QR code in the page is decoded
with zbar (Debian's zbar-tools, `make browser-deps`) and must be the page's public address."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from factories import make_proposal_cast
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from deliberate.accounts.people import load_person
from deliberate.clock import utcnow
from deliberate.demo import load_demo
from deliberate.meetings.models import Meeting
from deliberate.proposals import actions, plans, rules, works
from deliberate.proposals.actions import Draft
from deliberate.proposals.models import Proposal
from deliberate.proposals.rules import Rating
from deliberate.voting.models import Vote, VoteStatus

SVG = re.compile(r'<svg role="img"[^>]*viewBox="0 0 (\d+) (\d+)" class="qr">(.*?)</svg>', re.S)


def _matrix(svg_body: str, size: int) -> list[list[bool]]:
    """The dark modules of segno's SVG: one stroked path of horizontal runs (M x y, then h n and m dx dy)."""
    dark = [[False] * size for _ in range(size)]
    path = re.findall(r'<path stroke="#000" d="([^"]+)"', svg_body)
    assert len(path) == 1, svg_body[:200]
    x = y = 0.0
    for op, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?:\s(-?[\d.]+))?", path[0]):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        else:
            for column in range(int(x), int(x + float(a))):
                dark[int(y)][column] = True
            x += float(a)
    return dark


def _png(dark: list[list[bool]], scale: int = 8) -> bytes:
    """A greyscale PNG of the modules, each `scale` pixels wide: what a phone's camera would see."""
    rows = b"".join(b"\x00" + bytes(0 if cell else 255 for cell in row for _ in range(scale))
                    for row in dark for _ in range(scale))
    side = len(dark) * scale

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def decoded_qr(html: str, tmp_path: Path) -> str:
    """What a phone reads from the QR code the page embeds (its SVG drawn as a PNG, read by zbarimg)."""
    found = SVG.findall(html)
    assert len(found) == 1, "one QR code on a notice"
    width, _height, body = found[0]
    image = tmp_path / "qr.png"
    image.write_bytes(_png(_matrix(body, int(width))))
    answer = subprocess.run(["zbarimg", "--raw", "-q", str(image)], capture_output=True, text=True, check=True)
    return answer.stdout.strip()


needs_zbar = pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbar-tools missing: make browser-deps")


def _person(session: Session, user: Any) -> Any:
    return load_person(session, user)


def _plan_text() -> plans.PlanText:
    return plans.PlanText(
        title="透水砖方案", description="铺设透水砖，划定车位。", responsible="物业公司", schedule="2027年3月至4月",
        cost_lines=(plans.CostLine("材料", 3_000_000), plans.CostLine("人工", 1_500_000)),
        residents_centi=1_500_000, units_centi=1_500_000, government_centi=1_500_000,
    )


def _urls(proposal_id: int) -> dict[str, str]:
    return {kind: f"/proposals/{proposal_id}/notice/{kind}" for kind in ("plans", "acceptance", "closing")}


def _statuses(client: TestClient, proposal_id: int) -> dict[str, int]:
    return {kind: client.get(url).status_code for kind, url in _urls(proposal_id).items()}


def test_each_notice_of_a_proposal_appears_at_its_step_with_its_facts_and_not_before(session, app, tmp_path):  # type: ignore[no-untyped-def]
    _town, building, people = make_proposal_cast(session, extra_households=2)
    author, council, staff = people["author"], people["council"], people["staff"]
    client = TestClient(app)
    proposal = actions.do_create(session, place=building, author=author, draft=Draft("楼下停车难", "没有车位。",
                                 "parking"), submit=True, person=_person(session, author))
    for name in ("neighbour", "neighbour2"):
        actions.do_cosign(session, proposal, building, _person(session, people[name]), people[name])
    actions.do_review(session, proposal, building, _person(session, council), council, rules.Action.ACCEPT)
    plans.do_add_plan(session, proposal, staff, _plan_text())
    session.commit()
    assert _statuses(client, proposal.id) == {"plans": 404, "acceptance": 404, "closing": 404}
    assert "notice/plans" not in client.get(f"/proposals/{proposal.id}").text
    assert client.get(f"/proposals/{proposal.id}/notice/nonsense").status_code == 404

    plans.do_publish(session, proposal, building, _person(session, staff), staff)
    session.commit()
    assert _statuses(client, proposal.id) == {"plans": 200, "acceptance": 404, "closing": 404}
    page = client.get(f"/proposals/{proposal.id}/notice/plans").text
    plan = plans.disclosed(session, proposal)[0]
    zone = app.state.settings.timezone
    starts = plan.disclosure_starts_at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d")
    ends = plan.disclosure_ends_at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d")
    for fact in ("方案公示", building.name, "楼下停车难", "透水砖方案", "物业公司", "2027年3月至4月",
                 f"{starts} — {ends}", "30,000.00", "15,000.00"):
        assert fact in page, fact
    assert f'href="/proposals/{proposal.id}/notice/plans"' in client.get(f"/proposals/{proposal.id}").text

    works.advance_if_due(session, proposal, building, now=utcnow() + timedelta(days=8))
    plans.do_decide(session, proposal, building, _person(session, council), council,
                    plans.disclosed(session, proposal)[0], reason="议事会决定")
    works.do_disclose_cost(session, proposal, staff, description="透水砖", amount_centi=1_234_560, payee="建材厂",
                           document_id=None)
    works.do_complete_works(session, proposal, building, _person(session, staff), staff)
    session.commit()
    assert _statuses(client, proposal.id) == {"plans": 200, "acceptance": 404, "closing": 404}

    leader = people["leader"]
    works.do_acceptance(session, proposal, building, _person(session, leader), leader, passed=True,
                        findings="排水通畅，砖面平整")
    session.commit()
    assert _statuses(client, proposal.id) == {"plans": 200, "acceptance": 200, "closing": 404}
    page = client.get(f"/proposals/{proposal.id}/notice/acceptance").text
    for fact in ("验收公示", building.name, "楼下停车难", "透水砖方案", "验收通过", "排水通畅，砖面平整", "12,345.60"):
        assert fact in page, fact
    assert f'href="/proposals/{proposal.id}/notice/acceptance"' in client.get(f"/proposals/{proposal.id}").text

    for name, rating in (("author", Rating.SATISFIED), ("neighbour", Rating.FAIRLY),
                         ("neighbour2", Rating.DISSATISFIED)):
        works.do_rate(session, proposal, building, _person(session, people[name]), people[name], rating=rating,
                      comment="")
    assert proposal.rating_ends_at is not None
    works.advance_if_due(session, proposal, building, now=proposal.rating_ends_at + timedelta(seconds=1))
    session.commit()
    assert proposal.stage == "closed" and proposal.satisfaction == "66.67"
    assert _statuses(client, proposal.id) == {"plans": 200, "acceptance": 200, "closing": 200}
    page = client.get(f"/proposals/{proposal.id}/notice/closing").text
    closed = proposal.closed_at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d")
    for fact in ("办结公示", building.name, "楼下停车难", "透水砖方案", "满意度 66.67%", "满意与基本满意",
                 f"办结时间</dt><dd>{closed}", "12,345.60", "满意 1", "基本满意 1", "不满意 1"):
        assert fact in page, fact
    assert f'href="/proposals/{proposal.id}/notice/closing"' in client.get(f"/proposals/{proposal.id}").text


def test_a_draft_has_no_notice_for_anyone_but_its_author(session, app):  # type: ignore[no-untyped-def]
    _town, building, people = make_proposal_cast(session)
    author = people["author"]
    draft = actions.do_create(session, place=building, author=author, draft=Draft("草稿", "还没提交。", "parking"),
                              submit=False, person=_person(session, author))
    session.commit()
    assert set(_statuses(TestClient(app), draft.id).values()) == {404}


@needs_zbar
def test_the_qr_code_of_every_notice_opens_its_page(session, app, tmp_path):  # type: ignore[no-untyped-def]
    load_demo(session)
    session.commit()
    base = app.state.settings.public_url
    closed = session.exec(select(Proposal).where(col(Proposal.stage) == "closed")).first()
    vote = session.exec(select(Vote).where(col(Vote.status) == VoteStatus.CERTIFIED)).first()
    meeting = session.exec(select(Meeting).order_by(col(Meeting.id))).first()
    assert closed and vote and meeting
    paths = [*_urls(closed.id).values(), f"/votes/{vote.id}/notice", f"/meetings/{meeting.id}/notice"]
    client = TestClient(app)
    for path in paths:
        answer = client.get(path + "?from=board")
        assert answer.status_code == 200, path
        assert decoded_qr(answer.text, tmp_path) == base + path  # the query is not part of the address
        assert "style=" not in SVG.search(answer.text).group(0)  # type: ignore[union-attr]
