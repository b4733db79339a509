"""Votes of a place: prepare, open, cast online and on paper, close, certify, publish, export."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from deliberate.clock import utcnow
from deliberate.discussion import queries as discussion
from deliberate.i18n import gettext as _
from deliberate.places import actions as places
from deliberate.places.models import Place
from deliberate.policy import Act, may
from deliberate.proposals import plans
from deliberate.voting import actions, labels, tally
from deliberate.voting.models import Channel, ElectorateKind, RollEntry, Vote, VoteStatus
from deliberate.web import forms
from deliberate.web.auth import current_person, current_user, db, ensure, require_user
from deliberate.web.loading import get_or_404
from deliberate.web.responses import flash, jsonable, public_routes, redirect, render

MAX_OPTIONS = 20
OWNER_RULES = {tally.Rule.OWNERS_ORDINARY, tally.Rule.OWNERS_MAJOR}


def _vote_and_place(request: Request) -> tuple[Vote, Place]:
    session = db(request)
    vote = get_or_404(session, Vote, request.path_params["id"])
    place = session.get(Place, vote.place_id)
    assert place is not None
    return vote, place


def _zone(request: Request) -> ZoneInfo:
    return ZoneInfo(request.app.state.settings.timezone)


def _conflict(error: actions.VoteError) -> HTTPException:
    return HTTPException(409, labels.error_message(error.code))


def _vote_url(request: Request, vote: Vote) -> str:
    return request.app.url_path_for("votes:detail", id=vote.id)


def summary(request: Request, vote: Vote) -> dict[str, Any]:
    return {
        "id": vote.id, "title": vote.title, "status": vote.status, "form": vote.form, "rule": vote.rule,
        "electorate": vote.electorate, "secret": vote.secret, "opens_at": vote.opens_at,
        "closes_at": vote.closes_at, "url": _vote_url(request, vote),
    }


def place_votes(request: Request) -> Response:
    place = get_or_404(db(request), Place, request.path_params["id"])
    ensure(request, Act.VIEW_PLACE, place)
    session = db(request)
    person = current_person(request)
    visible = [v for v in actions.votes_in(session, place)
               if v.status != VoteStatus.DRAFT or may(person, Act.MANAGE_VOTES, place)]
    data = {"place": {"id": place.id, "name": place.name}, "votes": [summary(request, v) for v in visible]}
    return render(request, "voting/list.html", {
        "place": place, "votes": visible, "trail": places.ancestors(session, place),
        "can_manage": may(person, Act.MANAGE_VOTES, place), "status_labels": labels.status_labels(),
    }, data=data)


def _parse_new(request: Request) -> tuple[dict[str, Any], dict[str, str]]:
    values: dict[str, Any] = {
        "title": forms.text(request, "title", max_length=200),
        "question": forms.text(request, "question", max_length=5000),
        "form": forms.text(request, "form", max_length=20),
        "rule": forms.text(request, "rule", max_length=30),
        "electorate": forms.text(request, "electorate", max_length=20),
        "options": forms.text(request, "options", max_length=5000),
        "closes_at": forms.text(request, "closes_at", max_length=30),
        "opens_at": forms.text(request, "opens_at", max_length=30),
        "secret": forms.text(request, "secret") == "1",
        "results_while_open": forms.text(request, "results_while_open") == "1",
    }
    errors: dict[str, str] = {}
    if not values["title"]:
        errors["title"] = _("请填写表决事项。")
    elif len(values["title"]) > 200:
        errors["title"] = _("表决事项不能超过 200 个字。")
    if values["form"] not in set(tally.Form):
        errors["form"] = _("请选择表决方式。")
    if values["rule"] not in set(tally.Rule):
        errors["rule"] = _("请选择通过规则。")
    if values["electorate"] not in ElectorateKind.ALL:
        errors["electorate"] = _("请选择投票人范围。")
    elif values["rule"] in OWNER_RULES and values["electorate"] != ElectorateKind.OWNERS:
        errors["electorate"] = _("业主表决规则只能用于业主投票。")
    options = [line.strip() for line in values["options"].splitlines() if line.strip()]
    if values["form"] in (tally.Form.CHOOSE_ONE, tally.Form.CHOOSE_MANY):
        if len(options) < 2:
            errors["options"] = _("请至少列出两个选项，每行一个。")
        elif len(options) > MAX_OPTIONS or len(set(options)) != len(options):
            errors["options"] = _("选项不能重复，最多 %(n)s 个。", n=MAX_OPTIONS)
        elif any(o in ("abstain", "弃权") or len(o) > 200 for o in options):
            errors["options"] = _("“弃权”不用列为选项；每个选项不超过 200 个字。")
    else:
        options = []
    values["option_list"] = options
    values["opens"] = None
    if values["opens_at"]:
        try:
            opens = datetime.fromisoformat(values["opens_at"]).replace(tzinfo=_zone(request))
            if opens <= utcnow().astimezone(_zone(request)):
                errors["opens_at"] = _("开始时间须在将来；想现在开始，请留空，创建后点“开始投票”。")
            values["opens"] = opens
        except ValueError:
            errors["opens_at"] = _("开始时间格式不对，如 2026-12-01 08:00；也可以留空。")
    try:
        closes = datetime.fromisoformat(values["closes_at"]).replace(tzinfo=_zone(request))
        if values["opens"] and closes <= values["opens"]:
            errors["closes_at"] = _("截止时间须晚于开始时间。")
        if closes <= utcnow().astimezone(_zone(request)) + timedelta(minutes=5):
            errors["closes_at"] = _("截止时间须在至少 5 分钟之后。")
        values["closes"] = closes
    except ValueError:
        errors["closes_at"] = _("请填写截止时间，如 2026-12-01 18:00。")
    return values, errors


def new_vote(request: Request) -> Response:
    place = get_or_404(db(request), Place, request.path_params["id"])
    ensure(request, Act.MANAGE_VOTES, place)
    context: dict[str, Any] = {
        "place": place, "form_labels": labels.form_labels(), "rule_labels": labels.rule_labels(),
        "electorate_labels": labels.electorate_labels(), "errors": {},
    }
    if request.method == "GET":
        default_close = (utcnow().astimezone(_zone(request)) + timedelta(days=7)).replace(hour=18, minute=0, second=0)
        context["values"] = {"form": "yes_no", "rule": "majority", "electorate": "adults",
                             "closes_at": default_close.strftime("%Y-%m-%dT%H:%M")}
        return render(request, "voting/new.html", context)
    values, errors = _parse_new(request)
    if errors:
        return render(request, "voting/new.html", {**context, "values": values, "errors": errors}, status=422)
    session = db(request)
    vote = actions.do_create_vote(
        session, place=place, title=values["title"], question=values["question"], form=values["form"],
        rule=values["rule"], electorate_kind=values["electorate"], secret=values["secret"],
        closes_at=values["closes"], options=values["option_list"], by=require_user(request),
        results_while_open=values["results_while_open"], opens_at=values["opens"],
    )
    flash(request, _("表决已创建。核对无误后，点“开始投票”生成投票人名单。"))
    return redirect(_vote_url(request, vote))


def _result_data(request: Request, vote: Vote) -> dict[str, Any] | None:
    if vote.status == VoteStatus.CERTIFIED and vote.result_json:
        return json.loads(vote.result_json)
    if vote.status == VoteStatus.CLOSED or (vote.status == VoteStatus.OPEN and vote.results_while_open):
        return actions.result_of(db(request), vote).to_json()
    return None


def detail(request: Request) -> Response:
    vote, place = _vote_and_place(request)
    person = current_person(request)
    if vote.status == VoteStatus.DRAFT:
        ensure(request, Act.MANAGE_VOTES, place)
    session = db(request)
    roll, roll_area, voted, voted_area = actions.roll_totals(session, vote)
    result = _result_data(request, vote)
    user = current_user(request)
    entries = actions.entries_for(session, vote, user) if user and vote.status == VoteStatus.OPEN else []
    mine = [(e, actions.own_ballot(session, vote, e)) for e in entries]
    data = {
        **summary(request, vote), "question": vote.question, "place": {"id": place.id, "name": place.name},
        "options": actions.options_of(session, vote),
        "participation": {"roll": roll, "voted": voted, "roll_area": f"{roll_area / 100:.2f}",
                          "voted_area": f"{voted_area / 100:.2f}"},
        "result": result,
    }
    return render(request, "voting/detail.html", {
        "vote": vote, "place": place, "trail": places.ancestors(session, place) + [place],
        "options": data["options"], "roll": roll, "voted": voted, "roll_area": roll_area, "voted_area": voted_area,
        "result": result, "mine": mine, "labels": labels,
        "can_manage": may(person, Act.MANAGE_VOTES, place), "can_certify": may(person, Act.CERTIFY_VOTES, place),
        "can_enter_paper": may(person, Act.ENTER_PAPER_BALLOTS, place),
        "discussion": _thread(request, "vote", vote.id),  # type: ignore[arg-type]
    }, data=data)


def open_vote(request: Request) -> Response:
    vote, place = _vote_and_place(request)
    ensure(request, Act.MANAGE_VOTES, place)
    session = db(request)
    try:
        size = actions.do_open(session, vote, place)
    except actions.VoteError as error:
        raise _conflict(error) from None
    flash(request, _("投票已开始，投票人名单共 %(n)s 人，已固定。", n=size))
    return redirect(_vote_url(request, vote))


def _choice_from_form(request: Request, vote: Vote, prefix: str) -> Any:
    if vote.form == tally.Form.CHOOSE_MANY:
        chosen = [c for c in forms.form(request).getlist(prefix) if isinstance(c, str)]
        return "abstain" if chosen == ["abstain"] else chosen
    return forms.text(request, prefix, max_length=200) or None


def cast(request: Request) -> Response:
    vote, place = _vote_and_place(request)
    user = require_user(request)
    session = db(request)
    entry = get_or_404(session, RollEntry, forms.text(request, "entry", max_length=12))
    if entry.vote_id != vote.id or entry.id not in {e.id for e in actions.entries_for(session, vote, user)}:
        raise HTTPException(403, labels.error_message("not_on_roll"))
    choice = _choice_from_form(request, vote, "choice")
    if choice is None or choice == []:
        raise HTTPException(422, labels.error_message("bad_choice"))
    try:
        result = actions.do_cast(session, vote, entry, choice, receipt=forms.text(request, "receipt", max_length=20))
    except actions.VoteError as error:
        session.rollback()
        if error.code == "bad_choice":
            raise HTTPException(422, labels.error_message(error.code)) from None
        raise _conflict(error) from None
    if result.receipt:
        return _receipt_page(request, vote, place, result, back_url=_vote_url(request, vote))
    flash(request, _("选票已修改。") if result.changed else _("选票已记录，谢谢您参与！"))
    return redirect(_vote_url(request, vote))


def _receipt_page(request: Request, vote: Vote, place: Place, result: actions.CastResult, *, back_url: str,
                  paper_for: str = "") -> Response:
    """A secret ballot's receipt goes out in this response and nowhere else: never in a flash, which is
    stored in the session row beside the voter's account, nor in a URL, nor in any cache."""
    response = render(request, "voting/receipt.html", {
        "vote": vote, "place": place, "receipt": result.receipt, "changed": result.changed,
        "back_url": back_url, "paper_for": paper_for,
    })
    response.headers["Cache-Control"] = "no-store"
    return response


