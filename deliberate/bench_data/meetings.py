"""Meetings with agendas, registrations, sign-ins at the door, and the minutes of those held."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from deliberate.bench_data import words
from deliberate.bench_data.bulk import Bulk
from deliberate.bench_data.proposals import Made
from deliberate.bench_data.register import Register
from deliberate.bench_data.sizes import Scale
from deliberate.meetings.models import Access, MeetingStatus, MinutesStatus, RegistrationStatus
from deliberate.meetings.rules import NOTICE_DAYS, Kind


def load(bulk: Bulk, scale: Scale, rng: random.Random, reg: Register, made: list[Made], *, now: datetime) -> int:
    """Returns the id of a held meeting of the first community, with its minutes, for urls.json."""
    by_community: dict[int, list[Made]] = {}
    for proposal in made:
        if proposal.stage != "draft":
            by_community.setdefault(proposal.community, []).append(proposal)
    households = sum(len(c.homes) for c in reg.communities)
    showcase = 0
    hour = now.replace(minute=0, second=0, microsecond=0)
    for community in reg.communities:
        share = max(1, round(scale.meetings * len(community.homes) / households))
        for n in range(share):
            first = community.community == 0 and n == 0
            on_compound = not first and rng.random() < 0.4
            place_id = rng.choice(reg.compounds[community.community]).id if on_compound else community.id
            kinds = [k for k in Kind if on_compound or k is not Kind.OWNERS_ASSEMBLY]
            kind = Kind.CONSULTATION if first else rng.choice(kinds)
            starts = hour - timedelta(days=10) if first else hour + timedelta(hours=rng.randint(-24 * 365, 24 * 30))
            held = starts < now
            cancelled = not first and rng.random() < 0.03
            staff = reg.staff[community.community]
            meeting_id = bulk.next_id("meeting")
            noticed = starts - timedelta(days=NOTICE_DAYS[kind] + 2)
            bulk.add("meeting", {
                "id": meeting_id, "place_id": place_id, "kind": kind.value, "title": f"{words.title(rng)}协商会",
                "description": words.markdown(rng), "starts_at": starts, "ends_at": starts + timedelta(hours=2),
                "room": "社区活动中心二楼", "online_url": "", "capacity": None if rng.random() < 0.7 else 60,
                "access": Access.RESIDENTS if rng.random() < 0.8 else Access.OPEN, "chair_id": staff,
                "organiser_id": staff, "status": MeetingStatus.CANCELLED if cancelled else MeetingStatus.SCHEDULED,
                "noticed_at": noticed, "notice_days": NOTICE_DAYS[kind], "urgent_reason": "", "sequence": 0,
                "cancelled_at": noticed + timedelta(days=1) if cancelled else None,
                "cancel_reason": "时间冲突" if cancelled else "", "cancelled_by_id": staff if cancelled else None,
                "created_at": noticed, "updated_at": noticed})
            candidates = by_community.get(community.community, [])
            linked = rng.sample(candidates, min(len(candidates), rng.randint(1, 3)))
            for position, proposal in enumerate(linked):
                bulk.add("meeting_agenda_item", {
                    "id": bulk.next_id("meeting_agenda_item"), "meeting_id": meeting_id, "position": position,
                    "title": f"议题{position + 1}", "proposal_id": proposal.id,
                    "discussion": words.body(rng, 2) if held else "", "decision": "同意推进。" if held else "",
                    "move": "", "event_id": None})
            people = community.accounts
            registered = rng.sample(people, min(len(people), 40 if first else rng.randint(5, 30)))
            for user_id in registered:
                bulk.add("meeting_registration", {
                    "id": bulk.next_id("meeting_registration"), "meeting_id": meeting_id, "user_id": user_id,
                    "household_id": None, "status": RegistrationStatus.REGISTERED, "queued_at": noticed,
                    "cancelled_at": None, "created_at": noticed, "updated_at": noticed})
            if held and not cancelled:
                came = registered[: len(registered) * 3 // 4]
                for user_id in came:
                    member = reg.account_member[user_id]
                    bulk.add("meeting_attendance", {
                        "id": bulk.next_id("meeting_attendance"), "meeting_id": meeting_id, "user_id": user_id,
                        "member_id": member, "household_id": None, "name": reg.member_name(member),
                        "walk_in": False, "signed_in_by_id": staff, "signed_in_at": starts})
                bulk.add("meeting_minutes", {
                    "meeting_id": meeting_id, "status": MinutesStatus.PUBLISHED,
                    "attendees": f"居民代表{len(came)}人", "summary": words.body(rng, 3), "return_note": "",
                    "drafted_by_id": staff, "submitted_at": starts + timedelta(hours=3), "approved_by_id": staff,
                    "published_at": starts + timedelta(days=1), "created_at": starts + timedelta(hours=3),
                    "updated_at": starts + timedelta(days=1)})
            if first:
                showcase = meeting_id
    return showcase
