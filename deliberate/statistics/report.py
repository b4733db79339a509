"""The statistics page of a place or of the whole deployment: its figures as a reader sees them, its charts and
its `.json` twin. Everything here is an aggregate: no name, nothing of the register."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from functools import cached_property
from typing import Any

from sqlmodel import Session

from deliberate.i18n import gettext as _
from deliberate.places import actions as places
from deliberate.places.models import Place
from deliberate.proposals import rules
from deliberate.proposals.rules import Rating
from deliberate.statistics import charts, periods, queries
from deliberate.statistics.periods import SHANGHAI, Period
from deliberate.statistics.queries import DAY, Figures, share


@dataclass(frozen=True)
class Line:
    """One figure as the page shows it: what it is, its value, and how it was counted (numerator / denominator)."""

    key: str
    label: str
    value: str
    detail: str = ""


@dataclass(frozen=True)
class Choice:
    label: str
    params: dict[str, str]
    current: bool


class Charts:
    """The page's charts, drawn when the page first asks for them (the `.json` twin never does)."""

    def __init__(self, figures: Figures) -> None:
        self.figures = figures

    @cached_property
    def drawn(self) -> list[charts.Chart]:
        return chart_list(self.figures)

    def __iter__(self) -> Iterator[charts.Chart]:
        return iter(self.drawn)


@dataclass(frozen=True)
class StatisticsPage:
    place: Place | None  # None: the whole deployment
    trail: list[Place]
    period: Period
    period_label: str
    choices: list[Choice]
    figures: Figures
    lines: list[Line]
    charts: Charts
    formula: str

    def as_json(self, url_for: Any) -> dict[str, Any]:
        f = self.figures
        return {
            "place": {"id": self.place.id, "name": self.place.name, "kind": self.place.kind} if self.place else None,
            "period": {"kind": self.period.kind.value, "from": self.period.first.isoformat(),
                       "to": self.period.last.isoformat()},
            "proposals": {"raised": f.raised, "accepted": f.outcomes.get("accept", 0),
                          "rejected": f.outcomes.get("reject", 0), "merged": f.outcomes.get("merge", 0),
                          "closed": f.outcomes.get("close", 0), "cosigns": f.cosigns, "comments": f.comments,
                          "cosigns_per_proposal": _ratio(f.cosigns, f.raised),
                          "comments_per_proposal": _ratio(f.comments, f.raised)},
            "median_days": {"to_acceptance": _days(f.median_seconds.get("accept")),
                            "to_approved_plan": _days(f.median_seconds.get("approve_plan")),
                            "to_closing": _days(f.median_seconds.get("close"))},
            "median_of": {"to_acceptance": f.timed.get("accept", 0),
                          "to_approved_plan": f.timed.get("approve_plan", 0), "to_closing": f.timed.get("close", 0)},
            "on_time": {"milestones": f.milestones, "milestones_on_time": f.milestones_on_time,
                        "milestones_percent": _percent(f.milestones_on_time, f.milestones),
                        "reviews": f.reviews, "reviews_on_time": f.reviews_on_time,
                        "reviews_percent": _percent(f.reviews_on_time, f.reviews)},
            "meetings": {"held": f.meetings, "registered": f.registered, "signed_in": f.signed_in,
                         "attendance_percent": _percent(f.signed_in, f.registered)},
            "votes": {"held": f.votes, "on_rolls": f.on_rolls, "voted": f.voted,
                      "turnout_percent": _percent(f.voted, f.on_rolls)},
            "satisfaction": {"ratings": f.ratings, "valid": f.valid_ratings, "satisfied": f.satisfied,
                             "percent": _percent(f.satisfied, f.valid_ratings), "formula": self.formula},
            "by_month": [{"month": month, "raised": n["raised"], "closed": n["close"]}
                         for month, n in f.by_month.items()],
        }


def _percent(part: int, whole: int) -> str | None:
    rate = share(part, whole)
    return rules.rate_percent(rate) if rate is not None else None


def _ratio(part: int, whole: int) -> str | None:
    """A mean to one decimal, rounded half up ("2.5")."""
    if not whole:
        return None
    tenths = int(Fraction(part, whole) * 10 + Fraction(1, 2))
    return f"{tenths // 10}.{tenths % 10}"


