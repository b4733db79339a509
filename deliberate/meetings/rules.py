"""A meeting's rules, pure: kinds and their notice periods, who may register, capacity and the waiting list.

No session and no request: actions, access and pages ask here and show the sentence a refusal carries.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from deliberate.i18n import gettext as _
from deliberate.meetings.models import Access, ItemMove, MeetingStatus, RegistrationStatus
from deliberate.places import settings
from deliberate.places.settings import Setting
from deliberate.refusal import Refused


class MeetingError(Refused):
    """A refusal shown to the person: `status` is 409 (the meeting's state), 422 (what was typed) or 403."""


def refuse(message: str | tuple[str, str] | None, status: int = 409) -> None:
    """Raise the refusal a rule gave (a sentence, or a field and its sentence), if it gave one."""
    if isinstance(message, tuple):
        message = message[1]
    if message:
        raise MeetingError(message, status)


class Kind(StrEnum):
    LISTENING = "listening"  # 民情恳谈会: hear what residents think
    CONSULTATION = "consultation"  # 民事协商会: work out a matter together
    HEARING = "hearing"  # 民意听证会: before a decision
    EVALUATION = "evaluation"  # 民主评议会: judge the results
    COORDINATION = "coordination"  # 协调会: settle a dispute
    COUNCIL = "council"  # 议事会会议: a council's own session
    OWNERS_ASSEMBLY = "owners_assembly"  # 业主大会: a compound's owners


# Days of notice each kind asks for. The owners' assembly is announced 15 days ahead (物业管理条例 第十四条),
# an owners' committee meeting 7 days ahead (业主大会和业主委员会指导规则 第三十九条), and so is a council
# session; a hearing gives people a week to prepare; the others are the seeds' everyday practice.
NOTICE_DAYS: dict[Kind, int] = {
    Kind.LISTENING: 1,
    Kind.CONSULTATION: 3,
    Kind.HEARING: 7,
    Kind.EVALUATION: 3,
    Kind.COORDINATION: 1,
    Kind.COUNCIL: 7,
    Kind.OWNERS_ASSEMBLY: 15,
}
assert set(NOTICE_DAYS) == set(Kind)

SIGN_IN_OPENS = timedelta(hours=2)  # before the start, the door opens
MAX_LENGTH = timedelta(hours=12)  # one sitting, on one day


def kind_labels() -> dict[str, str]:
    return {
        Kind.LISTENING: _("民情恳谈会"),
        Kind.CONSULTATION: _("民事协商会"),
        Kind.HEARING: _("民意听证会"),
        Kind.EVALUATION: _("民主评议会"),
        Kind.COORDINATION: _("矛盾协调会"),
        Kind.COUNCIL: _("议事会会议"),
        Kind.OWNERS_ASSEMBLY: _("业主大会会议"),
    }


def access_labels() -> dict[str, str]:
    return {
        Access.OPEN: _("公开，所有人都可报名"),
        Access.RESIDENTS: _("本地核实居民可报名"),
        Access.INVITED: _("仅限受邀人员"),
    }


def move_labels() -> dict[str, str]:
    return {
        ItemMove.NONE: _("不改变提案进度"),
        ItemMove.ACCEPT: _("受理立案"),
        ItemMove.REQUEST_CHANGES: _("请作者修改"),
        ItemMove.REJECT: _("驳回（以决定为公开理由）"),
        ItemMove.PUBLISH_PLAN: _("公示方案"),
    }


def kinds_for(place_kind: str) -> list[Kind]:
    """The kinds a place may hold: an owners' assembly belongs to a compound (物业管理区域)."""
    return [kind for kind in Kind if kind is not Kind.OWNERS_ASSEMBLY or place_kind == "compound"]


def notice_days(kind: str, periods: Mapping[Kind, int] | None = None) -> int:
    """Days of notice this kind asks for: the place's (`periods`, see `notice_periods`), else the default."""
    return (periods or NOTICE_DAYS)[Kind(kind)]


# The notice periods are a place's settings (规则设置), inherited by the places inside it. The law's floors: an
# owners' assembly 15 days (物业管理条例 第十四条), an owners' committee's meeting 7 days (指导规则 第三十九条), the
# rule a council session follows here; the other kinds at least a day.
_FLOORS: dict[Kind, tuple[int, Callable[[], str]]] = {
    Kind.OWNERS_ASSEMBLY: (15, lambda: _("物业管理条例 第十四条：业主大会会议应当于会议召开 15 日以前通知全体业主")),
    Kind.COUNCIL: (7, lambda: _("业主大会和业主委员会指导规则 第三十九条：会议召开 7 日前公告")),
}


def _notice_label(kind: Kind) -> Callable[[], str]:
    return lambda: _("%(kind)s的通知期", kind=kind_labels()[kind])


def setting_key(kind: Kind) -> str:
    return f"meetings.notice.{kind.value}"


SETTINGS: tuple[Setting, ...] = settings.declare(*(
    Setting(setting_key(kind), "meetings", _notice_label(kind), settings.Kind.DAYS, str(days),
            floor=_FLOORS[kind][0] if kind in _FLOORS else 1, ceiling=90,
            source=_FLOORS[kind][1] if kind in _FLOORS else None)
    for kind, days in NOTICE_DAYS.items()
))


def notice_periods(values: Mapping[str, str]) -> dict[Kind, int]:
    """Each kind's notice period from a place's effective settings."""
    return {kind: int(values[setting_key(kind)]) for kind in Kind}


@dataclass(frozen=True)
class Notice:
    required_days: int
    given: timedelta  # from the announcement to the start

    @property
    def met(self) -> bool:
        return self.given >= timedelta(days=self.required_days)

    @property
    def given_days(self) -> int:
        """Whole days of notice given, as a resident counts them."""
        return max(0, self.given.days)


def notice(kind: str, noticed_at: datetime, starts_at: datetime, required_days: int | None = None) -> Notice:
    """The notice given; `required_days` the place's period (a meeting keeps the one it was announced under)."""
    return Notice(notice_days(kind) if required_days is None else required_days, starts_at - noticed_at)


def timing_error(starts_at: datetime, ends_at: datetime, now: datetime) -> tuple[str, str] | None:
    """Why these times cannot be a meeting's, as (which time is wrong: "start" or "end", the sentence)."""
    if starts_at <= now:
        return "start", _("开始时间须在将来。")
    if ends_at <= starts_at:
        return "end", _("结束时间须晚于开始时间。")
    if ends_at - starts_at > MAX_LENGTH:
        return "end", _("一次会议不能超过 12 小时。")
    return None


def notice_error(kind: str, starts_at: datetime, now: datetime, urgent_reason: str,
                 required_days: int | None = None) -> str | None:
    """The refusal of a meeting called at too short a notice, unless it is urgent and says why."""
    given = notice(kind, now, starts_at, required_days)
    if given.met or urgent_reason.strip():
        return None
    return _(
        "%(kind)s须提前 %(days)s 天通知，现在距开会只有 %(given)s 天。请推迟开会时间，或勾选“紧急会议”并写明理由。",
        kind=kind_labels()[kind], days=given.required_days, given=given.given_days,
    )


# Registration -----------------------------------------------------------------------------------


def registration_refusal(
    *, status: str, starts_at: datetime, now: datetime, access: str, lives_here: bool, invited: bool,
) -> tuple[int, str] | None:
    """Why this person may not register now, with the status to answer: 409 for the meeting's state,
    403 for who they are. None when they may."""
    if status == MeetingStatus.CANCELLED:
        return 409, _("会议已取消。")
    if now >= starts_at:
        return 409, _("会议已经开始，报名已截止。")
    if access == Access.RESIDENTS and not lives_here:
        return 403, _("这次会议只接受本地核实居民报名。")
    if access == Access.INVITED and not invited:
        return 403, _("这次会议只限受邀人员参加。")
    return None


def cancellation_refusal(*, status: str, starts_at: datetime, now: datetime) -> str | None:
    if status == MeetingStatus.CANCELLED:
        return _("会议已取消。")
    if now >= starts_at:
        return _("会议已经开始，不能再取消报名。")
    return None


def seat_for(capacity: int | None, registered: int) -> str:
    """A newcomer's place: a seat while there is one, else the waiting list."""
    if capacity is None or registered < capacity:
        return RegistrationStatus.REGISTERED
    return RegistrationStatus.WAITING


def promotions(capacity: int | None, registered: int, waiting: int) -> int:
    """How many at the head of the waiting list get a seat now."""
    free = waiting if capacity is None else max(0, capacity - registered)
    return min(free, waiting)


def sign_in_refusal(*, status: str, starts_at: datetime, now: datetime, minutes_published: bool) -> str | None:
    if status == MeetingStatus.CANCELLED:
        return _("会议已取消。")
    if now < starts_at - SIGN_IN_OPENS:
        return _("签到在会议开始前两小时开放。")
    if minutes_published:
        return _("会议纪要已发布，签到名单不能再改。")
    return None


def minutes_refusal(*, status: str, starts_at: datetime, now: datetime, published: bool = False) -> str | None:
    """Why the minutes may not be drafted or changed now."""
    if status == MeetingStatus.CANCELLED:
        return _("会议已取消，没有纪要。")
    if now < starts_at:
        return _("会议开始后才能起草纪要。")
    if published:
        return _("会议纪要已发布，不能再修改。")
    return None


def change_refusal(*, status: str, ends_at: datetime, now: datetime, minutes_published: bool) -> str | None:
    """Why a meeting may no longer be edited or cancelled."""
    if status == MeetingStatus.CANCELLED:
        return _("会议已取消。")
    if minutes_published:
        return _("会议纪要已发布，会议信息不能再改。")
    if now >= ends_at:
        return _("会议已经结束，不能再修改或取消。")
    return None


# Finding people by name ------------------------------------------------------------------------

SEARCH_MAX = 50  # characters of a name typed to look for
SEARCH_LIMIT = 30  # people listed at most: a search finds someone, it does not page through a register
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def search_term(raw: str) -> str:
    """The name to look for as typed (trimmed, at most 50 characters), or "" when it is too short to look for:
    a Chinese name is found by one character (a surname), anything else needs two."""
    term = raw.strip()[:SEARCH_MAX]
    if _HAN.search(term) or len(term) >= 2:
        return term
    return ""
