"""Paper ballots: each serial once per vote, a list of those entered for the staff who enter them, and a
correction before the close that voids and re-enters with who, when and why on the record, shown with the result."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from client_helpers import login, post
from factories import make_staff, make_town, reload
from sqlmodel import select
from starlette.testclient import TestClient

from deliberate.clock import utcnow
from deliberate.voting import actions
from deliberate.voting.models import Ballot, Channel, PaperCorrection, PaperSerial, RollEntry, SecretBallot, Vote


def _vote(session, town, *, secret=False, staff_name="staff") -> Vote:  # type: ignore[no-untyped-def]
    staff = make_staff(session, town.community, staff_name)
    vote = actions.do_create_vote(
        session, place=town.building(0), title="加装电梯", question="是否同意？", form="yes_no", rule="majority",
        electorate_kind="households", secret=secret, closes_at=utcnow() + timedelta(days=3), options=[], by=staff)
    actions.do_open(session, vote, town.building(0))
    session.commit()
    return vote


def _staff(app) -> TestClient:  # type: ignore[no-untyped-def]
    client = TestClient(app, follow_redirects=False)
    login(client, "staff")
    return client


def _entries(session, vote) -> list[RollEntry]:  # type: ignore[no-untyped-def]
    return list(session.exec(select(RollEntry).where(RollEntry.vote_id == vote.id).order_by(RollEntry.id)).all())


def _enter(staff, vote, entry, serial, choice="yes"):  # type: ignore[no-untyped-def]
    paper = f"/votes/{vote.id}/paper"
    return post(staff, paper, {"entry": str(entry.id), "serial": serial, "choice": choice}, form_page=paper)


def test_a_serial_goes_in_once_per_vote_however_it_is_typed(app, session):
    town = make_town(session)
    vote = _vote(session, town)
    first, second = _entries(session, vote)
    staff = _staff(app)
    assert _enter(staff, vote, first, "HP1-0017").status_code == 303
    again = _enter(staff, vote, second, " hp1-0017 ")
    assert again.status_code == 409 and "这个编号的纸质选票已经录入过了" in again.text
    reload(session)
    assert [b.paper_serial for b in session.exec(select(Ballot)).all()] == ["HP1-0017"]
    assert session.get(RollEntry, second.id).has_voted is False  # nothing of the refused one stayed
    # The database itself holds each serial of a vote once (keyed, so it says nothing of the serial).
    digests = session.exec(select(PaperSerial.digest).where(PaperSerial.vote_id == vote.id)).all()
    assert len(digests) == 1 and "HP1" not in digests[0]
    other = _vote(session, make_town(session, name="远方社区"), staff_name="far_staff")
    other_entry = _entries(session, other)[0]
    actions.do_cast(session, other, other_entry, "no", channel=Channel.PAPER, entered_by=None, paper_serial="HP1-0017")
    session.commit()  # another vote may use the same serial


def test_staff_see_the_paper_ballots_entered_and_residents_do_not(app, session):
    town = make_town(session)
    vote = _vote(session, town)
    first, _second = _entries(session, vote)
    staff = _staff(app)
    _enter(staff, vote, first, "HP1-0017", "no")
    listing = staff.get(f"/votes/{vote.id}/paper/entered")
    assert listing.status_code == 200
    row = re.search(r"<tr><td><code>HP1-0017</code></td>(.*?)</tr>", listing.text).group(1)
    assert first.label in row and "反对" in row and "staff" in row and re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", row)
    assert "已录入的纸质选票" in staff.get(f"/votes/{vote.id}").text
    resident = TestClient(app, follow_redirects=False)
    assert resident.get(f"/votes/{vote.id}/paper/entered").status_code in (303, 403)


def test_a_mistaken_paper_ballot_is_voided_and_entered_again_with_the_reason_on_the_record(app, session):
    town = make_town(session)
    vote = _vote(session, town)
    first, second = _entries(session, vote)
    staff = _staff(app)
    _enter(staff, vote, first, "HP1-0017", "yes")
    correct = f"/votes/{vote.id}/paper/correct"
    page = f"/votes/{vote.id}/paper/entered"
    no_reason = post(staff, correct, {"serial": "HP1-0017", "choice": "no", "entry": str(second.id)}, form_page=page)
    assert no_reason.status_code == 422 and "请写明更正的原因" in no_reason.text
    assert f'value="{second.id}" selected' in no_reason.text  # the form comes back as it was filled in
    unknown = post(staff, correct, {"serial": "XX-9", "choice": "no", "reason": "录错"}, form_page=page)
    assert unknown.status_code == 404 and "没有找到这个编号的纸质选票" in unknown.text
    done = post(staff, correct, {"serial": "HP1-0017", "choice": "no", "entry": str(second.id),
                                 "new_serial": "HP1-0018", "reason": "录错了户：应为 1单元201"}, form_page=page)
    assert done.status_code == 303
    reload(session)
    assert session.get(RollEntry, first.id).has_voted is False  # the wrong household may vote again
    moved = session.get(RollEntry, second.id)
    assert moved.has_voted and moved.channel == Channel.PAPER
    ballot = session.exec(select(Ballot).where(Ballot.vote_id == vote.id)).one()
    assert (ballot.roll_entry_id, json.loads(ballot.choice), ballot.paper_serial) == (second.id, "no", "HP1-0018")
    record = session.exec(select(PaperCorrection)).one()
    assert (record.old_serial, record.new_serial, record.reason) == ("HP1-0017", "HP1-0018", "录错了户：应为 1单元201")
    assert (record.old_voter, record.new_voter) == (first.label, second.label)
    assert record.by_id is not None and record.at is not None
    assert _enter(staff, vote, first, "HP1-0017").status_code == 303  # the voided serial is free again

    listing = staff.get(page)
    assert "纸质选票更正记录" in listing.text and "录错了户：应为 1单元201" in listing.text
    shown = staff.get(f"/votes/{vote.id}")
    assert "截止前更正（作废后重新录入）的纸质选票：1 张。" in shown.text
    twin = TestClient(app).get(f"/votes/{vote.id}.json").json()
    assert twin["paper_corrections"][0]["reason"] == "录错了户：应为 1单元201"
    assert "voter" not in twin["paper_corrections"][0]  # whose ballot it is: only for the place's own people

    reload(session)
    actions.do_close(session, session.get(Vote, vote.id), now=utcnow() + timedelta(days=4))
    session.commit()
    late = post(staff, correct, {"serial": "HP1-0018", "choice": "yes", "reason": "又错了"}, form_page=page)
    assert late.status_code == 409
    result = TestClient(app).get(f"/votes/{vote.id}")
    assert "表决" in result.text and "截止前更正（作废后重新录入）的纸质选票：1 张。" in result.text


def test_a_secret_paper_ballot_is_corrected_by_its_serial_and_the_list_ties_no_choice_to_a_voter(app, session):
    town = make_town(session)
    vote = _vote(session, town, secret=True)
    first, second = _entries(session, vote)
    staff = _staff(app)
    entered = _enter(staff, vote, first, "S-0001", "yes")
    receipt = re.search(r"<code>([0-9A-Z]{5}-[0-9A-Z]{5})</code>", entered.text).group(1)
    _enter(staff, vote, second, "S-0002", "no")
    listing = staff.get(f"/votes/{vote.id}/paper/entered")
    assert listing.status_code == 200
    voters = listing.text[listing.text.index('id="paper-voters-h"'):listing.text.index('id="paper-serials-h"')]
    serials = listing.text[listing.text.index('id="paper-serials-h"'):]
    assert first.label in voters and "S-0001" not in voters and "同意" not in voters and "反对" not in voters
    assert "S-0001" in serials and "S-0002" in serials and first.label not in serials
    assert 'name="entry"' not in listing.text  # a secret ballot keeps its voter: no moving it to another
    page = f"/votes/{vote.id}/paper/entered"
    done = post(staff, f"/votes/{vote.id}/paper/correct", {"serial": "S-0001", "choice": "no", "reason": "看错了"},
                form_page=page)
    assert done.status_code == 303
    reload(session)
    record = session.exec(select(PaperCorrection)).one()
    assert (record.old_voter, record.new_voter, record.old_choice, record.new_choice) == ("", "", "", "")
    actions.do_close(session, session.get(Vote, vote.id), now=utcnow() + timedelta(days=4))
    session.commit()
    published = session.exec(select(SecretBallot).where(SecretBallot.receipt == receipt)).one()
    assert json.loads(published.choice) == "no" and published.paper_serial == "S-0001"  # same receipt, new choice
    assert len(session.exec(select(SecretBallot).where(SecretBallot.vote_id == vote.id)).all()) == 2
    notice_log = TestClient(app).get(f"/votes/{vote.id}").text
    assert "看错了" in notice_log and first.label not in notice_log.split("纸质选票更正记录")[1].split("</section>")[0]


def test_a_correction_keeps_one_ballot_per_voter(session):
    town = make_town(session)
    vote = _vote(session, town)
    first, second = _entries(session, vote)
    actions.do_cast(session, vote, first, "yes", channel=Channel.PAPER, paper_serial="A-1")
    actions.do_cast(session, vote, second, "no", channel=Channel.PAPER, paper_serial="A-2")
    with pytest.raises(actions.VoteError, match="already_voted"):  # moving A-1 onto a voter who has a ballot
        actions.do_correct_paper(session, vote, actions.Correction("A-1", "", "no", "录错", entry=second),
                                 by=make_staff(session, town.community, "staff2"))
    session.rollback()
    with pytest.raises(actions.VoteError, match="serial_taken"):
        actions.do_correct_paper(session, vote, actions.Correction("A-1", "A-2", "no", "录错"),
                                 by=make_staff(session, town.community, "staff3"))
