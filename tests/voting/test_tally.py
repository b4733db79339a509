"""The count: every rule at its exact boundaries, exact areas, the checks, and properties against an oracle."""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deliberate.i18n import using
from deliberate.voting import labels
from deliberate.voting.tally import (
    Ballot,
    Electorate,
    Form,
    RecountError,
    Result,
    Rule,
    explain,
    explain_stored,
    format_area,
    parse_recount,
    percent,
    result_from_json,
    tally,
)

D = Decimal
OWNERS = [Rule.OWNERS_ORDINARY, Rule.OWNERS_MAJOR]
HAN = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")  # Chinese characters and punctuation


def zh(result: Result) -> str:
    with using("zh_CN"):
        return explain(result)


def en(result: Result) -> str:
    with using("en"):
        return explain(result)


def votes(yes: int = 0, no: int = 0, abstain: int = 0) -> list[Ballot]:
    """One ballot per head: `yes` yes, `no` no, `abstain` abstentions."""
    return [Ballot("yes")] * yes + [Ballot("no")] * no + [Ballot("abstain")] * abstain


def yes_no(rule: Rule, electorate: int, ballots: list[Ballot], area: str = "0") -> Result:
    return tally(rule, Form.YES_NO, [], Electorate(electorate, D(area)), ballots)


def owners_vote(rule: Rule, yes: tuple[int, str], no: tuple[int, str], electorate: tuple[int, str]) -> Result:
    """An owners' vote with one weighted yes ballot and one weighted no ballot (skipped when empty)."""
    ballots = [Ballot("yes", heads=yes[0], area=D(yes[1]))]
    if no[0]:
        ballots.append(Ballot("no", heads=no[0], area=D(no[1])))
    return tally(rule, Form.YES_NO, [], Electorate(electorate[0], D(electorate[1])), ballots)


# ---------------------------------------------------------------------------------------------
# Quorums


@pytest.mark.parametrize("rule", OWNERS)
@pytest.mark.parametrize(
    ("heads", "area", "met"),
    [
        (80, "200.00", True),  # exactly two thirds of 120 heads and of 300.00 ㎡
        (79, "200.00", False),  # one head short
        (80, "199.99", False),  # one hundredth of a square metre short
        (79, "199.99", False),
        (80, "200.01", True),
        (120, "300.00", True),
    ],
)
def test_owners_quorum_is_two_thirds_by_head_and_by_area(rule: Rule, heads: int, area: str, met: bool) -> None:
    result = owners_vote(rule, yes=(heads, area), no=(0, "0"), electorate=(120, "300.00"))
    assert result.quorum_met is met
    assert result.passed is met  # everyone taking part says yes: only the quorum decides


@pytest.mark.parametrize(("taking_part", "met"), [(49, False), (50, False), (51, True), (100, True)])
def test_residents_meeting_quorum_is_more_than_half(taking_part: int, met: bool) -> None:
    result = yes_no(Rule.RESIDENTS_MEETING, 100, votes(yes=taking_part))
    assert result.quorum_met is met
    assert result.passed is met


@pytest.mark.parametrize(
    ("ballots", "quorum_met", "passed"),
    [
        (votes(yes=5), True, True),
        ([Ballot("yes", heads=5)], True, True),  # one ballot may carry several heads
        (votes(yes=4, abstain=1), True, False),  # one abstention breaks unanimity
        (votes(yes=4, no=1), True, False),
        (votes(yes=4), False, False),  # one member did not take part
    ],
)
def test_unanimous(ballots: list[Ballot], quorum_met: bool, passed: bool) -> None:
    result = yes_no(Rule.UNANIMOUS, 5, ballots)
    assert (result.quorum_met, result.passed) == (quorum_met, passed)
    assert result.winner == ("yes" if passed else None)


@pytest.mark.parametrize("rule", [Rule.PLURALITY, Rule.MAJORITY, Rule.TWO_THIRDS])
def test_rules_without_quorum_count_however_few_take_part(rule: Rule) -> None:
    result = yes_no(rule, 1000, votes(yes=1))
    assert result.quorum_met is True
    assert result.passed is True


@pytest.mark.parametrize(
    ("rule", "electorate", "ballots", "area"),
    [
        (Rule.RESIDENTS_MEETING, 100, votes(yes=50), "0"),
        (Rule.UNANIMOUS, 3, votes(yes=2), "0"),
        (Rule.OWNERS_ORDINARY, 3, [Ballot("yes", heads=2, area=D("10"))], "100"),
        (Rule.OWNERS_MAJOR, 3, [Ballot("yes", heads=1, area=D("100"))], "100"),
    ],
)
def test_nothing_passes_without_its_quorum_even_when_everyone_says_yes(
    rule: Rule, electorate: int, ballots: list[Ballot], area: str
) -> None:
    result = yes_no(rule, electorate, ballots, area)
    assert result.tally["yes"].heads == result.participation.heads
    assert (result.quorum_met, result.passed, result.winner, result.winners) == (False, False, None, ())
    assert "未达到法定人数" in zh(result)
    assert "no quorum" in en(result)


