"""A place's rules (规则设置): each a value of its own or inherited from the place that contains it.

Each domain declares its settings next to its rules (`declare(Setting(...))`: key, label, kind, default, the legal
floor and its source); this module keeps the values, finds a place's effective ones in one query, and writes them.
A compound without a value of its own takes its community's; a building its compound's, then the community's;
without any, the domain's default. A value set and later given back keeps its row (value None), so the audit log's
entries about it (who, when, old → new) keep pointing at it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Integer, String, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from deliberate.clock import utcnow
from deliberate.db import UTCDateTime
from deliberate.i18n import gettext as _
from deliberate.numbers import digits
from deliberate.places.models import Place
from deliberate.refusal import Refused

VALUE_LENGTH = 24  # the audit log keeps old and new values in as many characters


class PlaceSetting(SQLModel, table=True):
    """One setting of one place; `value` None: the place inherits it again."""

    __tablename__ = "place_setting"
    __table_args__ = (UniqueConstraint("place_id", "key", name="uq_place_setting_key"),)

    id: int = Field(default=None, primary_key=True)  # set by the database when the row is flushed
    place_id: int = Field(sa_column=Column(Integer, ForeignKey("place.id", ondelete="CASCADE"), nullable=False))
    key: str = Field(sa_column=Column(String(40), nullable=False))
    value: str | None = Field(default=None, sa_column=Column(String(VALUE_LENGTH), nullable=True))
    changed_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class Kind(StrEnum):
    DAYS = "days"  # a whole number of days, between the floor and the ceiling
    CHOICE = "choice"  # one of `choices`
    YES_NO = "yes_no"  # "yes" or "no"
    SHARE = "share"  # a kind (one of `choices`) and an amount: "count:10", "households:1/5"


class SettingError(Refused):
    """A value refused (422), with the sentence shown next to its field."""

    def __init__(self, message: str) -> None:
        super().__init__(message, status=422)


@dataclass(frozen=True)
class Setting:
    """One rule a place may set. Labels and sources are functions, so that they are read in the reader's language.

    For DAYS, `floor` is the least the law (`source`) allows, or the least that makes sense without one.
    For SHARE, `choices` are the kinds ("count" or a share of something) and `share_ceiling` the largest share in
    percent the law allows (a place may ask for fewer co-signers than the law, never more)."""

    key: str
    group: str  # "proposals", "votes", "meetings": the page's sections
    label: Callable[[], str]
    kind: Kind
    default: str
    floor: int = 1
    ceiling: int = 365
    source: Callable[[], str] | None = None  # the law that sets the floor (or ceiling)
    choices: Callable[[], Mapping[str, str]] | None = None  # value → label
    share_ceiling: int = 100
    help: Callable[[], str] | None = None

    def check(self, value: str) -> str:
        """The value as stored, or SettingError saying what is wrong with it."""
        if self.kind is Kind.DAYS:
            return str(self._days(value))
        if self.kind is Kind.YES_NO:
            if value not in ("yes", "no"):
                raise SettingError(_("请选择“是”或“否”。"))
            return value
        if self.kind is Kind.CHOICE:
            if value not in self._choices():
                raise SettingError(_("请从列表中选择一项。"))
            return value
        return self._share(value)

    def _choices(self) -> Mapping[str, str]:
        return self.choices() if self.choices else {}

    def _days(self, value: str) -> int:
        number = _number(value)
        if number is None:
            raise SettingError(_("请填写天数（整数）。"))
        if number < self.floor:
            if self.source:
                raise SettingError(_("不能少于 %(floor)s 天（%(source)s）。", floor=self.floor, source=self.source()))
            raise SettingError(_("不能少于 %(floor)s 天。", floor=self.floor))
        if number > self.ceiling:
            raise SettingError(_("不能超过 %(ceiling)s 天。", ceiling=self.ceiling))
        return number

    def _share(self, value: str) -> str:
        kind, _sep, amount = value.partition(":")
        if kind not in self._choices():
            raise SettingError(_("请从列表中选择一项。"))
        if kind == "count":
            number = _number(amount)
            if number is None or not 1 <= number <= 100000:
                raise SettingError(_("人数须是 1 到 100000 之间的整数。"))
            return f"count:{number}"
        numerator, _slash, denominator = amount.strip().removesuffix("%").partition("/")
        top, bottom = _number(numerator), _number(denominator or "100")
        if top is None or bottom is None or not 0 < top <= bottom <= 1000:
            raise SettingError(_("比例须是 1 到 100 之间的百分数。"))
        if top * 100 > self.share_ceiling * bottom:
            raise SettingError(_("比例不能超过 %(ceiling)s%%（%(source)s）。", ceiling=self.share_ceiling,
                                 source=self.source() if self.source else ""))
        return f"{kind}:{top}/{bottom}"

    def form_fields(self, value: str) -> dict[str, str]:
        """The form's fields for a stored value: "value", or for a share its "kind" and "amount" (a count, or a
        percentage where it is a whole one: "households:1/5" is 20)."""
        if self.kind is not Kind.SHARE:
            return {"value": value}
        kind, _sep, amount = value.partition(":")
        if kind != "count":
            numerator, _slash, denominator = amount.partition("/")
            if (int(numerator) * 100) % int(denominator) == 0:
                amount = str(int(numerator) * 100 // int(denominator))
        return {"kind": kind, "amount": amount}

    def limit(self) -> str:
        """The bound a person must keep to, in words, with the law that sets it; "" when there is none."""
        if self.kind is Kind.DAYS and self.source:
            return _("法定最少 %(floor)s 天：%(source)s", floor=self.floor, source=self.source())
        if self.kind is Kind.SHARE and self.source:
            return _("比例最高 %(ceiling)s%%：%(source)s", ceiling=self.share_ceiling, source=self.source())
        if self.source:
            return self.source()
        return ""

    def shown(self, value: str) -> str:
        """The stored value as a person reads it."""
        if self.kind is Kind.DAYS:
            return _("%(n)s 天", n=value)
        if self.kind is Kind.YES_NO:
            return _("是") if value == "yes" else _("否")
        if self.kind is Kind.CHOICE:
            return self._choices().get(value, value)
        kind, _sep, amount = value.partition(":")
        if kind == "count":
            return _("%(what)s %(n)s 人", what=self._choices().get(kind, kind), n=amount)
        return _("%(what)s %(share)s", what=self._choices().get(kind, kind), share=share_percent(amount))


def _number(text: str) -> int | None:
    text = text.strip()
    return int(text) if digits(text) and len(text) <= 9 else None


def share_percent(amount: str) -> str:
    """"1/5" as "20%", "1/3" as "33.33%": the share a person reads."""
    numerator, _slash, denominator = amount.partition("/")
    hundredths = (int(numerator) * 10000 * 2 + int(denominator)) // (2 * int(denominator))
    whole, rest = divmod(hundredths, 100)
    return f"{whole}%" if rest == 0 else f"{whole}.{rest:02d}%"


_DECLARED: dict[str, Setting] = {}
GROUPS = ("proposals", "votes", "meetings")


def declare(*settings: Setting) -> tuple[Setting, ...]:
    """Make these settings known to the settings page and the audit log (each domain, once, at import)."""
    for setting in settings:
        assert setting.group in GROUPS, setting.group
        assert len(setting.default) <= VALUE_LENGTH
        _DECLARED[setting.key] = setting
    return settings


def declared() -> list[Setting]:
    """Every setting, by section in GROUPS order, then in the order each domain declared them."""
    return sorted(_DECLARED.values(), key=lambda s: GROUPS.index(s.group))


def setting(key: str) -> Setting | None:
    return _DECLARED.get(key)


# Reading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Effective:
    setting: Setting
    value: str  # as stored
    own: bool  # set on this place itself
    source_id: int | None  # the place it comes from; None: the default


def _own_rows(session: Session, place_ids: Iterable[int], keys: Iterable[str]) -> list[PlaceSetting]:
    return list(session.exec(
        select(PlaceSetting).where(col(PlaceSetting.place_id).in_(list(place_ids)),
                                   col(PlaceSetting.key).in_(list(keys)), col(PlaceSetting.value).is_not(None))
    ).all())


def effective(session: Session, place: Place, settings: Iterable[Setting]) -> dict[str, Effective]:
    """Each setting's value at this place: its own, else the nearest containing place's, else the default.
    One query, whatever the number of settings and the depth of the place."""
    wanted = {s.key: s for s in settings}
    depth = {ident: index for index, ident in enumerate(place.ancestor_ids)}
    found = {key: Effective(s, s.default, own=False, source_id=None) for key, s in wanted.items()}
    nearest: dict[str, int] = {}
    for row in _own_rows(session, depth, wanted):
        if row.value is None or depth[row.place_id] < nearest.get(row.key, -1):
            continue
        nearest[row.key] = depth[row.place_id]
        found[row.key] = Effective(wanted[row.key], row.value, own=row.place_id == place.id, source_id=row.place_id)
    return found


def values(session: Session, place: Place, settings: Iterable[Setting]) -> dict[str, str]:
    """Each setting's effective value at this place, as stored."""
    return {key: found.value for key, found in effective(session, place, settings).items()}