def paper(request: Request) -> Response:
    vote, place = _vote_and_place(request)
    ensure(request, Act.ENTER_PAPER_BALLOTS, place)
    session = db(request)
    query = request.query_params.get("q", "").strip()[:50]
    status = 200
    error = None
    if request.method == "POST":
        staff = require_user(request)
        entry = get_or_404(session, RollEntry, forms.text(request, "entry", max_length=12))
        serial = forms.text(request, "serial", max_length=40)
        choice = _choice_from_form(request, vote, "choice")
        if entry.vote_id != vote.id:
            raise HTTPException(404)
        if not serial:
            error, status = _("请填写纸质选票上的编号。"), 422
        elif choice is None or choice == []:
            error, status = labels.error_message("bad_choice"), 422
        else:
            try:
                result = actions.do_cast(session, vote, entry, choice, channel=Channel.PAPER, entered_by=staff,
                                         paper_serial=serial)
            except actions.VoteError as refused:
                session.rollback()
                raise (HTTPException(422, labels.error_message(refused.code)) if refused.code == "bad_choice"
                       else _conflict(refused)) from None
            back = request.app.url_path_for("votes:paper", id=vote.id)
            if result.receipt:
                return _receipt_page(request, vote, place, result, back_url=back, paper_for=entry.label)
            flash(request, _("已录入 %(name)s 的纸质选票（编号 %(serial)s）。", name=entry.label, serial=serial))
            return redirect(back)
    statement = actions.unvoted_statement(vote, query)
    waiting = list(session.exec(statement.limit(50)).all())
    return render(request, "voting/paper.html", {
        "vote": vote, "place": place, "waiting": waiting, "q": query, "error": error,
        "options": actions.options_of(session, vote), "labels": labels,
    }, status=status)


