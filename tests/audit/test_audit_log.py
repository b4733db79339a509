"""The audit log: every change of a vote's status or a proposal's stage, with who made it, in the same
transaction; the database refuses to update an entry; staff and supervisors of the place read it."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from client_helpers import login, post
from factories import grant, make_town, make_user, reload
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError
from sqlmodel import select
from starlette.testclient import TestClient

from deliberate import clock, ticker
from deliberate.accounts.models import Role, RoleGrant, User
from deliberate.audit.models import AuditEntry
from deliberate.clock import utcnow
from deliberate.demo import DEMO_PASSWORD, load_demo
from deliberate.places.models import Place
from deliberate.proposals.models import Proposal


def _entries(session, kind: str, ident: int) -> list[tuple[str, str, int | None]]:  # type: ignore[no-untyped-def]
    rows = session.exec(select(AuditEntry).where(AuditEntry.subject_kind == kind, AuditEntry.subject_id == ident)
                        .order_by(AuditEntry.id)).all()
    return [(e.before, e.after, e.actor_id) for e in rows]


def test_a_votes_every_status_is_logged_with_who_moved_it_and_the_clock_as_nobody(app, session) -> None:  # type: ignore[no-untyped-def]
    town = make_town(session)
    building = town.building(0)
    council = make_user(session, "council")
    grant(session, council, Role.COUNCIL, building)
    client = TestClient(app, follow_redirects=False)
    login(client, "council")
    closes = (utcnow() + timedelta(days=2)).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%dT%H:%M")
    url = f"/places/{building.id}/votes/new"
    created = post(client, url, {"title": "修车棚", "form": "yes_no", "rule": "majority", "electorate": "adults",
                                 "closes_at": closes}, form_page=url)
    vote_id = int(created.headers["location"].rsplit("/", 1)[1])
    post(client, f"/votes/{vote_id}/open", form_page=f"/votes/{vote_id}")
    with clock.travel(timedelta(days=2, minutes=5)):
        ticker.tick(app.state.db)
    reload(session)
    assert _entries(session, "vote", vote_id) == [("", "draft", council.id), ("draft", "open", council.id),
                                                  ("open", "closed", None)]
    entry = session.exec(select(AuditEntry).where(AuditEntry.subject_id == vote_id)).first()
    assert entry is not None and entry.place_id == building.id


def test_a_change_rolled_back_leaves_no_entry_and_no_entry_can_be_changed(session) -> None:  # type: ignore[no-untyped-def]
    load_demo(session)
    session.commit()
    before = len(session.exec(select(AuditEntry)).all())
    proposal = session.exec(select(Proposal)).first()
    proposal.stage = "closed"
    session.add(proposal)
    session.flush()
    assert len(session.exec(select(AuditEntry)).all()) == before + 1
    session.rollback()
    assert len(session.exec(select(AuditEntry)).all()) == before
    with pytest.raises(DBAPIError, match="append-only"):
        session.execute(update(AuditEntry).values(after="certified"))
    session.rollback()


def test_the_demo_has_a_log_that_staff_and_supervisors_read_and_residents_do_not(app, session) -> None:  # type: ignore[no-untyped-def]
    load_demo(session)
    session.commit()
    kinds = {e.subject_kind for e in session.exec(select(AuditEntry)).all()}
    assert kinds == {"proposal", "vote", "setting"}  # the demo sets its places' rules too
    place = session.exec(select(Place).where(Place.kind == "community")).first()
    supervised = session.exec(
        select(Place).join(RoleGrant, RoleGrant.place_id == Place.id).join(User, User.id == RoleGrant.user_id)
        .where(User.username == "supervisor", RoleGrant.role == Role.SUPERVISOR)).first()
    assert place is not None and supervised is not None
    for who, where, status in (("staff", place, 200), ("supervisor", supervised, 200), ("resident", place, 403)):
        client = TestClient(app, follow_redirects=False)
        login(client, who, DEMO_PASSWORD)
        answer = client.get(f"/places/{where.id}/audit")
        assert answer.status_code == status, who
        if status == 200:
            assert "操作记录" in answer.text and "→" in answer.text
    staff = TestClient(app, follow_redirects=False)
    login(staff, "staff", DEMO_PASSWORD)
    data = staff.get(f"/places/{place.id}/audit.json").json()
    assert data["entries"] and {"at", "subject", "before", "after", "actor"} <= set(data["entries"][0])
