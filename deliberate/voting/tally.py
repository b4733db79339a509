"""Counting a vote: pure and exact (ints for heads, Decimal for areas, Fraction for comparisons).

The same code counts a vote on the site and recounts an export with `deliberate recount`, so the
rules live here once, with the checks that make a count trustworthy and the explanation a resident reads.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Context, Decimal, Inexact, InvalidOperation, localcontext
from enum import StrEnum
from fractions import Fraction
from typing import Any, NamedTuple, TypeVar


class Rule(StrEnum):
    PLURALITY = "plurality"
    MAJORITY = "majority"
    TWO_THIRDS = "two_thirds"
    UNANIMOUS = "unanimous"
    RESIDENTS_MEETING = "residents_meeting"
    OWNERS_ORDINARY = "owners_ordinary"
    OWNERS_MAJOR = "owners_major"


class Form(StrEnum):
    YES_NO = "yes_no"
    CHOOSE_ONE = "choose_one"
    CHOOSE_MANY = "choose_many"


class RuleName(NamedTuple):
    zh: str
    en: str


RULE_NAMES: dict[Rule, RuleName] = {
    Rule.PLURALITY: RuleName("相对多数：得票最多者胜出，不设法定人数", "Plurality: most votes wins, no quorum"),
    Rule.MAJORITY: RuleName("过半数：超过参与者的半数", "Majority: more than half of those voting"),
    Rule.TWO_THIRDS: RuleName("三分之二：参与者的三分之二以上", "Two thirds: at least two thirds of those voting"),
    Rule.UNANIMOUS: RuleName("全体一致：全体成员参与并一致同意", "Unanimous: everyone takes part and agrees"),
    Rule.RESIDENTS_MEETING: RuleName(
        "居民会议：过半数成员参与，参与者过半数通过",
        "Residents' meeting: more than half take part, more than half of them agree",
    ),
    Rule.OWNERS_ORDINARY: RuleName(
        "业主一般事项：人数和面积均三分之二以上参与，参与人数和面积均过半数通过",
        "Owners, ordinary matter: two thirds by head and area take part; more than half of both agree",
    ),
    Rule.OWNERS_MAJOR: RuleName(
        "业主重大事项：人数和面积均三分之二以上参与，参与人数和面积均四分之三以上通过",
        "Owners, major matter: two thirds by head and area take part; at least three quarters of both agree",
    ),
}

YES, NO, ABSTAIN = "yes", "no", "abstain"
YES_NO_OPTIONS = (YES, NO, ABSTAIN)
OWNERS_RULES = frozenset({Rule.OWNERS_ORDINARY, Rule.OWNERS_MAJOR})

# Areas are square metres: bounded so that exact Decimal sums stay small and can never blow up.
MAX_AREA = Decimal(10) ** 12
MAX_AREA_PLACES = 10
_EXACT = Context(prec=1000, traps=[InvalidOperation, Inexact])
_AREA_TEXT = re.compile(r"[0-9]+(\.[0-9]+)?")
CENT = Decimal("0.01")


class RecountError(ValueError):
    """Input that cannot be counted; the message names the offending ballot where there is one."""


@dataclass(frozen=True)
class Ballot:
    choice: str | tuple[str, ...] | None
    heads: int = 1
    area: Decimal = Decimal(0)


@dataclass(frozen=True)
class Electorate:
    heads: int
    area: Decimal = Decimal(0)


@dataclass(frozen=True)
class OptionCount:
    heads: int
    area: Decimal

    def to_json(self) -> dict[str, Any]:
        return {"heads": self.heads, "area": format_area(self.area)}


@dataclass(frozen=True)
class Result:
    passed: bool
    quorum_met: bool
    winner: str | None
    tally: dict[str, OptionCount]
    participation: OptionCount
    electorate: Electorate
    rule: Rule
    form: Form
    explanation: str
    explanation_en: str
    winners: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": str(self.rule),
            "form": str(self.form),
            "passed": self.passed,
            "quorum_met": self.quorum_met,
            "winner": self.winner,
            "winners": list(self.winners),
            "tally": {option: count.to_json() for option, count in self.tally.items()},
            "participation": self.participation.to_json(),
            "electorate": {"heads": self.electorate.heads, "area": format_area(self.electorate.area)},
            "explanation": self.explanation,
            "explanation_en": self.explanation_en,
        }


@dataclass(frozen=True)
class Share:
    """A fraction of a whole: "more than" (过半数, strict) or "at least" (以上, not strict)."""

    numerator: int
    denominator: int
    strict: bool

    def met(self, part: int | Decimal, whole: int | Decimal) -> bool:
        left, right = Fraction(part) * self.denominator, Fraction(whole) * self.numerator
        return left > right if self.strict else left >= right

    def minimum(self, whole: int) -> int:
        """The fewest heads out of `whole` that meet this share."""
        if self.strict:
            return whole * self.numerator // self.denominator + 1
        return -(-whole * self.numerator // self.denominator)


HALF_OR_MORE = Share(1, 2, strict=True)
TWO_THIRDS_AT_LEAST = Share(2, 3, strict=False)
QUORUM: dict[Rule, Share] = {
    Rule.RESIDENTS_MEETING: HALF_OR_MORE,
    Rule.OWNERS_ORDINARY: TWO_THIRDS_AT_LEAST,
    Rule.OWNERS_MAJOR: TWO_THIRDS_AT_LEAST,
}
THRESHOLD: dict[Rule, Share] = {
    Rule.MAJORITY: HALF_OR_MORE,
    Rule.TWO_THIRDS: TWO_THIRDS_AT_LEAST,
    Rule.RESIDENTS_MEETING: HALF_OR_MORE,
    Rule.OWNERS_ORDINARY: HALF_OR_MORE,
    Rule.OWNERS_MAJOR: Share(3, 4, strict=False),
}


# ---------------------------------------------------------------------------------------------
# Numbers


def decimal_places(value: Decimal) -> int:
    """Significant decimal places: 1.50 has 1, 1.125 has 3, 100 has 0."""
    _sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    places = -exponent
    index = len(digits) - 1
    while places > 0 and index > 0 and digits[index] == 0:
        places, index = places - 1, index - 1
    return max(places, 0) if any(digits) else 0


def format_area(value: Decimal) -> str:
    """At least two decimals, more only when the value has them: "89.50", "0.00", "1.125"."""
    places = max(decimal_places(value), 2)
    return f"{value.quantize(Decimal(1).scaleb(-places), context=_EXACT):f}"


def _display_area(value: Decimal) -> str:
    return f"{Decimal(format_area(value)):,f}"


def _display_heads(value: int) -> str:
    return f"{value:,}"


def percent(part: int | Decimal, whole: int | Decimal) -> str:
    """part / whole as a percentage rounded half up to 2 places, for display only ("70.83")."""
    if not whole:
        return "0.00"
    hundredths = math.floor(Fraction(part) / Fraction(whole) * 10000 + Fraction(1, 2))
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def parse_area(value: Any, what: str) -> Decimal:
    """A JSON number or numeric string, exactly (never through float arithmetic)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise RecountError(f"{what}: area must be a number, got {value!r}")
    if isinstance(value, str) and not _AREA_TEXT.fullmatch(value.strip()):
        raise RecountError(f"{what}: area must be a non-negative decimal number, got {value!r}")
    return check_area(Decimal(str(value).strip()), what)


