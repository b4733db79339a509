"""Reading the forms of proposals: the proposal itself, review, merging, plans, a decision, a vote on the plans,
the works (milestone, progress, cost), supervision (inspection, acceptance), rating, and the list's filters.

Each reader returns what was sent as a small dataclass, or None with the problems by field. On the forms of
the proposal page the keys are the ids of the fields after "f-", so that the page's summary links to them.
Photos are read and checked here, before the request's write transaction begins.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from starlette.datastructures import FormData
from starlette.requests import Request

from deliberate.clock import utcnow
from deliberate.db import from_centi
from deliberate.i18n import gettext as _
from deliberate.numbers import digits
from deliberate.proposals import listing, photos, rules, tracking
from deliberate.proposals.actions import Draft
from deliberate.proposals.photos import Upload
from deliberate.proposals.plans import CostLine, PlanText
from deliberate.proposals.rules import Action as Move
from deliberate.proposals.rules import ProposalError
from deliberate.refusal import Invalid, Refused
from deliberate.voting import tally
from deliberate.voting.models import ElectorateKind
from deliberate.web import forms

TITLE_MAX, BODY_MAX, REASON_MAX = 120, 20_000, 2_000
Errors = dict[str, str]


def entered(request: Request) -> FormData:
    """What was typed, to fill a form in again when it comes back to be fixed."""
    return forms.form(request)


def uploads(request: Request, name: str, errors: Errors, *, key: str = "") -> list[Upload]:
    """Every photo sent in the field, each checked; a problem goes into `errors` under `key` (or the name)."""
    key = key or name
    files = []
    for value in forms.form(request).getlist(name):
        if isinstance(value, str) or not value.filename:
            continue
        data = value.file.read(photos.MAX_PHOTO_BYTES + 1)
        try:
            photos.check(value.filename, data)
        except ProposalError as problem:
            errors[key] = problem.message
            return []
        files.append((value.filename, data))
    if len(files) > photos.MAX_PHOTOS_PER_UPLOAD:
        errors[key] = _("一次最多上传 %(n)s 张照片。", n=photos.MAX_PHOTOS_PER_UPLOAD)
        return []
    return files


def _long_reason() -> str:
    return _("说明不能超过 %(n)s 个字。", n=REASON_MAX)


def reason(request: Request, name: str = "reason") -> str:
    """A reason or findings; one too long is refused (422)."""
    text = forms.text(request, name, max_length=REASON_MAX)
    if len(text) > REASON_MAX:
        raise Invalid(_long_reason())
    return text


def _reason_in(request: Request, name: str, errors: Errors, key: str) -> str:
    """A reason or findings; one too long is a problem of the field `key`."""
    text = forms.text(request, name, max_length=REASON_MAX)
    if len(text) > REASON_MAX:
        errors[key] = _long_reason()
    return text


def yuan_to_centi(raw: str) -> int | None:
    """An amount in yuan ("1,500.50") in fen, or None when it is not one (negative, too big, below a fen)."""
    try:
        value = Decimal(raw.replace(",", "").replace("，", "").strip() or "0")
    except InvalidOperation:
        return None
    if value < 0 or value > Decimal("100000000") or value != value.quantize(Decimal("0.01")):
        return None
    return int(value * 100)


# The proposal ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Written:
    """A proposal as its author sent it: its text, whether to submit it now, its photos, and the problems."""

    draft: Draft
    submit: bool
    photos: list[Upload]
    errors: Errors

    @property
    def values(self) -> dict[str, str]:
        return {"title": self.draft.title, "body": self.draft.body, "category": self.draft.category}


def proposal(request: Request) -> Written:
    draft = Draft(forms.text(request, "title", max_length=TITLE_MAX), forms.text(request, "body", max_length=BODY_MAX),
                  forms.text(request, "category", max_length=20))
    errors: Errors = {}
    if not draft.title:
        errors["title"] = _("请写一个标题，说清楚是什么事。")
    elif len(draft.title) > TITLE_MAX:
        errors["title"] = _("标题不能超过 %(n)s 个字。", n=TITLE_MAX)
    if len(draft.body) > BODY_MAX:
        errors["body"] = _("正文不能超过 %(n)s 个字。", n=BODY_MAX)
    if draft.category not in set(rules.Category):
        errors["category"] = _("请选择类别。")
    files = uploads(request, "photos", errors)
    return Written(draft, forms.text(request, "intent") == "submit", files, errors)


def following(request: Request) -> bool:
    """Follow (the default) or stop following."""
    return forms.text(request, "follow") != "0"


# Review ----------------------------------------------------------------------------------------

REVIEW_MOVES = {"accept": Move.ACCEPT, "reject": Move.REJECT, "request_changes": Move.REQUEST_CHANGES}


@dataclass(frozen=True)
class Review:
    move: Move
    reason: str


def review(request: Request) -> tuple[Review | None, Errors]:
    move = REVIEW_MOVES.get(forms.text(request, "decision", max_length=20))
    errors: Errors = {}
    text = _reason_in(request, "reason", errors, "review-reason")
    if move is None:
        errors["review-accept"] = _("请选择受理结果。")
    elif move is not Move.ACCEPT and not text and "review-reason" not in errors:
        errors["review-reason"] = (_("驳回提案时必须公开说明理由。") if move is Move.REJECT
                                   else _("请写明需要作者修改什么。"))
    if errors or move is None:
        return None, errors
    return Review(move, text), errors


@dataclass(frozen=True)
class Merge:
    target: str  # the id of the proposal to merge into
    reason: str


def merge(request: Request) -> tuple[Merge | None, Errors]:
    """The proposal to merge into and the public reason, which is required."""
    errors: Errors = {}
    target = forms.text(request, "target", max_length=12)
    text = _reason_in(request, "reason", errors, "merge-reason")
    if not target:
        errors["merge-target"] = _("请选择要合并到的提案。")
    if not text.strip() and "merge-reason" not in errors:
        errors["merge-reason"] = _("合并时必须公开说明理由。")
    if errors:
        return None, errors
    return Merge(target, text), errors


# Plans -----------------------------------------------------------------------------------------

PLAN_FIELDS = (("title", 120), ("description", 10_000), ("responsible", 100), ("schedule", 500),
               ("cost_lines", 5_000), ("residents", 20), ("units", 20), ("government", 20), ("note", 300),
               ("version", 12))
FUNDERS = ("residents", "units", "government")


@dataclass(frozen=True)
class PlanForm:
    text: PlanText
    note: str  # why this version (for a revision)
    typed: dict[str, str]  # what was typed, to show again
    errors: Errors
    based_on: int | None = None  # the version the revision's form was opened on


def plan(request: Request) -> PlanForm:
    typed = {name: forms.text(request, name, max_length=limit) for name, limit in PLAN_FIELDS}
    errors: Errors = {}
    for name, message in (("title", _("请写方案名称。")), ("description", _("请写明要做什么。")),
                          ("responsible", _("请写明责任方。"))):
        if not typed[name]:
            errors[name] = message
    lines = _cost_lines(typed["cost_lines"], errors)
    funding = {name: _funding(typed[name], name, errors) for name in FUNDERS}
    text = PlanText(typed["title"], typed["description"], typed["responsible"], typed["schedule"], tuple(lines),
                    funding["residents"], funding["units"], funding["government"])
    if not errors and lines and sum(funding.values()) != text.total_centi:
        errors["residents"] = _("三方出资合计（%(funded)s 元）应等于费用合计（%(total)s 元）。",
                                funded=f"{from_centi(sum(funding.values())):.2f}",
                                total=f"{from_centi(text.total_centi):.2f}")
    based_on = int(typed["version"]) if digits(typed["version"]) else None
    return PlanForm(text, typed["note"], typed, errors, based_on)


def _cost_lines(raw: str, errors: Errors) -> list[CostLine]:
    """Lines "item amount", such as "透水砖 12000"."""
    lines: list[CostLine] = []
    for number, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        item, _sep, amount = line.rpartition(" ")
        centi = yuan_to_centi(amount)
        if not item.strip() or centi is None:
            errors["cost_lines"] = _("费用第 %(n)s 行应写成“项目 金额”，如“透水砖 12000”。", n=number)
            break
        lines.append(CostLine(item.strip()[:100], centi))
    return lines


def _funding(raw: str, name: str, errors: Errors) -> int:
    centi = yuan_to_centi(raw)
    if centi is None:
        errors[name] = _("金额应是不为负的数字，最多两位小数。")
    return centi or 0


@dataclass(frozen=True)
class Decision:
    plan: str | None  # the id of the plan approved; None: none of them
    reason: str


def decision(request: Request) -> Decision:
    raw = forms.text(request, "plan", max_length=12)
    return Decision(None if raw == "none" else raw, reason(request))


@dataclass(frozen=True)
class PlanVote:
    rule: str
    electorate: str
    closes_at: datetime
    secret: bool


def vote_defaults(zone: ZoneInfo) -> dict[str, Any]:
    """The form putting the plans to a vote as it first appears: a residents' meeting of households, a week."""
    closes = (utcnow().astimezone(zone) + timedelta(days=7)).replace(hour=18, minute=0, second=0)
    return {"rule": "residents_meeting", "electorate": "households", "closes_at": closes.strftime("%Y-%m-%dT%H:%M")}


