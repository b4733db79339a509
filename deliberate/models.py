"""Every table, imported in one place so that Alembic and the tests see the whole schema; and the audit log's
listener installed on every session of a process that has the schema."""

from sqlmodel import SQLModel

from deliberate.accounts.models import LoginFailure, ResidencyClaim, RoleGrant, User, WebSession
from deliberate.audit import recording
from deliberate.audit.models import AuditEntry
from deliberate.discussion.models import Comment, CommentReport, DiscussionRules, Helpful, ModerationEntry
from deliberate.meetings.models import AgendaItem, Attendance, Invitation, Meeting, Minutes, Registration
from deliberate.places.models import Household, Member, Owner, Place
from deliberate.places.settings import PlaceSetting
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
)
from deliberate.voting.models import Ballot, RollEntry, SealedBallot, SecretBallot, Vote, VoteOption

metadata = SQLModel.metadata
recording.install()

__all__ = [
    "AgendaItem",
    "AuditEntry",
    "Attendance",
    "Ballot",
    "Comment",
    "CommentReport",
    "DiscussionRules",
    "Helpful",
    "ModerationEntry",
    "Cosign",
    "CostItem",
    "Follow",
    "Household",
    "Inspection",
    "Invitation",
    "LoginFailure",
    "Meeting",
    "Member",
    "Milestone",
    "Minutes",
    "Notification",
    "Owner",
    "Photo",
    "Place",
    "PlaceSetting",
    "Plan",
    "PlanVersion",
    "ProgressUpdate",
    "Proposal",
    "ProposalEvent",
    "ProposalRating",
    "Registration",
    "ResidencyClaim",
    "RoleGrant",
    "RollEntry",
    "SealedBallot",
    "SecretBallot",
    "User",
    "Vote",
    "VoteOption",
    "WebSession",
    "metadata",
]