def close_vote(request: Request) -> Response:
    vote, place = _vote_and_place(request)
    ensure(request, Act.MANAGE_VOTES, place)
    session = db(request)
    try:
        actions.do_close(session, vote)
    except actions.VoteError as error:
        raise _conflict(error) from None
    flash(request, _("表决已结束，请议事会核对并认证结果。"))
    return redirect(_vote_url(request, vote))


def certify(request: Request) -> Response:
    vote, place = _vote_and_place(request)
    ensure(request, Act.CERTIFY_VOTES, place)
    session = db(request)
    try:
        plans.do_certify_vote(session, vote, by=require_user(request))
    except actions.VoteError as error:
        raise _conflict(error) from None
    flash(request, _("结果已认证，公示已发布。"))
    return redirect(request.app.url_path_for("votes:notice", id=vote.id))


def notice(request: Request) -> Response:
    vote, place = _vote_and_place(request)
    if vote.status != VoteStatus.CERTIFIED:
        raise HTTPException(404, _("结果认证后才会公示。"))
    session = db(request)
    roll, roll_area, voted, voted_area = actions.roll_totals(session, vote)
    return render(request, "voting/notice.html", {
        "vote": vote, "place": place, "trail": places.ancestors(session, place) + [place],
        "result": json.loads(vote.result_json), "roll": roll, "voted": voted, "roll_area": roll_area,
        "voted_area": voted_area, "labels": labels,
        "receipts": actions.receipts(session, vote) if vote.secret else [],
        "participants": actions.participants(session, vote),
        "certifier": session.get(actions.User, vote.certified_by_id) if vote.certified_by_id else None,
    })


