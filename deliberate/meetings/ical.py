"""Meetings as iCalendar (RFC 5545): one meeting, or a place's calendar as a feed phones subscribe to."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from icalendar import Calendar, Event

from deliberate.i18n import gettext as _
from deliberate.meetings import rules
from deliberate.meetings.models import AgendaItem, Meeting
from deliberate.places.models import Place

PRODID = "-//Deliberate//议事厅//ZH"


def uid(meeting: Meeting, host: str) -> str:
    """Stable for the meeting's life, so that a calendar updates the event it has instead of adding one."""
    return f"meeting-{meeting.id}@{host or 'deliberate'}"


def event(meeting: Meeting, place: Place, *, url: str, host: str, stamp: datetime,
          agenda: Iterable[AgendaItem] = ()) -> Event:
    item = Event()
    item.add("uid", uid(meeting, host))
    item.add("dtstamp", stamp.astimezone(UTC))
    item.add("dtstart", meeting.starts_at.astimezone(UTC))
    item.add("dtend", meeting.ends_at.astimezone(UTC))
    item.add("summary", f"{rules.kind_labels()[meeting.kind]}：{meeting.title}")
    item.add("location", " · ".join(part for part in (place.name, meeting.room, meeting.online_url) if part))
    item.add("description", _description(meeting, agenda, url))
    item.add("url", url)
    item.add("sequence", meeting.sequence)
    item.add("last-modified", meeting.updated_at.astimezone(UTC))
    item.add("status", "CANCELLED" if meeting.cancelled else "CONFIRMED")
    return item


def _description(meeting: Meeting, agenda: Iterable[AgendaItem], url: str) -> str:
    lines = []
    if meeting.cancelled:
        lines.append(_("会议已取消：%(reason)s", reason=meeting.cancel_reason))
    if meeting.description:
        lines.append(meeting.description)
    items = [f"{n}. {item.title}" for n, item in enumerate(agenda, 1)]
    if items:
        lines.append(_("议程：") + "\n" + "\n".join(items))
    if meeting.online_url:
        lines.append(_("线上参会：%(url)s", url=meeting.online_url))
    lines.append(url)
    return "\n\n".join(lines)


def calendar(name: str, events: Iterable[Event]) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Shanghai")
    for item in events:
        cal.add_component(item)
    return bytes(cal.to_ical())


def meetings_calendar(name: str, rows: Iterable[tuple[Meeting, Place]], *, url_of: Callable[[Meeting], str],
                      host: str, stamp: datetime) -> bytes:
    return calendar(name, (event(m, p, url=url_of(m), host=host, stamp=stamp) for m, p in rows))
