"""`deliberate recount FILE`: count an exported vote again, anywhere, with the site's own rules."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from deliberate.voting.tally import RecountError, parse_recount, tally


def read_input(path: str) -> str:
    """The file's text (UTF-8, a byte-order mark allowed), or standard input's for "-"."""
    if path == "-":
        buffer = getattr(sys.stdin, "buffer", None)
        return buffer.read().decode("utf-8-sig") if buffer is not None else sys.stdin.read()
    return Path(path).read_text(encoding="utf-8-sig")


def load(text: str) -> Any:
    """JSON with every fractional number as an exact Decimal (never a float)."""
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise RecountError(f"invalid JSON: {error.msg} (line {error.lineno}, column {error.colno})") from None
    except RecursionError:
        raise RecountError("invalid JSON: nested too deeply") from None


def main(path: str, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Print the result as JSON and return 0; or name what is wrong on `err` and return 2."""
    out, err = out or sys.stdout, err or sys.stderr
    try:
        text = read_input(path)
    except (OSError, UnicodeDecodeError) as error:
        print(f"deliberate recount: cannot read {path}: {error}", file=err)
        return 2
    try:
        result = tally(*parse_recount(load(text)))
    except RecountError as error:
        print(f"deliberate recount: {error}", file=err)
        return 2
    print(json.dumps(result.to_json(), ensure_ascii=False, indent=2), file=out)
    return 0
