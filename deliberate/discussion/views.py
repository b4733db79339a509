"""A thread's own page, writing in threads, and the moderation of a place.

Threads are shown on the pages of proposals, plans and votes through `discussion.queries.thread_of`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from deliberate.discussion import actions, forms, queries
from deliberate.discussion.access import Own, access_comment, access_report, access_subject
from deliberate.discussion.actions import DiscussionError
from deliberate.discussion.links import comment_url
from deliberate.discussion.models import Comment
from deliberate.discussion.subjects import Subject
from deliberate.i18n import gettext as _
from deliberate.policy import Act
from deliberate.policy.access import access_place
from deliberate.refusal import Conflict
from deliberate.web.auth import current_person, current_user, db, require_user
from deliberate.web.loading import accessed, get_or_404
from deliberate.web.responses import flash, redirect, render

TYPED = (422, 429)  # refusals that send a comment back to be fixed, or sent later


def _subject(request: Request, need: Act | None = None) -> Subject:
    return access_subject(db(request), current_person(request), request.path_params["kind"],
                          request.path_params["id"], need)


def _thread_page(request: Request, subject: Subject, typed: dict[str, str] | None = None, error: str = "",
                 status: int = 200) -> Response:
    sort, page = queries.order(request.query_params.get("sort"), request.query_params.get("cpage"))
    view = queries.thread_view(db(request), subject, current_person(request), current_user(request), sort=sort,
                               page=page, entered=typed, error=error)
    return render(request, "discussion/thread.html", queries.thread_page(db(request), view), status=status)


def _back_to(request: Request, comment: Comment, subject: Subject, message: str) -> Response:
    flash(request, message)
    return redirect(comment_url(comment, subject.proposal_id))


def thread_page(request: Request) -> Response:
    return _thread_page(request, _subject(request))


def post(request: Request) -> Response:
    subject = _subject(request, Act.COMMENT)
    text = forms.comment(request)
    parent = get_or_404(db(request), Comment, text.parent) if text.parent else None
    try:
        comment = actions.do_comment(db(request), subject, require_user(request), text.body, text.stance, parent)
    except DiscussionError as refused:
        if refused.status not in TYPED:
            raise
        db(request).rollback()
        return _thread_page(request, subject, text.typed(), refused.message, refused.status)
    return _back_to(request, comment, subject, _("回复已发表。") if parent else _("评论已发表。"))


def edit(request: Request) -> Response:
    comment, subject = accessed(request, access_comment, Own.AUTHOR)
    if request.method == "GET":
        return render(request, "discussion/edit.html", queries.edit_page(comment, subject))
    text = forms.comment(request)
    try:
        actions.do_edit(db(request), comment, require_user(request), text.body, text.stance)
    except DiscussionError as refused:
        if refused.status != 422:
            raise
        db(request).rollback()
        return render(request, "discussion/edit.html", queries.edit_page(comment, subject, text.typed(),
                                                                         refused.message), status=422)
    return _back_to(request, comment, subject, _("评论已修改。"))


def delete(request: Request) -> Response:
    comment, subject = accessed(request, access_comment, Own.AUTHOR)
    actions.do_delete(db(request), comment, require_user(request))
    return _back_to(request, comment, subject, _("评论已删除。"))


def helpful(request: Request) -> Response:
    comment, subject = accessed(request, access_comment, Act.COMMENT)
    wanted = forms.helpful(request)
    actions.do_mark_helpful(db(request), comment, require_user(request), wanted)
    return _back_to(request, comment, subject, _("已标为有帮助。") if wanted else _("已取消“有帮助”。"))


def report(request: Request) -> Response:
    comment, subject = accessed(request, access_comment)
    user = require_user(request)
    if comment.deleted_at or comment.hidden_at:  # its text is no longer public: not here either
        raise Conflict(_("这条评论已被删除或隐藏。"))
    if request.method == "GET":
        return render(request, "discussion/report.html", queries.ReportPage(comment, subject))
    reason = forms.reason(request)
    try:
        new = actions.do_report(db(request), comment, user, reason)
    except DiscussionError as refused:
        if refused.status != 422:
            raise
        return render(request, "discussion/report.html", queries.ReportPage(comment, subject, reason,
                                                                           refused.message), status=422)
    return _back_to(request, comment, subject, _("谢谢，工作人员会尽快处理。") if new else _("您已经举报过这条评论。"))


def hide(request: Request) -> Response:
    comment, subject = accessed(request, access_comment, Act.MODERATE)
    actions.do_hide(db(request), comment, require_user(request), forms.reason(request))
    return _back_to(request, comment, subject, _("评论已隐藏，作者已收到通知。"))


def restore(request: Request) -> Response:
    comment, subject = accessed(request, access_comment, Act.MODERATE)
    actions.do_restore(db(request), comment, require_user(request), forms.reason(request))
    return _back_to(request, comment, subject, _("评论已恢复显示。"))


# Moderation of a place -------------------------------------------------------------------------


def moderation(request: Request) -> Response:
    place = accessed(request, access_place, Act.MODERATE)
    return render(request, "discussion/moderation.html", queries.moderation_page(db(request), place))


def blocked_words(request: Request) -> Response:
    place = accessed(request, access_place, Act.MODERATE)
    words = actions.do_set_blocked_words(db(request), place, forms.blocked_words(request), require_user(request))
    flash(request, _("屏蔽词已保存，共 %(n)s 个。", n=len(words)))
    return redirect(request.app.url_path_for("discussion:moderation", id=place.id))


def dismiss(request: Request) -> Response:
    report_row, place = accessed(request, access_report)
    actions.do_dismiss(db(request), report_row, require_user(request), forms.reason(request))
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
