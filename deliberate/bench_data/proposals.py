"""Proposals at every stage with the events that led there, their plans and works, ratings, and comments."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from deliberate.bench_data import words
from deliberate.bench_data.bulk import Bulk
from deliberate.bench_data.register import Area, Register
from deliberate.bench_data.sizes import Scale
from deliberate.discussion import rules as discussion_rules
from deliberate.proposals.models import InspectionKind, PlanStatus
from deliberate.proposals.rules import Action, Category, Rating, Stage

S = Stage
PATH = [(Action.SUBMIT, S.DRAFT, S.COSIGNING), (Action.REACH_THRESHOLD, S.COSIGNING, S.REVIEW),
        (Action.ACCEPT, S.REVIEW, S.ACCEPTED), (Action.PUBLISH_PLAN, S.ACCEPTED, S.DISCLOSURE),
        (Action.END_DISCLOSURE, S.DISCLOSURE, S.DECISION), (Action.APPROVE_PLAN, S.DECISION, S.IMPLEMENTATION),
        (Action.START_WORKS, S.IMPLEMENTATION, S.IMPLEMENTATION),
        (Action.COMPLETE_WORKS, S.IMPLEMENTATION, S.ACCEPTANCE),
        (Action.PASS_ACCEPTANCE, S.ACCEPTANCE, S.RATING), (Action.CLOSE, S.RATING, S.CLOSED)]
STEPS: dict[Stage, list[tuple[Action, Stage, Stage]]] = {
    S.DRAFT: [], S.COSIGNING: PATH[:1], S.REVIEW: PATH[:2],
    S.CHANGES_REQUESTED: [*PATH[:2], (Action.REQUEST_CHANGES, S.REVIEW, S.CHANGES_REQUESTED)],
    S.ACCEPTED: PATH[:3], S.DISCLOSURE: PATH[:4], S.DECISION: PATH[:5], S.IMPLEMENTATION: PATH[:7],
    S.ACCEPTANCE: PATH[:8], S.RATING: PATH[:9], S.CLOSED: PATH[:10],
    S.REJECTED: [*PATH[:2], (Action.REJECT, S.REVIEW, S.REJECTED)],
    S.MERGED: [*PATH[:2], (Action.MERGE, S.REVIEW, S.MERGED)],
    S.WITHDRAWN: [*PATH[:1], (Action.WITHDRAW, S.COSIGNING, S.WITHDRAWN)],
}
WEIGHTS = {S.DRAFT: 4, S.COSIGNING: 16, S.REVIEW: 8, S.CHANGES_REQUESTED: 4, S.ACCEPTED: 8, S.DISCLOSURE: 6,
           S.DECISION: 6, S.IMPLEMENTATION: 10, S.ACCEPTANCE: 5, S.RATING: 5, S.CLOSED: 14, S.REJECTED: 7,
           S.MERGED: 3, S.WITHDRAWN: 4}
ORDER = list(PATH[i][2] for i in range(len(PATH)))
NEEDED = 5  # co-signatures the default threshold asks for here
BY_STAFF = {Action.ACCEPT, Action.REJECT, Action.MERGE, Action.REQUEST_CHANGES, Action.PUBLISH_PLAN,
            Action.START_WORKS, Action.COMPLETE_WORKS, Action.PASS_ACCEPTANCE}


@dataclass(frozen=True)
class Made:
    id: int
    place_id: int
    community: int
    stage: Stage
    created_at: datetime


def _reached(stage: Stage, step: Stage) -> bool:
    """Whether a proposal now at `stage` went through `step` on the main path."""
    return stage in ORDER and ORDER.index(stage) >= ORDER.index(step)


def load(bulk: Bulk, scale: Scale, rng: random.Random, reg: Register, *, now: datetime) -> list[Made]:
    made: list[Made] = []
    households = sum(len(c.homes) for c in reg.communities)
    stages, weights = list(WEIGHTS), list(WEIGHTS.values())
    for community in reg.communities:
        share = round(scale.proposals * len(community.homes) / households)
        for n in range(share):
            first = community.community == 0 and n == 0  # the proposal with the long thread
            # Every stage at least once in each community, whatever its size; then as the weights say.
            stage = S.IMPLEMENTATION if first else stages[n - 1] if n <= len(stages) \
                else rng.choices(stages, weights)[0]
            place_id = _place_of(rng, reg, community, first)
            made.append(_proposal(bulk, rng, reg, community, place_id, stage, now, made))
    return made


def _place_of(rng: random.Random, reg: Register, community: Area, first: bool) -> int:
    compounds = reg.compounds[community.community]
    roll = 0.5 if first else rng.random()
    if roll < 0.1:
        return community.id
    compound = compounds[0] if first else rng.choice(compounds)
    return compound.id if roll < 0.7 else rng.choice(compound.buildings)


def _proposal(bulk: Bulk, rng: random.Random, reg: Register, community: Area, place_id: int, stage: Stage,
              now: datetime, made: list[Made]) -> Made:
    proposal_id = bulk.next_id("proposal")
    staff = reg.staff[community.community]
    author = rng.choice(community.accounts)
    steps = STEPS[stage]
    age = timedelta(days=rng.uniform(2, 720))
    created = now - age
    gap = age / (len(steps) + 2)
    times = [created + gap * (i + 1) for i in range(len(steps))]
    cosigns = 0 if stage == S.DRAFT else rng.randint(0, NEEDED - 1) if stage in (S.COSIGNING, S.WITHDRAWN) \
        else NEEDED
    others = [u for u in rng.sample(community.accounts, min(len(community.accounts), cosigns + 1)) if u != author]
    closed = stage in (S.CLOSED, S.REJECTED, S.MERGED, S.WITHDRAWN)
    merged_into = next((m.id for m in reversed(made[-50:]) if m.place_id == place_id), None) \
        if stage == S.MERGED else None
    bulk.add("proposal", {
        "id": proposal_id, "place_id": place_id, "author_id": author, "title": words.title(rng),
        "body": words.markdown(rng), "category": rng.choice(list(Category)).value, "stage": stage.value,
        "cosign_count": len(others[:cosigns]), "cosigners_needed": NEEDED, "merged_into_id": merged_into,
        "submitted_at": times[0] if times else None,
        "review_due_at": times[1] + timedelta(days=30) if stage == S.REVIEW else None,
        "rating_ends_at": now + timedelta(days=rng.randint(1, 13)) if stage == S.RATING else None,
        "stage_changed_at": times[-1] if times else created, "closed_at": times[-1] if closed else None,
        "satisfaction": f"{rng.randint(6000, 10000) / 100:.2f}" if stage == S.CLOSED else "",
        "responsible": "物业服务中心" if _reached(stage, S.IMPLEMENTATION) else "",
        "created_at": created, "updated_at": times[-1] if times else created})
    # Children after the proposal's own row: a full buffer is written with its parents' rows before it.
    plan_id = _plans(bulk, rng, proposal_id, stage, staff, times, now) if _reached(stage, S.ACCEPTED) else None
    for (action, before, after), at in zip(steps, times, strict=True):
        actor = author if action in (Action.SUBMIT, Action.WITHDRAW) else staff if action in BY_STAFF else None
        about = ("plan", plan_id) if action in (Action.PUBLISH_PLAN, Action.APPROVE_PLAN) and plan_id else ("", None)
        bulk.add("proposal_event", {
            "id": bulk.next_id("proposal_event"), "proposal_id": proposal_id, "actor_id": actor,
            "action": action.value, "from_stage": before.value, "to_stage": after.value,
            "reason": words.body(rng, 1) if action in (Action.REJECT, Action.REQUEST_CHANGES) else "",
            "subject_kind": about[0], "subject_id": about[1], "at": at})
    for user_id in others[:cosigns]:
        bulk.add("cosign", {"id": bulk.next_id("cosign"), "proposal_id": proposal_id, "user_id": user_id,
                            "household_id": None, "created_at": times[0] if times else created})
    if _reached(stage, S.IMPLEMENTATION):
        _works(bulk, rng, proposal_id, stage, staff, times, now)
    if _reached(stage, S.RATING):
        for user_id in rng.sample(community.accounts, min(len(community.accounts), rng.randint(3, 12))):
            bulk.add("proposal_rating", {
                "id": bulk.next_id("proposal_rating"), "proposal_id": proposal_id, "user_id": user_id,
                "rating": rng.choice(list(Rating)).value, "comment": "", "created_at": times[8],
                "updated_at": times[8]})
    return Made(proposal_id, place_id, community.community, stage, created)


def _plans(bulk: Bulk, rng: random.Random, proposal_id: int, stage: Stage, staff: int, times: list[datetime],
           now: datetime) -> int | None:
    """The plans of an accepted proposal; returns the one published (or the draft)."""
    if stage == S.ACCEPTED and rng.random() < 0.5:
        return None
    published = _reached(stage, S.DISCLOSURE)
    approved = _reached(stage, S.IMPLEMENTATION)
    main = None
    for alternative in range(2 if rng.random() < 0.3 else 1):
        plan_id = bulk.next_id("plan")
        status = (PlanStatus.APPROVED if alternative == 0 else PlanStatus.REJECTED) if approved \
            else PlanStatus.DISCLOSED if published else PlanStatus.DRAFT
        starts = times[3] if published else None
        bulk.add("plan", {"id": plan_id, "proposal_id": proposal_id, "status": status,
                          "version": (versions := rng.randint(1, 2)), "disclosure_starts_at": starts,
                          "disclosure_ends_at": starts + timedelta(days=7) if starts else None, "vote_id": None,
                          "created_at": times[2]})
        for number in range(1, versions + 1):
            amount = rng.randint(1_000, 500_000) * 100
            bulk.add("plan_version", {
                "id": bulk.next_id("plan_version"), "plan_id": plan_id, "number": number,
                "title": f"方案{'一二'[alternative]}", "description": words.markdown(rng),
                "responsible": "物业服务中心", "schedule": "开工后60天内完成",
                "cost_lines": json.dumps([{"item": "材料与人工", "amount_centi": amount}]),
                "residents_centi": amount // 3, "units_centi": amount // 3,
                "government_centi": amount - 2 * (amount // 3),
                "edited_by_id": staff, "note": "", "created_at": times[2]})
        main = main or plan_id
    return main


def _works(bulk: Bulk, rng: random.Random, proposal_id: int, stage: Stage, staff: int, times: list[datetime],
           now: datetime) -> None:
    done = _reached(stage, S.ACCEPTANCE)
    for n in range(3):
        milestone_id = bulk.next_id("milestone")
        bulk.add("milestone", {"id": milestone_id, "proposal_id": proposal_id, "title": f"第{n + 1}阶段",
                               "responsible": "施工队", "due_on": (times[6] + timedelta(days=20 * (n + 1))).date(),
                               "done_at": times[6] + timedelta(days=5 * (n + 1)) if done or n == 0 else None,
                               "created_at": times[6]})
        bulk.add("progress_update", {"id": bulk.next_id("progress_update"), "proposal_id": proposal_id,
                                     "milestone_id": milestone_id, "text": words.body(rng, 1),
                                     "percent": 100 if done else 30 * (n + 1), "by_id": staff,
                                     "created_at": times[6] + timedelta(hours=n + 1)})
    for _ in range(2):
        bulk.add("cost_item", {"id": bulk.next_id("cost_item"), "proposal_id": proposal_id, "description": "材料款",
                               "amount_centi": rng.randint(1_000, 100_000) * 100, "payee": "某建材公司",
                               "document_id": None, "by_id": staff, "created_at": times[6]})
    if done:
        bulk.add("inspection", {"id": bulk.next_id("inspection"), "proposal_id": proposal_id,
                                "kind": InspectionKind.INSPECTION, "findings": words.body(rng, 2), "by_id": staff,
                                "created_at": times[7]})
    if _reached(stage, S.RATING):
        bulk.add("inspection", {"id": bulk.next_id("inspection"), "proposal_id": proposal_id,
                                "kind": InspectionKind.ACCEPTANCE_PASSED, "findings": "验收合格。", "by_id": staff,
                                "created_at": times[8]})


def comments(bulk: Bulk, scale: Scale, rng: random.Random, reg: Register, made: list[Made], *,
             now: datetime, budget: int) -> int:
    """Threads on the proposals, about `budget` comments in all, the first proposal's the longest."""
    listed = [m for m in made if m.stage != S.DRAFT]
    mean = max(budget - scale.hot_comments, 0) / max(len(listed) - 1, 1)
    written = 0
    for index, proposal in enumerate(listed):
        count = scale.hot_comments if index == 0 else min(round(rng.expovariate(1 / mean)) if mean else 0, 150)
        written += thread(bulk, rng, reg.communities[proposal.community].accounts, "proposal", proposal.id,
                          proposal.place_id, count, proposal.created_at, now)
    return written


