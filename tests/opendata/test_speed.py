"""Each export reads in a fixed number of statements, whatever the rows: the world, then with thousands more of
each kind (bulk-inserted, as `deliberate bench-data` does), reads the same; and it is streamed, not held."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from opendata_world import DATASETS, EVERYTHING, World
from query_helpers import counted
from sqlalchemy import insert
from sqlmodel import Session

from deliberate.clock import utcnow
from deliberate.meetings.models import Meeting
from deliberate.proposals.models import CostItem, Milestone, Plan, PlanVersion, ProgressUpdate, Proposal, ProposalEvent
from deliberate.voting.models import Vote

MORE = 2500
MOST = 3  # the place, the dataset's one statement, and on PostgreSQL none more (no one is logged in)


def _statements(client: Any, world: World) -> dict[str, int]:
    found = {}
    engine = client.app.state.db.engine
    for dataset in DATASETS:
        for kind in ("csv", "json"):
            with counted(engine) as seen:
                response = client.get(f"/places/{world.town.community.id}/data/{dataset}.{kind}{EVERYTHING}")
                assert response.status_code == 200
            found[f"{dataset}.{kind}"] = len(seen)
    return found


def _grow(session: Session, world: World) -> None:
    """MORE proposals in the building, each with an event, a plan, a milestone, progress and a cost; and a tenth as
    many meetings and closed votes."""
    session.rollback()
    now, building, author = utcnow(), world.building.id, world.people["author"].id
    first = 100_000
    ids = range(first, first + MORE)
    stamp = {"created_at": now, "updated_at": now}
    session.execute(insert(Proposal), [{"id": n, "place_id": building, "author_id": author, "title": f"提案{n}",
                                        "body": "", "category": "parking", "stage": "implementation",
                                        "submitted_at": now, "stage_changed_at": now, **stamp} for n in ids])
    session.execute(insert(ProposalEvent), [{"proposal_id": n, "action": "submit", "from_stage": "draft",
                                             "to_stage": "cosigning", "at": now} for n in ids])
    session.execute(insert(Plan), [{"id": n, "proposal_id": n, "status": "approved", "version": 1, "created_at": now}
                                   for n in ids])
    lines = json.dumps([{"item": "材料", "amount_centi": 100}, {"item": "人工", "amount_centi": 200}])
    session.execute(insert(PlanVersion), [{"plan_id": n, "number": 1, "title": "方案", "description": "",
                                           "responsible": "物业", "cost_lines": lines, "created_at": now} for n in ids])
    session.execute(insert(Milestone), [{"proposal_id": n, "title": "节点", "due_on": now.date(), "created_at": now}
                                        for n in ids])
    session.execute(insert(ProgressUpdate), [{"proposal_id": n, "text": "进展", "percent": 10, "created_at": now}
                                             for n in ids])
    session.execute(insert(CostItem), [{"proposal_id": n, "description": "支出", "amount_centi": 100, "created_at": now}
                                       for n in ids])
    template = session.get(Vote, world.owners_vote.id)
    meeting = session.get(Meeting, world.meeting.id)
    assert template is not None and meeting is not None
    copied = {c: getattr(template, c) for c in ("place_id", "question", "form", "rule", "electorate", "status",
                                                  "closes_at", "closed_at", "result_json")}
    session.execute(insert(Vote), [{**copied, "title": f"表决{n}", "opens_at": now - timedelta(days=1),
                                    "created_at": now} for n in range(MORE // 10)])
    fields = ("place_id", "kind", "status", "ends_at", "access", "noticed_at", "notice_days")
    session.execute(insert(Meeting), [{**{c: getattr(meeting, c) for c in fields}, "title": f"会议{n}",
                                       "starts_at": meeting.starts_at + timedelta(minutes=n), **stamp}
                                      for n in range(MORE // 10)])
    session.commit()


def test_every_export_reads_as_many_statements_for_thousands_of_rows_as_for_a_few(client, session, world):
    few = _statements(client, world)
    _grow(session, world)
    many = _statements(client, world)
    assert many == few
    assert {name: n for name, n in many.items() if n > MOST} == {}, many
    rows = json.loads(client.get(f"/places/{world.town.community.id}/data/plan_cost_lines.json{EVERYTHING}").content)
    assert len(rows["rows"]) == 2 * MORE + 4


def test_an_export_is_streamed_in_pieces(client, session, world):
    _grow(session, world)
    with client.stream("GET", f"/places/{world.town.community.id}/data/proposals.csv{EVERYTHING}") as response:
        pieces = list(response.iter_raw())
    assert len(pieces) > MORE // 500
    assert b"".join(pieces).decode("utf-8").count("\r\n") == MORE + 3  # the header, the world's two, the rest
