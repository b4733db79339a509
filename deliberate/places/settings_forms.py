"""Reading the settings page's form (规则设置): one setting at a time, its new value or back to inheriting."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request

from deliberate.i18n import gettext as _
from deliberate.places import settings
from deliberate.places.settings import Kind, Setting, SettingError
from deliberate.refusal import Invalid
from deliberate.web import forms


@dataclass(frozen=True)
class Change:
    setting: Setting
    value: str | None  # as stored; None: inherit again
    typed: dict[str, str] = field(default_factory=dict)  # what was sent, to fill the form in again
    errors: dict[str, str] = field(default_factory=dict)  # by the setting's key


def change(request: Request) -> Change:
    """The setting named in the form and its checked value; a value the setting refuses (below its legal floor,
    not a number, …) comes back as an error by the setting's key, with what was typed."""
    declared = settings.setting(forms.text(request, "key", max_length=40))
    if declared is None:
        raise Invalid(_("没有这项设置。"))
    if forms.text(request, "inherit", max_length=1) == "1":
        return Change(declared, None)
    typed = {name: forms.text(request, name, max_length=settings.VALUE_LENGTH) for name in ("value", "kind", "amount")}
    raw = f"{typed['kind']}:{typed['amount']}" if declared.kind is Kind.SHARE else typed["value"]
    try:
        return Change(declared, declared.check(raw), typed)
    except SettingError as error:
        return Change(declared, None, typed, {declared.key: error.message})
