"""Votes of every rule and form with their frozen rolls and their ballots, open and secret; and the few
special ones the benchmark reads: an owners' vote of a whole large community, the largest vote, and an
open vote whose voters may cast ballots over HTTP."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from deliberate.bench_data import proposals
from deliberate.bench_data.bulk import Bulk
from deliberate.bench_data.register import Area, Register
from deliberate.bench_data.sizes import Scale
from deliberate.voting import electorate
from deliberate.voting.actions import RECEIPT_ALPHABET
from deliberate.voting.electorate import Unit, Voter
from deliberate.voting.models import Channel, ElectorateKind, VoteStatus
from deliberate.voting.tally import OWNERS_RULES, Form, Rule

E = ElectorateKind
OTHERS = [E.ADULTS, E.HOUSEHOLDS, E.ADULTS, E.HOUSEHOLDS, E.ADULTS, E.COUNCIL, E.REPRESENTATIVES]
OPTIONS = ["方案一", "方案二", "方案三", "方案四"]


@dataclass
class Made:
    owners_vote: int = 0
    big_vote: int = 0
    voters_vote: int = 0
    to_close: list[int] = field(default_factory=list)
    to_certify: list[tuple[int, int]] = field(default_factory=list)  # (vote, staff user)
    comments: int = 0


@dataclass(frozen=True)
class Plan:
    """One vote to write: where, how, its roll and what becomes of it."""

    area: Area
    rule: Rule
    form: Form
    electorate: str
    secret: bool
    status: str  # DRAFT, OPEN, CLOSED (closed at load), CERTIFIED (closed, then certified)
    turnout: float


def load(bulk: Bulk, scale: Scale, rng: random.Random, reg: Register, *, now: datetime) -> Made:
    made = Made()
    users_of = {member: user for user, member in reg.account_member.items()}
    first, compound = reg.communities[0], reg.compounds[0][0]
    made.owners_vote = _vote(bulk, rng, reg, users_of, made, now,
                             Plan(first, Rule.OWNERS_MAJOR, Form.YES_NO, E.OWNERS, False, VoteStatus.CLOSED, 0.85))
    made.big_vote = _vote(bulk, rng, reg, users_of, made, now,
                          Plan(first, Rule.MAJORITY, Form.YES_NO, E.ADULTS, False, VoteStatus.CLOSED, 0.95),
                          roll=_crowd(scale.big_vote * 20 // 19))
    made.voters_vote = _vote(bulk, rng, reg, users_of, made, now,
                             Plan(compound, Rule.MAJORITY, Form.YES_NO, E.ADULTS, False, VoteStatus.OPEN, 0.3))
    combos = [(rule, form) for rule in Rule for form in Form]
    for n in range(scale.votes - 3):
        rule, form = combos[n % len(combos)]
        kind = E.OWNERS if rule in OWNERS_RULES else OTHERS[n // len(combos) % len(OTHERS)]
        community = reg.communities[rng.randrange(len(reg.communities))]
        on_community = kind in (E.COUNCIL, E.REPRESENTATIVES) or (kind != E.ADULTS and rng.random() < 0.5) \
            or rng.random() < 0.3
        area = community if on_community else rng.choice(reg.compounds[community.community])
        status = VoteStatus.DRAFT if n % 50 == 21 else VoteStatus.OPEN if n % 10 < 3 \
            else VoteStatus.CERTIFIED if n % 10 == 9 else VoteStatus.CLOSED
        _vote(bulk, rng, reg, users_of, made, now,
              Plan(area, rule, form, kind, n % 4 == 1, status, rng.uniform(0.6, 0.95)))
    return made


def _crowd(size: int) -> Iterator[Voter]:
    """The largest vote's roll: more people than any place holds, so not drawn from the register."""
    for n in range(1, size + 1):
        yield Voter(key=f"bench:{n}", label=f"居民{n}")


def _roll(reg: Register, users_of: dict[int, int], plan: Plan) -> list[Voter]:
    area, kind = plan.area, plan.electorate
    if kind == E.ADULTS:
        return [Voter(key=f"member:{m}", label=f"{reg.member_name(m)}（{h.label}）", user_id=users_of.get(m),
                      household_ids=(h.id,))
                for h in area.homes for m in range(h.first_member, h.first_member + h.members) if reg.adult(m)]
    if kind == E.HOUSEHOLDS:
        return [Voter(key=f"household:{h.id}", label=h.label, household_ids=(h.id,)) for h in area.homes]
    if kind == E.OWNERS:
        return electorate.owner_voters([Unit(h.id, h.label, h.area_centi, h.owners, h.developer) for h in area.homes])
    if kind == E.COUNCIL:
        return [Voter(key=f"user:{u}", label=reg.member_name(reg.account_member[u]), user_id=u)
                for u in reg.council[area.community]]
    buildings = set(area.buildings) if area.kind == "compound" \
        else {b for c in reg.compounds[area.community] for b in c.buildings}
    return [Voter(key=f"user:{u}", label=reg.member_name(reg.account_member[u]), user_id=u)
            for b, u in sorted(reg.leaders.items()) if b in buildings]


