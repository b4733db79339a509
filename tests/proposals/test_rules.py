"""A proposal's rules: every stage × action × actor against a table written out here, thresholds at their
boundaries, rework after a failed acceptance, the satisfaction rate and deadlines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deliberate.proposals.rules import (
    LEGAL_DEFAULTS,
    Action,
    Actor,
    IllegalTransition,
    Rating,
    Stage,
    Threshold,
    allowed_actions,
    cosigners_needed,
    days_overdue,
    is_overdue,
    next_stage,
    rate_percent,
    review_due,
    satisfaction_rate,
    threshold_met,
)

D = Decimal

# The expected machine, written out by hand (stage -> action -> next stage); anything missing is refused.
EXPECTED_MOVES: dict[str, dict[str, str]] = {
    "draft": {"submit": "cosigning", "edit": "draft", "withdraw": "withdrawn"},
    "cosigning": {"edit": "cosigning", "cosign": "cosigning", "reach_threshold": "review", "withdraw": "withdrawn"},
    "review": {
        "accept": "accepted",
        "reject": "rejected",
        "merge": "merged",
        "request_changes": "changes_requested",
        "withdraw": "withdrawn",
    },
    "changes_requested": {"edit": "changes_requested", "resubmit": "review", "withdraw": "withdrawn"},
    "accepted": {"publish_plan": "disclosure", "withdraw": "withdrawn"},
    "disclosure": {"end_disclosure": "decision", "withdraw": "withdrawn"},
    "decision": {"approve_plan": "implementation", "reject_plan": "accepted", "withdraw": "withdrawn"},
    "implementation": {"start_works": "implementation", "complete_works": "acceptance"},
    "acceptance": {"pass_acceptance": "rating", "fail_acceptance": "implementation"},
    "rating": {"rate": "rating", "close": "closed"},
    "closed": {},
    "rejected": {},
    "merged": {},
    "withdrawn": {},
}
TERMINAL = {"closed", "rejected", "merged", "withdrawn"}

# Who may do each action, by hand.
EXPECTED_WHO: dict[str, set[str]] = {
    "submit": {"author"},
    "edit": {"author"},
    "cosign": {"resident"},
    "withdraw": {"author"},
    "reach_threshold": {"system", "staff"},
    "accept": {"staff", "council"},
    "reject": {"staff", "council"},
    "merge": {"staff", "council"},
    "request_changes": {"staff", "council"},
    "resubmit": {"author"},
    "publish_plan": {"staff", "council"},
    "end_disclosure": {"system", "staff"},
    "approve_plan": {"council", "system"},
    "reject_plan": {"council", "system"},
    "start_works": {"staff", "council"},
    "complete_works": {"staff", "council"},
    "pass_acceptance": {"representative", "supervisor"},
    "fail_acceptance": {"representative", "supervisor"},
    "rate": {"resident", "author"},
    "close": {"system", "staff"},
}
ACTORS = {"author", "resident", "staff", "council", "supervisor", "representative", "system", "other"}


def expected(stage: str, action: str, actor: str) -> str | None:
    """The next stage by the hand-written tables, or None when refused."""
    if actor not in EXPECTED_WHO[action]:
        return None
    return EXPECTED_MOVES[stage].get(action)


def test_the_hand_written_tables_name_every_stage_action_and_actor() -> None:
    assert {s.value for s in Stage} == set(EXPECTED_MOVES)
    assert {a.value for a in Action} == set(EXPECTED_WHO)
    assert {a.value for a in Actor} == ACTORS
    targets = {target for moves in EXPECTED_MOVES.values() for target in moves.values()}
    assert targets <= set(EXPECTED_MOVES)


@pytest.mark.parametrize(("stage", "action", "actor"), list(product(Stage, Action, Actor)))
def test_every_stage_action_and_actor_moves_or_is_refused_with_a_reason(
    stage: Stage, action: Action, actor: Actor
) -> None:
    want = expected(stage.value, action.value, actor.value)
    if want is None:
        with pytest.raises(IllegalTransition) as refused:
            next_stage(stage, action, actor, findings="排水沟仍然积水", reason="与第 12 号提案重复")
        assert refused.value.reason.strip()
        assert str(refused.value) == refused.value.reason
        assert (refused.value.stage, refused.value.action, refused.value.actor) == (stage, action, actor)
    else:
        assert next_stage(stage, action, actor, findings="排水沟仍然积水", reason="与第 12 号提案重复") == want


@pytest.mark.parametrize(("stage", "actor"), list(product(Stage, Actor)))
def test_allowed_actions_are_the_buttons_the_table_allows(stage: Stage, actor: Actor) -> None:
    want = [a for a in Action if expected(stage.value, a.value, actor.value) is not None]
    assert allowed_actions(stage, actor) == want


@pytest.mark.parametrize("stage", [Stage.CLOSED, Stage.REJECTED, Stage.MERGED, Stage.WITHDRAWN])
def test_terminal_stages_accept_no_action_from_anyone(stage: Stage) -> None:
    for actor in Actor:
        assert allowed_actions(stage, actor) == []


WALK: list[tuple[Action, Actor, Stage]] = [
    (Action.EDIT, Actor.AUTHOR, Stage.DRAFT),
    (Action.SUBMIT, Actor.AUTHOR, Stage.COSIGNING),
    (Action.COSIGN, Actor.RESIDENT, Stage.COSIGNING),
    (Action.EDIT, Actor.AUTHOR, Stage.COSIGNING),
    (Action.REACH_THRESHOLD, Actor.SYSTEM, Stage.REVIEW),
    (Action.REQUEST_CHANGES, Actor.STAFF, Stage.CHANGES_REQUESTED),
    (Action.EDIT, Actor.AUTHOR, Stage.CHANGES_REQUESTED),
    (Action.RESUBMIT, Actor.AUTHOR, Stage.REVIEW),
    (Action.ACCEPT, Actor.COUNCIL, Stage.ACCEPTED),
    (Action.PUBLISH_PLAN, Actor.STAFF, Stage.DISCLOSURE),
    (Action.END_DISCLOSURE, Actor.SYSTEM, Stage.DECISION),
    (Action.REJECT_PLAN, Actor.SYSTEM, Stage.ACCEPTED),
    (Action.PUBLISH_PLAN, Actor.COUNCIL, Stage.DISCLOSURE),
    (Action.END_DISCLOSURE, Actor.STAFF, Stage.DECISION),
    (Action.APPROVE_PLAN, Actor.COUNCIL, Stage.IMPLEMENTATION),
    (Action.START_WORKS, Actor.STAFF, Stage.IMPLEMENTATION),
    (Action.COMPLETE_WORKS, Actor.STAFF, Stage.ACCEPTANCE),
    (Action.PASS_ACCEPTANCE, Actor.REPRESENTATIVE, Stage.RATING),
    (Action.RATE, Actor.RESIDENT, Stage.RATING),
    (Action.RATE, Actor.AUTHOR, Stage.RATING),
    (Action.CLOSE, Actor.SYSTEM, Stage.CLOSED),
]


def test_a_proposal_walks_from_draft_to_closed_with_the_right_people() -> None:
    stage = Stage.DRAFT
    for action, actor, want in WALK:
        stage = next_stage(stage, action, actor, reason="")
        assert stage is want, (action, actor)


def test_failed_acceptance_with_findings_sends_the_works_back_and_they_can_pass_later() -> None:
    stage = next_stage(Stage.ACCEPTANCE, Action.FAIL_ACCEPTANCE, Actor.SUPERVISOR, findings="坡道坡度过陡")
    assert stage is Stage.IMPLEMENTATION
    stage = next_stage(stage, Action.START_WORKS, Actor.STAFF)
    stage = next_stage(stage, Action.COMPLETE_WORKS, Actor.COUNCIL)
    assert stage is Stage.ACCEPTANCE
    stage = next_stage(stage, Action.PASS_ACCEPTANCE, Actor.REPRESENTATIVE)
    assert stage is Stage.RATING
    assert next_stage(stage, Action.CLOSE, Actor.STAFF) is Stage.CLOSED


@pytest.mark.parametrize("findings", ["", "   ", "\n"])
def test_failing_acceptance_without_findings_is_refused(findings: str) -> None:
    with pytest.raises(IllegalTransition) as refused:
        next_stage(Stage.ACCEPTANCE, Action.FAIL_ACCEPTANCE, Actor.REPRESENTATIVE, findings=findings)
    assert refused.value.reason == "验收不通过时必须写明问题。"


@pytest.mark.parametrize("reason", ["", "  "])
def test_rejecting_without_a_public_reason_is_refused(reason: str) -> None:
    with pytest.raises(IllegalTransition) as refused:
        next_stage(Stage.REVIEW, Action.REJECT, Actor.STAFF, reason=reason)
    assert refused.value.reason == "驳回提案时必须公开说明理由。"


def test_rejecting_with_a_reason_is_allowed() -> None:
    assert next_stage(Stage.REVIEW, Action.REJECT, Actor.COUNCIL, reason="不属于本社区事务") is Stage.REJECTED


@pytest.mark.parametrize("stage", [Stage.IMPLEMENTATION, Stage.ACCEPTANCE, Stage.RATING])
def test_withdrawing_after_the_plan_is_approved_is_refused_with_the_reason(stage: Stage) -> None:
    with pytest.raises(IllegalTransition) as refused:
        next_stage(stage, Action.WITHDRAW, Actor.AUTHOR)
    assert refused.value.reason == "方案已通过，提案不能再撤回。"


def test_withdrawing_right_after_approve_plan_is_refused() -> None:
    stage = next_stage(Stage.DECISION, Action.APPROVE_PLAN, Actor.SYSTEM)
    with pytest.raises(IllegalTransition, match="方案已通过，提案不能再撤回。"):
        next_stage(stage, Action.WITHDRAW, Actor.AUTHOR)


def test_the_author_cannot_cosign_their_own_proposal() -> None:
    with pytest.raises(IllegalTransition) as refused:
        next_stage(Stage.COSIGNING, Action.COSIGN, Actor.AUTHOR)
    assert refused.value.reason == "作者不能给自己的提案附议。"


@pytest.mark.parametrize("actor", [Actor.OTHER, Actor.STAFF, Actor.COUNCIL, Actor.SYSTEM])
def test_only_verified_residents_cosign(actor: Actor) -> None:
    with pytest.raises(IllegalTransition) as refused:
        next_stage(Stage.COSIGNING, Action.COSIGN, actor)
    assert refused.value.reason == "只有本地核实居民可以附议。"


@pytest.mark.parametrize("stage", [Stage.REVIEW, Stage.ACCEPTED, Stage.DECISION, Stage.IMPLEMENTATION])
def test_the_author_cannot_edit_once_review_has_begun(stage: Stage) -> None:
    with pytest.raises(IllegalTransition) as refused:
        next_stage(stage, Action.EDIT, Actor.AUTHOR)
    assert refused.value.reason == "提案已进入受理，作者不能再修改。"


def test_a_permission_refusal_says_who_may() -> None:
    with pytest.raises(IllegalTransition) as refused:
        next_stage(Stage.REVIEW, Action.ACCEPT, Actor.RESIDENT)
    assert refused.value.reason == "只有工作人员或议事会可以受理立案。"


def test_a_stage_refusal_names_the_stage_and_the_action() -> None:
    with pytest.raises(IllegalTransition) as refused:
        next_stage(Stage.DRAFT, Action.ACCEPT, Actor.STAFF)
    assert refused.value.reason == "提案现在处于「草稿」阶段，不能受理立案。"


def test_a_merged_proposal_points_elsewhere() -> None:
    with pytest.raises(IllegalTransition) as refused:
        next_stage(Stage.MERGED, Action.EDIT, Actor.AUTHOR)
    assert refused.value.reason == "提案已并入另一提案，请到那里继续。"


_ACTIONS = st.sampled_from(list(Action))
_ACTORS = st.sampled_from(list(Actor))
_TEXT = st.sampled_from(["", " ", "理由"])


@settings(database=None, max_examples=300)
@given(st.lists(st.tuples(_ACTIONS, _ACTORS, _TEXT, _TEXT), max_size=60))
def test_no_sequence_of_moves_leaves_the_table_or_revives_a_terminal_proposal(
    steps: list[tuple[Action, Actor, str, str]],
) -> None:
    stage = Stage.DRAFT
    approved = False
    for action, actor, findings, reason in steps:
        before = stage
        try:
            stage = next_stage(stage, action, actor, findings=findings, reason=reason)
        except IllegalTransition as refused:
            assert refused.reason
            assert stage is before
            continue
        assert stage.value == EXPECTED_MOVES[before.value][action.value]
        assert before.value not in TERMINAL
        approved = approved or action is Action.APPROVE_PLAN
        assert not (approved and stage is Stage.WITHDRAWN)
    if stage.value in TERMINAL:
        for action, actor in product(Action, Actor):
            with pytest.raises(IllegalTransition):
                next_stage(stage, action, actor, findings="x", reason="x")


# Co-signing thresholds -------------------------------------------------------------------------

HOUSEHOLDS_FIFTH = LEGAL_DEFAULTS["households"]
ADULTS_FIFTH = LEGAL_DEFAULTS["residents"]
OWNERS_FIFTH = LEGAL_DEFAULTS["owners"]


def met(threshold: Threshold, **counts: object) -> bool:
    base: dict[str, object] = {"cosigners": 0, "cosigning_households": 0, "adults": 0, "households": 0}
    return threshold_met(threshold, **{**base, **counts})  # type: ignore[arg-type]


def test_the_legal_defaults_are_one_fifth_and_twenty_percent() -> None:
    assert (HOUSEHOLDS_FIFTH.kind, HOUSEHOLDS_FIFTH.share) == ("share_of_households", Fraction(1, 5))
    assert (ADULTS_FIFTH.kind, ADULTS_FIFTH.share) == ("share_of_adults", Fraction(1, 5))
    assert (OWNERS_FIFTH.kind, OWNERS_FIFTH.share) == ("owners", Fraction(1, 5))


@pytest.mark.parametrize(("cosigning", "reached"), [(59, False), (60, True), (61, True)])
def test_one_fifth_of_300_households_is_met_by_60(cosigning: int, reached: bool) -> None:
    assert met(HOUSEHOLDS_FIFTH, cosigning_households=cosigning, households=300) is reached
    assert cosigners_needed(HOUSEHOLDS_FIFTH, households=300) == 60


@pytest.mark.parametrize(("cosigning", "reached"), [(60, False), (61, True)])
def test_one_fifth_of_301_households_needs_61(cosigning: int, reached: bool) -> None:
    assert cosigners_needed(HOUSEHOLDS_FIFTH, households=301) == 61
    assert met(HOUSEHOLDS_FIFTH, cosigning_households=cosigning, households=301) is reached


def test_household_share_counts_households_not_people() -> None:
    assert not met(HOUSEHOLDS_FIFTH, cosigners=100, cosigning_households=59, households=300)


@pytest.mark.parametrize(("cosigners", "reached"), [(199, False), (200, True)])
def test_one_fifth_of_1000_adults_is_met_by_200(cosigners: int, reached: bool) -> None:
    assert cosigners_needed(ADULTS_FIFTH, adults=1000) == 200
    assert met(ADULTS_FIFTH, cosigners=cosigners, adults=1000) is reached


@pytest.mark.parametrize(("cosigners", "reached"), [(9, False), (10, True), (11, True)])
def test_a_count_threshold_is_met_at_the_count(cosigners: int, reached: bool) -> None:
    threshold = Threshold("count", count=10)
    assert cosigners_needed(threshold) == 10
    assert met(threshold, cosigners=cosigners, adults=10_000) is reached


@pytest.mark.parametrize(
    ("heads", "area", "reached"),
    [
        (20, "2000.02", True),  # exactly 20% by head and by area
        (19, "2000.02", False),
        (20, "2000.01", False),
        (21, "2500", True),
    ],
)
def test_owners_need_twenty_percent_of_the_area_and_of_the_heads(heads: int, area: str, reached: bool) -> None:
    counts = {"owner_heads": heads, "owner_heads_total": 100, "owner_area": D(area), "owner_area_total": D("10000.10")}
    assert met(OWNERS_FIFTH, **counts) is reached


def test_an_empty_register_still_needs_one_cosigner() -> None:
    assert cosigners_needed(HOUSEHOLDS_FIFTH, households=0) == 1
    assert not met(HOUSEHOLDS_FIFTH, households=0)
    assert met(HOUSEHOLDS_FIFTH, cosigning_households=1, households=0)


@pytest.mark.parametrize(
    "bad",
    [
        {"kind": "count", "count": 0},
        {"kind": "share_of_adults", "numerator": 0},
        {"kind": "share_of_adults", "numerator": 6, "denominator": 5},
        {"kind": "share_of_adults", "denominator": 0},
        {"kind": "quorum"},
    ],
)
def test_impossible_thresholds_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Threshold(**bad)  # type: ignore[arg-type]


@settings(database=None)
@given(
    st.integers(1, 100),
    st.integers(1, 100),
    st.integers(0, 5000),
    st.integers(0, 5000),
)
def test_a_share_is_met_exactly_when_the_cosigners_reach_it(num: int, den: int, total: int, cosigners: int) -> None:
    if num > den:
        num, den = den, num
    threshold = Threshold("share_of_adults", numerator=num, denominator=den)
    reached = cosigners >= 1 and cosigners * den >= num * total
    assert met(threshold, cosigners=cosigners, adults=total) is reached
    assert met(threshold, cosigners=cosigners_needed(threshold, adults=total), adults=total)


# Satisfaction ----------------------------------------------------------------------------------

RATINGS = {Rating.SATISFIED: 7, Rating.FAIRLY: 1, Rating.DISSATISFIED: 2}


def test_the_default_rate_counts_satisfied_and_fairly_satisfied() -> None:
    assert satisfaction_rate(RATINGS) == Fraction(4, 5)


def test_the_satisfied_only_formula_counts_satisfied() -> None:
    assert satisfaction_rate(RATINGS, "satisfied_only") == Fraction(7, 10)


@pytest.mark.parametrize("counts", [{}, {Rating.SATISFIED: 0, Rating.FAIRLY: 0, Rating.DISSATISFIED: 0}])
def test_no_ratings_give_no_rate(counts: dict[Rating, int]) -> None:
    assert satisfaction_rate(counts) is None


def test_an_unknown_formula_is_refused() -> None:
    with pytest.raises(ValueError):
        satisfaction_rate(RATINGS, "happy_faces")


@pytest.mark.parametrize(
    ("rate", "text"),
    [
        (Fraction(7, 8), "87.50"),
        (Fraction(4, 5), "80.00"),
        (Fraction(2, 3), "66.67"),
        (Fraction(1, 3), "33.33"),
        (Fraction(1, 20000), "0.01"),  # 0.005 % rounds half up
        (Fraction(1, 40000), "0.00"),
        (Fraction(0), "0.00"),
        (Fraction(1), "100.00"),
    ],
)
def test_rate_percent_rounds_half_up_to_two_places(rate: Fraction, text: str) -> None:
    assert rate_percent(rate) == text


# Deadlines -------------------------------------------------------------------------------------

SUBMITTED = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)


def test_the_review_is_due_days_after_submission() -> None:
    assert review_due(SUBMITTED, 15) == datetime(2024, 3, 16, 9, 30, tzinfo=UTC)


def test_a_naive_submission_time_is_refused() -> None:
    with pytest.raises(ValueError):
        review_due(SUBMITTED.replace(tzinfo=None), 15)


@pytest.mark.parametrize(
    ("late", "days", "overdue"),
    [
        (timedelta(days=-1), 0, False),
        (timedelta(0), 0, False),
        (timedelta(hours=23, minutes=59), 0, True),
        (timedelta(days=1), 1, True),
        (timedelta(days=2, hours=23), 2, True),
    ],
)
def test_days_overdue_counts_whole_days_past_due(late: timedelta, days: int, overdue: bool) -> None:
    due = review_due(SUBMITTED, 15)
    assert days_overdue(due, due + late) == days
    assert is_overdue(due, due + late) is overdue