def plan_vote(request: Request, zone: ZoneInfo) -> tuple[PlanVote | None, dict[str, Any], Errors]:
    """(the vote to open or None, what was typed, the problems by field)."""
    values: dict[str, Any] = {"rule": forms.text(request, "rule", max_length=30),
                              "electorate": forms.text(request, "electorate", max_length=20),
                              "closes_at": forms.text(request, "closes_at", max_length=30),
                              "secret": forms.text(request, "secret") == "1"}
    errors: Errors = {}
    if values["rule"] not in set(tally.Rule):
        errors["rule"] = _("请选择通过规则。")
    if values["electorate"] not in ElectorateKind.ALL:
        errors["electorate"] = _("请选择投票人范围。")
    elif values["rule"] in ("owners_ordinary", "owners_major") and values["electorate"] != ElectorateKind.OWNERS:
        errors["electorate"] = _("业主表决规则只能用于业主投票。")
    closes = _closing(values["closes_at"], zone, errors)
    if errors or closes is None:
        return None, values, errors
    return PlanVote(values["rule"], values["electorate"], closes, values["secret"]), values, errors


def _closing(raw: str, zone: ZoneInfo, errors: Errors) -> datetime | None:
    try:
        closes = datetime.fromisoformat(raw).replace(tzinfo=zone)
    except ValueError:
        errors["closes_at"] = _("请填写截止时间，如 2026-12-01 18:00。")
        return None
    if closes <= utcnow().astimezone(zone) + timedelta(minutes=5):
        errors["closes_at"] = _("截止时间须在至少 5 分钟之后。")
    return closes


