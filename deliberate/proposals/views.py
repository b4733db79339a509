"""A proposal's pages: write, co-sign, follow, review, plans, works, supervision, rating, and its timeline.

Each handler reads its form (photos before the write transaction begins), loads the proposal through
`access_proposal` (which proves this person may, with its row locked on a form), calls one action and
redirects, or renders a page object from `queries`; refusals answer for themselves.
"""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from deliberate.accounts.models import User
from deliberate.accounts.people import Person
from deliberate.discussion import queries as discussion
from deliberate.i18n import gettext as _
from deliberate.meetings.actions import meetings_for_proposal
from deliberate.places.models import Place
from deliberate.policy import Act
from deliberate.policy.access import access_place
from deliberate.proposals import actions, forms, plans, queries, works
from deliberate.proposals.access import (
    access_chosen_plan,
    access_milestone,
    access_photo,
    access_plan,
    access_proposal,
    access_target,
    check_move,
)
from deliberate.proposals.models import Plan, Proposal
from deliberate.proposals.rules import Action as Move
from deliberate.proposals.rules import Stage
from deliberate.refusal import NotFound
from deliberate.web.auth import current_person, current_user, db, require_person, require_user
from deliberate.web.confirm import ask_to_confirm, confirmed
from deliberate.web.loading import accessed
from deliberate.web.responses import flash, path_for, public_routes, redirect, render

# Helpers ---------------------------------------------------------------------------------------


def _zone(request: Request) -> ZoneInfo:
    return ZoneInfo(request.app.state.settings.timezone)


def _done(request: Request, proposal: Proposal, message: str, anchor: str = "") -> Response:
    flash(request, message)
    return redirect(path_for(request, "proposals:detail", id=proposal.id) + (f"#{anchor}" if anchor else ""))


def _acting(request: Request) -> tuple[Person, User]:
    """Who acts: their capacities, and their account (whose name the timeline shows)."""
    return require_person(request), require_user(request)


def _thread(request: Request, kind: str, subject_id: int) -> discussion.ThreadView | None:
    sort, page = discussion.order(request.query_params.get("sort"), request.query_params.get("cpage"))
    return discussion.thread_of(db(request), kind, subject_id, current_person(request), current_user(request),
                                sort=sort, page=page)


def _page(request: Request, proposal: Proposal, place: Place, invalid: queries.Invalid | None = None) -> Response:
    """The proposal's page, with what the layers above add: its thread, its meetings, its plans' comments."""
    session = db(request)
    page = queries.proposal_page(session, proposal, place, current_person(request), current_user(request),
                                 zone=_zone(request), invalid=invalid)
    page = replace(page, discussion=_thread(request, "proposal", proposal.id),
                   meetings=meetings_for_proposal(session, proposal),
                   plan_comments=discussion.comment_count(session, "plan", [plan.id for plan, _v in page.plans]))
    return render(request, "proposals/detail.html", page, status=422 if invalid else 200)


def _steps() -> dict[Move, tuple[str, str, str]]:
    """What the confirmation of each irreversible step says: its title, its consequence, its button."""
    return {
        Move.ACCEPT: (_("受理立案"), _("受理后提案进入制定方案阶段，不能再驳回或退回作者。"), _("确认受理")),
        Move.REJECT: (_("驳回提案"), _("驳回后提案即告结束，理由向所有人公开，不能撤销。"), _("确认驳回")),
        Move.MERGE: (_("合并提案"), _("合并后本提案即告结束，附议和关注转到目标提案，不能撤销。"), _("确认合并")),
        Move.WITHDRAW: (_("撤回提案"), _("撤回后提案即告结束，不能恢复。"), _("确认撤回")),
        Move.PUBLISH_PLAN: (_("公示方案"), _("公示后方案不能再修改，公示期满后交付表决或由议事会决定。"),
                            _("确认公示")),
        Move.END_DISCLOSURE: (_("结束公示"), _("结束后不能回到公示，方案交付表决或由议事会决定。"),
                              _("确认结束公示")),
        Move.APPROVE_PLAN: (_("记录决定"), _("决定记录后不能撤销：通过的方案进入实施，其他方案不再采用。"),
                            _("确认记录决定")),
        Move.REJECT_PLAN: (_("记录决定"), _("决定记录后不能撤销：全部方案不通过，退回重新拟定。"),
                           _("确认记录决定")),
        Move.COMPLETE_WORKS: (_("完工，申请验收"), _("完工后不能再记录施工进度，等待居民代表现场验收。"),
                              _("确认完工")),
        Move.PASS_ACCEPTANCE: (_("验收通过"), _("验收通过后进入满意度评价，这一步不能撤销。"), _("确认验收通过")),
        Move.FAIL_ACCEPTANCE: (_("验收不通过"), _("验收不通过会退回施工整改，这一步不能撤销。"), _("确认验收不通过")),
        Move.CLOSE: (_("办结提案"), _("办结后提案不能再做任何操作。"), _("确认办结")),
    }


