"""A proposal's pages: write, co-sign, follow, review, plans, works, supervision, rating, and its timeline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from deliberate.accounts.models import User
from deliberate.clock import utcnow
from deliberate.db import from_centi
from deliberate.discussion import queries as discussion
from deliberate.i18n import gettext as _
from deliberate.meetings.actions import meetings_for_proposal
from deliberate.places import actions as places
from deliberate.places.models import Place
from deliberate.policy import Act, may
from deliberate.proposals import actions, photos, plans, rules, works
from deliberate.proposals.access import actors_for, allowed_moves, resolve
from deliberate.proposals.actions import Draft, ProposalError
from deliberate.proposals.models import Milestone, Photo, Plan, PlanVersion, Proposal, ProposalEvent
from deliberate.proposals.rules import Action as Move
from deliberate.proposals.rules import IllegalTransition, Stage
from deliberate.voting import labels as vote_labels
from deliberate.voting import tally
from deliberate.voting.models import ElectorateKind, Vote
from deliberate.web import forms, refusals
from deliberate.web.auth import current_person, current_user, db, ensure, require_person, require_user
from deliberate.web.loading import get_or_404
from deliberate.web.responses import flash, public_routes, redirect, render

TITLE_MAX, BODY_MAX, REASON_MAX = 120, 20_000, 2_000


# Loading and refusing --------------------------------------------------------------------------


def _load(request: Request, *, for_update: bool = False) -> tuple[Proposal, Place]:
    """The proposal named in the URL; a draft exists only for its author."""
    session = db(request)
    proposal = get_or_404(session, Proposal, request.path_params["id"])
    if proposal.stage == Stage.DRAFT:
        user = current_user(request)
        if user is None or user.id != proposal.author_id:
            raise HTTPException(404)
    place = session.get(Place, proposal.place_id)
    assert place is not None
    return proposal, place


def _attempt(request: Request, step: Callable[[], Any]) -> Any:
    return refusals.attempt(request, step, IllegalTransition, ProposalError)


def _url(request: Request, proposal: Proposal, anchor: str = "") -> str:
    return request.app.url_path_for("proposals:detail", id=proposal.id) + (f"#{anchor}" if anchor else "")


def _done(request: Request, proposal: Proposal, message: str, anchor: str = "") -> Response:
    flash(request, message)
    return redirect(_url(request, proposal, anchor))


def _zone(request: Request) -> ZoneInfo:
    return ZoneInfo(request.app.state.settings.timezone)


# Reading forms ---------------------------------------------------------------------------------


def _draft_from_form(request: Request) -> tuple[Draft, dict[str, str]]:
    title = forms.text(request, "title", max_length=TITLE_MAX)
    body = forms.text(request, "body", max_length=BODY_MAX)
    category = forms.text(request, "category", max_length=20)
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("请写一个标题，说清楚是什么事。")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("标题不能超过 %(n)s 个字。", n=TITLE_MAX)
    if len(body) > BODY_MAX:
        errors["body"] = _("正文不能超过 %(n)s 个字。", n=BODY_MAX)
    if category not in set(rules.Category):
        errors["category"] = _("请选择类别。")
    return Draft(title, body, category), errors


def _uploads(request: Request, name: str, errors: dict[str, str], *, key: str = "") -> list[tuple[str, bytes]]:
    """Every uploaded photo of the field, each checked; problems go into `errors` under `key` (or the name)."""
    key = key or name
    files = []
    for value in forms.form(request).getlist(name):
        if isinstance(value, str) or not getattr(value, "filename", ""):
            continue
        data = value.file.read(photos.MAX_PHOTO_BYTES + 1)
        try:
            photos.check(value.filename or "", data)
        except ProposalError as problem:
            errors[key] = problem.message
            return []
        files.append((value.filename or "", data))
    if len(files) > photos.MAX_PHOTOS_PER_UPLOAD:
        errors[key] = _("一次最多上传 %(n)s 张照片。", n=photos.MAX_PHOTOS_PER_UPLOAD)
        return []
    return files


def _reason(request: Request, name: str = "reason", errors: dict[str, str] | None = None, key: str = "") -> str:
    """The text of a reason or findings field; too long is an error in `errors` under `key`, or a 422."""
    reason = forms.text(request, name, max_length=REASON_MAX)
    if len(reason) > REASON_MAX:
        problem = _("说明不能超过 %(n)s 个字。", n=REASON_MAX)
        if errors is None:
            raise HTTPException(422, problem)
        errors[key] = problem
    return reason


def _yuan_to_centi(raw: str) -> int | None:
    try:
        value = Decimal(raw.replace(",", "").replace("，", "").strip() or "0")
    except InvalidOperation:
        return None
    if value < 0 or value > Decimal("100000000") or value != value.quantize(Decimal("0.01")):
        return None
    return int(value * 100)


# Writing a proposal ----------------------------------------------------------------------------


def _form_context(request: Request, place: Place, **extra: Any) -> dict[str, Any]:
    return {"place": place, "trail": places.ancestors(db(request), place) + [place],
            "categories": rules.category_labels(), "errors": {}, "max_photos": photos.MAX_PHOTOS_PER_UPLOAD, **extra}


def new_proposal(request: Request) -> Response:
    session = db(request)
    place = get_or_404(session, Place, request.path_params["id"])
    person = ensure(request, Act.ACT_AS_RESIDENT, place)
    assert person is not None
    context = _form_context(request, place, values={"category": "", "title": "", "body": ""})
    if request.method == "GET":
        return render(request, "proposals/form.html", context)
    draft, errors = _draft_from_form(request)
    files = _uploads(request, "photos", errors)
    if errors:
        return render(request, "proposals/form.html", {**context, "values": draft.__dict__, "errors": errors},
                      status=422)
    user = require_user(request)
    submit = forms.text(request, "intent") == "submit"
    proposal = _attempt(request, lambda: actions.do_create(session, place=place, author=user, draft=draft,
                                                           submit=submit, person=person))
    photos.do_attach(session, proposal, user, "proposal", proposal.id, files)
    message = _("提案已提交，邻居们现在可以附议。") if submit else _("草稿已保存，只有您自己能看到。")
    return _done(request, proposal, message)


def edit_proposal(request: Request) -> Response:
    proposal, place = _load(request)
    person = require_person(request)
    _attempt(request, lambda: resolve(actors_for(person, proposal, place), Stage(proposal.stage), Move.EDIT))
    context = _form_context(request, place, proposal=proposal)
    if request.method == "GET":
        values = {"title": proposal.title, "body": proposal.body, "category": proposal.category}
        return render(request, "proposals/form.html", {**context, "values": values})
    draft, errors = _draft_from_form(request)
    files = _uploads(request, "photos", errors)
    if errors:
        return render(request, "proposals/form.html", {**context, "values": draft.__dict__, "errors": errors},
                      status=422)
    user = require_user(request)
    session = db(request)
    _attempt(request, lambda: actions.do_edit(session, proposal, place, person, user, draft))
    photos.do_attach(session, proposal, user, "proposal", proposal.id, files)
    if forms.text(request, "intent") == "submit" and proposal.stage == Stage.DRAFT:
        _attempt(request, lambda: actions.do_submit(session, proposal, place, person, user))
        return _done(request, proposal, _("提案已提交，邻居们现在可以附议。"))
    return _done(request, proposal, _("修改已保存。"))


# The proposal page -----------------------------------------------------------------------------


def _summary(request: Request, proposal: Proposal, place: Place) -> dict[str, Any]:
    return {
        "id": proposal.id, "title": proposal.title, "stage": proposal.stage, "category": proposal.category,
        "place": {"id": place.id, "name": place.name, "kind": place.kind}, "cosign_count": proposal.cosign_count,
        "cosigners_needed": proposal.cosigners_needed, "created_at": proposal.created_at,
        "submitted_at": proposal.submitted_at, "review_due_at": proposal.review_due_at,
        "rating_ends_at": proposal.rating_ends_at, "closed_at": proposal.closed_at,
        "satisfaction": proposal.satisfaction or None, "responsible": proposal.responsible or None,
        "merged_into": proposal.merged_into_id, "url": _url(request, proposal),
    }


def _timeline(session: Session, proposal: Proposal) -> list[tuple[ProposalEvent, User | None]]:
    rows = session.exec(
        select(ProposalEvent, User).join(User, col(User.id) == ProposalEvent.actor_id, isouter=True)
        .where(ProposalEvent.proposal_id == proposal.id).order_by(col(ProposalEvent.at), col(ProposalEvent.id))
    ).all()
    return [(event, user) for event, user in rows]


def _deadline(session: Session, proposal: Proposal, now: datetime) -> dict[str, Any] | None:
    """The deadline of the current stage, and how far past it we are."""
    due: datetime | None = None
    label = ""
    if proposal.stage == Stage.REVIEW:
        due, label = proposal.review_due_at, _("受理期限")
    elif proposal.stage == Stage.DISCLOSURE:
        due, label = plans.disclosure_ends(session, proposal), _("公示截止")
    elif proposal.stage == Stage.RATING:
        due, label = proposal.rating_ends_at, _("评价截止")
    if due is None:
        return None
    return {"label": label, "due": due, "overdue_days": rules.days_overdue(due, now), "overdue": now > due}


def detail(request: Request) -> Response:
    proposal, place = _load(request)
    return _page(request, proposal, place)


def _page(request: Request, proposal: Proposal, place: Place, *, invalid: str = "",
          errors: dict[str, str] | None = None) -> Response:
    """The proposal's page; with `invalid`, that form shown again (422) with what was typed and what is wrong.

    Error keys are the ids of the fields after "f-", so that the summary links to them."""
    session = db(request)
    person = current_person(request)
    user = current_user(request)
    moves = allowed_moves(actors_for(person, proposal, place), Stage(proposal.stage))
    now = utcnow()
    plan_rows = plans.plans_of(session, proposal)
    vote_ids = {p.vote_id for p, _v in plan_rows if p.vote_id}
    votes = {v.id: v for v in session.exec(select(Vote).where(col(Vote.id).in_(vote_ids))).all()} if vote_ids else {}
    timeline = _timeline(session, proposal)
    author = session.get(User, proposal.author_id)
    pictures = photos.photos_of(session, proposal)
    satisfaction = works.satisfaction_of(session, proposal, place)
    milestones = works.milestones_of(session, proposal)
    progress = works.progress_of(session, proposal)
    costs = works.costs_of(session, proposal)
    inspections = works.inspections_of(session, proposal)
    merged_into = session.get(Proposal, proposal.merged_into_id) if proposal.merged_into_id else None
    data = {
        **_summary(request, proposal, place), "body": proposal.body,
        "author": author.display_name if author else None,
        "plans": [_plan_data(plan, version) for plan, version in plan_rows],
        "milestones": [{"title": m.title, "due_on": m.due_on.isoformat(), "done_at": m.done_at,
                        "responsible": m.responsible} for m in milestones],
        "progress": [{"percent": u.percent, "text": u.text, "at": u.created_at} for u in progress],
        "costs": [{"description": c.description, "amount": f"{from_centi(c.amount_centi):.2f}", "payee": c.payee,
                   "at": c.created_at} for c in costs],
        "inspections": [{"kind": i.kind, "findings": i.findings, "at": i.created_at} for i in inspections],
        "ratings": {r.value: n for r, n in satisfaction.counts.items()},
        "satisfaction_rate": satisfaction.percent,
        "timeline": [{"action": e.action, "from": e.from_stage, "to": e.to_stage, "reason": e.reason,
                      "by": u.display_name if u else None, "at": e.at,
                      "subject": {"kind": e.subject_kind, "id": e.subject_id} if e.subject_kind else None}
                     for e, u in timeline],
    }
    can = {
        "review": may(person, Act.REVIEW_PROPOSALS, place),
        "works": may(person, Act.MANAGE_WORKS, place),
        "supervise": may(person, Act.SUPERVISE, place),
        "accept": may(person, Act.ACCEPT_WORKS, place),
        "resident": may(person, Act.ACT_AS_RESIDENT, place),
    }
    return render(request, "proposals/detail.html", {
        "proposal": proposal, "place": place, "trail": places.ancestors(session, place) + [place],
        "author": author, "moves": moves, "can": can,
        "stage_labels": rules.stage_labels(), "category_labels": rules.category_labels(),
        "event_labels": rules.event_labels(), "rating_labels": rules.rating_labels(), "Move": Move, "Stage": Stage,
        "timeline": timeline, "plans": plan_rows, "votes": votes, "pictures": pictures,
        "milestones": milestones, "progress": progress, "costs": costs, "inspections": inspections,
        "percent": progress[0].percent if progress else 0, "satisfaction": satisfaction,
        "deadline": _deadline(session, proposal, now), "now": now, "today": now.astimezone(_zone(request)).date(),
        "cosigned": actions.has_cosigned(session, proposal, user),
        "following": actions.is_following(session, proposal, user),
        "own_rating": works.own_rating(session, proposal, user),
        "merge_targets": actions.merge_targets(session, proposal, place) if Move.MERGE in moves else [],
        "merged_into": merged_into, "is_author": user is not None and user.id == proposal.author_id,
        "disclosure_ends": plans.disclosure_ends(session, proposal),
        "meetings": meetings_for_proposal(session, proposal),
        "errors_for": {invalid: errors or {}} if invalid else {}, "entered": forms.form(request) if invalid else {},
        "discussion": _thread(request, "proposal", proposal.id),  # type: ignore[arg-type]
        "plan_comments": discussion.comment_count(session, "plan", [p.id for p, _v in plan_rows]),  # type: ignore[misc]
    }, data=data, status=422 if invalid else 200)


def _plan_data(plan: Plan, version: PlanVersion) -> dict[str, Any]:
    lines = plans.cost_lines(version)
    return {
        "id": plan.id, "status": plan.status, "version": plan.version, "title": version.title,
        "description": version.description, "responsible": version.responsible, "schedule": version.schedule,
        "cost_lines": [{"item": c.item, "amount": f"{from_centi(c.amount_centi):.2f}"} for c in lines],
        "funding": {"residents": f"{from_centi(version.residents_centi):.2f}",
                    "units": f"{from_centi(version.units_centi):.2f}",
                    "government": f"{from_centi(version.government_centi):.2f}"},
        "disclosure_starts_at": plan.disclosure_starts_at, "disclosure_ends_at": plan.disclosure_ends_at,
        "vote_id": plan.vote_id,
    }


# Moves of residents and authors ----------------------------------------------------------------


def _resident_step(request: Request, step: Callable[..., Any], message: str, anchor: str = "") -> Response:
    proposal, place = _load(request)
    person = require_person(request)
    user = require_user(request)
    _attempt(request, lambda: step(db(request), proposal, place, person, user))
    return _done(request, proposal, message, anchor)


def submit(request: Request) -> Response:
    return _resident_step(request, actions.do_submit, _("提案已提交，邻居们现在可以附议。"))


def cosign(request: Request) -> Response:
    proposal, place = _load(request)
    ensure(request, Act.ACT_AS_RESIDENT, place)
    person, user = require_person(request), require_user(request)
    counted = _attempt(request, lambda: actions.do_cosign(db(request), proposal, place, person, user))
    message = _("已附议，谢谢您的支持。") if counted else _("您已经附议过了。")
    if proposal.stage == Stage.REVIEW:
        message += " " + _("附议人数已达到门槛，提案转入受理。")
    return _done(request, proposal, message, "cosign")


def withdraw(request: Request) -> Response:
    reason = _reason(request)
    return _resident_step(request, lambda s, p, pl, pe, u: actions.do_withdraw(s, p, pl, pe, u, reason),
                          _("提案已撤回。"))


def resubmit(request: Request) -> Response:
    return _resident_step(request, actions.do_resubmit, _("提案已重新提交受理。"))


def follow(request: Request) -> Response:
    proposal, _place = _load(request)
    user = require_user(request)
    if forms.text(request, "follow") == "0":
        actions.do_unfollow(db(request), proposal, user)
        return _done(request, proposal, _("已取消关注。"))
    actions.do_follow(db(request), proposal, user)
    return _done(request, proposal, _("已关注：每一步进展都会通知您。"))


# Review ----------------------------------------------------------------------------------------

REVIEW_MOVES = {"accept": Move.ACCEPT, "reject": Move.REJECT, "request_changes": Move.REQUEST_CHANGES}


def review(request: Request) -> Response:
    proposal, place = _load(request)
    person = ensure(request, Act.REVIEW_PROPOSALS, place)
    assert person is not None
    move = REVIEW_MOVES.get(forms.text(request, "decision", max_length=20))
    errors: dict[str, str] = {}
    reason = _reason(request, errors=errors, key="review-reason")
    if move is None:
        errors["review-accept"] = _("请选择受理结果。")
    elif move is not Move.ACCEPT and not reason and "review-reason" not in errors:
        errors["review-reason"] = (_("驳回提案时必须公开说明理由。") if move is Move.REJECT
                                   else _("请写明需要作者修改什么。"))
    if errors or move is None:
        return _page(request, proposal, place, invalid="review", errors=errors)
    user = require_user(request)
    _attempt(request, lambda: actions.do_review(db(request), proposal, place, person, user, move, reason))
    return _done(request, proposal, {
        Move.ACCEPT: _("已受理立案，请拟定方案。"), Move.REJECT: _("已驳回，理由已公开。"),
        Move.REQUEST_CHANGES: _("已请作者修改。"),
    }[move])


def merge(request: Request) -> Response:
    proposal, place = _load(request)
    person = ensure(request, Act.REVIEW_PROPOSALS, place)
    assert person is not None
    session = db(request)
    target = get_or_404(session, Proposal, forms.text(request, "target", max_length=12),
                        _("找不到要合并到的提案。"))
    reason = _reason(request)
    user = require_user(request)
    _attempt(request, lambda: actions.do_merge(session, proposal, place, person, user, target, reason))
    return _done(request, proposal, _("已合并到“%(title)s”，附议和关注已一并转过去。", title=target.title))


# Plans -----------------------------------------------------------------------------------------


def _plan_text_from_form(request: Request) -> tuple[plans.PlanText, dict[str, str], dict[str, Any]]:
    raw = {name: forms.text(request, name, max_length=limit) for name, limit in (
        ("title", 120), ("description", 10_000), ("responsible", 100), ("schedule", 500), ("cost_lines", 5_000),
        ("residents", 20), ("units", 20), ("government", 20), ("note", 300))}
    errors: dict[str, str] = {}
    for name, message in (("title", _("请写方案名称。")), ("description", _("请写明要做什么。")),
                          ("responsible", _("请写明责任方。"))):
        if not raw[name]:
            errors[name] = message
    lines: list[plans.CostLine] = []
    for number, line in enumerate(raw["cost_lines"].splitlines(), 1):
        if not line.strip():
            continue
        item, _sep, amount = line.rpartition(" ")
        centi = _yuan_to_centi(amount)
        if not item.strip() or centi is None:
            errors["cost_lines"] = _("费用第 %(n)s 行应写成“项目 金额”，如“透水砖 12000”。", n=number)
            break
        lines.append(plans.CostLine(item.strip()[:100], centi))
    funding = {}
    for name in ("residents", "units", "government"):
        centi = _yuan_to_centi(raw[name])
        if centi is None:
            errors[name] = _("金额应是不为负的数字，最多两位小数。")
        funding[name] = centi or 0
    text = plans.PlanText(raw["title"], raw["description"], raw["responsible"], raw["schedule"], tuple(lines),
                          funding["residents"], funding["units"], funding["government"])
    if not errors and lines and sum(funding.values()) != text.total_centi:
        errors["residents"] = _("三方出资合计（%(funded)s 元）应等于费用合计（%(total)s 元）。",
                                funded=f"{from_centi(sum(funding.values())):.2f}",
                                total=f"{from_centi(text.total_centi):.2f}")
    return text, errors, raw


def _plan_form(request: Request, proposal: Proposal, place: Place, plan: Plan | None) -> Response:
    person = ensure(request, Act.REVIEW_PROPOSALS, place)
    assert person is not None
    session = db(request)
    context = {"proposal": proposal, "place": place, "plan": plan, "errors": {},
               "trail": places.ancestors(session, place) + [place]}
    if request.method == "GET":
        values: dict[str, Any] = {}
        if plan is not None:
            version = plans.versions_of(session, plan)[0]
            values = {"title": version.title, "description": version.description,
                      "responsible": version.responsible, "schedule": version.schedule,
                      "cost_lines": "\n".join(f"{c.item} {from_centi(c.amount_centi):.2f}"
                                              for c in plans.cost_lines(version)),
                      "residents": f"{from_centi(version.residents_centi):.2f}",
                      "units": f"{from_centi(version.units_centi):.2f}",
                      "government": f"{from_centi(version.government_centi):.2f}"}
        return render(request, "proposals/plan_form.html", {**context, "values": values})
    text, errors, raw = _plan_text_from_form(request)
    if errors:
        return render(request, "proposals/plan_form.html", {**context, "values": raw, "errors": errors}, status=422)
    user = require_user(request)
    if plan is None:
        _attempt(request, lambda: plans.do_add_plan(session, proposal, user, text))
        return _done(request, proposal, _("方案已拟定。可以继续拟定备选方案，或公示。"), "plans")
    _attempt(request, lambda: plans.do_edit_plan(session, proposal, plan, user, text, raw["note"]))
    return _done(request, proposal, _("方案已修订，原来的版本仍可查看。"), "plans")


def new_plan(request: Request) -> Response:
    proposal, place = _load(request)
    return _plan_form(request, proposal, place, None)


def _load_plan(request: Request) -> tuple[Plan, Proposal, Place]:
    session = db(request)
    plan = get_or_404(session, Plan, request.path_params["plan_id"])
    proposal, place = _load(request)
    if plan.proposal_id != proposal.id:
        raise HTTPException(404)
    return plan, proposal, place


def edit_plan(request: Request) -> Response:
    plan, proposal, place = _load_plan(request)
    return _plan_form(request, proposal, place, plan)


def plan_history(request: Request) -> Response:
    plan, proposal, place = _load_plan(request)
    versions = plans.versions_of(db(request), plan)
    editors = {u.id: u for u in db(request).exec(
        select(User).where(col(User.id).in_({v.edited_by_id for v in versions if v.edited_by_id}))).all()}
    data = {"plan": plan.id, "proposal": proposal.id, "versions": [
        {"number": v.number, "title": v.title, "description": v.description, "responsible": v.responsible,
         "schedule": v.schedule, "cost_lines": [{"item": c.item, "amount": f"{from_centi(c.amount_centi):.2f}"}
                                                 for c in plans.cost_lines(v)],
         "note": v.note, "at": v.created_at} for v in versions]}
    return render(request, "proposals/plan_history.html", {
        "plan": plan, "proposal": proposal, "place": place, "versions": versions, "editors": editors,
        "trail": places.ancestors(db(request), place) + [place], "cost_lines": plans.cost_lines,
        "discussion": _thread(request, "plan", plan.id),  # type: ignore[arg-type]
    }, data=data)


def publish(request: Request) -> Response:
    proposal, place = _load(request)
    person = ensure(request, Act.REVIEW_PROPOSALS, place)
    assert person is not None
    user = require_user(request)
    _attempt(request, lambda: plans.do_publish(db(request), proposal, place, person, user))
    days = actions.rules_of(db(request), place).disclosure_days
    return _done(request, proposal, _("方案已公示，公示期 %(days)s 天。", days=days), "plans")


def end_disclosure(request: Request) -> Response:
    proposal, place = _load(request)
    person = ensure(request, Act.REVIEW_PROPOSALS, place)
    user = require_user(request)
    _attempt(request, lambda: plans.do_end_disclosure(db(request), proposal, place, person, user))
    return _done(request, proposal, _("公示期满，方案待表决或议事会决定。"), "plans")


def decide(request: Request) -> Response:
    proposal, place = _load(request)
    person = ensure(request, Act.REVIEW_PROPOSALS, place)
    assert person is not None
    session = db(request)
    raw = forms.text(request, "plan", max_length=12)
    plan = None if raw == "none" else get_or_404(session, Plan, raw, _("请选择要通过的方案。"))
    reason = _reason(request)
    user = require_user(request)
    _attempt(request, lambda: plans.do_decide(session, proposal, place, person, user, plan, reason=reason))
    return _done(request, proposal, _("方案已通过，进入实施。") if plan else _("方案未通过，退回重新拟定。"), "plans")


def plan_vote(request: Request) -> Response:
    proposal, place = _load(request)
    ensure(request, Act.MANAGE_VOTES, place)
    session = db(request)
    context: dict[str, Any] = {
        "proposal": proposal, "place": place, "trail": places.ancestors(session, place) + [place],
        "rule_labels": vote_labels.rule_labels(), "electorate_labels": vote_labels.electorate_labels(),
        "errors": {}, "plans": plans.disclosed(session, proposal),
    }
    if request.method == "GET":
        closes = (utcnow().astimezone(_zone(request)) + timedelta(days=7)).replace(hour=18, minute=0, second=0)
        context["values"] = {"rule": "residents_meeting", "electorate": "households",
                             "closes_at": closes.strftime("%Y-%m-%dT%H:%M")}
        return render(request, "proposals/vote_form.html", context)
    values = {"rule": forms.text(request, "rule", max_length=30),
              "electorate": forms.text(request, "electorate", max_length=20),
              "closes_at": forms.text(request, "closes_at", max_length=30),
              "secret": forms.text(request, "secret") == "1"}
    errors: dict[str, str] = {}
    if values["rule"] not in set(tally.Rule):
        errors["rule"] = _("请选择通过规则。")
    if values["electorate"] not in ElectorateKind.ALL:
        errors["electorate"] = _("请选择投票人范围。")
    elif values["rule"] in ("owners_ordinary", "owners_major") and values["electorate"] != ElectorateKind.OWNERS:
        errors["electorate"] = _("业主表决规则只能用于业主投票。")
    closes = None
    try:
        closes = datetime.fromisoformat(str(values["closes_at"])).replace(tzinfo=_zone(request))
        if closes <= utcnow().astimezone(_zone(request)) + timedelta(minutes=5):
            errors["closes_at"] = _("截止时间须在至少 5 分钟之后。")
    except ValueError:
        errors["closes_at"] = _("请填写截止时间，如 2026-12-01 18:00。")
    if errors or closes is None:
        return render(request, "proposals/vote_form.html", {**context, "values": values, "errors": errors},
                      status=422)
    user = require_user(request)
    vote = _attempt(request, lambda: plans.do_open_vote(
        session, proposal, place, user, closes_at=closes, rule=str(values["rule"]),
        electorate_kind=str(values["electorate"]), secret=bool(values["secret"])))
    flash(request, _("表决已创建。核对无误后，点“开始投票”生成投票人名单。"))
    return redirect(request.app.url_path_for("votes:detail", id=vote.id))


# Works -----------------------------------------------------------------------------------------


def _works_step(request: Request) -> tuple[Proposal, Place, User]:
    proposal, place = _load(request)
    ensure(request, Act.MANAGE_WORKS, place)
    return proposal, place, require_user(request)


def add_milestone(request: Request) -> Response:
    proposal, place, user = _works_step(request)
    title = forms.text(request, "title", max_length=120)
    responsible = forms.text(request, "responsible", max_length=100)
    errors: dict[str, str] = {}
    if not title or len(title) > 120:
        errors["ms-title"] = _("请写节点名称（不超过 120 字）。")
    try:
        due_on = date.fromisoformat(forms.text(request, "due_on", max_length=10))
    except ValueError:
        errors["ms-due"] = _("请填写完成日期，如 2027-03-31。")
    if errors:
        return _page(request, proposal, place, invalid="milestone", errors=errors)
    _attempt(request, lambda: works.do_add_milestone(db(request), proposal, user, title=title, due_on=due_on,
                                                     responsible=responsible[:100]))
    return _done(request, proposal, _("工程节点已设定。"), "works")


def complete_milestone(request: Request) -> Response:
    proposal, _place, user = _works_step(request)
    milestone = get_or_404(db(request), Milestone, request.path_params["milestone_id"])
    if milestone.proposal_id != proposal.id:
        raise HTTPException(404)
    _attempt(request, lambda: works.do_complete_milestone(db(request), proposal, milestone, user))
    return _done(request, proposal, _("节点已标为完成。"), "works")


def report_progress(request: Request) -> Response:
    proposal, place, user = _works_step(request)
    text = forms.text(request, "text", max_length=2000)
    raw = forms.text(request, "percent", max_length=3)
    errors: dict[str, str] = {}
    if not raw.isdigit() or int(raw) > 100:
        errors["pg-percent"] = _("进度须在 0 到 100 之间。")
    if not text:
        errors["pg-text"] = _("请写明进展。")
    files = _uploads(request, "photos", errors, key="pg-photos")
    if errors:
        return _page(request, proposal, place, invalid="progress", errors=errors)
    session = db(request)
    update = _attempt(request, lambda: works.do_report_progress(session, proposal, user, text=text,
                                                                percent=int(raw)))
    photos.do_attach(session, proposal, user, "progress", update.id, files)
    return _done(request, proposal, _("进度已更新。"), "works")


def disclose_cost(request: Request) -> Response:
    proposal, place, user = _works_step(request)
    description = forms.text(request, "description", max_length=200)
    payee = forms.text(request, "payee", max_length=100)
    centi = _yuan_to_centi(forms.text(request, "amount", max_length=20))
    errors: dict[str, str] = {}
    if not description or len(description) > 200:
        errors["cost-desc"] = _("请写明费用项目（不超过 200 字）。")
    if centi is None:
        errors["cost-amount"] = _("金额应是不为负的数字，最多两位小数。")
    files = _uploads(request, "document", errors, key="cost-doc")
    if not files and "cost-doc" not in errors:
        errors["cost-doc"] = _("请附上凭证（发票、合同或收据的照片）。")
    if errors or centi is None:
        return _page(request, proposal, place, invalid="cost", errors=errors)
    session = db(request)
    document = photos.do_attach(session, proposal, user, "cost", None, files[:1])[0]
    item = _attempt(request, lambda: works.do_disclose_cost(session, proposal, user, description=description,
                                                            amount_centi=centi, payee=payee[:100],
                                                            document_id=document.id))
    document.owner_id = item.id
    session.add(document)
    return _done(request, proposal, _("费用已公开。"), "costs")


def _works_move(request: Request, step: Callable[..., Any], message: str, anchor: str) -> Response:
    proposal, place, user = _works_step(request)
    person = require_person(request)
    reason = _reason(request)
    _attempt(request, lambda: step(db(request), proposal, place, person, user, reason))
    return _done(request, proposal, message, anchor)


def start_works(request: Request) -> Response:
    return _works_move(request, works.do_start_works, _("已记录开工。"), "works")


def complete_works(request: Request) -> Response:
    return _works_move(request, works.do_complete_works, _("已完工，等待居民代表验收。"), "supervision")


# Supervision -----------------------------------------------------------------------------------


def inspect(request: Request) -> Response:
    proposal, place = _load(request)
    person = ensure(request, Act.SUPERVISE, place)
    assert person is not None
    user = require_user(request)
    errors: dict[str, str] = {}
    findings = _reason(request, "findings", errors, "insp")
    if not findings and not errors:
        errors["insp"] = _("请写明检查情况。")
    files = _uploads(request, "photos", errors, key="insp-photos")
    if errors:
        return _page(request, proposal, place, invalid="inspection", errors=errors)
    session = db(request)
    inspection = _attempt(request, lambda: works.do_inspect(session, proposal, place, person, user, findings))
    photos.do_attach(session, proposal, user, "inspection", inspection.id, files)
    return _done(request, proposal, _("检查报告已提交。"), "supervision")


def acceptance(request: Request) -> Response:
    proposal, place = _load(request)
    person = ensure(request, Act.ACCEPT_WORKS, place)
    assert person is not None
    user = require_user(request)
    outcome = forms.text(request, "outcome", max_length=10)
    errors: dict[str, str] = {}
    if outcome not in ("pass", "fail"):
        errors["acc-pass"] = _("请选择验收结果。")
    findings = _reason(request, "findings", errors, "acc-findings")
    if outcome == "fail" and not findings and not errors:
        errors["acc-findings"] = _("验收不通过时，请写明存在的问题。")
    files = _uploads(request, "photos", errors, key="acc-photos")
    if errors:
        return _page(request, proposal, place, invalid="acceptance", errors=errors)
    session = db(request)
    inspection = _attempt(request, lambda: works.do_acceptance(session, proposal, place, person, user,
                                                               passed=outcome == "pass", findings=findings))
    photos.do_attach(session, proposal, user, "acceptance", inspection.id, files)
    if outcome == "pass":
        return _done(request, proposal, _("验收通过，居民现在可以评价。"), "rating")
    return _done(request, proposal, _("验收不通过，已退回施工整改。"), "supervision")


def rate(request: Request) -> Response:
    proposal, place = _load(request)
    person = ensure(request, Act.ACT_AS_RESIDENT, place)
    assert person is not None
    user = require_user(request)
    raw = forms.text(request, "rating", max_length=20)
    comment = forms.text(request, "comment", max_length=500)[:500]
    if raw not in set(rules.Rating):
        return _page(request, proposal, place, invalid="rating",
                     errors={"rate-" + rules.Rating.SATISFIED.value: _("请选择满意、基本满意或不满意。")})
    first = _attempt(request, lambda: works.do_rate(db(request), proposal, place, person, user,
                                                    rating=rules.Rating(raw), comment=comment))
    return _done(request, proposal, _("谢谢您的评价。") if first else _("评价已修改。"), "rating")


def close(request: Request) -> Response:
    proposal, place = _load(request)
    person = ensure(request, Act.REVIEW_PROPOSALS, place)
    user = require_user(request)
    _attempt(request, lambda: works.do_close(db(request), proposal, place, person, user))
    return _done(request, proposal, _("提案已办结。"))


# Photos ----------------------------------------------------------------------


def photo(request: Request) -> Response:
    session = db(request)
    picture = get_or_404(session, Photo, request.path_params["id"])
    proposal = session.get(Proposal, picture.proposal_id)
    assert proposal is not None
    if proposal.stage == Stage.DRAFT:
        user = current_user(request)
        if user is None or user.id != proposal.author_id:
            raise HTTPException(404)
    return Response(picture.data, media_type=picture.content_type, headers={
        "Cache-Control": "private, max-age=86400", "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'",
    })



def _thread(request: Request, kind: str, subject_id: int) -> discussion.ThreadView | None:
    sort, page = discussion.order(request.query_params.get("sort"), request.query_params.get("cpage"))
    return discussion.thread_of(db(request), kind, subject_id, current_person(request), current_user(request),
                                sort=sort, page=page)


routes = [
    Route("/places/{id:int}/proposals/new", new_proposal, methods=["GET", "POST"], name="new"),
    *public_routes("/proposals/{id:int}", detail, "detail"),
    Route("/proposals/{id:int}/edit", edit_proposal, methods=["GET", "POST"], name="edit"),
    Route("/proposals/{id:int}/submit", submit, methods=["POST"], name="submit"),
    Route("/proposals/{id:int}/cosign", cosign, methods=["POST"], name="cosign"),
    Route("/proposals/{id:int}/follow", follow, methods=["POST"], name="follow"),
    Route("/proposals/{id:int}/withdraw", withdraw, methods=["POST"], name="withdraw"),
    Route("/proposals/{id:int}/resubmit", resubmit, methods=["POST"], name="resubmit"),
    Route("/proposals/{id:int}/review", review, methods=["POST"], name="review"),
    Route("/proposals/{id:int}/merge", merge, methods=["POST"], name="merge"),
    Route("/proposals/{id:int}/plans/new", new_plan, methods=["GET", "POST"], name="new_plan"),
    Route("/proposals/{id:int}/plans/{plan_id:int}/edit", edit_plan, methods=["GET", "POST"], name="edit_plan"),
    *public_routes("/proposals/{id:int}/plans/{plan_id:int}", plan_history, "plan"),
    Route("/proposals/{id:int}/publish", publish, methods=["POST"], name="publish"),
    Route("/proposals/{id:int}/end-disclosure", end_disclosure, methods=["POST"], name="end_disclosure"),
    Route("/proposals/{id:int}/decide", decide, methods=["POST"], name="decide"),
    Route("/proposals/{id:int}/vote", plan_vote, methods=["GET", "POST"], name="vote"),
    Route("/proposals/{id:int}/milestones", add_milestone, methods=["POST"], name="add_milestone"),
    Route("/proposals/{id:int}/milestones/{milestone_id:int}/done", complete_milestone, methods=["POST"],
          name="complete_milestone"),
    Route("/proposals/{id:int}/progress", report_progress, methods=["POST"], name="progress"),
    Route("/proposals/{id:int}/costs", disclose_cost, methods=["POST"], name="cost"),
    Route("/proposals/{id:int}/start", start_works, methods=["POST"], name="start"),
    Route("/proposals/{id:int}/complete", complete_works, methods=["POST"], name="complete"),
    Route("/proposals/{id:int}/inspections", inspect, methods=["POST"], name="inspect"),
    Route("/proposals/{id:int}/acceptance", acceptance, methods=["POST"], name="acceptance"),
    Route("/proposals/{id:int}/rating", rate, methods=["POST"], name="rate"),
    Route("/proposals/{id:int}/close", close, methods=["POST"], name="close"),
    Route("/photos/{id:int}", photo, methods=["GET"], name="photo"),
]