# ---------------------------------------------------------------------------------------------
# Thresholds


@pytest.mark.parametrize(
    ("yes", "no", "abstain", "passed"),
    [
        (30, 30, 0, False),  # exactly half of those taking part is not more than half
        (31, 29, 0, True),
        (30, 0, 30, False),  # abstaining takes part
        (31, 0, 29, True),
    ],
)
def test_residents_meeting_threshold_is_more_than_half(yes: int, no: int, abstain: int, passed: bool) -> None:
    result = yes_no(Rule.RESIDENTS_MEETING, 100, votes(yes, no, abstain))
    assert result.quorum_met is True
    assert result.passed is passed


@pytest.mark.parametrize(
    ("yes", "no", "abstain", "passed"),
    [(5, 5, 0, False), (6, 4, 0, True), (5, 4, 1, False), (5, 0, 5, False), (1, 0, 0, True), (0, 0, 3, False)],
)
def test_majority_is_more_than_half_of_those_taking_part(yes: int, no: int, abstain: int, passed: bool) -> None:
    assert yes_no(Rule.MAJORITY, 100, votes(yes, no, abstain)).passed is passed


@pytest.mark.parametrize(
    ("yes", "no", "abstain", "passed"),
    [(6, 3, 0, True), (5, 4, 0, False), (7, 3, 0, True), (6, 4, 0, False), (6, 0, 3, True), (6, 1, 3, False)],
)
def test_two_thirds_includes_exactly_two_thirds(yes: int, no: int, abstain: int, passed: bool) -> None:
    assert yes_no(Rule.TWO_THIRDS, 100, votes(yes, no, abstain)).passed is passed


def test_two_thirds_of_nobody_is_not_a_pass() -> None:
    result = yes_no(Rule.TWO_THIRDS, 10, [])
    assert (result.quorum_met, result.passed) == (True, False)


@pytest.mark.parametrize(
    ("yes", "no", "passed"),
    [
        ((60, "600.00"), (20, "200.00"), True),  # 60 × 4 == 80 × 3 and 600 × 4 == 800 × 3
        ((59, "600.00"), (21, "200.00"), False),  # one head short
        ((60, "599.99"), (20, "200.01"), False),  # 0.01 ㎡ short
        ((60, "600.03"), (20, "200.01"), True),  # exactly 3/4 of 800.04
        ((60, "600.02"), (20, "200.02"), False),  # 0.01 under 3/4 of 800.04
        ((80, "800.00"), (0, "0"), True),
    ],
)
def test_owners_major_is_three_quarters_by_head_and_by_area(
    yes: tuple[int, str], no: tuple[int, str], passed: bool
) -> None:
    result = owners_vote(Rule.OWNERS_MAJOR, yes, no, electorate=(100, "1000.00"))
    assert result.quorum_met is True
    assert result.passed is passed


@pytest.mark.parametrize(
    ("yes", "no", "passed"),
    [
        ((41, "400.01"), (39, "399.99"), True),
        ((40, "400.01"), (40, "399.99"), False),  # exactly half the heads
        ((41, "400.00"), (39, "400.00"), False),  # exactly half the area
        ((41, "400.00"), (39, "400.01"), False),
        ((80, "800.00"), (0, "0"), True),
    ],
)
def test_owners_ordinary_is_more_than_half_by_head_and_by_area(
    yes: tuple[int, str], no: tuple[int, str], passed: bool
) -> None:
    result = owners_vote(Rule.OWNERS_ORDINARY, yes, no, electorate=(100, "1000.00"))
    assert result.quorum_met is True
    assert result.passed is passed


@pytest.mark.parametrize(("yes", "no", "abstain", "passed"), [(2, 1, 5, True), (1, 1, 0, False), (0, 0, 1, False)])
def test_plurality_yes_no_is_more_yes_than_no(yes: int, no: int, abstain: int, passed: bool) -> None:
    result = yes_no(Rule.PLURALITY, 100, votes(yes, no, abstain))
    assert (result.passed, result.winner) == (passed, "yes" if passed else None)


# ---------------------------------------------------------------------------------------------
# Choosing among options