def _ask_first(request: Request, proposal: Proposal, place: Place, move: Move, what: str = "", *,
               text: str = "") -> Response | None:
    """None when this POST confirms the step; else the page asking to confirm it, once the step is known to be
    possible now with this reason or findings (a step already done is refused at once, never asked again)."""
    if confirmed(request):
        return None
    check_move(current_person(request), proposal, place, move, reason=text, findings=text)
    title, consequence, button = _steps()[move]
    return ask_to_confirm(request, title=title, what=what or _("“%(title)s”：%(step)s。", title=proposal.title,
                          step=title), consequence=consequence, button=button,
                          back=path_for(request, "proposals:detail", id=proposal.id))


def _again(request: Request, proposal: Proposal, place: Place, form: str, errors: dict[str, str]) -> Response:
    """The proposal's page with this form sent back (422), filled in as it was, each problem by its field."""
    return _page(request, proposal, place, queries.Invalid(form, errors, forms.entered(request)))


# Writing a proposal ----------------------------------------------------------------------------


def _form(request: Request, place: Place, proposal: Proposal | None, written: forms.Written | None) -> Response:
    if written is None:
        return render(request, "proposals/form.html", queries.proposal_form(db(request), place, proposal))
    page = queries.proposal_form(db(request), place, proposal, written.values, written.errors)
    return render(request, "proposals/form.html", page, status=422)


def new_proposal(request: Request) -> Response:
    written = forms.proposal(request) if request.method == "POST" else None
    place = accessed(request, access_place, Act.ACT_AS_RESIDENT)
    if written is None or written.errors:
        return _form(request, place, None, written)
    person, user = _acting(request)
    proposal = actions.do_create(db(request), place=place, author=user, draft=written.draft, submit=written.submit,
                                 person=person, photos=written.photos)
    message = _("提案已提交，邻居们现在可以附议。") if written.submit else _("草稿已保存，只有您自己能看到。")
    return _done(request, proposal, message)


def edit_proposal(request: Request) -> Response:
    written = forms.proposal(request) if request.method == "POST" else None
    proposal, place = accessed(request, access_proposal, Move.EDIT)
    if written is None or written.errors:
        return _form(request, place, proposal, written)
    submitted = actions.do_edit(db(request), proposal, place, *_acting(request), written.draft,
                                photos=written.photos, submit=written.submit)
    return _done(request, proposal, _("提案已提交，邻居们现在可以附议。") if submitted else _("修改已保存。"))


# The proposal page -----------------------------------------------------------------------------


def detail(request: Request) -> Response:
    proposal, place = accessed(request, access_proposal)
    return _page(request, proposal, place)


def notice(request: Request) -> Response:
    """A step's notice (公示) to print for the bulletin board: public like the proposal, 404 before the step."""
    proposal, place = accessed(request, access_proposal)
    page = queries.proposal_notice(db(request), proposal, place, request.path_params["kind"])
    if page is None:
        raise NotFound(_("提案还没有到这一步，没有这份公示。"))
    return render(request, "proposals/notice.html", page)


# Moves of residents and authors ----------------------------------------------------------------


def submit(request: Request) -> Response:
    proposal, place = accessed(request, access_proposal, Move.SUBMIT)
    actions.do_submit(db(request), proposal, place, *_acting(request))
    return _done(request, proposal, _("提案已提交，邻居们现在可以附议。"))


