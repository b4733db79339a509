"""Counting a vote: pure and exact (ints for heads, Decimal for areas, Fraction for comparisons).

The same code counts a vote on the site and recounts an export with `deliberate recount`, so the
rules live here once, with the checks that make a count trustworthy and the explanation a resident reads.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Context, Decimal, Inexact, InvalidOperation, localcontext
from enum import Enum, StrEnum
from fractions import Fraction
from typing import Any, TypeVar

from deliberate.i18n import DEFAULT_LOCALE, pgettext, using
from deliberate.i18n import gettext as _


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


YES, NO, ABSTAIN = "yes", "no", "abstain"
YES_NO_OPTIONS = (YES, NO, ABSTAIN)
OWNERS_RULES = frozenset({Rule.OWNERS_ORDINARY, Rule.OWNERS_MAJOR})

# Areas are square metres: bounded so that exact Decimal sums stay small and can never blow up.
MAX_AREA = Decimal(10) ** 12
MAX_AREA_PLACES = 10
EXACT = Context(prec=1000, traps=[InvalidOperation, Inexact])
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
    winners: tuple[str, ...] = field(default=())
    # Owners who did not vote, counted with the majority of those who did (the compound's rules of procedure,
    # a setting the vote keeps from its creation): how many, and the option they were added to. Already inside
    # `tally` and `participation`.
    non_voters: OptionCount | None = None
    non_voters_to: str | None = None

    @property
    def options(self) -> tuple[str, ...]:
        """The options in ballot order: the tally's keys, less the abstentions of choose_one and choose_many."""
        if self.form == Form.YES_NO:
            return YES_NO_OPTIONS
        return tuple(key for key in self.tally if key != ABSTAIN)

    @property
    def owners(self) -> bool:
        return self.rule in OWNERS_RULES

    def quorum_judgement(self) -> Judgement:
        return quorum(self.rule, self.participation, self.electorate)

    def judge(self, option: str) -> Judgement:
        return judge(self.rule, self.tally[option], self.participation, self.electorate)

    def leader(self) -> str | None:
        """The option with the most heads, the first in order on a tie; None when nobody chose one."""
        best = max(self.options, key=lambda o: self.tally[o].heads)
        return best if self.tally[best].heads > 0 else None

    def to_json(self) -> dict[str, Any]:
        """The facts, and the explanation in Chinese and in English for exports and `deliberate recount`."""
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
            **({"non_voters": {**self.non_voters.to_json(), "to": self.non_voters_to}} if self.non_voters else {}),
            "explanation": explain_in(self, DEFAULT_LOCALE),
            "explanation_en": explain_in(self, "en"),
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
THREE_QUARTERS_AT_LEAST = Share(3, 4, strict=False)
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
    Rule.OWNERS_MAJOR: THREE_QUARTERS_AT_LEAST,
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
    return f"{value.quantize(Decimal(1).scaleb(-places), context=EXACT):f}"


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
            raise RecountError('options: a yes_no vote\'s options are ["yes", "no", "abstain"] (or leave them out)')
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
    with localcontext(EXACT):
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
    non_voters_with_majority: bool = False,
) -> Result:
    """Count the ballots under the rule; raises RecountError for input that cannot be counted.

    With `non_voters_with_majority` (an owners' vote whose compound's rules of procedure say so), the owners who
    did not vote are counted as taking part on the side of the majority of those who did: the option ahead of
    every other both by head and by area. When no option is ahead on both, nobody is added."""
    rule, form = _enum(Rule, rule, "rule"), _enum(Form, form, "form")
    checked_options = check_options(form, options)
    electorate = check_electorate(rule, electorate)
    counts, participation = count(rule, form, checked_options, electorate, ballots)
    side = majority_side(rule, form, checked_options, counts) if non_voters_with_majority else None
    if side is None or participation.heads == electorate.heads:
        return _judged(rule, form, checked_options, counts, participation, electorate)
    rest = OptionCount(electorate.heads - participation.heads, electorate.area - participation.area)
    counts = {key: _plus(count, rest) if key == side else count for key, count in counts.items()}
    return _judged(rule, form, checked_options, counts, _plus(participation, rest), electorate, (rest, side))


def _plus(left: OptionCount, right: OptionCount) -> OptionCount:
    with localcontext(EXACT):
        return OptionCount(left.heads + right.heads, left.area + right.area)


def majority_side(rule: Rule, form: Form, options: tuple[str, ...], counts: dict[str, OptionCount]) -> str | None:
    """The option the non-voters join: only in owners' votes with one choice, the option strictly ahead of each
    other by head and by area among those who voted (abstentions are no side); None when there is none."""
    if rule not in OWNERS_RULES or form == Form.CHOOSE_MANY:
        return None
    sides = (YES, NO) if form == Form.YES_NO else options
    for side in sides:
        mine = counts[side]
        if all(mine.heads > counts[o].heads and mine.area > counts[o].area for o in sides if o != side):
            return side
    return None


