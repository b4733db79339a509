"""What the open data pages read: the index of a place's datasets (with their fields and download links for the
period asked for), and the rows of one dataset, streamed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlmodel import Session

from deliberate.opendata.datasets import Dataset, Row, Scope, catalogue
from deliberate.opendata.rules import FIRST_YEAR, Period
from deliberate.places import actions as places
from deliberate.places.models import Place
from deliberate.proposals.queries import id_prefix

UrlFor = Callable[..., str]


def links(url: UrlFor) -> dict[str, str]:
    """Each public page's path up to its id, for the rows' `url` fields."""
    return {"proposal": id_prefix(url, "proposals:detail"), "vote": id_prefix(url, "votes:detail"),
            "meeting": id_prefix(url, "meetings:detail"), "photo": id_prefix(url, "proposals:photo")}


def rows(session: Session, dataset: Dataset, place: Place, period: Period, *, zone: ZoneInfo, now: datetime,
         url: UrlFor) -> Iterator[Row]:
    """The dataset's rows for the place and the places inside it, in the period, read in batches."""
    return dataset.rows(Scope(session, place, period, zone, now, links(url)))


@dataclass(frozen=True)
class Download:
    dataset: Dataset
    csv: str
    json: str


@dataclass(frozen=True)
class DataIndex:
    """A place's open data: each dataset, its fields, and its files for the period (or the period's problems)."""

    place: Place
    trail: list[Place]
    period: Period | None
    values: dict[str, str]  # the period as typed
    errors: dict[str, str]
    downloads: list[Download]
    first_year: int = FIRST_YEAR
    kinds: dict[str, str] = field(default_factory=dict)

    def as_json(self, url: UrlFor) -> dict[str, Any]:
        return {
            "place": {"id": self.place.id, "name": self.place.name, "kind": self.place.kind},
            "from": self.period.start.isoformat() if self.period else None,
            "to": self.period.end.isoformat() if self.period else None,
            "errors": self.errors or None,
            "documentation": "docs/open-data.md",
            "datasets": [{
                "name": d.dataset.name, "title": d.dataset.title, "about": d.dataset.about,
                "dated_by": d.dataset.dated_by, "csv": d.csv, "json": d.json,
                "fields": [{"name": f.name, "type": f.kind, "about": f.about} for f in d.dataset.fields],
            } for d in self.downloads],
        }


def data_index(session: Session, place: Place, period: Period | None, values: dict[str, str],
               errors: dict[str, str], url: UrlFor) -> DataIndex:
    query = f"?{urlencode(period.as_params())}" if period else ""

    def file(dataset: Dataset, kind: str) -> str:
        return str(url(f"opendata:{kind}", id=place.id, dataset=dataset.name)) + query

    return DataIndex(
        place=place, trail=places.ancestors(session, place), period=period, values=values, errors=errors,
        downloads=[Download(d, file(d, "csv"), file(d, "json")) for d in catalogue()],
    )