def choose(rule: Rule, form: Form, ballots: list[Ballot], electorate: int = 100) -> Result:
    return tally(rule, form, ["A", "B", "C"], Electorate(electorate), ballots)


def ones(*choices: Any) -> list[Ballot]:
    return [Ballot(tuple(c) if isinstance(c, list) else c) for c in choices]


@pytest.mark.parametrize(
    ("choices", "winner"),
    [
        (["A", "A", "B"], "A"),
        (["A", "B"], None),  # a tie has no winner
        (["A", "B", "C", "C", "A"], None),
        ([None, "abstain"], None),  # nobody chose
        (["C", None, None, None], "C"),  # abstentions are not an option
    ],
)
def test_plurality_choose_one(choices: list[str | None], winner: str | None) -> None:
    result = choose(Rule.PLURALITY, Form.CHOOSE_ONE, ones(*choices))
    assert (result.winner, result.passed) == (winner, winner is not None)
    assert result.winners == ((winner,) if winner else ())


@pytest.mark.parametrize(
    ("rule", "choices", "winner"),
    [
        (Rule.MAJORITY, ["A", "A", "B", "B", "C"], None),  # A leads nobody: no majority
        (Rule.MAJORITY, ["A", "A", "A", "B", "C"], "A"),
        (Rule.MAJORITY, ["A", "A", "B", None], None),  # the abstention takes part: 2 of 4 is not more than half
        (Rule.TWO_THIRDS, ["A", "A", "B"], "A"),
        (Rule.TWO_THIRDS, ["A", "A", "B", "C"], None),
        (Rule.UNANIMOUS, ["B"] * 5, "B"),
        (Rule.UNANIMOUS, ["B"] * 4 + ["abstain"], None),
    ],
)
def test_choose_one_under_a_threshold_rule(rule: Rule, choices: list[str | None], winner: str | None) -> None:
    result = choose(rule, Form.CHOOSE_ONE, ones(*choices), electorate=len(choices))
    assert (result.winner, result.passed) == (winner, winner is not None)


@pytest.mark.parametrize(
    ("rule", "choices", "winners"),
    [
        (Rule.MAJORITY, [["A", "B"], ["A"], ["B", "C"], ["A", "B"]], ("A", "B")),  # A 3, B 3, C 1 of 4
        (Rule.MAJORITY, [["A", "B"], ["A"], ["C"], []], ()),  # A 2 of 4 is not more than half
        (Rule.MAJORITY, [["C", "A"], ["C"], ["abstain"]], ("C",)),
        (Rule.TWO_THIRDS, [["A", "B"], ["B", "C"], ["A", "C", "B"]], ("A", "B", "C")),
        (Rule.PLURALITY, [["A", "B"], ["A", "B"], ["C"]], ("A", "B")),  # the most heads, tied
        (Rule.PLURALITY, [["A", "B"], ["B"], ["C"]], ("B",)),
        (Rule.PLURALITY, [[], None, "abstain"], ()),
    ],
)
def test_choose_many_judges_each_option(rule: Rule, choices: list[Any], winners: tuple[str, ...]) -> None:
    result = choose(rule, Form.CHOOSE_MANY, ones(*choices))
    assert result.winners == winners
    assert result.winner == (winners[0] if len(winners) == 1 else None)
    assert result.passed is bool(winners)
    assert result.to_json()["winners"] == list(winners)


def test_choose_many_counts_each_chosen_option_and_the_voter_once() -> None:
    ballots = [Ballot(("A", "C"), heads=2, area=D("1.5")), Ballot(()), Ballot(("abstain",)), Ballot(None)]
    result = choose(Rule.PLURALITY, Form.CHOOSE_MANY, ballots)
    assert {k: (c.heads, c.area) for k, c in result.tally.items()} == {
        "A": (2, D("1.5")), "B": (0, D(0)), "C": (2, D("1.5")), "abstain": (3, D(0)),
    }
    assert result.participation.heads == 5


def test_abstentions_and_nulls_take_part_without_choosing() -> None:
    result = choose(Rule.MAJORITY, Form.CHOOSE_ONE, ones("A", "A", "abstain", None), electorate=10)
    assert list(result.tally) == ["A", "B", "C", "abstain"]
    assert result.tally["abstain"].heads == 2
    assert result.participation.heads == 4
    assert result.winner is None  # 2 of 4 is not more than half


def test_yes_no_tally_always_has_yes_no_and_abstain() -> None:
    result = yes_no(Rule.MAJORITY, 10, votes(yes=1))
    assert list(result.to_json()["tally"]) == ["yes", "no", "abstain"]
    assert result.to_json()["tally"]["no"] == {"heads": 0, "area": "0.00"}


