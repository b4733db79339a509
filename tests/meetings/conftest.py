"""Meetings in the proposal cast's town: who schedules, who comes, and a meeting made through the real actions."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from client_helpers import CSRF, csrf_token, login
from factories import Town, make_proposal_cast
from sqlmodel import Session
from starlette.testclient import TestClient

from deliberate.accounts.models import User
from deliberate.accounts.people import load_person
from deliberate.clock import utcnow
from deliberate.meetings import actions
from deliberate.meetings.actions import MeetingDraft
from deliberate.meetings.models import Access, Meeting
from deliberate.meetings.rules import Kind
from deliberate.places.models import Place
from deliberate.proposals import actions as proposals
from deliberate.proposals.actions import Draft
from deliberate.proposals.models import Proposal


@dataclass
class Cast:
    """Building 1 of compound 1 of the town, its people (see make_proposal_cast), and the session."""

    town: Town
    building: Place
    people: dict[str, User]
    session: Session
    app: Any

    @property
    def compound(self) -> Place:
        return self.town.compounds[0]

    @property
    def community(self) -> Place:
        return self.town.community

    def person(self, name: str):  # type: ignore[no-untyped-def]
        return load_person(self.session, self.people[name])

    def proposal(self, *, cosigned: bool = True, title: str = "楼下停车难") -> Proposal:
        """A proposal of the building: in review once both neighbours co-signed it, else collecting co-signs."""
        author = self.people["author"]
        proposal = proposals.do_create(self.session, place=self.building, author=author,
                                       draft=Draft(title, "晚上没有车位。", "parking"), submit=True,
                                       person=self.person("author"))
        if cosigned:
            for name in ("neighbour", "neighbour2"):
                proposals.do_cosign(self.session, proposal, self.building, self.person(name), self.people[name])
        self.session.commit()
        return proposal

    def meeting(self, *, place: Place | None = None, by: str = "staff", kind: str = Kind.CONSULTATION,
                starts_in: timedelta = timedelta(days=5), hours: int = 2, capacity: int | None = None,
                access: str = Access.OPEN, chair: str = "council", proposals: tuple[int, ...] = (),
                items: tuple[str, ...] = ("通报上次会议决定的落实情况",), now: datetime | None = None,
                title: str = "停车协商会", urgent_reason: str = "") -> Meeting:
        """A meeting announced at `now` (default: now) that starts `starts_in` later."""
        now = now or utcnow()
        starts = (now + starts_in).replace(microsecond=0)
        draft = MeetingDraft(kind=kind, title=title, description="", starts_at=starts,
                             ends_at=starts + timedelta(hours=hours), room="活动室", online_url="", capacity=capacity,
                             access=access, chair_id=self.people[chair].id, proposal_ids=proposals,  # type: ignore[arg-type]
                             items=items, urgent_reason=urgent_reason)
        meeting = actions.do_schedule(self.session, place=place or self.building, by=self.people[by], draft=draft,
                                      now=now)
        self.session.commit()
        return meeting

    def past_meeting(self, **kwargs) -> Meeting:  # type: ignore[no-untyped-def]
        """A meeting announced a week ago that started an hour ago."""
        return self.meeting(now=utcnow() - timedelta(days=7), starts_in=timedelta(days=7) - timedelta(hours=1),
                            **kwargs)


    def draft_of(self, meeting: Meeting, **changes) -> MeetingDraft:  # type: ignore[no-untyped-def]
        """What the meeting says now, with `changes`: for editing it."""
        base = MeetingDraft(kind=meeting.kind, title=meeting.title, description=meeting.description,
                            starts_at=meeting.starts_at, ends_at=meeting.ends_at, room=meeting.room,
                            online_url=meeting.online_url, capacity=meeting.capacity, access=meeting.access,
                            chair_id=meeting.chair_id, urgent_reason=meeting.urgent_reason)  # type: ignore[arg-type]
        return replace(base, **changes)

    def client(self, username: str | None = None) -> TestClient:
        """A browser, logged in as `username` (anonymous without)."""
        client = TestClient(self.app, follow_redirects=False)
        if username:
            login(client, username)
        return client

    @staticmethod
    def post(client: TestClient, url: str, data: dict | None = None):  # type: ignore[no-untyped-def]
        """POST a form with the CSRF token of this browser's session."""
        page = "/" if CSRF.search(client.get("/").text) else "/login"
        return client.post(url, data={**(data or {}), "csrf_token": csrf_token(client, page)})


@pytest.fixture
def cast(session: Session, app) -> Cast:  # type: ignore[no-untyped-def]
    town, building, people = make_proposal_cast(session, extra_households=2)
    return Cast(town, building, people, session, app)
