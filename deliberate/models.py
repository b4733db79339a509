"""Every table, imported in one place so that Alembic and the tests see the whole schema."""

from sqlmodel import SQLModel

from deliberate.accounts.models import LoginFailure, ResidencyClaim, RoleGrant, User, WebSession
from deliberate.places.models import Household, Member, Owner, Place
from deliberate.proposals.models import (
    Cosign,
    CostItem,
    Follow,
    Inspection,
    Milestone,
    Notification,
    Photo,
    Plan,
    PlanVersion,
    ProgressUpdate,
    Proposal,
    ProposalEvent,
    ProposalRating,
    ProposalRules,
)
from deliberate.voting.models import Ballot, RollEntry, SecretBallot, Vote, VoteOption

metadata = SQLModel.metadata

__all__ = [
    "Ballot",
    "Cosign",
    "CostItem",
    "Follow",
    "Household",
    "Inspection",
    "LoginFailure",
    "Member",
    "Milestone",
    "Notification",
    "Owner",
    "Photo",
    "Place",
    "Plan",
    "PlanVersion",
    "ProgressUpdate",
    "Proposal",
    "ProposalEvent",
    "ProposalRating",
    "ProposalRules",
    "ResidencyClaim",
    "RoleGrant",
    "RollEntry",
    "SecretBallot",
    "User",
    "Vote",
    "VoteOption",
    "WebSession",
    "metadata",
]
