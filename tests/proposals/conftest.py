"""Fixtures of the proposal tests. `walk`: a proposal walked through its pages, in the building of
`make_proposal_cast`, its people logged in on demand, and the loop's first stages reached through the forms as
residents, staff and the council send them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from client_helpers import csrf_token, login
from factories import make_proposal_cast, reload
from sqlmodel import Session, select
from starlette.testclient import TestClient

from deliberate import clock, ticker
from deliberate.proposals.models import Plan

P = "/proposals/"
PLAN = {"title": "划线停车", "description": "重新划线，增加 20 个车位。", "responsible": "物业公司",
        "schedule": "2027年3月", "cost_lines": "划线 3000\n标识牌 1000", "residents": "2000", "units": "1000",
        "government": "1000"}


class Walk:
    def __init__(self, app: Any, session: Session) -> None:
        self.app, self.session = app, session
        self.town, self.building, self.people = make_proposal_cast(session)

    def as_(self, username: str) -> TestClient:
        client = TestClient(self.app, follow_redirects=False)
        login(client, username)
        return client

    def post(self, client: TestClient, url: str, data: dict[str, str] | None = None, files: Any = None, *,
             confirm: bool = True) -> Any:
        """A form sent as a browser does; an irreversible step already confirmed unless `confirm` is False."""
        token = csrf_token(client, "/notifications")
        return client.post(url, data={**({"confirmed": "yes"} if confirm else {}), **(data or {}),
                                      "csrf_token": token}, files=files)

    def days_pass(self, days: int) -> None:
        """The clock moves `days` ahead and does its work there; then it comes back."""
        with clock.travel(timedelta(days=days, minutes=1)):
            ticker.tick(self.app.state.db)

    def new(self, title: str = "楼下停车难", *, submit: bool = True) -> int:
        response = self.post(self.as_("author"), f"/places/{self.building.id}/proposals/new",
                             {"title": title, "category": "parking", "body": "晚上没有车位。",
                              "intent": "submit" if submit else "draft"})
        assert response.status_code == 303, response.text
        return int(response.headers["location"].rsplit("/", 1)[-1])

    def in_review(self) -> int:
        proposal_id = self.new()
        for name in ("neighbour", "neighbour2"):
            self.post(self.as_(name), f"{P}{proposal_id}/cosign")
        return proposal_id

    def accepted(self) -> int:
        proposal_id = self.in_review()
        assert self.post(self.as_("staff"), f"{P}{proposal_id}/review", {"decision": "accept"}).status_code == 303
        return proposal_id

    def in_decision(self) -> tuple[int, int]:
        """A proposal whose one plan was disclosed for its days: (its id, the plan's id)."""
        proposal_id = self.accepted()
        self.post(self.as_("staff"), f"{P}{proposal_id}/plans/new", PLAN)
        self.post(self.as_("staff"), f"{P}{proposal_id}/publish")
        reload(self.session)
        plan = self.session.exec(select(Plan).where(Plan.proposal_id == proposal_id)).one()
        self.days_pass(7)
        return proposal_id, plan.id

    def implementing(self) -> int:
        proposal_id, plan_id = self.in_decision()
        decided = self.post(self.as_("council"), f"{P}{proposal_id}/decide", {"plan": str(plan_id)})
        assert decided.status_code == 303
        return proposal_id


@pytest.fixture
def walk(app: Any, session: Session) -> Walk:
    return Walk(app, session)