def _judged(
    rule: Rule, form: Form, options: tuple[str, ...], counts: dict[str, OptionCount],
    participation: OptionCount, electorate: Electorate, non_voters: tuple[OptionCount, str] | None = None,
) -> Result:
    quorum_met = quorum(rule, participation, electorate).ok
    outcome = decide(rule, form, options, counts, participation, electorate, quorum_met)
    return Result(
        passed=outcome.passed,
        quorum_met=quorum_met,
        winner=outcome.winner,
        tally=counts,
        participation=participation,
        electorate=electorate,
        rule=rule,
        form=form,
        winners=outcome.winners,
        non_voters=non_voters[0] if non_voters else None,
        non_voters_to=non_voters[1] if non_voters else None,
    )


def non_voters_rule(data: Any) -> bool:
    """Whether a recount export says its non-voters are counted with the majority (absent: no)."""
    value = data.get("non_voters_with_majority", False) if isinstance(data, Mapping) else False
    if not isinstance(value, bool):
        raise RecountError(f"non_voters_with_majority: must be true or false, got {value!r}")
    return value


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
# Reading a stored result (Result.to_json(), kept in Vote.result_json and in exports)


def result_from_json(data: Any) -> Result:
    """The result to_json() wrote, judged again from its counts; RecountError where it disagrees with itself."""
    if not isinstance(data, Mapping):
        raise RecountError("result: must be a JSON object")
    rule = _enum(Rule, data.get("rule"), "rule")
    form = _enum(Form, data.get("form"), "form")
    raw_tally = data.get("tally")
    if not isinstance(raw_tally, Mapping):
        raise RecountError("tally: an object of counts by option is required")
    counts = {str(key): _stored_count(value, f"tally[{key!r}]") for key, value in raw_tally.items()}
    options = _stored_options(form, tuple(counts))
    participation = _stored_count(data.get("participation"), "participation")
    electorate = check_electorate(rule, _parse_electorate(rule, data.get("electorate")))
    result = _judged(rule, form, options, counts, participation, electorate, _stored_non_voters(data, counts))
    _check_outcome(data, result)
    return result


def _stored_non_voters(data: Mapping[str, Any], counts: dict[str, OptionCount]) -> tuple[OptionCount, str] | None:
    raw = data.get("non_voters")
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or raw.get("to") not in counts:
        raise RecountError("non_voters: an object with heads, area and the option they were added to is required")
    return _stored_count(raw, "non_voters"), str(raw["to"])


def _stored_count(value: Any, what: str) -> OptionCount:
    if not isinstance(value, Mapping):
        raise RecountError(f"{what}: an object with heads and area is required, got {value!r}")
    heads = value.get("heads")
    if isinstance(heads, bool) or not isinstance(heads, int) or heads < 0:
        raise RecountError(f"{what}: heads must be a non-negative integer, got {heads!r}")
    return OptionCount(heads, parse_area(value.get("area", 0), what))


def _stored_options(form: Form, keys: tuple[str, ...]) -> tuple[str, ...]:
    """The options behind a tally's keys: yes, no, abstain; or the options, then "abstain"."""
    if form == Form.YES_NO:
        if keys != YES_NO_OPTIONS:
            raise RecountError(f"tally: a yes_no result counts yes, no and abstain, got {list(keys)!r}")
        return YES_NO_OPTIONS
    if keys[-1:] != (ABSTAIN,):
        raise RecountError(f"tally: a {form} result counts its options, then abstain; got {list(keys)!r}")
    return check_options(form, list(keys[:-1]))


def _check_outcome(data: Mapping[str, Any], result: Result) -> None:
    """A stored outcome must be the one its counts give, or its sentence would contradict its verdict."""
    judged = {"passed": result.passed, "quorum_met": result.quorum_met, "winner": result.winner,
              "winners": list(result.winners)}
    wrong = [key for key, value in judged.items() if key in data and data[key] != value]
    if wrong:
        raise RecountError(f"result: the stored {', '.join(wrong)} disagree with the counts")


# ---------------------------------------------------------------------------------------------
# Explaining: one or two sentences with the real numbers, in the reader's language. The Chinese
# is the message ids; English (and any other language) is a translation in the catalogue.


def explain(result: Result) -> str:
    """Why the vote passed or failed, in the current locale."""
    words = {"participation": _participation(result), "quorum": _quorum(result)}
    if not result.quorum_met:
        return _("%(participation)s，%(quorum)s，表决未通过。", **words)
    return _("%(participation)s，%(quorum)s；%(outcome)s", **words, outcome=_result_clause(result))


