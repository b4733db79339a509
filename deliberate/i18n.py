"""Languages: Simplified Chinese by default (the message ids themselves), English from Babel."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DEFAULT_LOCALE = "zh_CN"
LOCALES = ("zh_CN", "en")
LOCALE_NAMES = {"zh_CN": "中文", "en": "English"}
LANG_COOKIE = "lang"

current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LOCALE)


@cache
def translations(locale: str) -> NullTranslations:
    if locale == DEFAULT_LOCALE:
        return NullTranslations()
    return Translations.load(str(LOCALE_DIR), [locale], domain="messages")


def gettext(message: str, **variables: Any) -> str:
    text = translations(current_locale.get()).gettext(message)
    return text % variables if variables else text


def pgettext(context: str, message: str, **variables: Any) -> str:
    """A message whose English depends on where it is used (反对 is "No" on a ballot, "Against" in a debate)."""
    text = str(translations(current_locale.get()).pgettext(context, message))
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
    text = translations(current_locale.get()).ngettext(singular, plural, n)
    variables.setdefault("num", n)
    return text % variables


_ = gettext


@contextmanager
def using(locale: str) -> Iterator[None]:
    """Messages in `locale` inside the block, whatever the reader's language is."""
    token = current_locale.set(locale)
    try:
        yield
    finally:
        current_locale.reset(token)


def normalise(tag: str | None) -> str | None:
    if not tag:
        return None
    tag = tag.strip().replace("-", "_")
    lower = tag.lower()
    if lower.startswith("zh"):
        return "zh_CN"
    if lower.startswith("en"):
        return "en"
    return None


def from_accept_language(header: str | None) -> str | None:
    if not header:
        return None
    weighted: list[tuple[float, str]] = []
    for index, part in enumerate(header.split(",")):
        piece = part.strip()
        if not piece:
            continue
        tag, _sep, params = piece.partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        weighted.append((-quality + index * 1e-6, tag))
    for _weight, tag in sorted(weighted):
        found = normalise(tag)
        if found:
            return found
    return None


def choose_locale(cookie: str | None, accept_language: str | None) -> str:
    return normalise(cookie) or from_accept_language(accept_language) or DEFAULT_LOCALE


def html_lang(locale: str) -> str:
    return "zh-CN" if locale == "zh_CN" else Locale.parse(locale).language