def check_area(value: Any, what: str) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise RecountError(f"{what}: area must be a finite decimal number, got {value!r}")
    if value < 0:
        raise RecountError(f"{what}: area must not be negative, got {value}")
    if value > MAX_AREA or decimal_places(value) > MAX_AREA_PLACES:
        raise RecountError(f"{what}: area {value} is out of range (at most 10^12 ㎡, {MAX_AREA_PLACES} decimals)")
    return value.copy_abs()  # -0 becomes 0


def check_heads(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise RecountError(f"{what}: heads must be a positive integer, got {value!r}")
    return value


# ---------------------------------------------------------------------------------------------
# Checking the input (shared by tally() and parse_recount())


def _ballot_name(index: int) -> str:
    return f"ballot {index + 1} (ballots[{index}])"


def check_options(form: Form, options: Sequence[str] | None) -> tuple[str, ...]:
    if form == Form.YES_NO:
        if options and tuple(options) != YES_NO_OPTIONS:
            raise RecountError('options: a yes_no vote\'s options are ["yes", "no", "abstain"]; leave them out')
        return YES_NO_OPTIONS
    if options is None or isinstance(options, str) or not isinstance(options, Sequence):
        raise RecountError(f"options: a {form} vote needs a list of options")
    if not options:
        raise RecountError(f"options: a {form} vote needs at least one option")
    for option in options:
        if not isinstance(option, str) or not option.strip():
            raise RecountError(f"options: every option must be a non-empty string, got {option!r}")
    if ABSTAIN in options:
        raise RecountError('options: "abstain" is not an option; ballots abstain with "abstain" or null')
    duplicates = sorted({o for o in options if options.count(o) > 1})
    if duplicates:
        raise RecountError(f"options: duplicated {', '.join(map(repr, duplicates))}")
    return tuple(options)


def check_electorate(rule: Rule, electorate: Electorate) -> Electorate:
    heads = check_heads(electorate.heads, "electorate")
    area = check_area(electorate.area, "electorate")
    if rule in OWNERS_RULES and area <= 0:
        raise RecountError(f"electorate: rule {rule} counts area; the electorate needs a positive area")
    return Electorate(heads=heads, area=area)


def chosen(form: Form, options: tuple[str, ...], choice: Any, what: str) -> tuple[str, ...]:
    """The tally keys a ballot's choice counts toward; an abstention counts toward "abstain" only."""
    if isinstance(choice, list | tuple) and form != Form.CHOOSE_MANY:
        raise RecountError(f"{what}: a list of choices is only allowed in choose_many, got {list(choice)!r}")
    if form == Form.YES_NO:
        if choice not in YES_NO_OPTIONS or not isinstance(choice, str):
            raise RecountError(f"{what}: choice must be one of yes, no, abstain, got {choice!r}")
        return (choice,)
    if choice is None or choice == ABSTAIN:
        return (ABSTAIN,)
    if form == Form.CHOOSE_ONE:
        return (_one_option(options, choice, what),)
    return _many_options(options, choice, what)


def _one_option(options: tuple[str, ...], choice: Any, what: str) -> str:
    if not isinstance(choice, str) or choice not in options:
        raise RecountError(f"{what}: choice {choice!r} is not one of the options {', '.join(options)}")
    return choice


def _many_options(options: tuple[str, ...], choice: Any, what: str) -> tuple[str, ...]:
    if not isinstance(choice, list | tuple):
        raise RecountError(f"{what}: a choose_many ballot's choice is a list (or null / \"abstain\"), got {choice!r}")
    if len(choice) == 0 or tuple(choice) == (ABSTAIN,):
        return (ABSTAIN,)
    picked = tuple(_one_option(options, option, what) for option in choice)
    if len(set(picked)) != len(picked):
        raise RecountError(f"{what}: the same option is chosen twice in {list(choice)!r}")
    return picked


def check_ballot(form: Form, options: tuple[str, ...], ballot: Ballot, index: int) -> tuple[str, ...]:
    what = _ballot_name(index)
    if not isinstance(ballot, Ballot):
        raise RecountError(f"{what}: not a ballot: {ballot!r}")
    check_heads(ballot.heads, what)
    check_area(ballot.area, what)
    return chosen(form, options, ballot.choice, what)


# ---------------------------------------------------------------------------------------------
# Counting


@dataclass
class _Counter:
    heads: dict[str, int]
    areas: dict[str, Decimal]
    participation_heads: int = 0
    participation_area: Decimal = Decimal(0)

    @classmethod
    def for_keys(cls, keys: Iterable[str]) -> _Counter:
        keys = tuple(keys)
        return cls(heads=dict.fromkeys(keys, 0), areas=dict.fromkeys(keys, Decimal(0)))

    def add(self, keys: tuple[str, ...], ballot: Ballot) -> None:
        self.participation_heads += ballot.heads
        self.participation_area += ballot.area
        for key in keys:
            self.heads[key] += ballot.heads
            self.areas[key] += ballot.area

    def counts(self) -> dict[str, OptionCount]:
        return {key: OptionCount(self.heads[key], self.areas[key]) for key in self.heads}

    def participation(self) -> OptionCount:
        return OptionCount(self.participation_heads, self.participation_area)


def _check_totals(rule: Rule, counter: _Counter, electorate: Electorate, index: int) -> None:
    what = _ballot_name(index)
    if counter.participation_heads > electorate.heads:
        raise RecountError(
            f"{what}: participation reaches {counter.participation_heads} heads, "
            f"more than the electorate's {electorate.heads}"
        )
    if rule in OWNERS_RULES and counter.participation_area > electorate.area:
        raise RecountError(
            f"{what}: participation reaches {format_area(counter.participation_area)} ㎡, "
            f"more than the electorate's {format_area(electorate.area)} ㎡"
        )


def count(
    rule: Rule, form: Form, options: tuple[str, ...], electorate: Electorate, ballots: Iterable[Ballot]
) -> tuple[dict[str, OptionCount], OptionCount]:
    keys = options if form == Form.YES_NO else (*options, ABSTAIN)
    counter = _Counter.for_keys(keys)
    with localcontext(_EXACT):
        for index, ballot in enumerate(ballots):
            counter.add(check_ballot(form, options, ballot, index), ballot)
            _check_totals(rule, counter, electorate, index)
    return counter.counts(), counter.participation()


# ---------------------------------------------------------------------------------------------
# Judging


@dataclass(frozen=True)
class Judgement:
    """How one option fares against the rule's threshold: by head, and by area where it counts."""

    heads_ok: bool
    area_ok: bool = True

    @property
    def ok(self) -> bool:
        return self.heads_ok and self.area_ok


def quorum(rule: Rule, participation: OptionCount, electorate: Electorate) -> Judgement:
    if rule == Rule.UNANIMOUS:
        return Judgement(participation.heads == electorate.heads)
    share = QUORUM.get(rule)
    if share is None:
        return Judgement(True)
    area_ok = share.met(participation.area, electorate.area) if rule in OWNERS_RULES else True
    return Judgement(share.met(participation.heads, electorate.heads), area_ok)


def judge(rule: Rule, option: OptionCount, participation: OptionCount, electorate: Electorate) -> Judgement:
    """Whether an option meets a threshold rule (not plurality); an option nobody chose never does."""
    if option.heads == 0:
        return Judgement(False, rule not in OWNERS_RULES)
    if rule == Rule.UNANIMOUS:
        return Judgement(option.heads == electorate.heads)
    share = THRESHOLD[rule]
    area_ok = share.met(option.area, participation.area) if rule in OWNERS_RULES else True
    return Judgement(share.met(option.heads, participation.heads), area_ok)


def _most_heads(options: tuple[str, ...], counts: dict[str, OptionCount]) -> tuple[str, ...]:
    top = max((counts[o].heads for o in options), default=0)
    return tuple(o for o in options if counts[o].heads == top) if top > 0 else ()


@dataclass(frozen=True)
class _Outcome:
    passed: bool
    winner: str | None
    winners: tuple[str, ...]


def _outcome(winners: tuple[str, ...], *, passed: bool) -> _Outcome:
    return _Outcome(passed=passed, winner=winners[0] if len(winners) == 1 else None, winners=winners)


def decide(
    rule: Rule, form: Form, options: tuple[str, ...], counts: dict[str, OptionCount],
    participation: OptionCount, electorate: Electorate, quorum_met: bool,
) -> _Outcome:
    if not quorum_met:
        return _Outcome(passed=False, winner=None, winners=())
    if form == Form.YES_NO:
        if rule == Rule.PLURALITY:
            passed = counts[YES].heads > counts[NO].heads
        else:
            passed = judge(rule, counts[YES], participation, electorate).ok
        return _outcome((YES,) if passed else (), passed=passed)
    if rule == Rule.PLURALITY:
        winners = _most_heads(options, counts)
    else:
        winners = tuple(o for o in options if judge(rule, counts[o], participation, electorate).ok)
    if form == Form.CHOOSE_ONE:
        winners = winners if len(winners) == 1 else ()
    return _outcome(winners, passed=bool(winners))


def tally(
    rule: Rule | str,
    form: Form | str,
    options: Sequence[str] | None,
    electorate: Electorate,
    ballots: Iterable[Ballot],
) -> Result:
    """Count the ballots under the rule; raises RecountError for input that cannot be counted."""
    rule, form = _enum(Rule, rule, "rule"), _enum(Form, form, "form")
    checked_options = check_options(form, options)
    electorate = check_electorate(rule, electorate)
    counts, participation = count(rule, form, checked_options, electorate, ballots)
    quorum_judgement = quorum(rule, participation, electorate)
    outcome = decide(rule, form, checked_options, counts, participation, electorate, quorum_judgement.ok)
    facts = _Facts(rule, form, checked_options, counts, participation, electorate, quorum_judgement, outcome)
    return Result(
        passed=outcome.passed,
        quorum_met=quorum_judgement.ok,
        winner=outcome.winner,
        tally=counts,
        participation=participation,
        electorate=electorate,
        rule=rule,
        form=form,
        explanation=explain_zh(facts),
        explanation_en=explain_en(facts),
        winners=outcome.winners,
    )


_EnumT = TypeVar("_EnumT", Rule, Form)


def _enum(kind: type[_EnumT], value: Any, what: str) -> _EnumT:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise RecountError(f"{what}: unknown {what} {value!r}; one of {allowed}") from None


# ---------------------------------------------------------------------------------------------
# Parsing the recount format


def parse_recount(data: Any) -> tuple[Rule, Form, list[str], Electorate, list[Ballot]]:
    """The recount format (a decoded JSON object) as tally()'s arguments; unknown keys are ignored."""
    if not isinstance(data, dict):
        raise RecountError("the input must be a JSON object")
    rule = _enum(Rule, data.get("rule"), "rule")
    form = _enum(Form, data.get("form"), "form")
    options = list(check_options(form, _options_value(data.get("options"))))
    electorate = check_electorate(rule, _parse_electorate(rule, data.get("electorate")))
    raw_ballots = data.get("ballots")
    if not isinstance(raw_ballots, list):
        raise RecountError("ballots: a list of ballots is required")
    ballots = [_parse_ballot(raw, index) for index, raw in enumerate(raw_ballots)]
    count(rule, form, tuple(options), electorate, ballots)  # every check that names a ballot, up front
    return rule, form, options, electorate, ballots


def _options_value(value: Any) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise RecountError(f"options: must be a list, got {value!r}")
    return value


def _parse_electorate(rule: Rule, value: Any) -> Electorate:
    if not isinstance(value, dict):
        raise RecountError("electorate: an object with heads (and area for owners' rules) is required")
    heads = check_heads(value.get("heads"), "electorate")
    if "area" not in value or value["area"] is None:
        if rule in OWNERS_RULES:
            raise RecountError(f"electorate: rule {rule} counts area; the electorate's area is required")
        return Electorate(heads=heads)
    return Electorate(heads=heads, area=parse_area(value["area"], "electorate"))


def _parse_ballot(raw: Any, index: int) -> Ballot:
    what = _ballot_name(index)
    if not isinstance(raw, dict):
        raise RecountError(f"{what}: a ballot is an object with choice, heads and area, got {raw!r}")
    if "choice" not in raw:
        raise RecountError(f"{what}: choice is missing (null abstains in choose_one and choose_many)")
    choice = raw["choice"]
    if isinstance(choice, list):
        choice = tuple(choice)
    elif choice is not None and not isinstance(choice, str):
        raise RecountError(f"{what}: choice must be an option, a list of options or null, got {choice!r}")
    heads = check_heads(raw.get("heads", 1), what)
    area = parse_area(raw.get("area", 0), what)
    return Ballot(choice=choice, heads=heads, area=area)


# ---------------------------------------------------------------------------------------------
# Explaining: one or two sentences with the real numbers, in Chinese and in English


@dataclass(frozen=True)
class _Facts:
    rule: Rule
    form: Form
    options: tuple[str, ...]
    counts: dict[str, OptionCount]
    participation: OptionCount
    electorate: Electorate
    quorum: Judgement
    outcome: _Outcome

    @property
    def owners(self) -> bool:
        return self.rule in OWNERS_RULES

    def judge(self, option: str) -> Judgement:
        return judge(self.rule, self.counts[option], self.participation, self.electorate)

    def leader(self) -> str | None:
        """The option with the most heads, the first in order on a tie; None when nobody chose one."""
        best = max(self.options, key=lambda o: self.counts[o].heads)
        return best if self.counts[best].heads > 0 else None


ZH_FRACTIONS = {(1, 2): "半数", (2, 3): "三分之二", (3, 4): "四分之三"}
EN_FRACTIONS = {(1, 2): "half", (2, 3): "two thirds", (3, 4): "three quarters"}


def _zh_share(share: Share, of: str, *, met: bool) -> str:
    words = ZH_FRACTIONS[(share.numerator, share.denominator)]
    if share.strict:
        return f"{'超过' if met else '未超过'}{of}{words}"
    return f"达到{of}{words}以上" if met else f"未达到{of}{words}"


def _en_share(share: Share, of: str, *, met: bool) -> str:
    words = EN_FRACTIONS[(share.numerator, share.denominator)]
    if share.strict:
        return f"{'more' if met else 'not more'} than half of {of}"
    return f"{'at least' if met else 'less than'} {words} of {of}"


def _zh_which(judgement: Judgement, owners: bool) -> str:
    """Which count a share is met or missed by: 人数, 面积, or both (owners' rules count both)."""
    if not owners:
        return ""
    if judgement.heads_ok == judgement.area_ok:
        return "人数和面积均"
    return "人数" if not judgement.heads_ok else "面积"


def _en_which(judgement: Judgement, owners: bool) -> str:
    if not owners:
        return ""
    if judgement.heads_ok == judgement.area_ok:
        return " both by head and by area"
    return " by head" if not judgement.heads_ok else " by area"


def _zh_names(options: Iterable[str]) -> str:
    return "、".join(f"「{o}」" for o in options)


def _en_names(options: Iterable[str]) -> str:
    return ", ".join(f'"{o}"' for o in options)


# Chinese


def explain_zh(facts: _Facts) -> str:
    sentence = f"{_zh_participation(facts)}，{_zh_quorum(facts)}"
    if not facts.quorum.ok:
        return f"{sentence}，表决未通过。"
    return f"{sentence}；{_zh_result(facts)}"


def _zh_participation(facts: _Facts) -> str:
    p, e = facts.participation, facts.electorate
    text = f"参与表决 {_display_heads(p.heads)} 人（占 {_display_heads(e.heads)} 人的 {percent(p.heads, e.heads)}%）"
    if facts.owners:
        text += f"、面积 {_display_area(p.area)} ㎡（占 {_display_area(e.area)} ㎡ 的 {percent(p.area, e.area)}%）"
    return text


def _zh_quorum(facts: _Facts) -> str:
    rule, q, e = facts.rule, facts.quorum, facts.electorate
    if rule == Rule.UNANIMOUS:
        return "全体成员均已参与" if q.ok else f"并非全体 {_display_heads(e.heads)} 人都参与，未达到法定人数"
    share = QUORUM.get(rule)
    if share is None:
        return "本规则不设法定人数"
    text = _zh_which(q, facts.owners) + _zh_share(share, "", met=q.ok)
    if not q.heads_ok:
        text += f"（须至少 {_display_heads(share.minimum(e.heads))} 人）"
    return f"{text}，{'达到' if q.ok else '未达到'}法定人数"


def _zh_count(facts: _Facts, option: str) -> str:
    c, p = facts.counts[option], facts.participation
    text = f"{_display_heads(c.heads)} 人（占参与者的 {percent(c.heads, p.heads)}%）"
    if facts.owners:
        text += f"、面积 {_display_area(c.area)} ㎡（占参与面积的 {percent(c.area, p.area)}%）"
    return text


def _zh_requirement(facts: _Facts) -> str:
    """What an option needs under a threshold rule, e.g. 超过参与者的半数."""
    if facts.rule == Rule.UNANIMOUS:
        return "获得全体成员一致同意"
    return _zh_which(Judgement(True), facts.owners) + _zh_share(THRESHOLD[facts.rule], "参与者的", met=True)


def _zh_threshold(facts: _Facts, judgement: Judgement) -> str:
    """How one option fares: the requirement met, or which part of it is missed and by how much."""
    if judgement.ok:
        return _zh_requirement(facts)
    if facts.rule == Rule.UNANIMOUS:
        return f"未获得全体成员一致同意（须全部 {_display_heads(facts.electorate.heads)} 人）"
    share = THRESHOLD[facts.rule]
    text = _zh_which(judgement, facts.owners) + _zh_share(share, "参与者的", met=False)
    if not judgement.heads_ok:
        text += f"（须至少 {_display_heads(share.minimum(facts.participation.heads))} 人）"
    return text


def _zh_result(facts: _Facts) -> str:
    if facts.form == Form.YES_NO:
        return _zh_yes_no(facts)
    if facts.rule == Rule.PLURALITY:
        return _zh_plurality(facts)
    return _zh_choose(facts)


def _zh_yes_no(facts: _Facts) -> str:
    verdict = "表决通过。" if facts.outcome.passed else "表决未通过。"
    if facts.rule == Rule.PLURALITY:
        yes, no = facts.counts[YES].heads, facts.counts[NO].heads
        compare = "多于" if yes > no else "不多于"
        return f"同意 {_display_heads(yes)} 人、反对 {_display_heads(no)} 人，同意{compare}反对，{verdict}"
    return f"同意 {_zh_count(facts, YES)}，{_zh_threshold(facts, facts.judge(YES))}，{verdict}"


def _zh_plurality(facts: _Facts) -> str:
    winners = _most_heads(facts.options, facts.counts)
    if not winners:
        return "没有人选择任何选项，未能选出。"
    heads = _display_heads(facts.counts[winners[0]].heads)
    if len(winners) == 1:
        return f"{_zh_names(winners)}得 {heads} 人，票数最多，当选。"
    if facts.form == Form.CHOOSE_MANY:
        return f"{_zh_names(winners)}并列票数最多（各 {heads} 人），均当选。"
    return f"{_zh_names(winners)}并列票数最多（各 {heads} 人），没有唯一的胜出者，未能选出。"


def _zh_choose(facts: _Facts) -> str:
    winners = facts.outcome.winners
    if len(winners) == 1:
        return f"{_zh_names(winners)}得 {_zh_count(facts, winners[0])}，{_zh_requirement(facts)}，当选。"
    if winners:
        shown = "、".join(f"「{o}」{_display_heads(facts.counts[o].heads)} 人" for o in winners)
        return f"{shown}，各自{_zh_requirement(facts)}，获得通过。"
    leader = facts.leader()
    if leader is None:
        return "没有人选择任何选项，未能选出。"
    return (
        f"没有选项{_zh_requirement(facts)}：得票最多的「{leader}」得 {_zh_count(facts, leader)}，"
        f"{_zh_threshold(facts, facts.judge(leader))}，未能选出。"
    )


# English


def explain_en(facts: _Facts) -> str:
    sentence = f"{_en_participation(facts)}: {_en_quorum(facts)}"
    if not facts.quorum.ok:
        return f"{sentence} and the vote fails."
    return f"{sentence}; {_en_result(facts)}"


def _en_participation(facts: _Facts) -> str:
    p, e = facts.participation, facts.electorate
    text = f"{_display_heads(p.heads)} of {_display_heads(e.heads)} voted ({percent(p.heads, e.heads)}%)"
    if facts.owners:
        text += f", holding {_display_area(p.area)} of {_display_area(e.area)} ㎡ ({percent(p.area, e.area)}%)"
    return text


def _en_quorum(facts: _Facts) -> str:
    rule, q, e = facts.rule, facts.quorum, facts.electorate
    if rule == Rule.UNANIMOUS:
        return "everyone took part" if q.ok else f"not all {_display_heads(e.heads)} took part, so there is no quorum"
    share = QUORUM.get(rule)
    if share is None:
        return "this rule has no quorum"
    text = _en_share(share, "the electorate", met=q.ok) + _en_which(q, facts.owners)
    if not q.heads_ok:
        text += f" ({_display_heads(share.minimum(e.heads))} needed)"
    return f"{text}, so the quorum is met" if q.ok else f"{text}, so there is no quorum"


def _en_count(facts: _Facts, option: str) -> str:
    c, p = facts.counts[option], facts.participation
    text = f"{_display_heads(c.heads)} ({percent(c.heads, p.heads)}% of those voting)"
    if facts.owners:
        text += f" holding {_display_area(c.area)} ㎡ ({percent(c.area, p.area)}% of the area voting)"
    return text


def _en_requirement(facts: _Facts) -> str:
    if facts.rule == Rule.UNANIMOUS:
        return "the agreement of everyone"
    return _en_share(THRESHOLD[facts.rule], "those voting", met=True) + _en_which(Judgement(True), facts.owners)


def _en_threshold(facts: _Facts, judgement: Judgement) -> str:
    if judgement.ok:
        return _en_requirement(facts)
    if facts.rule == Rule.UNANIMOUS:
        return f"not the agreement of everyone (all {_display_heads(facts.electorate.heads)} needed)"
    share = THRESHOLD[facts.rule]
    text = _en_share(share, "those voting", met=False) + _en_which(judgement, facts.owners)
    if not judgement.heads_ok:
        text += f" ({_display_heads(share.minimum(facts.participation.heads))} needed)"
    return text


def _en_result(facts: _Facts) -> str:
    if facts.form == Form.YES_NO:
        return _en_yes_no(facts)
    if facts.rule == Rule.PLURALITY:
        return _en_plurality(facts)
    return _en_choose(facts)


def _en_yes_no(facts: _Facts) -> str:
    verdict = "so it passes." if facts.outcome.passed else "so it fails."
    if facts.rule == Rule.PLURALITY:
        yes, no = facts.counts[YES].heads, facts.counts[NO].heads
        compare = "more" if yes > no else "not more"
        return f"{_display_heads(yes)} yes and {_display_heads(no)} no, {compare} yes than no, {verdict}"
    return f"yes: {_en_count(facts, YES)}, {_en_threshold(facts, facts.judge(YES))}, {verdict}"


def _en_plurality(facts: _Facts) -> str:
    winners = _most_heads(facts.options, facts.counts)
    if not winners:
        return "nobody chose an option, so none is chosen."
    heads = _display_heads(facts.counts[winners[0]].heads)
    if len(winners) == 1:
        return f"{_en_names(winners)} has the most votes ({heads}) and is chosen."
    if facts.form == Form.CHOOSE_MANY:
        return f"{_en_names(winners)} tie with the most votes ({heads} each) and are all chosen."
    return f"{_en_names(winners)} tie with the most votes ({heads} each), so none is chosen."


def _en_choose(facts: _Facts) -> str:
    winners = facts.outcome.winners
    if len(winners) == 1:
        return f"{_en_names(winners)} has {_en_count(facts, winners[0])}, {_en_requirement(facts)}, and is chosen."
    if winners:
        shown = ", ".join(f'"{o}" ({_display_heads(facts.counts[o].heads)})' for o in winners)
        return f"{shown} each have {_en_requirement(facts)}, and pass."
    leader = facts.leader()
    if leader is None:
        return "nobody chose an option, so none is chosen."
    return (
        f"no option has {_en_requirement(facts)}: the leader \"{leader}\" has {_en_count(facts, leader)}, "
        f"{_en_threshold(facts, facts.judge(leader))}, so none is chosen."
    )