def explain_in(result: Result, locale: str) -> str:
    with using(locale):
        return explain(result)


def explain_stored(data: Any) -> str:
    """A stored result (to_json()) explained from its facts in the current locale, not from its sentences."""
    return explain(result_from_json(data))


class _Short(Enum):
    """What part of a share an option (or the turnout) falls short of."""

    NOTHING = "nothing"
    HEADS = "heads"
    AREA = "area"
    BOTH = "both"


def _short(judgement: Judgement) -> _Short:
    if judgement.ok:
        return _Short.NOTHING
    if judgement.heads_ok:
        return _Short.AREA
    return _Short.HEADS if judgement.area_ok else _Short.BOTH


_MET = Judgement(True)


def _quorum_clauses(needed: str) -> dict[tuple[Share, bool, _Short], str]:
    """The quorum as judged, by (share of the electorate, whether area counts, what falls short)."""
    return {
        (HALF_OR_MORE, False, _Short.NOTHING): _("超过半数，达到法定人数"),
        (HALF_OR_MORE, False, _Short.HEADS): _("未超过半数（须至少 %(needed)s 人），未达到法定人数", needed=needed),
        (TWO_THIRDS_AT_LEAST, True, _Short.NOTHING): _("人数和面积均达到三分之二以上，达到法定人数"),
        (TWO_THIRDS_AT_LEAST, True, _Short.BOTH): _(
            "人数和面积均未达到三分之二（须至少 %(needed)s 人），未达到法定人数", needed=needed
        ),
        (TWO_THIRDS_AT_LEAST, True, _Short.HEADS): _(
            "人数未达到三分之二（须至少 %(needed)s 人），未达到法定人数", needed=needed
        ),
        (TWO_THIRDS_AT_LEAST, True, _Short.AREA): _("面积未达到三分之二，未达到法定人数"),
    }


def _threshold_clauses(needed: str) -> dict[tuple[Share, bool, _Short], str]:
    """How an option fares, by (share of those voting, whether area counts, what falls short)."""
    return {
        (HALF_OR_MORE, False, _Short.NOTHING): _("超过参与者的半数"),
        (HALF_OR_MORE, False, _Short.HEADS): _("未超过参与者的半数（须至少 %(needed)s 人）", needed=needed),
        (TWO_THIRDS_AT_LEAST, False, _Short.NOTHING): _("达到参与者的三分之二以上"),
        (TWO_THIRDS_AT_LEAST, False, _Short.HEADS): _("未达到参与者的三分之二（须至少 %(needed)s 人）", needed=needed),
        (HALF_OR_MORE, True, _Short.NOTHING): _("人数和面积均超过参与者的半数"),
        (HALF_OR_MORE, True, _Short.BOTH): _("人数和面积均未超过参与者的半数（须至少 %(needed)s 人）", needed=needed),
        (HALF_OR_MORE, True, _Short.HEADS): _("人数未超过参与者的半数（须至少 %(needed)s 人）", needed=needed),
        (HALF_OR_MORE, True, _Short.AREA): _("面积未超过参与者的半数"),
        (THREE_QUARTERS_AT_LEAST, True, _Short.NOTHING): _("人数和面积均达到参与者的四分之三以上"),
        (THREE_QUARTERS_AT_LEAST, True, _Short.BOTH): _(
            "人数和面积均未达到参与者的四分之三（须至少 %(needed)s 人）", needed=needed
        ),
        (THREE_QUARTERS_AT_LEAST, True, _Short.HEADS): _(
            "人数未达到参与者的四分之三（须至少 %(needed)s 人）", needed=needed
        ),
        (THREE_QUARTERS_AT_LEAST, True, _Short.AREA): _("面积未达到参与者的四分之三"),
    }


def _numbers(part: OptionCount, whole: OptionCount | Electorate) -> dict[str, str]:
    """A count against its whole, as the sentences show it: 7,320.80 of 10,234.50 is 71.53%."""
    return {
        "heads": _display_heads(part.heads), "total": _display_heads(whole.heads),
        "pct": percent(part.heads, whole.heads), "area": _display_area(part.area),
        "total_area": _display_area(whole.area), "area_pct": percent(part.area, whole.area),
    }


def _participation(result: Result) -> str:
    numbers = _numbers(result.participation, result.electorate)
    if result.owners:
        return _(
            "参与表决 %(heads)s 人（占 %(total)s 人的 %(pct)s%%）、"
            "面积 %(area)s ㎡（占 %(total_area)s ㎡ 的 %(area_pct)s%%）",
            **numbers,
        ) + _non_voters(result)
    return _("参与表决 %(heads)s 人（占 %(total)s 人的 %(pct)s%%）", **numbers)


