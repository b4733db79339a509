"""How big each scale is. District follows issue 12; small is about a hundredth of it; tiny is for the test."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    communities: int
    compounds: int  # per community
    buildings: int  # per compound
    households: int  # in all
    big_households: int  # of the first community: the owners' vote counts them all
    members_per_household: float  # on average
    accounts: int  # residents with a login (a verified claim on their household)
    logins: int  # of those, listed in urls.json (all live in the first compound)
    proposals: int
    comments: int
    hot_comments: int  # on one proposal
    meetings: int
    votes: int
    big_vote: int  # ballots of the largest vote


SCALES: dict[str, Scale] = {
    "district": Scale("district", communities=169, compounds=9, buildings=10, households=410_000,
                      big_households=10_000, members_per_household=2.475, accounts=20_000, logins=200,
                      proposals=100_000, comments=1_000_000, hot_comments=240, meetings=5_000, votes=2_000,
                      big_vote=1_000_000),
    "small": Scale("small", communities=2, compounds=9, buildings=10, households=4_100, big_households=2_100,
                   members_per_household=2.475, accounts=400, logins=50, proposals=1_000, comments=10_000,
                   hot_comments=240, meetings=50, votes=42, big_vote=10_000),
    "tiny": Scale("tiny", communities=1, compounds=2, buildings=2, households=60, big_households=60,
                  members_per_household=2.5, accounts=30, logins=4, proposals=60, comments=300,
                  hot_comments=205, meetings=3, votes=25, big_vote=200),
}
