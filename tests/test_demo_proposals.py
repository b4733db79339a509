"""The demo community's proposals: every stage of the loop, whole timelines, dates in the past."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from factories import empty_tables
from sqlmodel import Session, col, select

from deliberate.accounts import passwords
from deliberate.accounts.models import User
from deliberate.accounts.people import load_person
from deliberate.clock import utcnow
from deliberate.db import Database
from deliberate.demo import load_demo
from deliberate.discussion import queries as discussion
from deliberate.discussion.demo_discussion import PARKING
from deliberate.discussion.models import Comment, CommentReport
from deliberate.discussion.rules import Sort
from deliberate.discussion.subjects import find
from deliberate.places.models import Place, PlaceKind
from deliberate.proposals import plans, tracking, works
from deliberate.proposals.demo_proposals import READ_AFTER
from deliberate.proposals.models import Cosign, Milestone, Notification, Proposal, ProposalEvent
from deliberate.proposals.rules import TERMINAL, Stage
from deliberate.settings import Settings
from deliberate.voting import queries as vote_queries
from deliberate.voting.models import Vote, VoteStatus


@pytest.fixture(scope="module")
def demo_db(settings: Settings) -> Iterator[Database]:
    """The demo, loaded once into the test database the way `deliberate demo` loads it, and wiped afterwards."""
    database = Database(settings)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "hash_password", lambda password: "fake")
        with database.writing() as session:
            load_demo(session, password_for=lambda password: "fake")
    yield database
    empty_tables(database)
    database.dispose()


@pytest.fixture
def demo(demo_db: Database) -> Iterator[Session]:
    with demo_db.session() as session:
        yield session


def proposals(session: Session) -> dict[str, Proposal]:
    """The demo's proposals by stage; a stage held by two gives the newer."""
    return {p.stage: p for p in session.exec(select(Proposal).order_by(col(Proposal.id))).all()}


def events_of(session: Session, proposal: Proposal) -> list[ProposalEvent]:
    return list(session.exec(
        select(ProposalEvent).where(ProposalEvent.proposal_id == proposal.id).order_by(col(ProposalEvent.id))
    ).all())


def test_the_demo_has_proposals_at_every_stage_of_the_loop(demo: Session) -> None:
    stages = [p.stage for p in demo.exec(select(Proposal)).all()]
    assert set(stages) == {stage.value for stage in Stage}
    assert stages.count(Stage.COSIGNING) == 2 and stages.count(Stage.REVIEW) == 2
    kinds = {place.kind for place in demo.exec(select(Place).join(Proposal, col(Proposal.place_id) == Place.id))}
    assert kinds == {PlaceKind.COMMUNITY, PlaceKind.COMPOUND, PlaceKind.BUILDING}


def test_every_timeline_is_one_chain_in_time_order_ending_at_the_proposals_stage(demo: Session) -> None:
    now = utcnow()
    for proposal in demo.exec(select(Proposal)).all():
        events = events_of(demo, proposal)
        assert events[0].action == "create" and events[0].from_stage == Stage.DRAFT
        for before, after in zip(events, events[1:], strict=False):
            assert after.from_stage == before.to_stage, (proposal.title, after.action)
            assert after.at > before.at, (proposal.title, after.action)
        assert events[-1].to_stage == proposal.stage, proposal.title
        assert proposal.created_at == events[0].at and proposal.updated_at == events[-1].at
        assert events[-1].at < now - timedelta(hours=1)
        moves = [e for e in events if e.from_stage != e.to_stage]
        assert proposal.stage_changed_at == (moves[-1].at if moves else events[0].at)
        assert (proposal.closed_at is not None) == (proposal.stage in TERMINAL)


