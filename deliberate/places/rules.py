"""Plain rules about places and the people in them."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from decimal import Decimal, InvalidOperation

from deliberate.i18n import gettext as _
from deliberate.numbers import digits
from deliberate.places.models import PlaceKind

ADULT_AGE = 18
EARLIEST_BIRTH_YEAR = 1900
MAX_AREA = Decimal("100000")
_AREA = re.compile(r"^\d{1,6}(\.\d{1,2})?$")
_ID_TAIL = re.compile(r"^[0-9]{3}[0-9X]$")


def is_adult(birth_year: int, year: int) -> bool:
    """18+ by birth year alone: a person counts as adult from 1 January of the year they turn 18."""
    return year - birth_year >= ADULT_AGE


def parse_area(raw: str) -> tuple[int | None, str | None]:
    """An area in m² with at most two decimals, as hundredths: (value, error)."""
    text = raw.strip().replace("㎡", "").replace("m²", "").strip()
    if text == "":
        return 0, None
    if not _AREA.match(text):
        return None, _("面积“%(value)s”无效：请填写数字，最多两位小数。", value=raw[:30])
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None, _("面积“%(value)s”无效：请填写数字，最多两位小数。", value=raw[:30])
    if value > MAX_AREA:
        return None, _("面积“%(value)s”过大。", value=raw[:30])
    return int(value * 100), None


def parse_birth_year(raw: str, current_year: int) -> tuple[int | None, str | None]:
    text = raw.strip()
    if not digits(text) or len(text) != 4:
        return None, _("出生年份“%(value)s”无效：请填写四位数年份，如 1956。", value=raw[:30])
    year = int(text)
    if year < EARLIEST_BIRTH_YEAR or year > current_year:
        return None, _("出生年份 %(value)s 不在 %(low)s–%(high)s 之间。", value=year,
                       low=EARLIEST_BIRTH_YEAR, high=current_year)
    return year, None


def check_name(name: str, *, field: str, max_length: int = 50) -> str | None:
    if not name:
        return _("请填写%(field)s。", field=field)
    if len(name) > max_length:
        return _("%(field)s不能超过 %(n)s 个字。", field=field, n=max_length)
    return None


def child_kind(kind: str) -> str | None:
    return PlaceKind.CHILD.get(kind)


def kind_label(kind: str) -> str:
    return {
        PlaceKind.COMMUNITY: _("社区"),
        PlaceKind.COMPOUND: _("小区"),
        PlaceKind.BUILDING: _("楼栋"),
    }.get(kind, kind)


def identity_secret(secret_key: str) -> bytes:
    """The key of owners' identities: derived from SECRET_KEY (as the urn's is), so never in the database. A new
    SECRET_KEY makes the identities entered before it incomparable with those entered after: enter them again."""
    return hmac.new(secret_key.encode(), b"deliberate: owner identities", hashlib.sha256).digest()


def parse_id_tail(raw: str) -> tuple[str | None, str | None]:
    """The last four characters of a resident ID number (the last may be X): (value, error); "" when empty."""
    text = raw.strip().upper()
    if text == "":
        return "", None
    if not _ID_TAIL.match(text):
        return None, _("身份证号后四位无效：请填写四位，前三位是数字，最后一位是数字或 X。")
    return text, None


def owner_identity(secret: bytes, birth_year: int, id_tail: str) -> str:
    """Who an owner is beyond the name, as stored: a keyed hash of the birth year and the ID number's last four
    characters. The digits themselves are kept nowhere; without the key the hash says nothing about them."""
    return hmac.new(secret, f"{birth_year}:{id_tail}".encode(), hashlib.sha256).hexdigest()


def new_owner_link() -> str:
    """The identity staff give to owners they confirm to be one person when none of them has one yet."""
    return secrets.token_hex(32)