# Works -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MilestoneForm:
    title: str
    due_on: date
    responsible: str


def milestone(request: Request) -> tuple[MilestoneForm | None, Errors]:
    title = forms.text(request, "title", max_length=120)
    errors: Errors = {}
    if not title or len(title) > 120:
        errors["ms-title"] = _("请写节点名称（不超过 120 字）。")
    due_on = None
    try:
        due_on = date.fromisoformat(forms.text(request, "due_on", max_length=10))
    except ValueError:
        errors["ms-due"] = _("请填写完成日期，如 2027-03-31。")
    if errors or due_on is None:
        return None, errors
    return MilestoneForm(title, due_on, forms.text(request, "responsible", max_length=100)[:100]), errors


@dataclass(frozen=True)
class ProgressForm:
    text: str
    percent: int
    photos: list[Upload]


def progress(request: Request) -> tuple[ProgressForm | None, Errors]:
    text = forms.text(request, "text", max_length=2000)
    raw = forms.text(request, "percent", max_length=3)
    errors: Errors = {}
    if not digits(raw) or int(raw) > 100:
        errors["pg-percent"] = _("进度须在 0 到 100 之间。")
    if not text:
        errors["pg-text"] = _("请写明进展。")
    files = uploads(request, "photos", errors, key="pg-photos")
    if errors:
        return None, errors
    return ProgressForm(text, int(raw), files), errors


@dataclass(frozen=True)
class CostForm:
    description: str
    amount_centi: int
    payee: str
    document: Upload  # the invoice, contract or receipt, photographed


