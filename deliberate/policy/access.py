"""Loading a place or a household named in a URL and proving, in the same call, that this person may act there.

The domains' own loaders (`access_vote`, `access_proposal`, …) stand on these and on `may`."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from deliberate.accounts.people import Person
from deliberate.db import get_or_refuse
from deliberate.places.models import Household, Place
from deliberate.policy import Act, may
from deliberate.refusal import Forbidden


def access_place(session: Session, person: Person | None, ident: Any, need: Act | None = None, *,
                 for_update: bool = False) -> Place:
    """The place, if this person may `need` there; None: look at it, which anyone may."""
    place = get_or_refuse(session, Place, ident)
    if need is not None and not may(person, need, place):
        raise Forbidden()
    return place


def access_household(session: Session, person: Person | None, ident: Any, need: Act | None = None, *,
                     for_update: bool = False) -> tuple[Household, Place]:
    """A household and its building, if this person may `need` on the building."""
    household = get_or_refuse(session, Household, ident)
    building = session.get(Place, household.building_id)
    assert building is not None
    if need is not None and not may(person, need, building):
        raise Forbidden()
    return household, building
