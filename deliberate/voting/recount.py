"""`deliberate recount FILE`: count an exported vote again, anywhere, with the site's own rules."""

from __future__ import annotations

import io
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from decimal import Decimal, localcontext
from pathlib import Path
from typing import IO, Any, TextIO

import ijson  # type: ignore[import-untyped]

from deliberate.voting.tally import EXACT, Ballot, RecountError, Result, non_voters_rule, parse_recount, tally

BOM = b"\xef\xbb\xbf"
HEADER = ("rule", "form", "options", "electorate", "non_voters_with_majority")
Opener = Callable[[], IO[bytes]]


def _text(opener: Opener) -> str:
    with opener() as stream:
        return stream.read().decode("utf-8")


def load(text: str) -> Any:
    """JSON with every fractional number as an exact Decimal (never a float)."""
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise RecountError(f"invalid JSON: {error.msg} (line {error.lineno}, column {error.colno})") from None
    except RecursionError:
        raise RecountError("invalid JSON: nested too deeply") from None


def _opener(path: str) -> Opener:
    """A way to read the input from its start again (each pass of the stream), past a byte-order mark."""
    if path == "-":
        buffer = getattr(sys.stdin, "buffer", None)
        data = buffer.read() if buffer is not None else sys.stdin.read().encode("utf-8")
        return lambda: _past_bom(io.BytesIO(data))
    Path(path).stat()  # a missing file is an OSError now, not in a pass
    return lambda: _past_bom(open(path, "rb"))  # noqa: SIM115 - closed by the pass that opened it


def _past_bom(stream: IO[bytes]) -> IO[bytes]:
    if stream.read(3) != BOM:
        stream.seek(0)
    return stream


def _ballots(opener: Opener) -> Iterator[Any]:
    with opener() as stream:
        yield from ijson.items(stream, "ballots.item")


def _header(opener: Opener) -> dict[str, Any]:
    """The keys beside the ballots. An export writes them first: they are read up to the ballots and no
    further; a key written after the ballots costs a pass of its own."""
    header: dict[str, Any] = {}
    with opener() as stream:
        events = ijson.parse(stream)
        for prefix, event, value in events:
            if prefix == "" and event == "map_key":
                if value == "ballots":
                    break
                if value in HEADER:
                    header[value] = _value(events)
    for name in set(HEADER) - set(header):
        with opener() as stream:
            header.update((name, item) for item in ijson.items(stream, name))
    return header


def _value(events: Iterator[tuple[str, str, Any]]) -> Any:
    """The JSON value whose events come next, built from them."""
    builder = ijson.ObjectBuilder()
    depth = 0
    for _prefix, event, value in events:
        builder.event(event, value)
        depth += event in ("start_map", "start_array")
        depth -= event in ("end_map", "end_array")
        if depth == 0:
            break
    return builder.value


def streamed(opener: Opener) -> Result:
    """The count of a large export without holding it: the ballots are read as a stream and ballots that say
    the same (choice, heads, area) are added up before the tally checks and counts them, as it would one by
    one. Raises RecountError or ijson's errors where the input is not a clean export; `main` then counts it
    the careful way, which names the first thing wrong."""
    header = _header(opener)
    alike = Counter(_keys(_ballots(opener)))
    header["ballots"] = [_ballot_of(key) for key in alike]
    rule, form, options, electorate, distinct = parse_recount(header)
    with localcontext(EXACT):
        added = [Ballot(choice=b.choice, heads=b.heads * n, area=b.area * n)
                 for b, n in zip(distinct, alike.values(), strict=True)]
    return tally(rule, form, options, electorate, added, non_voters_rule(header))


def _keys(ballots: Iterator[Any]) -> Iterator[tuple[Any, ...]]:
    """What each ballot says, as a key that two ballots share only when they say exactly the same.

    A site's export writes an option (or null), an int of heads and an area as text: that key is the three
    values. Anything else keeps the types beside the values, since true == 1 in Python and only 1 is a head."""
    for raw in ballots:
        if type(raw) is not dict or "choice" not in raw:
            raise RecountError("not a clean export")
        choice, heads, area = raw["choice"], raw.get("heads", 1), raw.get("area", 0)
        if type(heads) is int and type(area) is str and (choice is None or type(choice) is str):
            yield choice, heads, area
        else:
            choice = tuple(choice) if type(choice) is list else choice
            yield choice, type(heads), heads, type(area), area, _element_types(choice)


def _element_types(choice: Any) -> tuple[type, ...]:
    return tuple(map(type, choice)) if type(choice) is tuple else ()


def _ballot_of(key: tuple[Any, ...]) -> dict[str, Any]:
    choice, heads, area = (key[0], key[1], key[2]) if len(key) == 3 else (key[0], key[2], key[4])
    return {"choice": list(choice) if type(choice) is tuple else choice, "heads": heads, "area": area}


def main(path: str, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Print the result as JSON and return 0; or name what is wrong on `err` and return 2."""
    out, err = out or sys.stdout, err or sys.stderr
    try:
        opener = _opener(path)
    except (OSError, UnicodeDecodeError) as error:
        print(f"deliberate recount: cannot read {path}: {error}", file=err)
        return 2
    try:
        result = streamed(opener)
    except (RecountError, ijson.JSONError, TypeError, ValueError):
        try:  # something is wrong: read it whole, the careful way, which says what and where
            data = load(_text(opener))
            result = tally(*parse_recount(data), non_voters_rule(data))
        except UnicodeDecodeError as error:
            print(f"deliberate recount: cannot read {path}: {error}", file=err)
            return 2
        except RecountError as error:
            print(f"deliberate recount: {error}", file=err)
            return 2
    print(json.dumps(result.to_json(), ensure_ascii=False, indent=2), file=out)
    return 0
