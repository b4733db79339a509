"""The demo compound shows owners told apart by identity: two different owners who share a name, and one owner of two
units."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import Session, SQLModel, create_engine, select

from deliberate.db import SEALING_KEY
from deliberate.demo import SAME_NAME_OWNERS, load_demo
from deliberate.places.models import Place
from deliberate.settings import Settings
from deliberate.voting import electorate


@pytest.fixture(scope="module")
def demo() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    SQLModel.metadata.create_all(engine)
    with Session(engine, info={SEALING_KEY: Settings.from_env({}).sealing_key}) as session:
        load_demo(session, password_for=lambda password: "fake")
        session.commit()
        yield session
    engine.dispose()


def test_the_demo_compound_has_two_owners_of_one_name_counted_as_two_heads(demo):
    compound = demo.exec(select(Place).where(Place.name == "阳光花园")).one()
    (pair,) = electorate.name_collisions(demo, compound)
    assert pair.name in SAME_NAME_OWNERS and pair.missing == 0 and pair.heads == 2
    assert [o.mark for o in pair.owners] == ["A", "B"]
    assert pair.owners[0].building.id != pair.owners[1].building.id
    roll = electorate.draw(demo, compound, "owners", year=2026)
    assert sum(1 for v in roll if v.owner_name == pair.name) == 2


def test_the_demo_compound_has_one_owner_of_two_units_counted_once_with_both_areas(demo):
    compound = demo.exec(select(Place).where(Place.name == "阳光花园")).one()
    roll = electorate.draw(demo, compound, "owners", year=2026)
    (buyer,) = [v for v in roll if len(v.household_ids) == 2 and v.key.startswith("holder:")]
    assert buyer.heads == 1 and buyer.area_centi > 0
