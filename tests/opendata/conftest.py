"""The world of the open data tests (tests/opendata_world.py)."""

from __future__ import annotations

import pytest
from opendata_world import World, build_world
from sqlmodel import Session


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)