def cosign(request: Request) -> Response:
    proposal, place = accessed(request, access_proposal, Act.ACT_AS_RESIDENT)
    counted = actions.do_cosign(db(request), proposal, place, *_acting(request))
    message = _("已附议，谢谢您的支持。") if counted else _("您已经附议过了。")
    if proposal.stage == Stage.REVIEW:
        message += " " + _("附议人数已达到门槛，提案转入受理。")
    return _done(request, proposal, message, "cosign")


def withdraw(request: Request) -> Response:
    proposal, place = accessed(request, access_proposal, Move.WITHDRAW)
    actions.check_withdrawable(db(request), proposal)  # refused at once, never asked to confirm
    if asked := _ask_first(request, proposal, place, Move.WITHDRAW):
        return asked
    actions.do_withdraw(db(request), proposal, place, *_acting(request), forms.reason(request))
    return _done(request, proposal, _("提案已撤回。"))


def resubmit(request: Request) -> Response:
    proposal, place = accessed(request, access_proposal, Move.RESUBMIT)
    actions.do_resubmit(db(request), proposal, place, *_acting(request))
    return _done(request, proposal, _("提案已重新提交受理。"))


def follow(request: Request) -> Response:
    proposal, _place = accessed(request, access_proposal)
    if not forms.following(request):
        actions.do_unfollow(db(request), proposal, require_user(request))
        return _done(request, proposal, _("已取消关注。"))
    actions.do_follow(db(request), proposal, require_user(request))
    return _done(request, proposal, _("已关注：每一步进展都会通知您。"))


# Review ----------------------------------------------------------------------------------------


def _reviewed() -> dict[Move, str]:
    return {Move.ACCEPT: _("已受理立案，请拟定方案。"), Move.REJECT: _("已驳回，理由已公开。"),
            Move.REQUEST_CHANGES: _("已请作者修改。")}


def review(request: Request) -> Response:
    proposal, place = accessed(request, access_proposal, Act.REVIEW_PROPOSALS)
    decided, errors = forms.review(request)
    if decided is None:
        return _again(request, proposal, place, "review", errors)
    if decided.move is not Move.REQUEST_CHANGES and (asked := _ask_first(request, proposal, place, decided.move,
                                                                          text=decided.reason)):
        return asked
    actions.do_review(db(request), proposal, place, *_acting(request), decided.move, decided.reason)
    return _done(request, proposal, _reviewed()[decided.move])


def merge(request: Request) -> Response:
    proposal, place = accessed(request, access_proposal, Act.REVIEW_PROPOSALS)
    merging, errors = forms.merge(request)
    if merging is None:
        return _again(request, proposal, place, "merge", errors)
    target = access_target(db(request), merging.target, _("找不到要合并到的提案。"))
    actions.check_merge(db(request), proposal, place, target)
    if asked := _ask_first(request, proposal, place, Move.MERGE, _("把本提案合并到“%(title)s”。", title=target.title)):
        return asked
    actions.do_merge(db(request), proposal, place, *_acting(request), target, merging.reason)
    return _done(request, proposal, _("已合并到“%(title)s”，附议和关注已一并转过去。", title=target.title))


# Plans -----------------------------------------------------------------------------------------


def _plan_form(request: Request, proposal: Proposal, place: Place, plan: Plan | None) -> Response:
    """A plan's form, or the plan drafted or revised from it."""
    if request.method == "GET":
        return render(request, "proposals/plan_form.html", queries.plan_form(db(request), proposal, place, plan))
    sent = forms.plan(request)
    if sent.errors:
        page = queries.plan_form(db(request), proposal, place, plan, sent.typed, sent.errors)
        return render(request, "proposals/plan_form.html", page, status=422)
    if plan is None:
        plans.do_add_plan(db(request), proposal, require_user(request), sent.text)
        return _done(request, proposal, _("方案已拟定。可以继续拟定备选方案，或公示。"), "plans")
    plans.do_edit_plan(db(request), proposal, plan, require_user(request), sent.text, sent.note,
                       based_on=sent.based_on)
    return _done(request, proposal, _("方案已修订，原来的版本仍可查看。"), "plans")


def new_plan(request: Request) -> Response:
    proposal, place = accessed(request, access_proposal, Act.REVIEW_PROPOSALS)
    return _plan_form(request, proposal, place, None)