def thread(bulk: Bulk, rng: random.Random, authors: list[int], kind: str, subject_id: int, place_id: int,
           count: int, since: datetime, now: datetime) -> int:
    placed: list[tuple[int, int, int | None]] = []  # (id, depth, parent) of this thread so far
    step = (now - since) / (count + 1)
    for n in range(count):
        comment_id = bulk.next_id("comment")
        parent_id = reply_to = None
        depth = 0
        if placed and rng.random() < 0.35:
            answered = rng.choice(placed[-30:])
            reply_to = answered[0]
            parent_id, depth = discussion_rules.placement(answered[1], answered[0], answered[2])
        placed.append((comment_id, depth, parent_id))
        bulk.add("comment", {
            "id": comment_id, "subject_kind": kind, "subject_id": subject_id, "place_id": place_id,
            "parent_id": parent_id, "reply_to_id": reply_to, "depth": depth, "author_id": rng.choice(authors),
            "body": words.body(rng, rng.randint(1, 4)),
            "stance": rng.choice(("for", "against", "neutral", "")) if depth == 0 else "",
            "helpful_count": 0, "created_at": since + step * (n + 1), "edited_at": None, "deleted_at": None,
            "hidden_at": None, "hidden_by_id": None, "hidden_reason": ""})
    return count