def cost(request: Request) -> tuple[CostForm | None, Errors]:
    description = forms.text(request, "description", max_length=200)
    centi = yuan_to_centi(forms.text(request, "amount", max_length=20))
    errors: Errors = {}
    if not description or len(description) > 200:
        errors["cost-desc"] = _("请写明费用项目（不超过 200 字）。")
    if centi is None:
        errors["cost-amount"] = _("金额应是不为负的数字，最多两位小数。")
    files = uploads(request, "document", errors, key="cost-doc")
    if not files and "cost-doc" not in errors:
        errors["cost-doc"] = _("请附上凭证（发票、合同或收据的照片）。")
    if errors or centi is None:
        return None, errors
    return CostForm(description, centi, forms.text(request, "payee", max_length=100)[:100], files[0]), errors


# Supervision and rating ------------------------------------------------------------------------


@dataclass(frozen=True)
class Findings:
    """An inspection's or an acceptance's findings and photos; `passed` for an acceptance."""

    findings: str
    photos: list[Upload]
    passed: bool = False


def inspection(request: Request) -> tuple[Findings | None, Errors]:
    errors: Errors = {}
    findings = _reason_in(request, "findings", errors, "insp")
    if not findings and not errors:
        errors["insp"] = _("请写明检查情况。")
    files = uploads(request, "photos", errors, key="insp-photos")
    if errors:
        return None, errors
    return Findings(findings, files), errors


def acceptance(request: Request) -> tuple[Findings | None, Errors]:
    outcome = forms.text(request, "outcome", max_length=10)
    errors: Errors = {}
    if outcome not in ("pass", "fail"):
        errors["acc-pass"] = _("请选择验收结果。")
    findings = _reason_in(request, "findings", errors, "acc-findings")
    if outcome == "fail" and not findings and not errors:
        errors["acc-findings"] = _("验收不通过时，请写明存在的问题。")
    files = uploads(request, "photos", errors, key="acc-photos")
    if files and forms.text(request, "confirmed", max_length=3) != "yes" and not errors:
        # a confirmation page could not send the photos again: the form itself asks
        errors["acc-confirm"] = _("验收结果记录后不能撤销：请勾选确认后再提交。")
    if errors:
        return None, errors
    return Findings(findings, files, passed=outcome == "pass"), errors


@dataclass(frozen=True)
class RatingForm:
    rating: rules.Rating
    comment: str


def rating(request: Request) -> tuple[RatingForm | None, Errors]:
    raw = forms.text(request, "rating", max_length=20)
    if raw not in set(rules.Rating):
        return None, {"rate-" + rules.Rating.SATISFIED.value: _("请选择满意、基本满意或不满意。")}
    return RatingForm(rules.Rating(raw), forms.text(request, "comment", max_length=500)[:500]), {}


# The list's filters ----------------------------------------------------------------------------


def _bad_filter(field: str) -> str:
    return {
        "stage": _("没有这个提案阶段，请从列表中选择。"),
        "category": _("没有这个提案类别，请从列表中选择。"),
        "q": _("搜索词不能超过 %(n)s 个字。", n=listing.MAX_QUERY),
        "sort": _("没有这种排序方式，请从列表中选择。"),
        "after": _("翻页链接无效，请回到第一页重新翻页。"),
    }[field]


def listing_filters(request: Request) -> tuple[listing.Filters, listing.Cursor | None]:
    """The filters and the page's cursor from the query string; one that is not ours is refused (400)."""
    params = request.query_params
    try:
        filters = listing.parse_filters(stage=params.get("stage", ""), category=params.get("category", ""),
                                        q=params.get("q", ""), sort=params.get("sort", ""))
        after = listing.decode_cursor(params["after"], filters.sort) if "after" in params else None
    except listing.BadListing as bad:
        raise Refused(_bad_filter(bad.field), 400) from None
    return filters, after


MAX_TRACKING_PAGE = 10_000


def tracking_pages(params: Mapping[str, str]) -> dict[tracking.Section, int]:
    """The page of each section of the tracking page (`?review=2`); what is not a page number is the first."""
    return {
        key: int(raw) for key in tracking.Section
        if digits(raw := params.get(key.value, "")) and 1 < int(raw) <= MAX_TRACKING_PAGE
    }
