"""Votes of a place: prepare, open, cast online and on paper, close, certify, publish, export.

Each handler reads its form, loads what it acts on through `access_vote` (which proves this person may),
calls one action and redirects or renders a page object from `queries`; refusals answer for themselves.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from deliberate.discussion import queries as discussion
from deliberate.i18n import gettext as _
from deliberate.inbox import actions as inbox
from deliberate.places.models import Place
from deliberate.policy import Act, may
from deliberate.policy.access import access_place
from deliberate.proposals import plans
from deliberate.refusal import Conflict, NotFound
from deliberate.voting import actions, forms, labels, queries
from deliberate.voting.access import access_entry, access_own_entry, access_vote
from deliberate.voting.models import Channel, Vote, VoteStatus
from deliberate.web.auth import current_person, current_user, db, require_user
from deliberate.web.confirm import ask_to_confirm, confirmed
from deliberate.web.loading import accessed
from deliberate.web.responses import flash, json_stream, path_for, public_routes, redirect, render


def _zone(request: Request) -> ZoneInfo:
    return ZoneInfo(request.app.state.settings.timezone)


def _url(request: Request, vote: Vote) -> str:
    return path_for(request, "votes:detail", id=vote.id)


def place_votes(request: Request) -> Response:
    place = accessed(request, access_place)
    return render(request, "voting/list.html", queries.place_votes(db(request), place, current_person(request)))


def _new_form(request: Request, place: Place, values: dict[str, Any], errors: dict[str, str]) -> Response:
    return render(request, "voting/new.html", {
        "place": place, "values": values, "errors": errors, "form_labels": labels.form_labels(),
        "rule_labels": labels.rule_labels(), "electorate_labels": labels.electorate_labels(),
    }, status=422 if errors else 200)


def new_vote(request: Request) -> Response:
    place = accessed(request, access_place, Act.MANAGE_VOTES)
    if request.method == "GET":
        return _new_form(request, place, forms.defaults(_zone(request)), {})
    new, values, errors = forms.new_vote(request, _zone(request))
    if new is None:
        return _new_form(request, place, values, errors)
    vote = actions.do_create_vote(
        db(request), place=place, title=new.title, question=new.question, form=new.form, rule=new.rule,
        electorate_kind=new.electorate, secret=new.secret, closes_at=new.closes_at, options=new.options,
        by=require_user(request), results_while_open=new.results_while_open, opens_at=new.opens_at)
    flash(request, _("表决已创建。核对无误后，点“开始投票”生成投票人名单。"))
    return redirect(_url(request, vote))


def detail(request: Request) -> Response:
    vote, place = accessed(request, access_vote)
    sort, page = discussion.order(request.query_params.get("sort"), request.query_params.get("cpage"))
    person, user = current_person(request), current_user(request)
    thread = discussion.thread_of(db(request), "vote", vote.id, person, user, sort=sort, page=page)
    decided = plans.ballot_plans(db(request), vote)
    return render(request, "voting/detail.html",
                  queries.vote_page(db(request), vote, place, person, user, thread, decided))


def open_vote(request: Request) -> Response:
    vote, place = accessed(request, access_vote, Act.MANAGE_VOTES)
    actions.check_owners_named_apart(db(request), vote, place, checked=forms.owners_checked(request))
    size = inbox.do_open_vote(db(request), vote, place)  # its voters are told
    flash(request, _("投票已开始，投票人名单共 %(n)s 人，已固定。", n=size))
    return redirect(_url(request, vote))


def cast(request: Request) -> Response:
    vote, place = accessed(request, access_vote)
    ballot = forms.ballot(request, vote)
    entry = access_own_entry(db(request), vote, require_user(request), ballot.entry)
    if ballot.choice is None:
        raise actions.VoteError("bad_choice")
    result = actions.do_cast(db(request), vote, entry, ballot.choice, receipt=ballot.receipt)
    if result.receipt:
        return _receipt_page(request, vote, place, result, back_url=_url(request, vote))
    flash(request, _("选票已修改。") if result.changed else _("选票已记录，谢谢您参与！"))
    return redirect(_url(request, vote))


def _receipt_page(request: Request, vote: Vote, place: Place, result: actions.CastResult, *, back_url: str,
                  paper_for: str = "") -> Response:
    """A secret ballot's receipt goes out in this response and nowhere else: never in a flash (which the browser
    keeps beside its login), nor in a URL, nor in any cache."""
    response = render(request, "voting/receipt.html", {
        "vote": vote, "place": place, "receipt": result.receipt, "changed": result.changed,
        "back_url": back_url, "paper_for": paper_for,
    })
    response.headers["Cache-Control"] = "no-store"
    return response


def paper(request: Request) -> Response:
    vote, place = accessed(request, access_vote, Act.ENTER_PAPER_BALLOTS)
    query = request.query_params.get("q", "").strip()[:50]
    if request.method == "GET":
        return _paper_page(request, vote, place, query)
    ballot, problem = forms.paper_ballot(request, vote)
    entry = access_entry(db(request), vote, ballot.entry)
    if problem:
        return _paper_page(request, vote, place, query, problem)
    result = actions.do_cast(db(request), vote, entry, ballot.choice, channel=Channel.PAPER,
                             entered_by=require_user(request), paper_serial=ballot.serial)
    back = request.app.url_path_for("votes:paper", id=vote.id)
    if result.receipt:
        return _receipt_page(request, vote, place, result, back_url=back, paper_for=entry.label)
    flash(request, _("已录入 %(name)s 的纸质选票（编号 %(serial)s）。", name=entry.label, serial=ballot.serial))
    return redirect(back)


def paper_list(request: Request) -> Response:
    vote, place = accessed(request, access_vote, Act.ENTER_PAPER_BALLOTS)
    return render(request, "voting/paper_list.html", queries.paper_list_page(db(request), vote, place))


def correct_paper(request: Request) -> Response:
    vote, place = accessed(request, access_vote, Act.ENTER_PAPER_BALLOTS)
    asked, values, errors = forms.paper_correction(request, vote)
    if asked is None:
        page = queries.paper_list_page(db(request), vote, place, errors, values)
        return render(request, "voting/paper_list.html", page, status=422)
    entry = access_entry(db(request), vote, asked.entry) if asked.entry else None
    correction = actions.Correction(serial=asked.serial, new_serial=asked.new_serial, choice=asked.choice,
                                    reason=asked.reason, entry=entry)
    done = actions.do_correct_paper(db(request), vote, correction, by=require_user(request))
    flash(request, _("纸质选票 %(serial)s 已作废并重新录入（编号 %(new)s），更正已记录。", serial=done.old_serial,
                     new=done.new_serial))
    return redirect(path_for(request, "votes:paper_list", id=vote.id))


def _paper_page(request: Request, vote: Vote, place: Place, query: str, problem: str = "") -> Response:
    page = queries.paper_page(db(request), vote, place, query, problem)
    return render(request, "voting/paper.html", page, status=422 if problem else 200)


def close_vote(request: Request) -> Response:
    vote, _place = accessed(request, access_vote, Act.MANAGE_VOTES)
    actions.check_closable(db(request), vote)  # refused at once, before asking to confirm what cannot be done
    if not confirmed(request):
        return ask_to_confirm(
            request, title=_("结束表决"), what=_("结束“%(title)s”并立即计票。", title=vote.title),
            consequence=_("结束后不再接受任何投票（网上或纸质），也不能再更正纸质选票。此操作不能撤销。"),
            button=_("确认结束表决"), back=_url(request, vote))
    actions.do_close(db(request), vote)
    flash(request, _("表决已结束，请议事会核对并认证结果。"))
    return redirect(_url(request, vote))


def withdraw(request: Request) -> Response:
    vote, place = accessed(request, access_vote, Act.MANAGE_VOTES)
    if request.method == "GET":
        return _withdraw_form(request, vote, place, "", {})
    reason, errors = forms.withdrawal(request)
    if errors:
        return _withdraw_form(request, vote, place, reason, errors)
    if not confirmed(request):
        return ask_to_confirm(
            request, title=_("撤回表决"), what=_("撤回“%(title)s”。理由：%(reason)s", title=vote.title, reason=reason),
            consequence=_("撤回后不能再投票，已投的选票不计；名单上的每个人都会收到通知。此操作不能撤销。"),
            button=_("确认撤回"), back=_url(request, vote))
    plans.do_withdraw_vote(db(request), vote, by=require_user(request), reason=reason)
    flash(request, _("表决已撤回，名单上的投票人会收到通知。"))
    return redirect(_url(request, vote))


def _withdraw_form(request: Request, vote: Vote, place: Place, reason: str, errors: dict[str, str]) -> Response:
    page = {"vote": vote, "place": place, "reason": reason, "errors": errors,
            "decides_plans": vote.subject_kind == "proposal"}
    return render(request, "voting/withdraw.html", page, status=422 if errors else 200)


def certify(request: Request) -> Response:
    vote, _place = accessed(request, access_vote, Act.CERTIFY_VOTES)
    plans.do_certify_vote(db(request), vote, by=require_user(request))
    flash(request, _("结果已认证，公示已发布。"))
    return redirect(request.app.url_path_for("votes:notice", id=vote.id))


def notice(request: Request) -> Response:
    vote, place = accessed(request, access_vote)
    if vote.status != VoteStatus.CERTIFIED:
        raise NotFound(_("结果认证后才会公示。"))
    return render(request, "voting/notice.html", queries.notice_page(db(request), vote, place))


def ballots_export(request: Request) -> Response:
    vote, place = accessed(request, access_vote)
    if vote.status not in (VoteStatus.CLOSED, VoteStatus.CERTIFIED):
        raise Conflict(_("表决截止后才公布选票。"))
    names = may(current_person(request), Act.SEE_VOTERS, place)
    return json_stream(queries.recount_header(db(request), vote), "ballots",
                       queries.recount_ballots(db(request), vote, with_names=names))


routes = [
    *public_routes("/places/{id:int}/votes", place_votes, "place_votes"),
    Route("/places/{id:int}/votes/new", new_vote, methods=["GET", "POST"], name="new"),
    *public_routes("/votes/{id:int}", detail, "detail"),
    Route("/votes/{id:int}/open", open_vote, methods=["POST"], name="open"),
    Route("/votes/{id:int}/ballot", cast, methods=["POST"], name="cast"),
    Route("/votes/{id:int}/paper", paper, methods=["GET", "POST"], name="paper"),
    Route("/votes/{id:int}/paper/entered", paper_list, methods=["GET"], name="paper_list"),
    Route("/votes/{id:int}/paper/correct", correct_paper, methods=["POST"], name="paper_correct"),
    Route("/votes/{id:int}/close", close_vote, methods=["POST"], name="close"),
    Route("/votes/{id:int}/certify", certify, methods=["POST"], name="certify"),
    Route("/votes/{id:int}/withdraw", withdraw, methods=["GET", "POST"], name="withdraw"),
    Route("/votes/{id:int}/notice", notice, methods=["GET"], name="notice"),
    Route("/votes/{id:int}/ballots.json", ballots_export, methods=["GET"], name="ballots"),
]
