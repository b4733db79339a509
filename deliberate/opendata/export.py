"""Writing a dataset's rows: CSV for spreadsheets (UTF-8 with a BOM, RFC 4180 quoting, CRLF, a header of the
field names, cells that a spreadsheet would run as a formula prefixed with an apostrophe), or the head of its
JSON document (the rows follow it, streamed, by the web layer's `json_stream`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from deliberate.opendata.datasets import Dataset, Row
from deliberate.opendata.rules import Period
from deliberate.places.models import Place
from deliberate.proposals.tracking import safe_cell

CHUNK = 500  # rows a piece of the CSV holds


def cell(value: Any) -> str:
    """A value as its CSV cell: empty for none, true/false, numbers as written, text safe from formulas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return safe_cell(value)


def csv_chunks(dataset: Dataset, rows: Iterable[Row], *, every: int = CHUNK) -> Iterator[str]:
    """The CSV text in pieces of `every` rows, the first with the BOM and the header."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(dataset.names)
    for n, row in enumerate(rows, 1):
        writer.writerow([cell(value) for value in row.values()])
        if n % every == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def json_head(dataset: Dataset, place: Place, period: Period) -> dict[str, Any]:
    """What the JSON document says before its rows."""
    return {"dataset": dataset.name, "place": {"id": place.id, "name": place.name, "kind": place.kind},
            "from": period.start.isoformat(), "to": period.end.isoformat(), "dated_by": dataset.dated_by,
            "fields": dataset.names}


def filename(dataset: Dataset, place: Place, period: Period, extension: str) -> str:
    return f"{dataset.name}-{place.id}-{period.start.isoformat()}-{period.end.isoformat()}.{extension}"