def test_deadlines_follow_from_the_timeline_and_one_review_is_overdue(demo: Session) -> None:
    now = utcnow()
    reviews = demo.exec(select(Proposal).where(Proposal.stage == Stage.REVIEW)).all()
    for proposal in reviews:
        reached = next(e.at for e in reversed(events_of(demo, proposal)) if e.action == "reach_threshold")
        assert proposal.review_due_at == reached + timedelta(days=15)
    assert sorted(proposal.review_due_at < now for proposal in reviews) == [False, True]  # type: ignore[operator]
    rating = proposals(demo)[Stage.RATING]
    passed = next(e.at for e in events_of(demo, rating) if e.action == "pass_acceptance")
    assert rating.rating_ends_at == passed + timedelta(days=14) and rating.rating_ends_at > now


def test_staff_tracking_shows_what_is_overdue_and_what_waits(demo: Session) -> None:
    community = demo.exec(select(Place).where(Place.kind == PlaceKind.COMMUNITY)).one()
    found = tracking.tracking(demo, community, utcnow())
    overdue_reviews = [r for r in found.section(tracking.Section.REVIEW).rows if r.overdue]
    assert len(overdue_reviews) == 1 and overdue_reviews[0].days_overdue >= 5
    late = found.section(tracking.Section.MILESTONES_OVERDUE).rows
    assert len(late) == 1 and late[0].days_overdue in (6, 7)  # 7 if midnight passed since the demo loaded
    assert found.section(tracking.Section.MILESTONES_SOON).rows
    (waiting,) = found.section(tracking.Section.ACCEPTANCE).rows
    assert waiting.days_overdue >= 2


def test_cosigners_are_verified_residents_of_the_place_and_never_its_author(demo: Session) -> None:
    rows = demo.exec(
        select(Cosign, Proposal, Place, User).join(Proposal, col(Proposal.id) == Cosign.proposal_id)
        .join(Place, col(Place.id) == Proposal.place_id).join(User, col(User.id) == Cosign.user_id)
    ).all()
    assert len(rows) >= 60
    for cosign, proposal, place, user in rows:
        assert user.id != proposal.author_id
        assert load_person(demo, user).lives_in(place), (user.username, proposal.title)
        assert cosign.created_at >= proposal.created_at
    assert all(p.cosign_count >= p.cosigners_needed for p in demo.exec(select(Proposal)).all()
               if p.stage not in (Stage.DRAFT, Stage.COSIGNING, Stage.WITHDRAWN))


def test_the_draft_is_the_resident_logins_own(demo: Session) -> None:
    draft = proposals(demo)[Stage.DRAFT]
    author = demo.get(User, draft.author_id)
    assert author is not None and author.username == "resident"


def test_the_decision_has_an_open_vote_on_its_alternative_plans_left_for_residents(demo: Session) -> None:
    decision = proposals(demo)[Stage.DECISION]
    (vote,) = demo.exec(select(Vote).where(Vote.subject_kind == "proposal", Vote.subject_id == decision.id)).all()
    assert vote.status == VoteStatus.OPEN and vote.form == "choose_one" and vote.closes_at > utcnow()
    candidates = plans.disclosed(demo, decision)
    assert len(candidates) == 2 and {plan.vote_id for plan in candidates} == {vote.id}
    resident = demo.exec(select(User).where(User.username == "resident")).one()
    (entry,) = vote_queries.entries_for(demo, vote, resident)
    assert not entry.has_voted
    assert vote_queries.roll_totals(demo, vote)[2] > 0  # some households have voted already


def test_plans_show_their_costs_split_three_ways_and_the_lane_has_two_in_disclosure(demo: Session) -> None:
    lane = proposals(demo)[Stage.DISCLOSURE]
    versions = [version for _plan, version in plans.plans_of(demo, lane)]
    assert len(versions) == 2
    for proposal in demo.exec(select(Proposal)).all():
        for _plan, version in plans.plans_of(demo, proposal):
            total = sum(line.amount_centi for line in plans.cost_lines(version))
            assert total == version.residents_centi + version.units_centi + version.government_centi > 0
            assert version.responsible and version.schedule
    accepted = proposals(demo)[Stage.ACCEPTED]
    ((plan, _version),) = plans.plans_of(demo, accepted)
    assert [v.number for v in plans.versions_of(demo, plan)] == [2, 1]