# ---------------------------------------------------------------------------------------------
# Exact areas


@pytest.mark.parametrize(
    ("areas", "total"),
    [
        (["89.53", "0.47"], "90.00"),
        (["0.1", "0.2"], "0.30"),  # 0.30000000000000004 in floats
        (["1.125", "0"], "1.125"),
        (["0.01"] * 100, "1.00"),
        (["10234.5"], "10234.50"),
        (["0.333", "0.333", "0.334"], "1.00"),
        (["99999999.99", "0.01"], "100000000.00"),
    ],
)
@pytest.mark.parametrize("as_number", [True, False])
def test_areas_are_summed_exactly(areas: list[str], total: str, as_number: bool) -> None:
    """JSON numbers (decoded as floats here, as json.loads does by default) and strings alike."""
    ballots = [{"choice": "yes", "area": float(a) if as_number else a} for a in areas]
    data = {"rule": "majority", "form": "yes_no", "electorate": {"heads": 1000}, "ballots": ballots}
    result = tally(*parse_recount(json.loads(json.dumps(data))))
    assert format_area(result.participation.area) == total
    assert result.to_json()["participation"]["area"] == total
    assert result.to_json()["tally"]["yes"]["area"] == total
    assert isinstance(result.participation.area, Decimal)


@pytest.mark.parametrize(
    ("value", "text"),
    [("89.5", "89.50"), ("10234.5", "10234.50"), ("0", "0.00"), ("1.125", "1.125"), ("1.1000", "1.10"),
     ("100", "100.00"), ("1E+2", "100.00"), ("0.000", "0.00"), ("-0", "0.00")],
)
def test_format_area(value: str, text: str) -> None:
    assert format_area(D(value).copy_abs()) == text


@pytest.mark.parametrize(
    ("part", "whole", "text"),
    [(85, 120, "70.83"), (80, 120, "66.67"), (79, 120, "65.83"), (D("199.99"), D("300"), "66.66"),
     (1, 8, "12.50"), (1, 3, "33.33"), (0, 5, "0.00"), (5, 5, "100.00"), (1, 200000, "0.00"), (1, 20000, "0.01")],
)
def test_percent_rounds_half_up_for_display(part: int | Decimal, whole: int | Decimal, text: str) -> None:
    assert percent(part, whole) == text


# ---------------------------------------------------------------------------------------------
# Explanation and output


def test_explanation_states_participation_quorum_and_reason() -> None:
    ballots = [
        Ballot("yes", heads=70, area=D("6520.30")),
        Ballot("no", heads=10, area=D("500")),
        Ballot("abstain", heads=5, area=D("300.5")),
    ]
    result = tally(Rule.OWNERS_MAJOR, Form.YES_NO, [], Electorate(120, D("10234.5")), ballots)
    assert result.passed
    assert zh(result) == (
        "参与表决 85 人（占 120 人的 70.83%）、面积 7,320.80 ㎡（占 10,234.50 ㎡ 的 71.53%），"
        "人数和面积均达到三分之二以上，达到法定人数；"
        "同意 70 人（占参与者的 82.35%）、面积 6,520.30 ㎡（占参与面积的 89.07%），"
        "人数和面积均达到参与者的四分之三以上，表决通过。"
    )
    for number in ("85", "120", "70.83%", "7,320.80", "10,234.50", "71.53%", "70", "6,520.30", "82.35%"):
        assert number in en(result)
    assert "three quarters" in en(result) and "passes" in en(result)


@pytest.mark.parametrize(
    ("rule", "ballots", "chinese", "english"),
    [
        (Rule.RESIDENTS_MEETING, votes(yes=50), ["50 人", "100 人", "50.00%", "须至少 51 人", "未达到法定人数"],
         ["50 of 100", "51 needed", "no quorum"]),
        (Rule.RESIDENTS_MEETING, votes(yes=30, no=30), ["60 人", "同意 30 人", "50.00%", "须至少 31 人", "未通过"],
         ["30 (50.00% of those voting)", "31 needed", "fails"]),
        (Rule.TWO_THIRDS, votes(yes=2, no=1), ["3 人", "同意 2 人", "66.67%", "三分之二以上", "表决通过"],
         ["2 (66.67% of those voting)", "at least two thirds", "passes"]),
        (Rule.PLURALITY, votes(yes=3, no=3), ["同意 3 人、反对 3 人", "未通过"], ["3 yes and 3 no", "fails"]),
    ],
)
def test_explanations_mention_the_numbers(
    rule: Rule, ballots: list[Ballot], chinese: list[str], english: list[str]
) -> None:
    result = yes_no(rule, 100, ballots)
    for text in chinese:
        assert text in zh(result)
    for text in english:
        assert text in en(result)