def _choice(rng: random.Random, form: Form, options: list[str]) -> Any:
    if form == Form.YES_NO:
        return rng.choices(("yes", "no", "abstain"), (62, 30, 8))[0]
    if rng.random() < 0.06:
        return "abstain"
    if form == Form.CHOOSE_ONE:
        return rng.choices(options, range(len(options), 0, -1))[0]
    picked = set(rng.sample(options, rng.randint(1, len(options))))
    return [o for o in options if o in picked]


def _receipt(rng: random.Random) -> str:
    code = "".join(rng.choice(RECEIPT_ALPHABET) for _ in range(10))
    return f"{code[:5]}-{code[5:]}"


def _vote(bulk: Bulk, rng: random.Random, reg: Register, users_of: dict[int, int], made: Made, now: datetime,
          plan: Plan, *, roll: Iterator[Voter] | None = None) -> int:
    vote_id = bulk.next_id("vote")
    staff = reg.staff[plan.area.community]
    running = plan.status in (VoteStatus.OPEN, VoteStatus.DRAFT)
    opens = now - timedelta(days=2) if running else now - timedelta(days=rng.randint(20, 400))
    closes = now + timedelta(days=rng.randint(5, 30)) if running else opens + timedelta(days=14)
    options = OPTIONS[: rng.randint(2, 4)] if plan.form != Form.YES_NO else []
    bulk.add("vote", {
        "id": vote_id, "place_id": plan.area.id, "title": f"关于{plan.area.name}事项的表决（{vote_id}）",
        "question": "您是否同意本方案？", "form": plan.form.value, "rule": plan.rule.value,
        "electorate": plan.electorate, "secret": plan.secret, "results_while_open": rng.random() < 0.3,
        "status": VoteStatus.DRAFT if plan.status == VoteStatus.DRAFT else VoteStatus.OPEN, "subject_kind": "",
        "subject_id": None, "opens_at": None if plan.status == VoteStatus.DRAFT else opens, "closes_at": closes,
        "closed_at": None, "certified_at": None, "certified_by_id": None, "created_by_id": staff, "result_json": "",
        "created_at": opens - timedelta(days=1)})
    for position, label in enumerate(options):
        bulk.add("vote_option", {"id": bulk.next_id("vote_option"), "vote_id": vote_id, "position": position,
                                 "label": label})
    if plan.status == VoteStatus.DRAFT:
        return vote_id
    if plan.status in (VoteStatus.CLOSED, VoteStatus.CERTIFIED):
        made.to_close.append(vote_id)
    if plan.status == VoteStatus.CERTIFIED:
        made.to_certify.append((vote_id, staff))
    receipts: set[str] = set()
    span = (min(closes, now) - opens).total_seconds()
    for voter in roll if roll is not None else _roll(reg, users_of, plan):
        entry_id = bulk.next_id("roll_entry")
        voted = rng.random() < plan.turnout
        paper = voted and rng.random() < 0.05
        channel = (Channel.PAPER if paper else Channel.ONLINE) if voted else None
        bulk.add("roll_entry", {
            "id": entry_id, "vote_id": vote_id, "voter_key": voter.key, "label": voter.label,
            "user_id": voter.user_id, "household_ids": ",".join(map(str, voter.household_ids)),
            "owner_name": voter.owner_name, "heads": voter.heads, "area_centi": voter.area_centi,
            "has_voted": voted, "channel": channel, "entered_by_id": staff if paper else None})
        if not voted:
            continue
        choice = json.dumps(_choice(rng, plan.form, options), ensure_ascii=False)
        serial = f"P{vote_id}-{entry_id}" if paper else ""
        if plan.secret:
            while (receipt := _receipt(rng)) in receipts:
                pass
            receipts.add(receipt)
            bulk.add("secret_ballot", {"receipt": receipt, "vote_id": vote_id, "choice": choice,
                                       "heads": voter.heads, "area_centi": voter.area_centi, "paper_serial": serial})
        else:
            bulk.add("ballot", {
                "id": bulk.next_id("ballot"), "vote_id": vote_id, "roll_entry_id": entry_id, "choice": choice,
                "channel": channel, "paper_serial": serial, "entered_by_id": staff if paper else None,
                "cast_at": opens + timedelta(seconds=rng.uniform(0, span)), "changes": 0})
    made.comments += proposals.thread(bulk, rng, plan.area.accounts or reg.communities[plan.area.community].accounts,
                                      "vote", vote_id, plan.area.id, rng.randint(0, 4), opens, now)
    return vote_id
