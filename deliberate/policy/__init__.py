"""May this person do this, here? Every handler asks `may`; one condition per line."""

from __future__ import annotations

from enum import StrEnum

from deliberate.accounts.models import Role
from deliberate.accounts.people import Person
from deliberate.places.models import Place


class Act(StrEnum):
    VIEW_PLACE = "view_place"
    VIEW_REGISTER = "view_register"  # households, members, owners: private data
    EDIT_PLACE = "edit_place"
    ADD_CHILD_PLACE = "add_child_place"
    MANAGE_HOUSEHOLDS = "manage_households"
    REVIEW_CLAIMS = "review_claims"
    MANAGE_ROLES = "manage_roles"
    CLAIM_HOUSEHOLD = "claim_household"
    ACT_AS_RESIDENT = "act_as_resident"
    ACT_AS_STAFF = "act_as_staff"  # community work here: staff or admin of the place or a place containing it
    ACT_AS_COUNCIL = "act_as_council"
    LEAD_BUILDING = "lead_building"
    REPRESENT_RESIDENTS = "represent_residents"  # a building leader of the place or of a building inside it
    SUPERVISE = "supervise"
    MANAGE_VOTES = "manage_votes"  # prepare, open and close votes of this place
    CERTIFY_VOTES = "certify_votes"
    SEE_VOTERS = "see_voters"  # whose each open ballot is: the place's own residents and its staff, not the world
    ENTER_PAPER_BALLOTS = "enter_paper_ballots"
    REVIEW_PROPOSALS = "review_proposals"  # accept, reject, merge, ask for changes; draft and disclose plans
    MANAGE_WORKS = "manage_works"  # milestones, progress, costs of the works
    ACCEPT_WORKS = "accept_works"  # on-site acceptance (验收) by resident representatives or supervisors
    TRACK_PROPOSALS = "track_proposals"  # what waits on whom, and its export
    COMMENT = "comment"  # write in the discussion threads of this place
    MODERATE = "moderate"  # hide reported comments, dismiss reports, keep the blocked word list
    MANAGE_MEETINGS = "manage_meetings"  # schedule, edit and cancel meetings; invitees; minutes; attendance
    SIGN_IN_ATTENDEES = "sign_in_attendees"  # at the door of a meeting: also the place's building leaders
    READ_AUDIT = "read_audit"  # the audit log of stage and status changes: staff and supervisors
    SET_RULES = "set_rules"  # the place's rules (规则设置): staff of its community, and admins


def may(person: Person | None, act: Act, place: Place) -> bool:
    if act is Act.VIEW_PLACE:
        return True
    if person is None:
        return False
    return _RULES[act](person, place)


def _administers(person: Person, place: Place) -> bool:
    return person.holds(Role.ADMIN, place)


def _staffs(person: Person, place: Place) -> bool:
    return person.holds(Role.STAFF, place) or _administers(person, place)


def _view_register(person: Person, place: Place) -> bool:
    if _staffs(person, place):
        return True
    if person.holds_exactly(Role.BUILDING_LEADER, place):
        return True
    return False


def _add_child_place(person: Person, place: Place) -> bool:
    if place.kind == "building":
        return False
    return _staffs(person, place)


def _act_as_council(person: Person, place: Place) -> bool:
    return person.holds_exactly(Role.COUNCIL, place)


def _lead_building(person: Person, place: Place) -> bool:
    if place.kind != "building":
        return False
    return person.holds_exactly(Role.BUILDING_LEADER, place)


def _supervise(person: Person, place: Place) -> bool:
    return person.holds(Role.SUPERVISOR, place)


def _act_as_resident(person: Person, place: Place) -> bool:
    return person.lives_in(place)


def _manage_votes(person: Person, place: Place) -> bool:
    """Staff of the place (or above), or its own council."""
    if _act_as_council(person, place):
        return True
    return _staffs(person, place)


def _represent_residents(person: Person, place: Place) -> bool:
    return person.holds_within(Role.BUILDING_LEADER, place)


def _accept_works(person: Person, place: Place) -> bool:
    if _supervise(person, place):
        return True
    return _represent_residents(person, place)


def _sign_in_attendees(person: Person, place: Place) -> bool:
    if _manage_votes(person, place):
        return True
    return _represent_residents(person, place)


def _comment(person: Person, place: Place) -> bool:
    """Residents of the place, and those who answer to them there: staff and its council."""
    if _act_as_resident(person, place):
        return True
    return _manage_votes(person, place)


def _see_voters(person: Person, place: Place) -> bool:
    if _act_as_resident(person, place):
        return True
    return _staffs(person, place)


def _read_audit(person: Person, place: Place) -> bool:
    if _staffs(person, place):
        return True
    return _supervise(person, place)


def _set_rules(person: Person, place: Place) -> bool:
    """The community's staff, not a compound's or a building's: the rules bind every place of the community."""
    if _administers(person, place):
        return True
    return any(g.role == Role.STAFF and g.place_path == f"/{place.community_id}/" for g in person.grants)


def _claim_household(person: Person, place: Place) -> bool:
    return True


_RULES = {
    Act.VIEW_REGISTER: _view_register,
    Act.EDIT_PLACE: _staffs,
    Act.ADD_CHILD_PLACE: _add_child_place,
    Act.MANAGE_HOUSEHOLDS: _staffs,
    Act.REVIEW_CLAIMS: _staffs,
    Act.MANAGE_ROLES: _administers,
    Act.CLAIM_HOUSEHOLD: _claim_household,
    Act.ACT_AS_RESIDENT: _act_as_resident,
    Act.ACT_AS_STAFF: _staffs,
    Act.ACT_AS_COUNCIL: _act_as_council,
    Act.LEAD_BUILDING: _lead_building,
    Act.REPRESENT_RESIDENTS: _represent_residents,
    Act.SUPERVISE: _supervise,
    Act.MANAGE_VOTES: _manage_votes,
    Act.CERTIFY_VOTES: _act_as_council,
    Act.SEE_VOTERS: _see_voters,
    Act.ENTER_PAPER_BALLOTS: _staffs,
    Act.REVIEW_PROPOSALS: _manage_votes,
    Act.MANAGE_WORKS: _manage_votes,
    Act.ACCEPT_WORKS: _accept_works,
    Act.TRACK_PROPOSALS: _staffs,
    Act.COMMENT: _comment,
    Act.MODERATE: _staffs,
    Act.MANAGE_MEETINGS: _manage_votes,
    Act.SIGN_IN_ATTENDEES: _sign_in_attendees,
    Act.READ_AUDIT: _read_audit,
    Act.SET_RULES: _set_rules,
}
assert set(_RULES) == set(Act) - {Act.VIEW_PLACE}