def test_owners_explanation_names_the_count_that_falls_short() -> None:
    result = owners_vote(Rule.OWNERS_MAJOR, (60, "599.99"), (20, "200.01"), electorate=(100, "1000.00"))
    assert "面积未达到参与者的四分之三" in zh(result)
    assert "less than three quarters of those voting by area" in en(result)
    result = owners_vote(Rule.OWNERS_MAJOR, (59, "700"), (21, "100"), electorate=(100, "1000.00"))
    assert "人数未达到参与者的四分之三（须至少 60 人）" in zh(result)
    assert "less than three quarters of those voting by head (60 needed)" in en(result)


def test_to_json() -> None:
    result = choose(Rule.PLURALITY, Form.CHOOSE_ONE, ones("A", "B", "B", None), electorate=10)
    data = result.to_json()
    assert list(data) == [
        "rule", "form", "passed", "quorum_met", "winner", "winners", "tally", "participation", "electorate",
        "explanation", "explanation_en",
    ]
    assert data["tally"] == {
        "A": {"heads": 1, "area": "0.00"}, "B": {"heads": 2, "area": "0.00"}, "C": {"heads": 0, "area": "0.00"},
        "abstain": {"heads": 1, "area": "0.00"},
    }
    assert (data["winner"], data["passed"], data["participation"]) == ("B", True, {"heads": 4, "area": "0.00"})
    assert (data["explanation"], data["explanation_en"]) == (zh(result), en(result))
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data


def test_to_json_writes_both_languages_whatever_the_readers_is() -> None:
    result = yes_no(Rule.MAJORITY, 10, votes(yes=3, no=1))
    with using("en"):
        data = result.to_json()
    assert data["explanation"].startswith("参与表决 4 人")
    assert data["explanation_en"].startswith("4 of 10 voted")


def test_every_rule_has_one_label_in_each_language() -> None:
    chinese = labels.rule_labels()
    with using("en"):
        english = labels.rule_labels()
    assert set(chinese) == set(english) == {str(rule) for rule in Rule}
    assert not any(HAN.search(label) for label in english.values())


# ---------------------------------------------------------------------------------------------
# Malformed input


def recount_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "rule": "owners_ordinary", "form": "choose_one", "options": ["A", "B"],
        "electorate": {"heads": 10, "area": "1000"},
        "ballots": [{"choice": "A", "area": 100}, {"choice": "B", "heads": 2, "area": "200.5"}, {"choice": None}],
    }
    data.update(changes)
    return data


def with_ballot(index: int, ballot: dict[str, Any], **changes: Any) -> dict[str, Any]:
    data = recount_data(**changes)
    data["ballots"][index] = ballot
    return data


def many_with(index: int, ballot: dict[str, Any]) -> dict[str, Any]:
    ballots = [{"choice": ["A"]}, {"choice": ["A", "B"]}, {"choice": []}]
    return with_ballot(index, ballot, form="choose_many", ballots=ballots)