def _non_voters(result: Result) -> str:
    if result.non_voters is None or result.non_voters_to is None:
        return ""
    words = {"heads": _display_heads(result.non_voters.heads), "area": _display_area(result.non_voters.area)}
    if result.form == Form.YES_NO:
        return _("（其中未投票的 %(heads)s 人、面积 %(area)s ㎡ 按议事规则计入多数一方）", **words)
    return _("（其中未投票的 %(heads)s 人、面积 %(area)s ㎡ 按议事规则计入多数一方「%(option)s」）", **words,
             option=result.non_voters_to)


def _quorum(result: Result) -> str:
    heads = result.electorate.heads
    if result.rule == Rule.UNANIMOUS:
        if result.quorum_met:
            return _("全体成员均已参与")
        return _("并非全体 %(total)s 人都参与，未达到法定人数", total=_display_heads(heads))
    share = QUORUM.get(result.rule)
    if share is None:
        return _("本规则不设法定人数")
    clauses = _quorum_clauses(needed=_display_heads(share.minimum(heads)))
    return clauses[(share, result.owners, _short(result.quorum_judgement()))]


def _count(result: Result, option: str) -> str:
    numbers = _numbers(result.tally[option], result.participation)
    if result.owners:
        return _("%(heads)s 人（占参与者的 %(pct)s%%）、面积 %(area)s ㎡（占参与面积的 %(area_pct)s%%）", **numbers)
    return _("%(heads)s 人（占参与者的 %(pct)s%%）", **numbers)


def _threshold(result: Result, judgement: Judgement) -> str:
    """How an option fares under a threshold rule: what it needs when met (_MET), or what it misses and by how much."""
    if result.rule == Rule.UNANIMOUS:
        if judgement.ok:
            return _("获得全体成员一致同意")
        return _("未获得全体成员一致同意（须全部 %(total)s 人）", total=_display_heads(result.electorate.heads))
    share = THRESHOLD[result.rule]
    clauses = _threshold_clauses(needed=_display_heads(share.minimum(result.participation.heads)))
    return clauses[(share, result.owners, _short(judgement))]


def _names(options: Iterable[str]) -> str:
    return _listed(_("「%(option)s」", option=option) for option in options)


def _listed(items: Iterable[str]) -> str:
    return pgettext("list separator", "、").join(items)


def _result_clause(result: Result) -> str:
    if result.form == Form.YES_NO:
        return _yes_no(result)
    if result.rule == Rule.PLURALITY:
        return _plurality(result)
    return _choose(result)


def _yes_no(result: Result) -> str:
    if result.rule == Rule.PLURALITY:
        heads = {"yes": _display_heads(result.tally[YES].heads), "no": _display_heads(result.tally[NO].heads)}
        if result.passed:
            return _("同意 %(yes)s 人、反对 %(no)s 人，同意多于反对，表决通过。", **heads)
        return _("同意 %(yes)s 人、反对 %(no)s 人，同意不多于反对，表决未通过。", **heads)
    words = {"count": _count(result, YES), "threshold": _threshold(result, result.judge(YES))}
    if result.passed:
        return _("同意 %(count)s，%(threshold)s，表决通过。", **words)
    return _("同意 %(count)s，%(threshold)s，表决未通过。", **words)


def _plurality(result: Result) -> str:
    winners = _most_heads(result.options, result.tally)
    if not winners:
        return _("没有人选择任何选项，未能选出。")
    words = {"names": _names(winners), "heads": _display_heads(result.tally[winners[0]].heads)}
    if len(winners) == 1:
        return _("%(names)s得 %(heads)s 人，票数最多，当选。", **words)
    if result.form == Form.CHOOSE_MANY:
        return _("%(names)s并列票数最多（各 %(heads)s 人），均当选。", **words)
    return _("%(names)s并列票数最多（各 %(heads)s 人），没有唯一的胜出者，未能选出。", **words)


def _choose(result: Result) -> str:
    winners, requirement = result.winners, _threshold(result, _MET)
    if len(winners) == 1:
        return _(
            "%(names)s得 %(count)s，%(requirement)s，当选。",
            names=_names(winners), count=_count(result, winners[0]), requirement=requirement,
        )
    if winners:
        shown = _listed(
            _("「%(option)s」%(heads)s 人", option=o, heads=_display_heads(result.tally[o].heads)) for o in winners
        )
        return _("%(options)s，各自%(requirement)s，获得通过。", options=shown, requirement=requirement)
    leader = result.leader()
    if leader is None:
        return _("没有人选择任何选项，未能选出。")
    return _(
        "没有选项%(requirement)s：得票最多的「%(leader)s」得 %(count)s，%(threshold)s，未能选出。",
        requirement=requirement, leader=leader, count=_count(result, leader),
        threshold=_threshold(result, result.judge(leader)),
    )