def ballots_export(request: Request) -> Response:
    vote, _place = _vote_and_place(request)
    if vote.status not in (VoteStatus.CLOSED, VoteStatus.CERTIFIED):
        raise HTTPException(409, _("表决截止后才公布选票。"))
    return JSONResponse(jsonable(actions.recount_export(db(request), vote)))



def _thread(request: Request, kind: str, subject_id: int) -> discussion.ThreadView | None:
    sort, page = discussion.order(request.query_params.get("sort"), request.query_params.get("cpage"))
    return discussion.thread_of(db(request), kind, subject_id, current_person(request), current_user(request),
                                sort=sort, page=page)


routes = [
    *public_routes("/places/{id:int}/votes", place_votes, "place_votes"),
    Route("/places/{id:int}/votes/new", new_vote, methods=["GET", "POST"], name="new"),
    *public_routes("/votes/{id:int}", detail, "detail"),
    Route("/votes/{id:int}/open", open_vote, methods=["POST"], name="open"),
    Route("/votes/{id:int}/ballot", cast, methods=["POST"], name="cast"),
    Route("/votes/{id:int}/paper", paper, methods=["GET", "POST"], name="paper"),
    Route("/votes/{id:int}/close", close_vote, methods=["POST"], name="close"),
    Route("/votes/{id:int}/certify", certify, methods=["POST"], name="certify"),
    Route("/votes/{id:int}/notice", notice, methods=["GET"], name="notice"),
    Route("/votes/{id:int}/ballots.json", ballots_export, methods=["GET"], name="ballots"),
]
