"""Reading the forms of meetings: the meeting itself (what was typed, kept for re-rendering, and a draft when it is
all valid), registering, invitations, signing in at the door, the minutes, and the short reasons and notes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from starlette.requests import Request

from deliberate.accounts.models import User
from deliberate.clock import utcnow
from deliberate.db import parse_id
from deliberate.i18n import gettext as _
from deliberate.meetings import rules
from deliberate.meetings.actions import MAX_AGENDA_ITEMS, ItemRecord, MeetingDraft
from deliberate.meetings.models import Access, AgendaItem, ItemMove, Meeting
from deliberate.meetings.queries import MeetingForm
from deliberate.numbers import digits
from deliberate.proposals.models import Proposal
from deliberate.refusal import Invalid, Refused
from deliberate.web import forms

TITLE_MAX, DESCRIPTION_MAX, ROOM_MAX, URL_MAX, ITEM_MAX, REASON_MAX = 200, 5000, 200, 500, 200, 1000
CAPACITY_MAX = 100_000
NOTE_MAX, RECORD_MAX, NAME_MAX = 2_000, 20_000, 50  # a cancellation's reason or a chair's note; the minutes; a name


# The meeting -----------------------------------------------------------------------------------


def defaults(form: MeetingForm, organiser: User, zone: ZoneInfo, proposal: str | None) -> dict[str, Any]:
    """A new meeting's form as it first appears: a consultation four days on, in the evening, chaired by whoever
    calls it, with the proposal it was called from (`?proposal=`) on the agenda if it may go there."""
    day = (utcnow().astimezone(zone) + timedelta(days=4)).strftime("%Y-%m-%d")
    wanted = parse_id(proposal)
    return {"kind": rules.Kind.CONSULTATION.value, "date": day, "start": "19:00", "end": "21:00",
            "access": Access.RESIDENTS, "chair": str(organiser.id),
            "proposals": [str(wanted)] if wanted in form.candidate_ids else []}


def values_now(form: MeetingForm, zone: ZoneInfo) -> dict[str, Any]:
    """The form filled with what the meeting being changed says now."""
    assert form.meeting is not None
    return values_of(form.meeting, zone, [i.proposal_id for i in form.agenda if i.proposal_id],
                     [i.title for i in form.agenda if i.proposal_id is None])


def values_of(meeting: Meeting, zone: ZoneInfo, proposal_ids: list[int], items: list[str]) -> dict[str, Any]:
    """The form filled with what a meeting says now, for editing it."""
    starts, ends = meeting.starts_at.astimezone(zone), meeting.ends_at.astimezone(zone)
    return {
        "kind": meeting.kind, "title": meeting.title, "description": meeting.description,
        "date": starts.strftime("%Y-%m-%d"), "start": starts.strftime("%H:%M"), "end": ends.strftime("%H:%M"),
        "room": meeting.room, "online_url": meeting.online_url,
        "capacity": "" if meeting.capacity is None else str(meeting.capacity), "access": meeting.access,
        "chair": str(meeting.chair_id or ""), "proposals": [str(i) for i in proposal_ids], "items": "\n".join(items),
        "urgent": bool(meeting.urgent_reason), "urgent_reason": meeting.urgent_reason,
    }


@dataclass(frozen=True)
class Typed:
    values: dict[str, Any]  # as typed, to show again
    draft: MeetingDraft | None  # None: something to fix
    errors: dict[str, str]


def meeting(request: Request, form: MeetingForm, zone: ZoneInfo) -> Typed:
    """The meeting as typed on this form: its draft, or the problems by field."""
    values = read(request)
    draft, errors = parse(values, place_kind=form.place.kind, zone=zone, now=utcnow(), current=form.meeting,
                          chair_ids=form.chair_ids, candidate_ids=form.candidate_ids, notice_days=form.notice_days)
    return Typed(values, draft, errors)


def read(request: Request) -> dict[str, Any]:
    form = forms.form(request)
    return {
        "kind": forms.text(request, "kind", max_length=20),
        "title": forms.text(request, "title", max_length=TITLE_MAX),
        "description": forms.text(request, "description", max_length=DESCRIPTION_MAX),
        "date": forms.text(request, "date", max_length=10),
        "start": forms.text(request, "start", max_length=8),
        "end": forms.text(request, "end", max_length=8),
        "room": forms.text(request, "room", max_length=ROOM_MAX),
        "online_url": forms.text(request, "online_url", max_length=URL_MAX),
        "capacity": forms.text(request, "capacity", max_length=7),
        "access": forms.text(request, "access", max_length=12),
        "chair": forms.text(request, "chair", max_length=12),
        "proposals": [v for v in form.getlist("proposal") if isinstance(v, str)][:MAX_AGENDA_ITEMS + 1],
        "items": forms.text(request, "items", max_length=ITEM_MAX * MAX_AGENDA_ITEMS),
        "urgent": forms.text(request, "urgent") == "1",
        "urgent_reason": forms.text(request, "urgent_reason", max_length=REASON_MAX),
    }


def _moment(day: date, raw: str, zone: ZoneInfo) -> datetime | None:
    try:
        return datetime.combine(day, time.fromisoformat(raw), tzinfo=zone)
    except ValueError:
        return None


def _times(values: dict[str, Any], zone: ZoneInfo, errors: dict[str, str]) -> tuple[datetime | None, datetime | None]:
    try:
        day = date.fromisoformat(values["date"])
    except ValueError:
        errors["date"] = _("请填写开会日期，如 2026-12-01。")
        return None, None
    starts, ends = _moment(day, values["start"], zone), _moment(day, values["end"], zone)
    if starts is None:
        errors["start"] = _("请填写开始时间，如 19:00。")
    if ends is None:
        errors["end"] = _("请填写结束时间，如 21:00。")
    return starts, ends


def _capacity(raw: str, errors: dict[str, str]) -> int | None:
    if not raw:
        return None
    if not digits(raw) or not 1 <= int(raw) <= CAPACITY_MAX:
        errors["capacity"] = _("名额应是 1 到 %(n)s 之间的整数；不限名额请留空。", n=CAPACITY_MAX)
        return None
    return int(raw)


def _where(values: dict[str, Any], errors: dict[str, str]) -> None:
    url = values["online_url"]
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > URL_MAX:
            errors["online_url"] = _("线上会议链接须以 http:// 或 https:// 开头。")
    if len(values["room"]) > ROOM_MAX:
        errors["room"] = _("地点不能超过 %(n)s 个字。", n=ROOM_MAX)
    elif not values["room"] and not url:
        errors["room"] = _("请填写开会地点，或线上会议链接。")


def _agenda(values: dict[str, Any], candidate_ids: set[int], errors: dict[str, str]) -> tuple[list[int], list[str]]:
    ids = [parse_id(raw) for raw in values["proposals"]]
    if any(i is None or i not in candidate_ids for i in ids):
        errors["proposal"] = _("请从列表中选择提案。")
    items = [line.strip() for line in values["items"].splitlines() if line.strip()]
    if any(len(item) > ITEM_MAX for item in items):
        errors["items"] = _("每项议程不超过 %(n)s 个字。", n=ITEM_MAX)
    if len(ids) + len(items) > MAX_AGENDA_ITEMS:
        errors["items"] = _("议程最多 %(n)s 项。", n=MAX_AGENDA_ITEMS)
    elif not ids and not items:
        errors["items"] = _("请至少列出一项议程，或选择一条提案。")
    return [i for i in ids if i is not None], items


def parse(values: dict[str, Any], *, place_kind: str, zone: ZoneInfo, chair_ids: set[int], candidate_ids: set[int],
          now: datetime, current: Meeting | None = None, notice_days: Mapping[rules.Kind, int] | None = None,
          ) -> tuple[MeetingDraft | None, dict[str, str]]:
    """The draft, or the errors by field. Editing (`current`) a meeting without moving it keeps the notice it
    was given; a new time is announced now."""
    errors: dict[str, str] = {}
    if values["kind"] not in rules.kinds_for(place_kind):
        errors["kind"] = _("请选择会议类型。")
    if not values["title"]:
        errors["title"] = _("请填写会议名称。")
    elif len(values["title"]) > TITLE_MAX:
        errors["title"] = _("会议名称不能超过 %(n)s 个字。", n=TITLE_MAX)
    if len(values["description"]) > DESCRIPTION_MAX:
        errors["description"] = _("说明不能超过 %(n)s 个字。", n=DESCRIPTION_MAX)
    starts, ends = _times(values, zone, errors)
    _where(values, errors)
    capacity = _capacity(values["capacity"], errors)
    if values["access"] not in Access.ALL:
        errors["access"] = _("请选择谁可以参加。")
    chair = parse_id(values["chair"])
    if chair is None or chair not in chair_ids:
        errors["chair"] = _("请选择会议主持人。")
    proposal_ids, items = _agenda(values, candidate_ids, errors)
    reason = values["urgent_reason"] if values["urgent"] else ""
    if values["urgent"] and not reason:
        errors["urgent_reason"] = _("紧急会议请写明理由，它会显示在会议页面上。")
    elif len(reason) > REASON_MAX:
        errors["urgent_reason"] = _("理由不能超过 %(n)s 个字。", n=REASON_MAX)
    if starts is not None and ends is not None:
        _check_timing(values["kind"], starts, ends, now, current, reason, errors, notice_days or rules.NOTICE_DAYS)
    if errors or starts is None or ends is None or chair is None:
        return None, errors
    return MeetingDraft(
        kind=values["kind"], title=values["title"], description=values["description"],
        starts_at=starts, ends_at=ends, room=values["room"], online_url=values["online_url"], capacity=capacity,
        access=values["access"], chair_id=chair, proposal_ids=tuple(proposal_ids), items=tuple(items),
        urgent_reason=reason,
    ), errors


def _check_timing(kind: str, starts: datetime, ends: datetime, now: datetime, current: Meeting | None,
                  reason: str, errors: dict[str, str], periods: Mapping[rules.Kind, int]) -> None:
    noticed_at = now
    required = periods.get(rules.Kind(kind)) if kind in set(rules.Kind) else None
    if current is not None and (starts, ends) == (current.starts_at, current.ends_at):
        noticed_at = current.noticed_at
        required = current.notice_days if kind == current.kind else required
    else:
        problem = rules.timing_error(starts, ends, now)
        if problem:
            field, message = problem
            errors[field] = message
            return
    if kind in set(rules.Kind):
        refusal = rules.notice_error(kind, starts, noticed_at, reason, required)
        if refusal:
            errors["date"] = refusal


# Registration, invitations, the door -----------------------------------------------------------


def household(request: Request) -> int | None:
    """The household a resident of several registers for; None when they did not say."""
    raw = forms.text(request, "household", max_length=12)
    chosen = parse_id(raw) if raw else None
    if raw and chosen is None:
        raise Invalid(_("请选择您在本地的一户。"))
    return chosen


def reason(request: Request) -> str:
    """Why a meeting is cancelled."""
    return forms.text(request, "reason", max_length=NOTE_MAX)[:NOTE_MAX]


@dataclass(frozen=True)
class Invitation:
    user: str  # the id of the resident invited, or no longer
    remove: bool


def invitation(request: Request) -> Invitation:
    return Invitation(user=forms.text(request, "user", max_length=12),
                      remove=forms.text(request, "intent", max_length=10) == "remove")


SIGN_IN_INTENTS = ("undo", "registrant", "member", "guest")


@dataclass(frozen=True)
class SignIn:
    intent: str  # one of SIGN_IN_INTENTS
    user: str = ""  # a registrant's account
    household: int | None = None  # the household a registrant of several homes speaks for
    member: str = ""  # a person of the register
    name: str = ""  # a guest
    attendance: str = ""  # a sign-in to take back


def sign_in(request: Request) -> SignIn:
    """What the door's form asks: 400 for an intent it does not know, 422 for a guest's name too long."""
    intent = forms.text(request, "intent", max_length=12)
    if intent not in SIGN_IN_INTENTS:
        raise Refused(status=400)
    name = forms.text(request, "name", max_length=NAME_MAX) if intent == "guest" else ""
    if len(name) > NAME_MAX:
        raise Invalid(_("姓名不能超过 %(n)s 个字。", n=NAME_MAX))
    raw = forms.text(request, "household", max_length=12)
    return SignIn(intent=intent, user=forms.text(request, "user", max_length=12),
                  household=parse_id(raw) if raw else None, member=forms.text(request, "member", max_length=12),
                  name=name, attendance=forms.text(request, "attendance", max_length=12))


# Minutes ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TypedMinutes:
    values: dict[str, str]  # attendance and summary
    records: dict[int, ItemRecord]  # by agenda item
    submit: bool  # hand it to the chair, or only save the draft


def minutes(request: Request, agenda: list[tuple[AgendaItem, Proposal | None]]) -> TypedMinutes:
    """The minutes as typed; 422 for a decision's move that is not one."""
    values = {"attendees": forms.text(request, "attendees", max_length=RECORD_MAX)[:RECORD_MAX],
              "summary": forms.text(request, "summary", max_length=RECORD_MAX)[:RECORD_MAX]}
    records = {}
    for item, proposal in agenda:
        move = forms.text(request, f"move-{item.id}", max_length=20) if proposal is not None else ""
        if move not in ItemMove.ALL:
            raise Invalid(_("请选择决定对提案的作用。"))
        records[item.id] = ItemRecord(
            discussion=forms.text(request, f"discussion-{item.id}", max_length=RECORD_MAX)[:RECORD_MAX],
            decision=forms.text(request, f"decision-{item.id}", max_length=RECORD_MAX)[:RECORD_MAX], move=move)
    return TypedMinutes(values, records, forms.text(request, "intent", max_length=10) == "submit")


def note(request: Request) -> str:
    """What the chair asks to change in the minutes sent back."""
    return forms.text(request, "note", max_length=NOTE_MAX)[:NOTE_MAX]
