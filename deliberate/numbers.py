"""Reading whole numbers typed by people or sent by browsers."""

from __future__ import annotations


def digits(text: str) -> bool:
    """Only the digits 0-9: `str.isdigit` also accepts "²" and other digits that `int` refuses or reads
    otherwise, which would turn a typo into a server error."""
    return text.isascii() and text.isdigit()
