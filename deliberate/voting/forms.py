"""Reading the forms of votes: a new vote, a ballot's choice, a paper ballot; each problem by its field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from starlette.requests import Request

from deliberate.clock import utcnow
from deliberate.i18n import gettext as _
from deliberate.voting import labels, tally
from deliberate.voting.models import ElectorateKind, Vote
from deliberate.web import forms

MAX_OPTIONS = 20
OWNER_RULES = {tally.Rule.OWNERS_ORDINARY, tally.Rule.OWNERS_MAJOR}


@dataclass(frozen=True)
class NewVote:
    title: str
    question: str
    form: str
    rule: str
    electorate: str
    options: list[str]
    opens_at: datetime | None
    closes_at: datetime
    secret: bool
    results_while_open: bool


def defaults(zone: ZoneInfo) -> dict[str, Any]:
    """The new-vote form as it first appears: a week to vote, closing at six in the evening."""
    closes = (utcnow().astimezone(zone) + timedelta(days=7)).replace(hour=18, minute=0, second=0)
    return {"form": "yes_no", "rule": "majority", "electorate": "adults",
            "closes_at": closes.strftime("%Y-%m-%dT%H:%M")}


def new_vote(request: Request, zone: ZoneInfo) -> tuple[NewVote | None, dict[str, Any], dict[str, str]]:
    """(the vote to create or None, what was typed, the problems by field)."""
    values: dict[str, Any] = {
        "title": forms.text(request, "title", max_length=200),
        "question": forms.text(request, "question", max_length=5000),
        "form": forms.text(request, "form", max_length=20),
        "rule": forms.text(request, "rule", max_length=30),
        "electorate": forms.text(request, "electorate", max_length=20),
        "options": forms.text(request, "options", max_length=5000),
        "closes_at": forms.text(request, "closes_at", max_length=30),
        "opens_at": forms.text(request, "opens_at", max_length=30),
        "secret": forms.text(request, "secret") == "1",
        "results_while_open": forms.text(request, "results_while_open") == "1",
    }
    errors: dict[str, str] = {}
    _check_what(values, errors)
    options = _options(values, errors)
    opens = _opening(values["opens_at"], zone, errors)
    closes = _closing(values["closes_at"], opens, zone, errors)
    if errors or closes is None:
        return None, values, errors
    return NewVote(
        title=values["title"], question=values["question"], form=values["form"], rule=values["rule"],
        electorate=values["electorate"], options=options, opens_at=opens, closes_at=closes,
        secret=values["secret"], results_while_open=values["results_while_open"],
    ), values, errors


def _check_what(values: dict[str, Any], errors: dict[str, str]) -> None:
    if not values["title"]:
        errors["title"] = _("请填写表决事项。")
    elif len(values["title"]) > 200:
        errors["title"] = _("表决事项不能超过 200 个字。")
    if values["form"] not in set(tally.Form):
        errors["form"] = _("请选择表决方式。")
    if values["rule"] not in set(tally.Rule):
        errors["rule"] = _("请选择通过规则。")
    if values["electorate"] not in ElectorateKind.ALL:
        errors["electorate"] = _("请选择投票人范围。")
    elif values["rule"] in OWNER_RULES and values["electorate"] != ElectorateKind.OWNERS:
        errors["electorate"] = _("业主表决规则只能用于业主投票。")


def _options(values: dict[str, Any], errors: dict[str, str]) -> list[str]:
    if values["form"] not in (tally.Form.CHOOSE_ONE, tally.Form.CHOOSE_MANY):
        return []
    options = [line.strip() for line in values["options"].splitlines() if line.strip()]
    if len(options) < 2:
        errors["options"] = _("请至少列出两个选项，每行一个。")
    elif len(options) > MAX_OPTIONS or len(set(options)) != len(options):
        errors["options"] = _("选项不能重复，最多 %(n)s 个。", n=MAX_OPTIONS)
    elif any(o in ("abstain", "弃权") or len(o) > 200 for o in options):
        errors["options"] = _("“弃权”不用列为选项；每个选项不超过 200 个字。")
    return options


def _opening(raw: str, zone: ZoneInfo, errors: dict[str, str]) -> datetime | None:
    if not raw:
        return None
    try:
        opens = datetime.fromisoformat(raw).replace(tzinfo=zone)
    except ValueError:
        errors["opens_at"] = _("开始时间格式不对，如 2026-12-01 08:00；也可以留空。")
        return None
    if opens <= utcnow():
        errors["opens_at"] = _("开始时间须在将来；想现在开始，请留空，创建后点“开始投票”。")
    return opens


def _closing(raw: str, opens: datetime | None, zone: ZoneInfo, errors: dict[str, str]) -> datetime | None:
    try:
        closes = datetime.fromisoformat(raw).replace(tzinfo=zone)
    except ValueError:
        errors["closes_at"] = _("请填写截止时间，如 2026-12-01 18:00。")
        return None
    if opens and closes <= opens:
        errors["closes_at"] = _("截止时间须晚于开始时间。")
    if closes <= utcnow() + timedelta(minutes=5):
        errors["closes_at"] = _("截止时间须在至少 5 分钟之后。")
    return closes


def choice(request: Request, vote: Vote, name: str = "choice") -> Any:
    """The choice a ballot form sends: an option, yes/no/abstain, or for choose-many a list; None when empty."""
    if vote.form == tally.Form.CHOOSE_MANY:
        chosen = [c for c in forms.form(request).getlist(name) if isinstance(c, str)]
        if not chosen:
            return None
        return "abstain" if chosen == ["abstain"] else chosen
    return forms.text(request, name, max_length=200) or None


@dataclass(frozen=True)
class Ballot:
    entry: str  # the roll entry it is cast for
    choice: Any  # None: nothing chosen
    receipt: str  # a secret ballot's receipt, to change it


def ballot(request: Request, vote: Vote) -> Ballot:
    return Ballot(entry=forms.text(request, "entry", max_length=12), choice=choice(request, vote),
                  receipt=forms.text(request, "receipt", max_length=20))


@dataclass(frozen=True)
class PaperBallot:
    entry: str
    serial: str
    choice: Any


def paper_ballot(request: Request, vote: Vote) -> tuple[PaperBallot, str]:
    """(what was entered, the problem with it or "")."""
    ballot = PaperBallot(entry=forms.text(request, "entry", max_length=12),
                         serial=forms.text(request, "serial", max_length=40), choice=choice(request, vote))
    if not ballot.serial:
        return ballot, _("请填写纸质选票上的编号。")
    if ballot.choice is None:
        return ballot, labels.error_message("bad_choice")
    return ballot, ""


def owners_checked(request: Request) -> bool:
    """Staff ticked 我已核对同名业主 beside 开始投票."""
    return forms.text(request, "owners_checked") == "yes"


def withdrawal(request: Request) -> tuple[str, dict[str, str]]:
    """(the reason for withdrawing a vote, the problems by field)."""
    reason = forms.text(request, "reason", max_length=2000)
    if not reason:
        return reason, {"reason": labels.error_message("reason_needed")}
    if len(reason) > 2000:
        return reason, {"reason": _("理由不能超过 2000 个字。")}
    return reason, {}


@dataclass(frozen=True)
class PaperCorrection:
    serial: str
    new_serial: str
    choice: Any
    reason: str
    entry: str  # open votes: the voter it goes to now ("" keeps the same)


def paper_correction(request: Request, vote: Vote) -> tuple[PaperCorrection | None, dict[str, Any], dict[str, str]]:
    """(the correction to make or None, what was typed, the problems by field)."""
    values: dict[str, Any] = {
        "serial": forms.text(request, "serial", max_length=40),
        "new_serial": forms.text(request, "new_serial", max_length=40),
        "reason": forms.text(request, "reason", max_length=2000), "entry": forms.text(request, "entry", max_length=12),
        "choice": choice(request, vote),
    }
    errors: dict[str, str] = {}
    if not values["serial"]:
        errors["serial"] = _("请填写要更正的纸质选票的编号。")
    if values["choice"] is None:
        errors["choice"] = labels.error_message("bad_choice")
    if not values["reason"]:
        errors["reason"] = _("请写明更正的原因，它会记录在案并随结果公开。")
    if errors:
        return None, values, errors
    return PaperCorrection(serial=values["serial"], new_serial=values["new_serial"], choice=values["choice"],
                           reason=values["reason"], entry=values["entry"] if not vote.secret else ""), values, errors