def yes_no_with(index: int, ballot: dict[str, Any]) -> dict[str, Any]:
    ballots = [{"choice": "yes"}, {"choice": "no"}, {"choice": "abstain"}]
    return with_ballot(index, ballot, form="yes_no", options=None, ballots=ballots)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "JSON object"),
        (recount_data(rule="supermajority"), "unknown rule 'supermajority'"),
        (recount_data(rule=None), "unknown rule"),
        (recount_data(form="ranked"), "unknown form"),
        (recount_data(options=None), "needs a list of options"),
        (recount_data(options=[]), "at least one option"),
        (recount_data(options=["A", "B", "A"]), "duplicated 'A'"),
        (recount_data(options=["A", ""]), "non-empty string"),
        (recount_data(options=["A", 3]), "non-empty string"),
        (recount_data(options=["A", "abstain"]), '"abstain" is not an option'),
        (recount_data(options="AB"), "options: must be a list"),
        (recount_data(form="yes_no", options=["yes", "no"]), "yes_no vote's options"),
        (recount_data(electorate={"heads": 10}), "electorate's area is required"),
        (recount_data(electorate={"heads": 10, "area": 0}), "needs a positive area"),
        (recount_data(electorate={"heads": 0, "area": 1000}), "electorate: heads must be a positive integer"),
        (recount_data(electorate={"heads": True, "area": 1000}), "electorate: heads must be a positive integer"),
        (recount_data(electorate={"heads": "10", "area": 1000}), "electorate: heads must be a positive integer"),
        (recount_data(electorate=None), "electorate: an object"),
        (recount_data(ballots={"choice": "A"}), "ballots: a list"),
        (with_ballot(1, {"choice": "C"}), "ballot 2 (ballots[1]): choice 'C' is not one of the options A, B"),
        (with_ballot(1, {"choice": ["A"]}), "ballot 2 (ballots[1]): a list of choices is only allowed"),
        (with_ballot(1, {"heads": 1}), "ballot 2 (ballots[1]): choice is missing"),
        (with_ballot(1, {"choice": 1}), "ballot 2 (ballots[1]): choice must be"),
        (with_ballot(1, {"choice": "A", "heads": 0}), "ballot 2 (ballots[1]): heads must be a positive integer"),
        (with_ballot(1, {"choice": "A", "heads": -1}), "ballot 2 (ballots[1]): heads"),
        (with_ballot(1, {"choice": "A", "heads": 1.5}), "ballot 2 (ballots[1]): heads"),
        (with_ballot(1, {"choice": "A", "heads": True}), "ballot 2 (ballots[1]): heads"),
        (with_ballot(1, {"choice": "A", "area": -1}), "ballot 2 (ballots[1]): area must not be negative"),
        (with_ballot(1, {"choice": "A", "area": "-1"}), "ballot 2 (ballots[1]): area must be a non-negative"),
        (with_ballot(1, {"choice": "A", "area": "12 m2"}), "ballot 2 (ballots[1]): area"),
        (with_ballot(1, {"choice": "A", "area": "1_000"}), "ballot 2 (ballots[1]): area"),
        (with_ballot(1, {"choice": "A", "area": None}), "ballot 2 (ballots[1]): area must be a number"),
        (with_ballot(1, {"choice": "A", "area": False}), "ballot 2 (ballots[1]): area must be a number"),
        (with_ballot(1, {"choice": "A", "area": math.nan}), "ballot 2 (ballots[1]): area must be a finite"),
        (with_ballot(1, {"choice": "A", "area": math.inf}), "ballot 2 (ballots[1]): area must be a finite"),
        (with_ballot(1, {"choice": "A", "area": "1e400"}), "ballot 2 (ballots[1]): area"),
        (with_ballot(1, {"choice": "A", "area": 1e13}), "out of range"),
        (with_ballot(1, "A"), "ballot 2 (ballots[1]): a ballot is an object"),
        (with_ballot(2, {"choice": "A", "heads": 8}), "ballot 3 (ballots[2]): participation reaches 11 heads"),
        (with_ballot(2, {"choice": "A", "area": "699.51"}), "ballot 3 (ballots[2]): participation reaches 1000.01"),
        (many_with(1, {"choice": "B"}), "ballot 2 (ballots[1]): a choose_many ballot's choice"),
        (many_with(1, {"choice": ["A", "A"]}), "ballot 2 (ballots[1]): the same option"),
        (many_with(1, {"choice": ["A", "C"]}), "ballot 2 (ballots[1]): choice 'C'"),
        (many_with(1, {"choice": ["abstain", "A"]}), "ballot 2 (ballots[1])"),
        (yes_no_with(1, {"choice": None}), "ballot 2 (ballots[1]): choice must be one of"),
        (yes_no_with(1, {"choice": "A"}), "ballot 2 (ballots[1]): choice must be one of"),
    ],
)
def test_malformed_input_is_refused_naming_what_is_wrong(data: Any, message: str) -> None:
    with pytest.raises(RecountError) as caught:
        parse_recount(data)
    assert message in str(caught.value)


def test_well_formed_variants_are_accepted() -> None:
    yes_no_options = recount_data(form="yes_no", options=["yes", "no", "abstain"], ballots=[{"choice": "yes"}])
    assert parse_recount(yes_no_options)[2] == ["yes", "no", "abstain"]
    extra_keys = with_ballot(0, {"choice": "A", "voter": "3-201", "receipt": "X"}, title="旧改")
    assert parse_recount(extra_keys)[4][0] == Ballot("A")
    many = recount_data(form="choose_many", ballots=[{"choice": []}, {"choice": ["abstain"]}, {"choice": "abstain"}])
    assert [b.choice for b in parse_recount(many)[4]] == [(), ("abstain",), "abstain"]
    plain = recount_data(rule="majority", electorate={"heads": 3}, ballots=[{"choice": "B"}])
    assert parse_recount(plain)[3] == Electorate(3, D(0))


