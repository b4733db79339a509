"""Threads on proposal, plan and vote pages; a thread's own page; moderation of a place."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from deliberate.discussion import actions, queries, rules, subjects
from deliberate.discussion.actions import DiscussionError
from deliberate.discussion.links import comment_url
from deliberate.discussion.models import Comment, CommentReport
from deliberate.discussion.subjects import Subject
from deliberate.i18n import gettext as _
from deliberate.places import actions as places
from deliberate.places.models import Place
from deliberate.policy import Act
from deliberate.web import forms, refusals
from deliberate.web.auth import current_person, current_user, db, ensure, require_user
from deliberate.web.loading import get_or_404, parse_id
from deliberate.web.responses import flash, redirect, render


def thread_context(request: Request, subject: Subject, *, values: dict[str, str] | None = None,
                   error: str = "") -> queries.ThreadView:
    sort, page = queries.order(request.query_params.get("sort"), request.query_params.get("cpage"))
    return queries.thread_view(db(request), subject, current_person(request), current_user(request), sort=sort,
                               page=page, entered=values, error=error)


def _subject(request: Request) -> Subject:
    ident = parse_id(request.path_params["id"])
    subject = subjects.find(db(request), request.path_params["kind"], ident) if ident else None
    if subject is None:
        raise HTTPException(404)
    return subject


def _comment(request: Request) -> tuple[Comment, Subject]:
    session = db(request)
    comment = get_or_404(session, Comment, request.path_params["id"])
    subject = subjects.find(session, comment.subject_kind, comment.subject_id)
    if subject is None:
        raise HTTPException(404)
    return comment, subject


def _thread_page(request: Request, subject: Subject, *, values: dict[str, str] | None = None, error: str = "",
                 status: int = 200) -> Response:
    session = db(request)
    return render(request, "discussion/thread.html", {
        "subject": subject, "trail": places.ancestors(session, subject.place) + [subject.place],
        "discussion": thread_context(request, subject, values=values, error=error),
    }, status=status)


def thread_page(request: Request) -> Response:
    return _thread_page(request, _subject(request))


def post(request: Request) -> Response:
    subject = _subject(request)
    ensure(request, Act.COMMENT, subject.place)
    user = require_user(request)
    session = db(request)
    body = forms.text(request, "body", max_length=rules.BODY_MAX)
    stance = forms.text(request, "stance", max_length=10)
    raw_parent = forms.text(request, "parent", max_length=12)
    parent = get_or_404(session, Comment, raw_parent) if raw_parent else None
    try:
        comment = actions.do_comment(session, subject, user, body, stance, parent)
    except DiscussionError as refused:
        session.rollback()
        if refused.status in (422, 429):
            values = {"body": body, "stance": stance, "parent": raw_parent}
            return _thread_page(request, subject, values=values, error=refused.message, status=refused.status)
        raise HTTPException(refused.status, refused.message) from None
    flash(request, _("回复已发表。") if parent else _("评论已发表。"))
    return redirect(comment_url(comment, subject.proposal_id))


def edit(request: Request) -> Response:
    comment, subject = _comment(request)
    user = require_user(request)
    if comment.author_id != user.id:
        raise HTTPException(403)
    context = {"comment": comment, "subject": subject, "stance_labels": rules.stance_labels(),
               "until": rules.editable_until(comment.created_at)}
    if request.method == "GET":
        return render(request, "discussion/edit.html", {**context, "values": {}, "error": ""})
    body = forms.text(request, "body", max_length=rules.BODY_MAX)
    stance = forms.text(request, "stance", max_length=10)
    session = db(request)
    try:
        actions.do_edit(session, comment, user, body, stance)
    except DiscussionError as refused:
        session.rollback()
        if refused.status == 422:
            return render(request, "discussion/edit.html", {
                **context, "values": {"body": body, "stance": stance}, "error": refused.message}, status=422)
        raise HTTPException(refused.status, refused.message) from None
    flash(request, _("评论已修改。"))
    return redirect(comment_url(comment, subject.proposal_id))


def _step(request: Request, comment: Comment, subject: Subject, step: Any, message: str) -> Response:
    """Run one writer on the comment; refusals become their status and message."""
    user = require_user(request)
    session = db(request)
    refusals.attempt(request, lambda: step(session, comment, user), DiscussionError)
    flash(request, message)
    return redirect(comment_url(comment, subject.proposal_id))


def delete(request: Request) -> Response:
    return _step(request, *_comment(request), actions.do_delete, _("评论已删除。"))


def helpful(request: Request) -> Response:
    comment, subject = _comment(request)
    ensure(request, Act.COMMENT, subject.place)
    wanted = forms.text(request, "helpful", max_length=1) != "0"
    return _step(request, comment, subject, lambda s, c, u: actions.do_mark_helpful(s, c, u, wanted),
                 _("已标为有帮助。") if wanted else _("已取消“有帮助”。"))


def report(request: Request) -> Response:
    comment, subject = _comment(request)
    user = require_user(request)
    if comment.deleted_at or comment.hidden_at:  # its text is no longer public: not here either
        raise HTTPException(409, _("这条评论已被删除或隐藏。"))
    if request.method == "GET":
        return render(request, "discussion/report.html", {"comment": comment, "subject": subject, "error": ""})
    reason = forms.text(request, "reason", max_length=rules.REASON_MAX)
    session = db(request)
    try:
        new = actions.do_report(session, comment, user, reason)
    except DiscussionError as refused:
        session.rollback()
        if refused.status == 422:
            return render(request, "discussion/report.html", {
                "comment": comment, "subject": subject, "error": refused.message, "reason": reason}, status=422)
        raise HTTPException(refused.status, refused.message) from None
    flash(request, _("谢谢，工作人员会尽快处理。") if new else _("您已经举报过这条评论。"))
    return redirect(comment_url(comment, subject.proposal_id))


def hide(request: Request) -> Response:
    comment, subject = _comment(request)
    ensure(request, Act.MODERATE, subject.place)
    reason = forms.text(request, "reason", max_length=rules.REASON_MAX)
    return _step(request, comment, subject, lambda s, c, u: actions.do_hide(s, c, u, reason),
                 _("评论已隐藏，作者已收到通知。"))


def restore(request: Request) -> Response:
    comment, subject = _comment(request)
    ensure(request, Act.MODERATE, subject.place)
    reason = forms.text(request, "reason", max_length=rules.REASON_MAX)
    return _step(request, comment, subject, lambda s, c, u: actions.do_restore(s, c, u, reason),
                 _("评论已恢复显示。"))


# Moderation of a place -------------------------------------------------------------------------


def moderation(request: Request) -> Response:
    session = db(request)
    place = get_or_404(session, Place, request.path_params["id"])
    ensure(request, Act.MODERATE, place)
    reports, hidden = queries.open_reports(session, place), queries.hidden_comments(session, place)
    return render(request, "discussion/moderation.html", {
        "place": place, "trail": places.ancestors(session, place) + [place], "reports": reports, "hidden": hidden,
        "log": queries.moderation_log(session, place), "words": actions.own_blocked_words(session, place),
        "inherited": _inherited_words(session, place),
        "urls": _comment_urls(session, [c for _r, c, _a, _b in reports] + [c for c, _a in hidden]),
    })


def _inherited_words(session: Any, place: Place) -> list[str]:
    own = set(rules.parse_blocked_words(actions.own_blocked_words(session, place)))
    return [w for w in actions.blocked_words(session, place) if w not in own]


def _comment_urls(session: Any, comments: list[Comment]) -> dict[int, str]:
    urls = {}
    for comment in comments:
        subject = subjects.find(session, comment.subject_kind, comment.subject_id)
        if subject is not None and comment.id is not None:
            urls[comment.id] = comment_url(comment, subject.proposal_id)
    return urls


def blocked_words(request: Request) -> Response:
    session = db(request)
    place = get_or_404(session, Place, request.path_params["id"])
    ensure(request, Act.MODERATE, place)
    words = actions.do_set_blocked_words(session, place, forms.text(request, "words", max_length=20_000),
                                         require_user(request))
    flash(request, _("屏蔽词已保存，共 %(n)s 个。", n=len(words)))
    return redirect(request.app.url_path_for("discussion:moderation", id=place.id))


def dismiss(request: Request) -> Response:
    session = db(request)
    report_row = get_or_404(session, CommentReport, request.path_params["id"])
    place = session.get(Place, report_row.place_id)
    assert place is not None
    ensure(request, Act.MODERATE, place)
    reason = forms.text(request, "reason", max_length=rules.REASON_MAX)
    user = require_user(request)
    refusals.attempt(request, lambda: actions.do_dismiss(session, report_row, user, reason), DiscussionError)
    flash(request, _("举报已驳回，评论保留。"))
    return redirect(request.app.url_path_for("discussion:moderation", id=place.id))


routes = [
    Route("/threads/{kind:str}/{id}", thread_page, methods=["GET"], name="thread"),
    Route("/threads/{kind:str}/{id}/comments", post, methods=["POST"], name="post"),
    Route("/comments/{id}/edit", edit, methods=["GET", "POST"], name="edit"),
    Route("/comments/{id}/delete", delete, methods=["POST"], name="delete"),
    Route("/comments/{id}/helpful", helpful, methods=["POST"], name="helpful"),
    Route("/comments/{id}/report", report, methods=["GET", "POST"], name="report"),
    Route("/comments/{id}/hide", hide, methods=["POST"], name="hide"),
    Route("/comments/{id}/restore", restore, methods=["POST"], name="restore"),
    Route("/places/{id:int}/moderation", moderation, methods=["GET"], name="moderation"),
    Route("/places/{id:int}/moderation/words", blocked_words, methods=["POST"], name="blocked_words"),
    Route("/reports/{id}/dismiss", dismiss, methods=["POST"], name="dismiss"),
]
