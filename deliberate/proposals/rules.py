"""A proposal's life, pure: stages, who may move it, co-sign thresholds, satisfaction and deadlines.

No session and no request: handlers and actions ask here, record the event, and show `reason` when refused.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Literal

from deliberate.i18n import gettext as _
from deliberate.places import settings
from deliberate.places.settings import Kind, Setting
from deliberate.refusal import Refused


class Stage(StrEnum):
    DRAFT = "draft"
    COSIGNING = "cosigning"  # submitted, collecting co-signatures (附议)
    REVIEW = "review"  # 受理中
    CHANGES_REQUESTED = "changes_requested"
    ACCEPTED = "accepted"  # 立案: plans being drafted
    DISCLOSURE = "disclosure"  # a plan in 公示
    DECISION = "decision"  # a plan at a vote or a council decision
    IMPLEMENTATION = "implementation"  # 实施
    ACCEPTANCE = "acceptance"  # 验收 pending
    RATING = "rating"  # residents rate the result
    CLOSED = "closed"  # 办结
    REJECTED = "rejected"
    MERGED = "merged"
    WITHDRAWN = "withdrawn"


class Action(StrEnum):
    SUBMIT = "submit"
    EDIT = "edit"
    COSIGN = "cosign"
    WITHDRAW = "withdraw"
    REACH_THRESHOLD = "reach_threshold"
    ACCEPT = "accept"
    REJECT = "reject"
    MERGE = "merge"
    REQUEST_CHANGES = "request_changes"
    RESUBMIT = "resubmit"
    PUBLISH_PLAN = "publish_plan"
    END_DISCLOSURE = "end_disclosure"
    APPROVE_PLAN = "approve_plan"
    REJECT_PLAN = "reject_plan"
    START_WORKS = "start_works"
    COMPLETE_WORKS = "complete_works"
    PASS_ACCEPTANCE = "pass_acceptance"
    FAIL_ACCEPTANCE = "fail_acceptance"
    RATE = "rate"
    CLOSE = "close"


class Actor(StrEnum):
    AUTHOR = "author"
    RESIDENT = "resident"  # a verified resident of the place who is not the author
    STAFF = "staff"
    COUNCIL = "council"
    SUPERVISOR = "supervisor"
    REPRESENTATIVE = "representative"  # resident representative / building leader
    SYSTEM = "system"
    OTHER = "other"  # anyone else, a non-resident included


TERMINAL: frozenset[Stage] = frozenset({Stage.CLOSED, Stage.REJECTED, Stage.MERGED, Stage.WITHDRAWN})
# Stages in which the author may still withdraw: every open stage before a plan is approved.
BEFORE_APPROVAL: frozenset[Stage] = frozenset(
    {
        Stage.DRAFT,
        Stage.COSIGNING,
        Stage.REVIEW,
        Stage.CHANGES_REQUESTED,
        Stage.ACCEPTED,
        Stage.DISCLOSURE,
        Stage.DECISION,
    }
)

TRANSITIONS: dict[Stage, dict[Action, Stage]] = {
    Stage.DRAFT: {
        Action.SUBMIT: Stage.COSIGNING,
        Action.EDIT: Stage.DRAFT,
        Action.WITHDRAW: Stage.WITHDRAWN,
    },
    Stage.COSIGNING: {
        Action.EDIT: Stage.COSIGNING,
        Action.COSIGN: Stage.COSIGNING,
        Action.REACH_THRESHOLD: Stage.REVIEW,
        Action.WITHDRAW: Stage.WITHDRAWN,
    },
    Stage.REVIEW: {
        Action.ACCEPT: Stage.ACCEPTED,
        Action.REJECT: Stage.REJECTED,
        Action.MERGE: Stage.MERGED,
        Action.REQUEST_CHANGES: Stage.CHANGES_REQUESTED,
        Action.WITHDRAW: Stage.WITHDRAWN,
    },
    Stage.CHANGES_REQUESTED: {
        Action.EDIT: Stage.CHANGES_REQUESTED,
        Action.RESUBMIT: Stage.REVIEW,
        Action.WITHDRAW: Stage.WITHDRAWN,
    },
    Stage.ACCEPTED: {
        Action.PUBLISH_PLAN: Stage.DISCLOSURE,
        Action.WITHDRAW: Stage.WITHDRAWN,
    },
    Stage.DISCLOSURE: {
        Action.END_DISCLOSURE: Stage.DECISION,
        Action.WITHDRAW: Stage.WITHDRAWN,
    },
    Stage.DECISION: {
        Action.APPROVE_PLAN: Stage.IMPLEMENTATION,
        Action.REJECT_PLAN: Stage.ACCEPTED,
        Action.WITHDRAW: Stage.WITHDRAWN,
    },
    Stage.IMPLEMENTATION: {
        Action.START_WORKS: Stage.IMPLEMENTATION,  # works start (or restart after a failed acceptance)
        Action.COMPLETE_WORKS: Stage.ACCEPTANCE,
    },
    Stage.ACCEPTANCE: {
        Action.PASS_ACCEPTANCE: Stage.RATING,
        Action.FAIL_ACCEPTANCE: Stage.IMPLEMENTATION,
    },
    Stage.RATING: {
        Action.RATE: Stage.RATING,
        Action.CLOSE: Stage.CLOSED,
    },
    Stage.CLOSED: {},
    Stage.REJECTED: {},
    Stage.MERGED: {},
    Stage.WITHDRAWN: {},
}

_AUTHOR = frozenset({Actor.AUTHOR})
_REVIEWERS = frozenset({Actor.STAFF, Actor.COUNCIL})
_CLOCK = frozenset({Actor.SYSTEM, Actor.STAFF})
_DECIDERS = frozenset({Actor.COUNCIL, Actor.SYSTEM})
_INSPECTORS = frozenset({Actor.REPRESENTATIVE, Actor.SUPERVISOR})

WHO: dict[Action, frozenset[Actor]] = {
    Action.SUBMIT: _AUTHOR,
    Action.EDIT: _AUTHOR,
    Action.COSIGN: frozenset({Actor.RESIDENT}),
    Action.WITHDRAW: _AUTHOR,
    Action.REACH_THRESHOLD: _CLOCK,
    Action.ACCEPT: _REVIEWERS,
    Action.REJECT: _REVIEWERS,
    Action.MERGE: _REVIEWERS,
    Action.REQUEST_CHANGES: _REVIEWERS,
    Action.RESUBMIT: _AUTHOR,
    Action.PUBLISH_PLAN: _REVIEWERS,
    Action.END_DISCLOSURE: _CLOCK,
    Action.APPROVE_PLAN: _DECIDERS,
    Action.REJECT_PLAN: _DECIDERS,
    Action.START_WORKS: _REVIEWERS,
    Action.COMPLETE_WORKS: _REVIEWERS,
    Action.PASS_ACCEPTANCE: _INSPECTORS,
    Action.FAIL_ACCEPTANCE: _INSPECTORS,
    Action.RATE: frozenset({Actor.RESIDENT, Actor.AUTHOR}),
    Action.CLOSE: _CLOCK,
}

assert set(TRANSITIONS) == set(Stage)
assert set(WHO) == set(Action)
assert all(not TRANSITIONS[stage] for stage in TERMINAL)


class IllegalTransition(Refused):
    """A refused move; `reason` is the sentence shown to the person who tried: 409 when the move is theirs to
    make but not at this stage, 403 when it is never theirs (another's proposal, a staff step)."""

    def __init__(self, stage: Stage, action: Action, actor: Actor, reason: str) -> None:
        super().__init__(reason, status=409 if actor in WHO.get(action, ()) else 403)
        self.stage = stage
        self.action = action
        self.actor = actor
        self.reason = reason


class ProposalError(Refused):
    """A refusal that is not a stage move: `message` is shown to the person (HTTP 409 unless it says)."""


def stage_labels() -> dict[Stage, str]:
    return {
        Stage.DRAFT: _("草稿"),
        Stage.COSIGNING: _("征集附议"),
        Stage.REVIEW: _("受理中"),
        Stage.CHANGES_REQUESTED: _("待作者修改"),
        Stage.ACCEPTED: _("已立案，制定方案"),
        Stage.DISCLOSURE: _("方案公示中"),
        Stage.DECISION: _("方案待表决或决定"),
        Stage.IMPLEMENTATION: _("实施中"),
        Stage.ACCEPTANCE: _("待验收"),
        Stage.RATING: _("满意度评价中"),
        Stage.CLOSED: _("已办结"),
        Stage.REJECTED: _("已驳回"),
        Stage.MERGED: _("已合并"),
        Stage.WITHDRAWN: _("已撤回"),
    }


def action_labels() -> dict[Action, str]:
    return {
        Action.SUBMIT: _("提交"),
        Action.EDIT: _("修改"),
        Action.COSIGN: _("附议"),
        Action.WITHDRAW: _("撤回"),
        Action.REACH_THRESHOLD: _("转入受理"),
        Action.ACCEPT: _("受理立案"),
        Action.REJECT: _("驳回"),
        Action.MERGE: _("合并到其他提案"),
        Action.REQUEST_CHANGES: _("请作者修改"),
        Action.RESUBMIT: _("重新提交"),
        Action.PUBLISH_PLAN: _("公示方案"),
        Action.END_DISCLOSURE: _("结束公示"),
        Action.APPROVE_PLAN: _("通过方案"),
        Action.REJECT_PLAN: _("否决方案"),
        Action.START_WORKS: _("开工"),
        Action.COMPLETE_WORKS: _("完工"),
        Action.PASS_ACCEPTANCE: _("验收通过"),
        Action.FAIL_ACCEPTANCE: _("验收不通过"),
        Action.RATE: _("评价"),
        Action.CLOSE: _("办结"),
    }


def event_labels() -> dict[str, str]:
    """Names of timeline events: the stage moves, and the records that do not move the stage."""
    return {
        **{move.value: label for move, label in action_labels().items()},
        "create": _("创建草稿"), "merged_in": _("并入了另一条提案"), "plan_drafted": _("拟定方案"),
        "plan_edited": _("修订方案"), "vote_created": _("方案付诸表决"), "milestone_added": _("设定工程节点"),
        "milestone_done": _("工程节点完成"), "progress": _("进度更新"), "cost": _("公开费用"),
        "inspection": _("监督检查"), "vote_withdrawn": _("表决撤回"),
        "meeting_scheduled": _("列入会议议程"), "meeting_rescheduled": _("会议改期"),
        "meeting_cancelled": _("会议取消"), "minutes_published": _("会议纪要发布"),
    }


def _who_may(action: Action) -> str:
    return {
        Action.SUBMIT: _("只有提案作者可以提交提案。"),
        Action.EDIT: _("只有提案作者可以修改提案。"),
        Action.COSIGN: _("只有本地核实居民可以附议。"),
        Action.WITHDRAW: _("只有提案作者可以撤回提案。"),
        Action.REACH_THRESHOLD: _("附议达到门槛由系统或工作人员确认。"),
        Action.ACCEPT: _("只有工作人员或议事会可以受理立案。"),
        Action.REJECT: _("只有工作人员或议事会可以驳回提案。"),
        Action.MERGE: _("只有工作人员或议事会可以合并提案。"),
        Action.REQUEST_CHANGES: _("只有工作人员或议事会可以请作者修改。"),
        Action.RESUBMIT: _("只有提案作者可以重新提交提案。"),
        Action.PUBLISH_PLAN: _("只有工作人员或议事会可以公示方案。"),
        Action.END_DISCLOSURE: _("公示结束由系统或工作人员确认。"),
        Action.APPROVE_PLAN: _("方案只能由议事会决定或由表决结果通过。"),
        Action.REJECT_PLAN: _("方案只能由议事会决定或由表决结果否决。"),
        Action.START_WORKS: _("只有工作人员或议事会可以宣布开工。"),
        Action.COMPLETE_WORKS: _("只有工作人员或议事会可以宣布完工。"),
        Action.PASS_ACCEPTANCE: _("只有居民代表或监督员可以验收。"),
        Action.FAIL_ACCEPTANCE: _("只有居民代表或监督员可以验收。"),
        Action.RATE: _("只有本地核实居民可以评价。"),
        Action.CLOSE: _("办结由系统或工作人员在评价期结束后确认。"),
    }[action]


def _ended(stage: Stage) -> str:
    return {
        Stage.CLOSED: _("提案已办结，不能再做任何操作。"),
        Stage.REJECTED: _("提案已被驳回，不能再做任何操作。"),
        Stage.MERGED: _("提案已并入另一提案，请到那里继续。"),
        Stage.WITHDRAWN: _("提案已撤回，不能再做任何操作。"),
    }[stage]


def _refusal_by_role(action: Action, actor: Actor) -> str | None:
    if actor in WHO[action]:
        return None
    if action is Action.COSIGN and actor is Actor.AUTHOR:
        return _("作者不能给自己的提案附议。")
    return _who_may(action)


def _refusal_by_stage(stage: Stage, action: Action) -> str | None:
    if action in TRANSITIONS[stage]:
        return None
    if stage in TERMINAL:
        return _ended(stage)
    if action is Action.WITHDRAW:
        return _("方案已通过，提案不能再撤回。")
    if action is Action.EDIT:
        return _("提案已进入受理，作者不能再修改。")
    if any(TRANSITIONS[earlier].get(action) == stage for earlier in TRANSITIONS if earlier != stage):
        return _(  # a second click, the back button or a colleague at the same moment: the step was just done
            "「%(action)s」这一步已经做过了：提案现在处于「%(stage)s」阶段。",
            stage=stage_labels()[stage],
            action=action_labels()[action],
        )
    return _(
        "提案现在处于「%(stage)s」阶段，不能%(action)s。",
        stage=stage_labels()[stage],
        action=action_labels()[action],
    )


def _refusal_by_text(action: Action, findings: str, reason: str) -> str | None:
    if action is Action.REJECT and not reason.strip():
        return _("驳回提案时必须公开说明理由。")
    if action is Action.FAIL_ACCEPTANCE and not findings.strip():
        return _("验收不通过时必须写明问题。")
    return None


def next_stage(stage: Stage, action: Action, actor: Actor, *, findings: str = "", reason: str = "") -> Stage:
    """The stage after `actor` does `action`, or IllegalTransition saying why not. Merging's target is the caller's."""
    refusal = (
        _refusal_by_role(action, actor)
        or _refusal_by_stage(stage, action)
        or _refusal_by_text(action, findings, reason)
    )
    if refusal:
        raise IllegalTransition(stage, action, actor, refusal)
    return TRANSITIONS[stage][action]


def allowed_actions(stage: Stage, actor: Actor) -> list[Action]:
    """What this actor may do now, in Action order: the buttons to show."""
    return [action for action in Action if action in TRANSITIONS[stage] and actor in WHO[action]]


# Co-signing thresholds --------------------------------------------------------------------------

ThresholdKind = Literal["count", "share_of_households", "share_of_adults", "owners"]
KINDS: tuple[ThresholdKind, ...] = ("count", "share_of_households", "share_of_adults", "owners")


def threshold_kind(text: str) -> ThresholdKind:
    """The kind a place's rules name, or ValueError."""
    for kind in KINDS:
        if kind == text:
            return kind
    raise ValueError(f"unknown threshold kind {text!r}")


@dataclass(frozen=True)
class Threshold:
    """`count` co-signers, or a share numerator/denominator ("以上": reaching it exactly is enough)."""

    kind: ThresholdKind
    count: int = 0
    numerator: int = 1
    denominator: int = 5

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown threshold kind {self.kind!r}")
        if self.kind == "count" and self.count < 1:
            raise ValueError("a count threshold needs at least one co-signer")
        if not 0 < self.numerator <= self.denominator:
            raise ValueError("a share must be more than 0 and at most 1")

    @property
    def share(self) -> Fraction:
        return Fraction(self.numerator, self.denominator)


LEGAL_DEFAULTS: dict[str, Threshold] = {
    # 城市居民委员会组织法 第十条: 1/5 of the residents aged 18+ ...
    "residents": Threshold("share_of_adults", numerator=1, denominator=5),
    # ... or 1/5 of the households.
    "households": Threshold("share_of_households", numerator=1, denominator=5),
    # 业主大会和业主委员会指导规则 第二十一条: owners holding 20% of the area and 20% by head.
    "owners": Threshold("owners", numerator=20, denominator=100),
}


def _share_of(threshold: Threshold, total: int) -> int:
    """The smallest whole number reaching the share of `total`; never below one, so an empty register can't."""
    if total < 0:
        raise ValueError("a total cannot be negative")
    needed = -(-threshold.numerator * total // threshold.denominator)  # exact ceiling
    return max(1, needed)


def cosigners_needed(threshold: Threshold, *, adults: int = 0, households: int = 0, owner_heads_total: int = 0) -> int:
    """Co-signers (households for a household share, owners by head for owners) needed to reach the threshold."""
    if threshold.kind == "count":
        return threshold.count
    if threshold.kind == "share_of_adults":
        return _share_of(threshold, adults)
    if threshold.kind == "share_of_households":
        return _share_of(threshold, households)
    return _share_of(threshold, owner_heads_total)


def _area_reached(threshold: Threshold, area: Decimal, total: Decimal) -> bool:
    if area < 0 or total < 0:
        raise ValueError("an area cannot be negative")
    return Fraction(area) >= threshold.share * Fraction(total)


def threshold_met(
    threshold: Threshold,
    *,
    cosigners: int,
    cosigning_households: int,
    adults: int,
    households: int,
    owner_heads: int = 0,
    owner_heads_total: int = 0,
    owner_area: Decimal = Decimal(0),
    owner_area_total: Decimal = Decimal(0),
) -> bool:
    needed = cosigners_needed(threshold, adults=adults, households=households, owner_heads_total=owner_heads_total)
    if threshold.kind in ("count", "share_of_adults"):
        return cosigners >= needed
    if threshold.kind == "share_of_households":
        return cosigning_households >= needed
    return owner_heads >= needed and _area_reached(threshold, owner_area, owner_area_total)


# Satisfaction ----------------------------------------------------------------------------------


class Rating(StrEnum):
    SATISFIED = "satisfied"  # 满意
    FAIRLY = "fairly_satisfied"  # 基本满意
    DISSATISFIED = "dissatisfied"  # 不满意


def rating_labels() -> dict[Rating, str]:
    return {Rating.SATISFIED: _("满意"), Rating.FAIRLY: _("基本满意"), Rating.DISSATISFIED: _("不满意")}


FORMULAS: dict[str, frozenset[Rating]] = {
    "satisfied_or_fairly": frozenset({Rating.SATISFIED, Rating.FAIRLY}),  # the default: (满意+基本满意)/有效评价
    "satisfied_only": frozenset({Rating.SATISFIED}),  # 满意/有效评价
}


def satisfaction_rate(counts: Mapping[Rating, int], formula: str = "satisfied_or_fairly") -> Fraction | None:
    """The satisfied share of valid ratings, exactly; None while nobody has rated."""
    if formula not in FORMULAS:
        raise ValueError(f"unknown satisfaction formula {formula!r}")
    if any(n < 0 for n in counts.values()):
        raise ValueError("a rating count cannot be negative")
    total = sum(counts.get(rating, 0) for rating in Rating)
    if total == 0:
        return None
    satisfied = sum(counts.get(rating, 0) for rating in FORMULAS[formula])
    return Fraction(satisfied, total)


def rate_percent(rate: Fraction) -> str:
    """A rate as a percentage rounded half up to 2 places, for display ("87.50")."""
    hundredths = math.floor(rate * 10000 + Fraction(1, 2))
    return f"{hundredths // 100}.{hundredths % 100:02d}"


# Deadlines -------------------------------------------------------------------------------------


def review_due(submitted_at: datetime, days: int) -> datetime:
    """When the review is due: `days` calendar days after submission, to the second."""
    if submitted_at.tzinfo is None:
        raise ValueError("naive datetime given; use aware times")
    if days < 0:
        raise ValueError("a deadline cannot be negative")
    return submitted_at + timedelta(days=days)


def plan_due(accepted_at: datetime, days: int) -> datetime:
    """When the plans are due: `days` calendar days after the proposal was accepted (or its plans sent back)."""
    return review_due(accepted_at, days)


# Stages a proposal may be merged into: still gathering support or in review, or accepted with its plans being
# drafted. Once a plan is disclosed (公示) residents have been shown what will be decided; what is merged in then
# could no longer shape it, so from disclosure on a proposal takes no merges.
OPEN_FOR_MERGE: frozenset[Stage] = frozenset({Stage.COSIGNING, Stage.REVIEW, Stage.CHANGES_REQUESTED, Stage.ACCEPTED})


def is_overdue(due: datetime, now: datetime) -> bool:
    return now > due


def days_overdue(due: datetime, now: datetime) -> int:
    """Whole days past due (floor): 0 until a full day has passed, and 0 when not overdue."""
    if not is_overdue(due, now):
        return 0
    return (now - due) // timedelta(days=1)


# A place's rules ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlaceRules:
    """What a place decides for its proposals; without its own, a place takes these defaults."""

    threshold: Threshold = LEGAL_DEFAULTS["households"]
    review_days: int = 15
    disclosure_days: int = 7  # 公示 of a plan before it may be decided
    rating_days: int = 14
    satisfaction_formula: str = "satisfied_or_fairly"
    plan_days: int = 30  # from acceptance (立案) to the plans published for disclosure

    def __post_init__(self) -> None:
        if not 1 <= self.review_days <= 365 or not 1 <= self.disclosure_days <= 90 or not 1 <= self.rating_days <= 90:
            raise ValueError("deadlines out of range")
        if not 1 <= self.plan_days <= 365:
            raise ValueError("plan drafting deadline out of range")
        if self.satisfaction_formula not in FORMULAS:
            raise ValueError(f"unknown satisfaction formula {self.satisfaction_formula!r}")

    def as_settings(self) -> dict[str, str]:
        """These rules as the values of the place's settings (`SETTINGS`)."""
        return {"proposals.threshold": threshold_text(self.threshold),
                "proposals.satisfaction_formula": self.satisfaction_formula,
                **{key: str(getattr(self, name)) for key, name in _days_fields().items()}}

    @classmethod
    def from_settings(cls, values: Mapping[str, str]) -> PlaceRules:
        """The rules a place's effective settings give: each setting of days "proposals.x" is the field `x`."""
        return cls(threshold=threshold_from_text(values["proposals.threshold"]),
                   satisfaction_formula=values["proposals.satisfaction_formula"],
                   **{name: int(values[key]) for key, name in _days_fields().items()})


def _days_fields() -> dict[str, str]:
    return {s.key: s.key.removeprefix("proposals.") for s in SETTINGS if s.kind is Kind.DAYS}


# The settings a place may change (规则设置), with the law that bounds them. Co-signing thresholds: at 1/5 of the
# adults or of the households the residents' committee must call a residents' meeting (城市居民委员会组织法
# 第十条), and owners holding 20% by head and area may call an interim owners' assembly (指导规则 第二十一条); a
# place may ask for fewer co-signers, never for a larger share than the law.
_SETTING_KINDS: dict[str, ThresholdKind] = {"count": "count", "households": "share_of_households",
                                            "adults": "share_of_adults", "owners": "owners"}


def threshold_text(threshold: Threshold) -> str:
    code = next(code for code, kind in _SETTING_KINDS.items() if kind == threshold.kind)
    if threshold.kind == "count":
        return f"count:{threshold.count}"
    return f"{code}:{threshold.numerator}/{threshold.denominator}"


def threshold_from_text(text: str) -> Threshold:
    code, _sep, amount = text.partition(":")
    if code == "count":
        return Threshold("count", count=int(amount))
    numerator, _slash, denominator = amount.partition("/")
    return Threshold(_SETTING_KINDS[code], numerator=int(numerator), denominator=int(denominator))


def _threshold_kinds() -> dict[str, str]:
    return {"households": _("户数的比例"), "adults": _("18 周岁以上居民的比例"),
            "owners": _("业主人数和专有面积的比例"), "count": _("固定人数")}


def _formulas() -> dict[str, str]:
    return {"satisfied_or_fairly": _("（满意 + 基本满意）÷ 有效评价"), "satisfied_only": _("满意 ÷ 有效评价")}


_DEFAULTS = PlaceRules()
SETTINGS: tuple[Setting, ...] = settings.declare(
    Setting("proposals.threshold", "proposals", lambda: _("附议门槛"), Kind.SHARE,
            threshold_text(_DEFAULTS.threshold), choices=_threshold_kinds, share_ceiling=20,
            source=lambda: _("城市居民委员会组织法 第十条、业主大会和业主委员会指导规则 第二十一条：1/5"),
            help=lambda: _("达到门槛的提案转入受理。比例按户数、成年居民或业主（人数和面积）计算。")),
    Setting("proposals.review_days", "proposals", lambda: _("受理期限"), Kind.DAYS, str(_DEFAULTS.review_days),
            ceiling=365, help=lambda: _("提案转入受理后，工作人员或议事会须在这么多天内答复。")),
    Setting("proposals.plan_days", "proposals", lambda: _("方案制定期限"), Kind.DAYS, str(_DEFAULTS.plan_days),
            ceiling=365, help=lambda: _("提案立案后，须在这么多天内拟定方案并公示。")),
    Setting("proposals.disclosure_days", "proposals", lambda: _("方案公示期"), Kind.DAYS,
            str(_DEFAULTS.disclosure_days), ceiling=90, help=lambda: _("方案公示这么多天后才能决定或付诸表决。")),
    Setting("proposals.rating_days", "proposals", lambda: _("满意度评价期"), Kind.DAYS, str(_DEFAULTS.rating_days),
            ceiling=90, help=lambda: _("验收通过后居民评价的天数，期满后提案办结。")),
    Setting("proposals.satisfaction_formula", "proposals", lambda: _("满意率的算法"), Kind.CHOICE,
            _DEFAULTS.satisfaction_formula, choices=_formulas),
)


# Categories ------------------------------------------------------------------------------------


class Category(StrEnum):
    PARKING = "parking"
    HEATING = "heating"
    LIFT = "lift"
    RENOVATION = "renovation"
    ROADS = "roads"
    GREENING = "greening"
    SAFETY = "safety"
    ELDERLY = "elderly"
    PROPERTY = "property"
    OTHER = "other"


def category_labels() -> dict[Category, str]:
    return {
        Category.PARKING: _("停车"),
        Category.HEATING: _("供暖"),
        Category.LIFT: _("加装电梯"),
        Category.RENOVATION: _("房屋修缮与改造"),
        Category.ROADS: _("道路与设施"),
        Category.GREENING: _("绿化与环境"),
        Category.SAFETY: _("安全"),
        Category.ELDERLY: _("养老助老"),
        Category.PROPERTY: _("物业服务"),
        Category.OTHER: _("其他"),
    }


def funding_shares(residents: int, units: int, government: int) -> dict[str, Fraction] | None:
    """Each funder's exact share of the total (三三制 when each is a third); None when nothing is funded."""
    if min(residents, units, government) < 0:
        raise ValueError("an amount cannot be negative")
    total = residents + units + government
    if total == 0:
        return None
    return {
        "residents": Fraction(residents, total),
        "units": Fraction(units, total),
        "government": Fraction(government, total),
    }