def edit_plan(request: Request) -> Response:
    proposal, place = accessed(request, access_proposal, Act.REVIEW_PROPOSALS)
    plan = access_plan(db(request), proposal, request.path_params.get("plan_id"))
    return _plan_form(request, proposal, place, plan)


def plan_history(request: Request) -> Response:
    proposal, place = accessed(request, access_proposal)
    plan = access_plan(db(request), proposal, request.path_params.get("plan_id"))
    page = queries.plan_history(db(request), plan, proposal, place, _thread(request, "plan", plan.id))
    return render(request, "proposals/plan_history.html", page)


def publish(request: Request) -> Response:
    proposal, place = accessed(request, access_proposal, Act.REVIEW_PROPOSALS)
    plans.ensure_publishable(db(request), proposal)
    if asked := _ask_first(request, proposal, place, Move.PUBLISH_PLAN, _(
            "“%(title)s”拟定中的方案将向居民公示 %(days)s 天。", title=proposal.title,
            days=actions.rules_of(db(request), place).disclosure_days)):
        return asked
    plans.do_publish(db(request), proposal, place, *_acting(request))
    days = actions.rules_of(db(request), place).disclosure_days
    return _done(request, proposal, _("方案已公示，公示期 %(days)s 天。", days=days), "plans")


def end_disclosure(request: Request) -> Response:
    proposal, place = accessed(request, access_proposal, Act.REVIEW_PROPOSALS)
    plans.ensure_disclosure_over(db(request), proposal, place)
    if asked := _ask_first(request, proposal, place, Move.END_DISCLOSURE):
        return asked
    plans.do_end_disclosure(db(request), proposal, place, *_acting(request))
    return _done(request, proposal, _("公示期满，方案待表决或议事会决定。"), "plans")


def decide(request: Request) -> Response:
    proposal, place = accessed(request, access_proposal, Act.REVIEW_PROPOSALS)
    decided = forms.decision(request)
    plan = access_chosen_plan(db(request), decided.plan, _("请选择要通过的方案。"))
    plans.refuse_while_a_vote_decides(db(request), proposal)  # refused at once, never asked to confirm
    if asked := _ask_first(request, proposal, place, Move.APPROVE_PLAN if plan else Move.REJECT_PLAN,
                           queries.decision_text(db(request), proposal, plan)):
        return asked
    plans.do_decide(db(request), proposal, place, *_acting(request), plan, reason=decided.reason)
    return _done(request, proposal, _("方案已通过，进入实施。") if plan else _("方案未通过，退回重新拟定。"), "plans")


def plan_vote(request: Request) -> Response:
    proposal, place = accessed(request, access_proposal, Act.MANAGE_VOTES)
    if request.method == "GET":
        page = queries.vote_form(db(request), proposal, place, forms.vote_defaults(_zone(request)))
        return render(request, "proposals/vote_form.html", page)
    asked, values, errors = forms.plan_vote(request, _zone(request))
    if asked is None:
        page = queries.vote_form(db(request), proposal, place, values, errors)
        return render(request, "proposals/vote_form.html", page, status=422)
    vote = plans.do_open_vote(db(request), proposal, place, require_user(request), closes_at=asked.closes_at,
                              rule=asked.rule, electorate_kind=asked.electorate, secret=asked.secret)
    flash(request, _("表决已创建。核对无误后，点“开始投票”生成投票人名单。"))
    return redirect(path_for(request, "votes:detail", id=vote.id))


# Works -----------------------------------------------------------------------------------------


def add_milestone(request: Request) -> Response:
    proposal, place = accessed(request, access_proposal, Act.MANAGE_WORKS)
    milestone, errors = forms.milestone(request)
    if milestone is None:
        return _again(request, proposal, place, "milestone", errors)
    works.do_add_milestone(db(request), proposal, require_user(request), title=milestone.title,
                           due_on=milestone.due_on, responsible=milestone.responsible)
    return _done(request, proposal, _("工程节点已设定。"), "works")


def complete_milestone(request: Request) -> Response:
    proposal, _place = accessed(request, access_proposal, Act.MANAGE_WORKS)
    milestone = access_milestone(db(request), proposal, request.path_params.get("milestone_id"))
    works.do_complete_milestone(db(request), proposal, milestone, require_user(request))
    return _done(request, proposal, _("节点已标为完成。"), "works")


