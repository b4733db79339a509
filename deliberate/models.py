"""Every table, imported in one place so that Alembic and the tests see the whole schema."""

from sqlmodel import SQLModel

from deliberate.accounts.models import LoginFailure, ResidencyClaim, RoleGrant, User, WebSession
from deliberate.places.models import Household, Member, Owner, Place
from deliberate.voting.models import Ballot, RollEntry, SecretBallot, Vote, VoteOption

metadata = SQLModel.metadata

__all__ = [
    "Ballot",
    "Household",
    "LoginFailure",
    "Member",
    "Owner",
    "Place",
    "ResidencyClaim",
    "RollEntry",
    "RoleGrant",
    "SecretBallot",
    "User",
    "Vote",
    "VoteOption",
    "WebSession",
    "metadata",
]
