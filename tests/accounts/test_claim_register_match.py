"""Staff see whether a claim's name and birth year are on the household's register, and approving one that is not
takes an explicit confirmation that the claim then keeps."""

from __future__ import annotations

import pytest
from client_helpers import login, post
from factories import make_staff, make_town, make_user, reload
from sqlmodel import select
from starlette.testclient import TestClient

from deliberate.accounts import actions
from deliberate.accounts.models import ClaimStatus, ResidencyClaim
from deliberate.accounts.rules import RegisterMatch, register_match
from deliberate.places.actions import do_add_member
from deliberate.places.models import Member


@pytest.mark.parametrize(("name", "year", "expected"), [
    ("住户0", 1960, RegisterMatch.MATCH),
    ("住户0", 1961, RegisterMatch.YEAR_DIFFERS),
    ("李明", 1960, RegisterMatch.NO_MEMBER),
    ("已认领", 1970, RegisterMatch.TAKEN),
    ("同名", 1980, RegisterMatch.MATCH),  # two of that name, one of them free
])
def test_a_claim_is_compared_with_the_register_by_name_and_birth_year(name, year, expected):
    register = [("住户0", 1960, None), ("已认领", 1970, 7), ("同名", 1980, 8), ("同名", 1980, None)]
    assert register_match(name, year, register) == expected


def _claim_and_staff(app, session, *, name, year):
    town = make_town(session)
    make_staff(session, town.community)
    user = make_user(session, "newbie")
    claim = actions.do_claim(session, user=user, household=town.households[0], name=name, birth_year=year, note="")
    session.commit()
    staff = TestClient(app, follow_redirects=False)
    login(staff, "staff")
    return town, claim, staff


def _decide(staff, town, claim, data):
    return post(staff, f"/claims/{claim.id}/decide", data, form_page=f"/places/{town.community.id}/claims")


def test_staff_see_which_claims_the_register_bears_out(app, session):
    town, claim, staff = _claim_and_staff(app, session, name="住户0", year=1975)
    other = actions.do_claim(session, user=make_user(session, "second"), household=town.households[1],
                             name="住户1", birth_year=1960, note="")
    session.commit()
    page = staff.get(f"/places/{town.community.id}/claims")
    assert page.status_code == 200
    assert "名册上有此姓名，但出生年份不同" in page.text and "与名册一致" in page.text
    # The confirmation is offered for the mismatch only.
    assert page.text.count('name="confirm_mismatch"') == 1
    assert claim.id != other.id


def test_approving_a_mismatch_without_confirming_is_refused_with_the_form_kept(app, session):
    town, claim, staff = _claim_and_staff(app, session, name="李明", year=2009)
    refused = _decide(staff, town, claim, {"decision": "approve", "reason": "再核对一下"})
    assert refused.status_code == 422
    assert "名册上没有此人" in refused.text and "请核对后勾选确认" in refused.text
    assert 'name="confirm_mismatch"' in refused.text and 'value="再核对一下"' in refused.text
    reload(session)
    assert session.get(ResidencyClaim, claim.id).status == ClaimStatus.PENDING
    assert session.exec(select(Member).where(Member.name == "李明")).all() == []


def test_approving_a_mismatch_with_the_confirmation_works_and_is_recorded(app, session):
    town, claim, staff = _claim_and_staff(app, session, name="住户0", year=1990)
    done = _decide(staff, town, claim, {"decision": "approve", "confirm_mismatch": "yes"})
    assert done.status_code == 303
    reload(session)
    claim = session.get(ResidencyClaim, claim.id)
    assert claim.status == ClaimStatus.APPROVED
    assert claim.register_match == RegisterMatch.YEAR_DIFFERS and claim.mismatch_confirmed
    assert claim.decided_by_id is not None
    member = session.get(Member, claim.member_id)
    assert (member.name, member.birth_year) == ("住户0", 1990)
    approved = staff.get(f"/places/{town.community.id}/claims?status=approved")
    assert "核实时已确认与名册不符" in approved.text


def test_a_claim_that_matches_the_register_needs_no_extra_step(app, session):
    town, claim, staff = _claim_and_staff(app, session, name="住户0", year=1960)
    assert _decide(staff, town, claim, {"decision": "approve"}).status_code == 303
    reload(session)
    claim = session.get(ResidencyClaim, claim.id)
    assert claim.status == ClaimStatus.APPROVED
    assert claim.register_match == RegisterMatch.MATCH and not claim.mismatch_confirmed
    members = session.exec(select(Member).where(Member.household_id == town.households[0].id)).all()
    assert len(members) == 1 and members[0].user_id == claim.user_id


def test_a_register_entry_already_verified_for_another_account_is_a_mismatch(app, session):
    town, claim, staff = _claim_and_staff(app, session, name="住户0", year=1960)
    first = make_user(session, "first")
    earlier = actions.do_claim(session, user=first, household=town.households[0], name="住户0", birth_year=1960,
                               note="")
    actions.do_approve_claim(session, earlier, by=first)
    session.commit()
    assert _decide(staff, town, claim, {"decision": "approve"}).status_code == 422
    do_add_member(session, town.households[0], name="住户0", birth_year=1960)  # a second person of that name
    session.commit()
    assert _decide(staff, town, claim, {"decision": "approve"}).status_code == 303
