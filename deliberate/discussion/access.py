"""Loading a thread's subject, a comment or a report, and proving in the same call that this person may act.

A comment is known only where its thread is public (not on a draft); writing in a thread, marking comments
helpful, and moderating are policy acts on the subject's place; editing and deleting are for the author."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlmodel import Session

from deliberate.accounts.people import Person
from deliberate.db import get_or_refuse, parse_id
from deliberate.discussion.models import Comment, CommentReport
from deliberate.discussion.subjects import Subject, find
from deliberate.i18n import gettext as _
from deliberate.places.models import Place
from deliberate.policy import Act, may
from deliberate.refusal import Forbidden, NotFound


class Own(StrEnum):
    AUTHOR = "author"  # what only the comment's author may do: edit it, take it back


def access_subject(session: Session, person: Person | None, kind: str, ident: Any,
                   need: Act | None = None) -> Subject:
    """The proposal, plan or vote whose thread this is, if it has a public one and this person may `need`."""
    key = parse_id(ident)
    subject = find(session, kind, key) if key is not None else None
    if subject is None:
        raise NotFound()
    if need is not None and not may(person, need, subject.place):
        raise Forbidden()
    return subject


def access_comment(session: Session, person: Person | None, ident: Any, need: Act | Own | None = None, *,
                   for_update: bool = False) -> tuple[Comment, Subject]:
    comment = get_or_refuse(session, Comment, ident, for_update=for_update)
    subject = find(session, comment.subject_kind, comment.subject_id)
    if subject is None:
        raise NotFound()
    if need is Own.AUTHOR and (person is None or person.user_id != comment.author_id):
        raise Forbidden(_("只能修改或删除自己的评论。"))
    if isinstance(need, Act) and not may(person, need, subject.place):
        raise Forbidden()
    return comment, subject


def access_report(session: Session, person: Person | None, ident: Any, need: Act | None = None, *,
                  for_update: bool = False) -> tuple[CommentReport, Place]:
    """A report, for those who moderate its place (`need` is always MODERATE). On a form its comment is locked
    before it, as hiding locks the comment before its reports: moderators acting on one comment take turns
    instead of each holding a report the other needs."""
    report = get_or_refuse(session, CommentReport, ident)
    if for_update:
        get_or_refuse(session, Comment, report.comment_id, for_update=True)
        report = get_or_refuse(session, CommentReport, ident, for_update=True)
    place = session.get(Place, report.place_id)
    assert place is not None
    if not may(person, need or Act.MODERATE, place):
        raise Forbidden()
    return report, place