def report_progress(request: Request) -> Response:
    update, errors = forms.progress(request)
    proposal, place = accessed(request, access_proposal, Act.MANAGE_WORKS)
    if update is None:
        return _again(request, proposal, place, "progress", errors)
    works.do_report_progress(db(request), proposal, require_user(request), text=update.text,
                             percent=update.percent, photos=update.photos)
    return _done(request, proposal, _("进度已更新。"), "works")


def disclose_cost(request: Request) -> Response:
    cost, errors = forms.cost(request)
    proposal, place = accessed(request, access_proposal, Act.MANAGE_WORKS)
    if cost is None:
        return _again(request, proposal, place, "cost", errors)
    works.do_disclose_cost(db(request), proposal, require_user(request), description=cost.description,
                           amount_centi=cost.amount_centi, payee=cost.payee, document=cost.document)
    return _done(request, proposal, _("费用已公开。"), "costs")


def start_works(request: Request) -> Response:
    proposal, place = accessed(request, access_proposal, Act.MANAGE_WORKS)
    works.do_start_works(db(request), proposal, place, *_acting(request), forms.reason(request))
    return _done(request, proposal, _("已记录开工。"), "works")


def complete_works(request: Request) -> Response:
    proposal, place = accessed(request, access_proposal, Act.MANAGE_WORKS)
    if asked := _ask_first(request, proposal, place, Move.COMPLETE_WORKS):
        return asked
    works.do_complete_works(db(request), proposal, place, *_acting(request), forms.reason(request))
    return _done(request, proposal, _("已完工，等待居民代表验收。"), "supervision")


# Supervision -----------------------------------------------------------------------------------


def inspect(request: Request) -> Response:
    report, errors = forms.inspection(request)
    proposal, place = accessed(request, access_proposal, Act.SUPERVISE)
    if report is None:
        return _again(request, proposal, place, "inspection", errors)
    works.do_inspect(db(request), proposal, place, *_acting(request), report.findings, photos=report.photos)
    return _done(request, proposal, _("检查报告已提交。"), "supervision")


def acceptance(request: Request) -> Response:
    report, errors = forms.acceptance(request)
    proposal, place = accessed(request, access_proposal, Act.ACCEPT_WORKS)
    if report is None:
        return _again(request, proposal, place, "acceptance", errors)
    passed = Move.PASS_ACCEPTANCE if report.passed else Move.FAIL_ACCEPTANCE
    if asked := _ask_first(request, proposal, place, passed, text=report.findings):
        return asked
    works.do_acceptance(db(request), proposal, place, *_acting(request), passed=report.passed,
                        findings=report.findings, photos=report.photos)
    if report.passed:
        return _done(request, proposal, _("验收通过，居民现在可以评价。"), "rating")
    return _done(request, proposal, _("验收不通过，已退回施工整改。"), "supervision")


def rate(request: Request) -> Response:
    proposal, place = accessed(request, access_proposal, Act.ACT_AS_RESIDENT)
    rating, errors = forms.rating(request)
    if rating is None:
        return _again(request, proposal, place, "rating", errors)
    first = works.do_rate(db(request), proposal, place, *_acting(request), rating=rating.rating,
                          comment=rating.comment)
    return _done(request, proposal, _("谢谢您的评价。") if first else _("评价已修改。"), "rating")


def close(request: Request) -> Response:
    proposal, place = accessed(request, access_proposal, Act.REVIEW_PROPOSALS)
    works.ensure_closable(proposal, place, current_person(request))
    if asked := _ask_first(request, proposal, place, Move.CLOSE):
        return asked
    works.do_close(db(request), proposal, place, *_acting(request))
    return _done(request, proposal, _("提案已办结。"))


# Photos ----------------------------------------------------------------------------------------


def photo(request: Request) -> Response:
    picture = accessed(request, access_photo)
    return Response(picture.data, media_type=picture.content_type, headers={
        "Cache-Control": "private, max-age=86400", "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'",
    })


routes = [
    Route("/places/{id:int}/proposals/new", new_proposal, methods=["GET", "POST"], name="new"),
    *public_routes("/proposals/{id:int}", detail, "detail"),
    Route("/proposals/{id:int}/notice/{kind:str}", notice, methods=["GET"], name="notice"),
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