def test_tally_checks_its_arguments_too() -> None:
    with pytest.raises(RecountError, match=r"ballot 1 \(ballots\[0\]\): choice 'Z'"):
        tally(Rule.MAJORITY, Form.CHOOSE_ONE, ["A"], Electorate(3), [Ballot("Z")])
    with pytest.raises(RecountError, match="participation reaches 4 heads"):
        tally(Rule.MAJORITY, Form.YES_NO, [], Electorate(3), votes(yes=4))
    with pytest.raises(RecountError, match="unknown rule"):
        tally("most", Form.YES_NO, [], Electorate(3), [])
    assert tally("majority", "yes_no", None, Electorate(3), votes(yes=2)).passed


# ---------------------------------------------------------------------------------------------
# Properties, checked against an independent oracle written with Fractions


PROPERTIES = settings(max_examples=200, deadline=None, database=None)
LETTERS = ["A", "B", "C", "D"]
areas = st.integers(min_value=0, max_value=100_000).map(lambda cents: Decimal(cents) / 100)


@st.composite
def votes_strategy(draw: st.DrawFn, rules: list[Rule] | None = None, forms: list[Form] | None = None) -> dict[str, Any]:
    rule = draw(st.sampled_from(rules or list(Rule)))
    form = draw(st.sampled_from(forms or list(Form)))
    options = draw(st.lists(st.sampled_from(LETTERS), min_size=1, max_size=4, unique=True))
    if form == Form.YES_NO:
        choice = st.sampled_from(["yes", "no", "abstain"])
    elif form == Form.CHOOSE_ONE:
        choice = st.sampled_from([*options, "abstain", None])
    else:
        choice = st.one_of(
            st.lists(st.sampled_from(options), unique=True).map(tuple), st.sampled_from([None, "abstain", ("abstain",)])
        )
    ballot = st.builds(Ballot, choice, st.integers(min_value=1, max_value=5), areas)
    ballots = draw(st.lists(ballot, max_size=25))
    heads = sum(b.heads for b in ballots) + draw(st.integers(min_value=0, max_value=30))
    area = sum((b.area for b in ballots), Decimal(0)) + draw(areas)
    if heads == 0:
        heads = 1
    if area == 0:
        area = Decimal("0.01")
    return {"rule": rule, "form": form, "options": [] if form == Form.YES_NO else options,
            "electorate": Electorate(heads, area), "ballots": ballots}


def run(vote: dict[str, Any]) -> Result:
    return tally(vote["rule"], vote["form"], vote["options"], vote["electorate"], vote["ballots"])


def picked(form: Form, choice: Any) -> list[str]:
    if form == Form.YES_NO:
        return [choice]
    if choice in (None, "abstain", (), ("abstain",)):
        return []
    return [choice] if isinstance(choice, str) else list(choice)


def oracle(vote: dict[str, Any]) -> tuple[bool, tuple[str, ...]]:
    """(quorum met, options that win), straight from the rules as fractions of the whole."""
    rule, form, electorate, ballots = vote["rule"], vote["form"], vote["electorate"], vote["ballots"]
    options = ["yes"] if form == Form.YES_NO else vote["options"]
    p = sum(b.heads for b in ballots)
    pa = Fraction(sum((b.area for b in ballots), Decimal(0)))
    e, ea = electorate.heads, Fraction(electorate.area)
    h = {o: sum(b.heads for b in ballots if o in picked(form, b.choice)) for o in options}
    a = {o: Fraction(sum((b.area for b in ballots if o in picked(form, b.choice)), Decimal(0))) for o in options}
    quorum = {
        Rule.UNANIMOUS: p == e,
        Rule.RESIDENTS_MEETING: Fraction(p, e) > Fraction(1, 2),
        Rule.OWNERS_ORDINARY: Fraction(p, e) >= Fraction(2, 3) and pa / ea >= Fraction(2, 3),
        Rule.OWNERS_MAJOR: Fraction(p, e) >= Fraction(2, 3) and pa / ea >= Fraction(2, 3),
    }.get(rule, True)
    if not quorum:
        return False, ()

    def wins(o: str) -> bool:
        if h[o] == 0:  # then p > 0; and pa > 0 under owners' rules, whose quorum is met here
            return False
        share = Fraction(h[o], p)
        if rule in (Rule.MAJORITY, Rule.RESIDENTS_MEETING):
            return share > Fraction(1, 2)
        if rule == Rule.TWO_THIRDS:
            return share >= Fraction(2, 3)
        if rule == Rule.UNANIMOUS:
            return h[o] == e
        if rule == Rule.OWNERS_ORDINARY:
            return share > Fraction(1, 2) and a[o] / pa > Fraction(1, 2)
        return share >= Fraction(3, 4) and a[o] / pa >= Fraction(3, 4)

    if rule == Rule.PLURALITY:
        if form == Form.YES_NO:
            no = sum(b.heads for b in ballots if b.choice == "no")
            return True, ("yes",) if h["yes"] > no else ()
        top = max(h.values())
        winners = tuple(o for o in options if h[o] == top and top > 0)
    else:
        winners = tuple(o for o in options if wins(o))
    if form == Form.CHOOSE_ONE and len(winners) != 1:
        winners = ()
    return True, winners