def test_works_have_milestones_progress_costs_and_a_failed_acceptance_done_again(demo: Session) -> None:
    works_now = proposals(demo)[Stage.IMPLEMENTATION]
    assert works.current_percent(demo, works_now) > 0 and works.costs_of(demo, works_now)
    spending = works.spendings(demo, [works_now.id])[works_now.id]  # against its budget, one receipt to come
    assert spending.budget_centi and spending.unreceipted == 1
    assert works_now.responsible
    milestones = demo.exec(select(Milestone).where(Milestone.proposal_id == works_now.id)).all()
    assert any(m.done_at is not None for m in milestones) and any(m.done_at is None for m in milestones)
    pending = proposals(demo)[Stage.ACCEPTANCE]
    actions_seen = [e.action for e in events_of(demo, pending)]
    assert actions_seen.count("fail_acceptance") == 1 and actions_seen.count("complete_works") == 2
    assert actions_seen[-1] == "complete_works"
    failed = next(e for e in events_of(demo, pending) if e.action == "fail_acceptance")
    assert "推倒重来" in failed.reason


def test_ended_proposals_say_why_and_the_closed_one_published_its_satisfaction(demo: Session) -> None:
    found = proposals(demo)
    assert events_of(demo, found[Stage.REJECTED])[-1].reason
    assert events_of(demo, found[Stage.WITHDRAWN])[-1].reason
    merged = found[Stage.MERGED]
    assert merged.merged_into_id == found[Stage.DECISION].id
    closed = found[Stage.CLOSED]
    assert closed.satisfaction == "87.50" and closed.closed_at is not None
    assert events_of(demo, closed)[-1].action == "close"


def test_notifications_are_dated_with_their_event_and_only_recent_ones_are_unread(demo: Session) -> None:
    rows = demo.exec(select(Notification, ProposalEvent).join(
        ProposalEvent, col(ProposalEvent.id) == Notification.event_id)).all()
    assert rows
    read_before = utcnow() - READ_AFTER
    for notification, event in rows:
        assert notification.created_at == event.at
        if abs(event.at - read_before) > timedelta(hours=1):
            assert (notification.read_at is None) == (event.at > read_before)
    resident = demo.exec(select(User).where(User.username == "resident")).one()
    assert [n for n, _event in rows if n.user_id == resident.id and n.read_at is None]


def test_the_parking_proposal_is_argued_over_with_a_reported_comment_for_staff(demo: Session) -> None:
    parking = demo.exec(select(Proposal).where(Proposal.title == PARKING)).one()
    subject = find(demo, "proposal", parking.id)  # type: ignore[arg-type]
    assert subject is not None
    thread = discussion.thread(demo, subject, Sort.HELPFUL, None)
    # Seven said on the proposal's page and two (a question and its answer) on its first plan's: one thread.
    assert thread.count == 9 and thread.balance.supporting == 2 and thread.balance.opposing == 1
    about_plan = [c for c in demo.exec(select(Comment).where(Comment.subject_id == parking.id)).all() if c.about_kind]
    assert len(about_plan) == 2 and {c.about_kind for c in about_plan} == {"plan"}
    assert thread.roots[0].comment.helpful_count == 3 and thread.roots[0].children == []
    assert any(node.children for node in thread.roots)
    assert all(c.created_at < utcnow() for c in demo.exec(select(Comment)).all())
    community = demo.exec(select(Place).where(Place.kind == PlaceKind.COMMUNITY)).one()
    [(report, comment, _author, _reporter)] = discussion.open_reports(demo, community)
    assert report.reason and comment.subject_id == parking.id
    assert demo.exec(select(CommentReport)).one().id == report.id
