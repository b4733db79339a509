"""The clock's work: periods end and votes open and close because time passes, once, however many tick."""

from __future__ import annotations

import threading
from datetime import timedelta

from factories import make_proposal_cast, reload
from sqlmodel import select
from starlette.testclient import TestClient

from deliberate import cli, clock, ticker
from deliberate.accounts.models import User
from deliberate.accounts.people import load_person
from deliberate.clock import utcnow
from deliberate.places.models import Place
from deliberate.proposals import actions, plans
from deliberate.proposals.models import Proposal, ProposalEvent
from deliberate.proposals.rules import Action, Stage
from deliberate.voting import actions as voting
from deliberate.voting.models import Vote

PLAN = plans.PlanText(title="划线停车", description="划定车位。", responsible="物业公司", schedule="三月",
                      cost_lines=(plans.CostLine("油漆", 100_000),), residents_centi=100_000, units_centi=0,
                      government_centi=0)


def _disclosed(session) -> int:  # type: ignore[no-untyped-def]
    _town, building, people = make_proposal_cast(session)
    person = {name: load_person(session, user) for name, user in people.items()}
    proposal = actions.do_create(session, place=building, author=people["author"],
                                 draft=actions.Draft("楼下停车难", "", "parking"), submit=True, person=person["author"])
    for name in ("neighbour", "neighbour2"):
        actions.do_cosign(session, proposal, building, person[name], people[name])
    actions.do_review(session, proposal, building, person["council"], people["council"], Action.ACCEPT)
    plans.do_add_plan(session, proposal, people["staff"], PLAN)
    plans.do_publish(session, proposal, building, person["staff"], people["staff"])
    session.commit()
    assert proposal.id is not None
    return proposal.id


def _ended(session, proposal_id: int) -> int:  # type: ignore[no-untyped-def]
    return len(session.exec(select(ProposalEvent).where(
        ProposalEvent.proposal_id == proposal_id, ProposalEvent.action == Action.END_DISCLOSURE.value)).all())


def test_a_disclosure_period_ends_by_the_clock_once_however_many_processes_tick(session, database):
    proposal_id = _disclosed(session)
    assert ticker.tick(database).proposals_advanced == 0
    results: list[ticker.Ticked] = []
    with clock.travel(timedelta(days=7, seconds=1)):
        threads = [threading.Thread(target=lambda: results.append(ticker.tick(database))) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sum(r.proposals_advanced for r in results) == 1
    reload(session)
    assert session.get(Proposal, proposal_id).stage == Stage.DECISION
    assert _ended(session, proposal_id) == 1


def test_a_page_view_moves_nothing_even_when_a_period_is_over(app, session):
    proposal_id = _disclosed(session)
    with clock.travel(timedelta(days=8)):
        assert TestClient(app).get(f"/proposals/{proposal_id}").status_code == 200
    reload(session)
    assert session.get(Proposal, proposal_id).stage == Stage.DISCLOSURE


def test_deliberate_tick_does_the_clocks_work_for_cron(session, database, monkeypatch, capsys):
    proposal_id = _disclosed(session)
    proposal = session.get(Proposal, proposal_id)
    vote = voting.do_create_vote(
        session, place=session.get(Place, proposal.place_id), title="定时开始", question="", form="yes_no",
        rule="majority", electorate_kind="adults", secret=False, closes_at=utcnow() + timedelta(days=30),
        options=[], by=session.get(User, proposal.author_id), opens_at=utcnow() + timedelta(days=1),
    )
    session.commit()
    monkeypatch.setenv("DATABASE_URL", database.settings.database_url)
    with clock.travel(timedelta(days=8)):
        assert cli.main(["tick"]) == 0
    assert "1 votes opened, 0 closed, 1 proposals moved on." in capsys.readouterr().out
    reload(session)
    assert session.get(Vote, vote.id).status == "open"