@PROPERTIES
@given(votes_strategy())
def test_tally_agrees_with_the_oracle(vote: dict[str, Any]) -> None:
    result = run(vote)
    assert (result.quorum_met, result.winners) == oracle(vote)
    assert result.passed is bool(result.winners)
    assert result.winner == (result.winners[0] if len(result.winners) == 1 else None)


@PROPERTIES
@given(votes_strategy())
def test_everyone_who_votes_takes_part_exactly_once(vote: dict[str, Any]) -> None:
    result = run(vote)
    ballots = vote["ballots"]
    assert result.participation.heads == sum(b.heads for b in ballots)
    assert result.participation.area == sum((b.area for b in ballots), Decimal(0))
    if vote["form"] != Form.CHOOSE_MANY:  # a ballot counts toward exactly one key
        assert sum(c.heads for c in result.tally.values()) == result.participation.heads
        assert sum((c.area for c in result.tally.values()), Decimal(0)) == result.participation.area
    data = result.to_json()
    assert Decimal(data["participation"]["area"]) == result.participation.area
    assert str(result.participation.heads) in zh(result)


@PROPERTIES
@given(votes_strategy())
def test_a_stored_result_explains_itself_from_its_facts(vote: dict[str, Any]) -> None:
    result = run(vote)
    data = json.loads(json.dumps(result.to_json()))
    facts = {key: value for key, value in data.items() if not key.startswith("explanation")}
    assert result_from_json(facts) == result
    for locale, key in (("zh_CN", "explanation"), ("en", "explanation_en")):
        with using(locale):
            assert explain_stored(facts) == data[key] == explain(result)
    assert not HAN.search(data["explanation_en"])  # every clause has its English (the options are Latin letters)


@PROPERTIES
@given(votes_strategy(), st.randoms(use_true_random=False))
def test_the_order_of_ballots_does_not_matter(vote: dict[str, Any], random: Any) -> None:
    shuffled = list(vote["ballots"])
    random.shuffle(shuffled)
    assert run({**vote, "ballots": shuffled}) == run(vote)


@PROPERTIES
@given(votes_strategy(rules=[Rule.MAJORITY], forms=[Form.YES_NO]))
def test_yes_no_majority_passes_exactly_when_yes_is_more_than_half(vote: dict[str, Any]) -> None:
    result = run(vote)
    assert result.passed is (result.tally["yes"].heads * 2 > result.participation.heads)


@PROPERTIES
@given(votes_strategy(), st.integers(min_value=2, max_value=7))
def test_only_proportions_count(vote: dict[str, Any], k: int) -> None:
    """Multiplying every head (ballots and electorate) by k changes no outcome."""
    scaled = {
        **vote,
        "electorate": Electorate(vote["electorate"].heads * k, vote["electorate"].area),
        "ballots": [Ballot(b.choice, b.heads * k, b.area) for b in vote["ballots"]],
    }
    before, after = run(vote), run(scaled)
    assert (after.quorum_met, after.passed, after.winners) == (before.quorum_met, before.passed, before.winners)


@PROPERTIES
@given(votes_strategy(forms=[Form.YES_NO]), st.integers(min_value=1, max_value=5), areas)
def test_an_abstention_adds_participation_but_no_support(vote: dict[str, Any], heads: int, area: Decimal) -> None:
    electorate = vote["electorate"]
    bigger = Electorate(electorate.heads + heads, electorate.area + area)
    before = run({**vote, "electorate": bigger})
    after = run({**vote, "electorate": bigger, "ballots": [*vote["ballots"], Ballot("abstain", heads, area)]})
    assert after.participation.heads == before.participation.heads + heads
    assert after.tally["yes"] == before.tally["yes"]
    if vote["rule"] != Rule.UNANIMOUS:
        assert after.quorum_met or not before.quorum_met  # more taking part never loses a quorum
    if vote["rule"] in (Rule.PLURALITY,):
        assert after.passed is before.passed  # plurality compares yes with no only
    if vote["rule"] in (Rule.MAJORITY, Rule.TWO_THIRDS, Rule.UNANIMOUS):
        assert before.passed or not after.passed  # with no quorum to gain, abstaining only makes passing harder