def own_rows(session: Session, place: Place) -> dict[int, PlaceSetting]:
    """Every row of this place, set or given back, by id: what its history is about."""
    rows = session.exec(select(PlaceSetting).where(PlaceSetting.place_id == place.id)).all()
    return {row.id: row for row in rows}


# Writing ---------------------------------------------------------------------------------------


def do_set(session: Session, place: Place, key: str, value: str | None) -> bool:
    """Set this place's own value (checked against the setting's floor), or None to inherit again.
    True when something changed; the audit log records it (who, when, old → new) from the flush, so two changes
    at once are two entries, each from the value the other left."""
    declared_setting = _DECLARED[key]
    stored = declared_setting.check(value) if value is not None else None
    # The place's row first: two people setting its first value at once are one after the other, and the second
    # finds the first's row (READ COMMITTED reads it after the lock) instead of inserting a second.
    session.exec(select(Place.id).where(Place.id == place.id).with_for_update()).one()
    row = session.exec(
        select(PlaceSetting).where(PlaceSetting.place_id == place.id, PlaceSetting.key == key).with_for_update()
    ).first()
    if row is None:
        if stored is None:
            return False
        row = PlaceSetting(place_id=place.id, key=key)
    if row.id is not None and row.value == stored:
        return False
    row.value, row.changed_at = stored, utcnow()
    session.add(row)
    session.flush()
    return True


def do_set_many(session: Session, place: Place, changes: Mapping[str, str | None]) -> list[str]:
    """Several settings at once; the keys that changed."""
    return [key for key, value in changes.items() if do_set(session, place, key, value)]