def _days(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    tenths = int(Fraction(seconds) / DAY * 10 + Fraction(1, 2))
    return f"{tenths // 10}.{tenths % 10}"


def period_label(period: Period) -> str:
    if period.kind is periods.Kind.LAST_12_MONTHS:
        return _("近12个月（%(first)s 至 %(last)s）", first=period.first.isoformat(), last=period.last.isoformat())
    if period.kind is periods.Kind.YEAR:
        return _("%(year)s年", year=period.first.year)
    if period.kind is periods.Kind.QUARTER:
        return _("%(year)s年第%(q)s季度", year=period.first.year, q=(period.first.month - 1) // 3 + 1)
    if period.kind is periods.Kind.MONTH:
        return _("%(year)s年%(month)s月", year=period.first.year, month=period.first.month)
    return _("%(first)s 至 %(last)s", first=period.first.isoformat(), last=period.last.isoformat())


def formula_text() -> str:
    return _("满意度 = 计为满意的评价 ÷ 有效评价，按每条提案所在地点的规则计：默认（满意 + 基本满意）÷ 有效评价，"
             "选择「仅满意」的地点为 满意 ÷ 有效评价。")


def _of(part: int, whole: int) -> str:
    return _("%(part)s / %(whole)s", part=part, whole=whole) if whole else _("暂无")


def _median_line(key: str, label: str, f: Figures) -> Line:
    days = _days(f.median_seconds.get(key))
    value = _("%(days)s 天", days=days) if days is not None else _("暂无")
    return Line(key, label, value, _("共 %(n)s 条提案", n=f.timed.get(key, 0)))


def lines(f: Figures) -> list[Line]:
    none = _("暂无")
    return [
        Line("raised", _("提出的提案"), str(f.raised)),
        Line("accepted", _("受理立案"), str(f.outcomes.get("accept", 0))),
        Line("rejected", _("驳回"), str(f.outcomes.get("reject", 0))),
        Line("merged", _("合并"), str(f.outcomes.get("merge", 0))),
        Line("closed", _("办结"), str(f.outcomes.get("close", 0))),
        _median_line("accept", _("从提交到立案（中位数）"), f),
        _median_line("approve_plan", _("从提交到方案通过（中位数）"), f),
        _median_line("close", _("从提交到办结（中位数）"), f),
        Line("milestones_on_time", _("工程节点按期完成"), _pct(f.milestones_on_time, f.milestones) or none,
             _of(f.milestones_on_time, f.milestones)),
        Line("reviews_on_time", _("按期受理审查"), _pct(f.reviews_on_time, f.reviews) or none,
             _of(f.reviews_on_time, f.reviews)),
        Line("meetings", _("召开的会议"), str(f.meetings)),
        Line("attendance", _("会议出席（签到 / 报名）"), _pct(f.signed_in, f.registered) or none,
             _of(f.signed_in, f.registered)),
        Line("votes", _("完成的表决"), str(f.votes)),
        Line("turnout", _("表决参与率（投票 / 名册）"), _pct(f.voted, f.on_rolls) or none, _of(f.voted, f.on_rolls)),
        Line("satisfaction", _("满意度"), _pct(f.satisfied, f.valid_ratings) or none,
             _of(f.satisfied, f.valid_ratings)),
        Line("cosigns", _("每条提案的附议数"), _ratio(f.cosigns, f.raised) or none, _of(f.cosigns, f.raised)),
        Line("comments", _("每条提案的评论数"), _ratio(f.comments, f.raised) or none, _of(f.comments, f.raised)),
    ]


def _pct(part: int, whole: int) -> str | None:
    percent = _percent(part, whole)
    return f"{percent}%" if percent is not None else None


def chart_list(f: Figures) -> list[charts.Chart]:
    outcomes = [(_("受理立案"), "accept"), (_("驳回"), "reject"), (_("合并"), "merge"), (_("办结"), "close")]
    ratings = rules.rating_labels()
    return [
        charts.bars("monthly", _("每月提出与办结的提案"), (_("月份"), _("提出"), _("办结")),
                    [(month, (n["raised"], n["close"])) for month, n in f.by_month.items()]),
        charts.bars("outcomes", _("办理结果"), (_("结果"), _("提案数")),
                    [(label, (f.outcomes.get(key, 0),)) for label, key in outcomes], horizontal=True),
        charts.bars("ratings", _("办结提案的满意度评价"), (_("评价"), _("份数")),
                    [(ratings[r], (f.ratings.get(r.value, 0),)) for r in Rating]),
    ]


def statistics_page(session: Session, place: Place | None, period: Period, now: datetime) -> StatisticsPage:
    found = queries.figures(session, place, period, now)
    today = now.astimezone(SHANGHAI).date()
    choices = [Choice(period_label(p), p.as_params(), p == period) for p in periods.choices(today)]
    return StatisticsPage(
        place=place, trail=places.ancestors(session, place) if place else [], period=period,
        period_label=period_label(period), choices=choices, figures=found, lines=lines(found),
        charts=Charts(found), formula=formula_text(),
    )
