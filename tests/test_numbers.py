"""Whole numbers from people and browsers: only 0-9, so that "²" is a mistake to explain, not a server error."""

from __future__ import annotations

from deliberate.db import parse_id
from deliberate.numbers import digits


def test_only_the_digits_zero_to_nine_are_digits() -> None:
    assert digits("0123456789")
    assert not digits("²") and not digits("١٢") and not digits("１２") and not digits("") and not digits("-1")


def test_a_superscript_id_is_no_id() -> None:
    assert parse_id("12") == 12
    assert parse_id("²") is None
