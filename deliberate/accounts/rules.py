"""What makes an account's fields valid. Each check returns an error message or None."""

from __future__ import annotations

import re
from collections.abc import Iterable

from deliberate.accounts import passwords
from deliberate.i18n import gettext as _

USERNAME = re.compile(r"^[a-z0-9_]{3,32}$")
# Deliberately loose: one @, no spaces, a dot in the domain. The mail server is the real judge.
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s.]+$")


def normalise_username(raw: str) -> str:
    return raw.strip().lower()


def check_username(username: str) -> str | None:
    if not USERNAME.match(username):
        return _("用户名需 3–32 个字符，只能用小写字母、数字和下划线（也可以用手机号）。")
    return None


def check_display_name(name: str) -> str | None:
    if not name:
        return _("请填写姓名或称呼。")
    if len(name) > 50:
        return _("姓名不能超过 50 个字。")
    return None


def check_new_password(password: str, confirm: str, *, username: str = "") -> str | None:
    if len(password) < passwords.MIN_LENGTH:
        return _("密码至少需要 %(n)s 个字符。", n=passwords.MIN_LENGTH)
    if len(password) > passwords.MAX_LENGTH:
        return _("密码不能超过 %(n)s 个字符。", n=passwords.MAX_LENGTH)
    if username and password.lower() == username.lower():
        return _("密码不能和用户名相同。")
    if password != confirm:
        return _("两次输入的密码不一致。")
    return None


def normalise_email(raw: str) -> str:
    return raw.strip()


def check_email(email: str) -> str | None:
    """An empty address is allowed: it means no e-mail."""
    if email and (len(email) > 254 or not EMAIL.match(email)):
        return _("请填写有效的电子邮箱地址，例如 wang@example.com。")
    return None


class RegisterMatch:
    """What the household's register says of the name and birth year a claim gives."""

    MATCH = "match"  # a member of that name and year, not yet verified for any account
    TAKEN = "taken"  # that member is on the register, but already verified for another account
    YEAR_DIFFERS = "year_differs"  # a member of that name, with another birth year
    NO_MEMBER = "no_member"  # nobody of that name

    MISMATCHES = (TAKEN, YEAR_DIFFERS, NO_MEMBER)


def register_match(name: str, birth_year: int, members: Iterable[tuple[str, int, int | None]]) -> str:
    """`members`: (name, birth year, verified account or None) of each person on the household's register."""
    people = list(members)
    same_name = [(year, user_id) for member, year, user_id in people if member == name]
    if any(year == birth_year and user_id is None for year, user_id in same_name):
        return RegisterMatch.MATCH
    if any(year == birth_year for year, _user_id in same_name):
        return RegisterMatch.TAKEN
    if same_name:
        return RegisterMatch.YEAR_DIFFERS
    return RegisterMatch.NO_MEMBER


def register_match_label(match: str) -> str:
    return {
        RegisterMatch.MATCH: _("与名册一致"),
        RegisterMatch.TAKEN: _("名册上的此人已由另一账户认领"),
        RegisterMatch.YEAR_DIFFERS: _("名册上有此姓名，但出生年份不同"),
        RegisterMatch.NO_MEMBER: _("名册上没有此人"),
    }.get(match, "")
