"""The demo community's votes: one open, one certified by owners, one secret and certified.

Cases from the seeds: a lift for an old six-storey building (Chaoyang), turning part of a green
into parking (a change of use of a common part: an owners' major matter), and the lane residents
of Yulin choosing how the bricks are laid, by secret ballot.
"""

from __future__ import annotations

import json
import random
import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from deliberate.accounts.models import User
from deliberate.clock import utcnow
from deliberate.places.models import Member, Place
from deliberate.voting import actions
from deliberate.voting.models import Ballot, Channel, RollEntry, Vote


def _place(session: Session, compound: str, building: str | None = None) -> Place:
    found = session.exec(select(Place).where(col(Place.name) == compound, Place.kind == "compound")).one()
    if building is None:
        return found
    return session.exec(select(Place).where(col(Place.parent_id) == found.id, Place.name == building)).one()


def _user(session: Session, username: str) -> User:
    return session.exec(select(User).where(col(User.username) == username)).one()


def _paper(session: Session, vote: Vote, rng: random.Random, share: float, choices: list[str], by: User,
           weights: list[int], when: datetime) -> None:
    roll = session.exec(select(RollEntry).where(col(RollEntry.vote_id) == vote.id).order_by(col(RollEntry.id))).all()
    # Households with a demo login are left to vote online, so that whoever tries the demo can.
    with_accounts = {str(h) for h in session.exec(select(Member.household_id).where(col(Member.user_id).is_not(None)))}
    # Blank ballot papers are numbered at the printer and handed out in whatever order the pile is in: a
    # serial says nothing of whose ballot it was.
    serials = secrets.SystemRandom().sample(range(1, 10 * len(roll) + 1000), len(roll))
    for serial, entry in zip(serials, roll, strict=True):
        if entry.has_voted or entry.user_id or with_accounts & set(entry.household_ids.split(",")):
            continue
        if rng.random() > share:
            continue
        choice = rng.choices(choices, weights=weights)[0]
        actions.do_cast(session, vote, entry, choice, channel=Channel.PAPER, entered_by=by,
                        paper_serial=f"{vote.id:02d}-{serial:04d}", now=when)


def _correct_one(session: Session, vote: Vote, by: User, when: datetime) -> None:
    """One paper ballot entered with the wrong choice and corrected the next morning, on the record."""
    first = session.exec(select(Ballot).where(col(Ballot.vote_id) == vote.id, col(Ballot.channel) == Channel.PAPER)
                         .order_by(col(Ballot.id))).first()
    if first is None:
        return
    wrong = json.loads(first.choice)
    right = "no" if wrong == "yes" else "yes"
    correction = actions.Correction(first.paper_serial, "", right, "录入时看错了选项，已与纸质选票原件核对")
    actions.do_correct_paper(session, vote, correction, by=by, now=when)


def add_demo_votes(session: Session, rng: random.Random) -> None:
    now = utcnow()
    staff = _user(session, "staff")

    lift_building = _place(session, "和平里小区", "1号楼")
    lift = actions.do_create_vote(
        session, place=lift_building, title="1号楼加装电梯方案",
        question="拟在1号楼两个单元各加装一部电梯，总费用约 120 万元，政府补贴 48 万元，其余由各户按楼层分摊"
                 "（一层不分摊）。是否同意按此方案加装？",
        form="yes_no", rule="two_thirds", electorate_kind="households", secret=False,
        closes_at=now + timedelta(days=14), options=[], by=_user(session, "hp1_council1"),
    )
    actions.do_open(session, lift, lift_building, now=now - timedelta(days=2))
    _paper(session, lift, rng, 0.45, ["yes", "no", "abstain"], staff, [7, 2, 1], now - timedelta(days=1))
    _correct_one(session, lift, staff, now - timedelta(hours=20))

    parking_compound = _place(session, "阳光花园")
    opened = now - timedelta(days=20)
    parking = actions.do_create_vote(
        session, place=parking_compound, title="小区东侧绿地改建为 30 个地面停车位",
        question="改变共有部分用途，属于民法典第二百七十八条规定的重大事项：需专有面积和人数均三分之二以上业主参与，"
                 "并经参与表决的专有面积和人数均四分之三以上同意。",
        form="yes_no", rule="owners_major", electorate_kind="owners", secret=False,
        closes_at=opened + timedelta(days=14), options=[], by=_user(session, "yg_council1"),
    )
    actions.do_open(session, parking, parking_compound, now=opened)
    _paper(session, parking, rng, 0.85, ["yes", "no", "abstain"], staff, [8, 1, 1], opened + timedelta(days=3))
    actions.do_close(session, parking, now=opened + timedelta(days=15))
    actions.do_certify(session, parking, by=_user(session, "yg_council1"))

    lane = _place(session, "铁路宿舍")
    opened = now - timedelta(days=10)
    bricks = actions.do_create_vote(
        session, place=lane, title="宿舍区主巷道铺装方式",
        question="巷道翻修用青砖铺装，砖怎么铺由居民来定（不记名投票，得票最多的方式胜出）。",
        form="choose_one", rule="plurality", electorate_kind="adults", secret=True,
        closes_at=opened + timedelta(days=7), options=["竖铺", "横铺", "人字铺"], by=_user(session, "tl_council1"),
    )
    actions.do_open(session, bricks, lane, now=opened)
    _paper(session, bricks, rng, 0.6, ["竖铺", "横铺", "人字铺", "abstain"], staff, [3, 2, 5, 1],
           opened + timedelta(days=2))
    actions.do_close(session, bricks, now=opened + timedelta(days=8))
    actions.do_certify(session, bricks, by=_user(session, "tl_council1"))
