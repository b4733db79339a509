"""Demo threads: the parking proposal of 和平里小区 argued over, its plan questioned, one comment reported."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from deliberate.accounts.models import User
from deliberate.clock import utcnow
from deliberate.discussion import actions, subjects
from deliberate.discussion.models import Comment
from deliberate.proposals.models import Plan, Proposal

PARKING = "小区停车难：一百四十辆车抢七十个车位"

# (who, days ago, stance, text, index of the comment answered or None)
PARKING_THREAD = [
    ("leader_hp1", 66, "for", "支持。上个月救护车进不来，在小区门口等了十分钟，大家都看见了。"
     "先把消防通道让出来。", None),
    ("resident", 65, "against", "车位收费我不同意。我们是老小区，很多是退休老人，一个月 150 元不少了。"
     "能不能先清理僵尸车和外来车，看看够不够停？", None),
    ("hp1_council2", 65, "", "收费标准还没定，会在协商会上商量，大家的意见都会记下来。清理僵尸车是第一步。", 1),
    ("resident", 64, "", "那就好，协商会通知一下我们楼。", 2),
    ("hp_council2", 63, "neutral", "两方面的意见都有道理。建议车位先按户分配，每户限一个，多的车再收费。", None),
    ("leader_hp2", 62, "for", "同意楼上的按户分配。另外绿地改车位要保留大树，别全铺了。", 4),
]
PLAN_THREAD = [
    ("council1", 48, "", "道闸装在南门和北门，东边小门怎么办？会不会有车从那里进？", None),
    ("hp_council1", 47, "", "东门只走人，装固定隔离桩，方案修订时写进去。", 0),
]
REPORTED = ("leader_hp2", 61, "有些人自己不买车位还天天抱怨，素质太低。")


def add_demo_discussion(session: Session) -> None:
    proposal = session.exec(select(Proposal).where(Proposal.title == PARKING)).first()
    if proposal is None:
        return
    subject = subjects.find(session, "proposal", proposal.id)
    assert subject is not None
    thread = _write(session, subject, PARKING_THREAD)
    _mark_helpful(session, thread[0], ["hp_council2", "leader_hp2", "council1"])
    _mark_helpful(session, thread[4], ["leader_hp1", "resident"])
    rude = _write(session, subject, [(REPORTED[0], REPORTED[1], "", REPORTED[2], None)])[0]
    actions.do_report(session, rude, _user(session, "resident"), "人身攻击，和停车的事无关。")
    plan = session.exec(select(Plan).where(Plan.proposal_id == proposal.id).order_by(Plan.id)).first()  # type: ignore[arg-type]
    plan_subject = subjects.find(session, "plan", plan.id) if plan else None
    if plan_subject is not None:
        _write(session, plan_subject, PLAN_THREAD)
    session.flush()


def _write(session: Session, subject: subjects.Subject, lines: list) -> list[Comment]:  # type: ignore[type-arg]
    written: list[Comment] = []
    for who, days_ago, stance, text, answers in lines:
        parent = written[answers] if answers is not None else None
        when = utcnow() - timedelta(days=days_ago, hours=len(written))
        written.append(actions.do_comment(session, subject, _user(session, who), text, stance, parent, now=when))
    return written


def _mark_helpful(session: Session, comment: Comment, people: list[str]) -> None:
    for who in people:
        actions.do_mark_helpful(session, comment, _user(session, who), True)


def _user(session: Session, username: str) -> User:
    user = session.exec(select(User).where(User.username == username)).one()
    return user
