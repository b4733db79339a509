"""Every export held against the register: the world's household numbers, members' names and birth years, owners,
areas, claims, usernames, e-mail addresses and password hashes carry markers (tests/opendata_world.py), and none of
them may appear in any dataset, in either format, for the widest place and period. Nor may anything a vote's roll
or ballots hold (who voted, what they chose), a guest's name at a meeting, a draft, or a secret vote's count while
it is open."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from opendata_world import DATASETS, EVERYTHING, World
from sqlmodel import Session, col, select

from deliberate.meetings.models import Attendance
from deliberate.voting.models import Ballot, RollEntry


def _values(document: Any) -> list[Any]:
    if isinstance(document, dict):
        return [v for value in document.values() for v in _values(value)]
    if isinstance(document, list):
        return [v for value in document for v in _values(value)]
    return [document]


def _exports(client: Any, world: World) -> dict[str, tuple[str, list[Any]]]:
    """Each file's text and its values (cells or JSON scalars), for the community and everything in it."""
    found = {}
    for dataset in DATASETS:
        for kind in ("csv", "json"):
            response = client.get(f"/places/{world.town.community.id}/data/{dataset}.{kind}{EVERYTHING}")
            assert response.status_code == 200
            text = response.content.decode("utf-8")
            rows = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
            values = _values(json.loads(text)) if kind == "json" else [cell for row in rows for cell in row]
            found[f"{dataset}.{kind}"] = (text, values)
    index = client.get(f"/places/{world.town.community.id}/data.json{EVERYTHING}").text
    found["index.json"] = (index, _values(json.loads(index)))
    return found


def _private(session: Session, world: World) -> list[str]:
    """The markers, and what the votes' rolls and the door's sign-in hold beside them."""
    session.rollback()
    labels = session.exec(select(RollEntry.label)).all()
    owners = [name for name in session.exec(select(RollEntry.owner_name)).all() if name]
    guests = session.exec(select(Attendance.name).where(col(Attendance.user_id).is_(None))).all()
    return [*world.markers, *labels, *owners, *guests]


def _exact(session: Session, world: World) -> set[str]:
    """Values no cell may be: a birth year, a paper ballot's serial."""
    serials = {s for s in session.exec(select(Ballot.paper_serial)).all() if s}
    return {str(year) for year in world.birth_years} | serials


def test_no_export_holds_anything_of_the_register_the_rolls_or_the_accounts(client, session, world):
    private, exact = _private(session, world), _exact(session, world)
    assert len(private) > 60 and any(marker.startswith("MEMBERX") for marker in private) and "S0" in exact
    leaks = []
    for name, (text, values) in _exports(client, world).items():
        leaks += [f"{name}: {marker!r}" for marker in private if marker in text]
        leaks += [f"{name}: {value!r}" for value in values if str(value) in exact]
    assert leaks == []


def test_the_markers_are_where_the_register_keeps_them(client, session, world):
    """The test above would see a leak: the private pages of staff hold the same markers."""
    session.rollback()
    text = " ".join(session.exec(select(RollEntry.label)).all())
    assert "HNUMX" in text or "MEMBERX" in text or "OWNERX" in text
    members = [m for m in world.markers if m.startswith("MEMBERX")]
    assert len(members) >= 8 and len(world.birth_years) == len(members)


def test_open_ballots_are_never_tied_to_voters_nor_listed(client, session, world):
    """The plan's vote was cast online by named residents: the export has only the published tally."""
    votes = json.loads(client.get(f"/places/{world.town.community.id}/data/votes.json{EVERYTHING}").content)
    for row in votes["rows"]:
        assert not {"voter", "voters", "ballots", "roll", "receipts"} & set(row)
    results = json.loads(client.get(f"/places/{world.town.community.id}/data/vote_results.json{EVERYTHING}").content)
    assert {row["vote_id"] for row in results["rows"]} == {world.plan_vote.id, world.owners_vote.id}
