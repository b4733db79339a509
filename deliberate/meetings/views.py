"""Meetings' pages: a place's calendar and its iCal feed, scheduling, registration, sign-in, minutes, notices.

Each handler reads its form, loads what it acts on through `access_meeting` (which proves this person may, and
locks the meeting's row for a form), calls one action and redirects or renders a page object from `queries`;
refusals answer for themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from deliberate.accounts.models import User
from deliberate.clock import utcnow
from deliberate.i18n import gettext as _
from deliberate.meetings import actions, forms, ical, queries
from deliberate.meetings.access import Own, access_attendance, access_meeting, access_minutes
from deliberate.meetings.models import Access, Meeting, Registration, RegistrationStatus
from deliberate.places.models import Member, Place
from deliberate.policy import Act
from deliberate.policy.access import access_place
from deliberate.refusal import Refused
from deliberate.web.auth import current_person, current_user, db, require_person, require_user
from deliberate.web.loading import accessed, get_or_404
from deliberate.web.pagination import page_number
from deliberate.web.responses import flash, path_for, public_routes, redirect, render

FEED_HISTORY = timedelta(days=180)  # past meetings a calendar feed still carries
TYPED = 422  # an action's refusal of what was typed sends the form back to be fixed
T = TypeVar("T")


def _zone(request: Request) -> ZoneInfo:
    return ZoneInfo(request.app.state.settings.timezone)


def _within(request: Request) -> bool:
    return request.query_params.get("within") == "1"


def _done(request: Request, meeting: Meeting, message: str, to: str = "", anchor: str = "") -> Response:
    flash(request, message)
    return redirect(to or path_for(request, "meetings:detail", id=meeting.id) + (f"#{anchor}" if anchor else ""))


# The calendar ----------------------------------------------------------------------------------


def place_meetings(request: Request) -> Response:
    place = accessed(request, access_place)
    page = queries.place_meetings(db(request), place, current_person(request), utcnow(), within=_within(request),
                                  number=page_number(request), size=request.app.state.settings.page_size)
    return render(request, "meetings/calendar.html", page)


def _feed_host(request: Request) -> str:
    return request.url.hostname or "deliberate"


def _absolute(request: Request, meeting: Meeting) -> str:
    return str(request.url_for("meetings:detail", id=meeting.id))


def _ics(body: bytes, filename: str) -> Response:
    return Response(body, media_type="text/calendar; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-cache",
    })


def place_feed(request: Request) -> Response:
    place = accessed(request, access_place)
    now = utcnow()
    rows = queries.feed(db(request), place, now - FEED_HISTORY, within=_within(request))
    body = ical.meetings_calendar(_("%(name)s 的会议", name=place.name), rows, url_of=lambda m: _absolute(request, m),
                                  host=_feed_host(request), stamp=now)
    return _ics(body, f"place-{place.id}-meetings.ics")


def meeting_ical(request: Request) -> Response:
    meeting, place = accessed(request, access_meeting)
    event = ical.event(meeting, place, url=_absolute(request, meeting), host=_feed_host(request), stamp=utcnow(),
                       agenda=queries.agenda_of(db(request), meeting))
    return _ics(ical.calendar(meeting.title, [event]), f"meeting-{meeting.id}.ics")


def mine(request: Request) -> Response:
    return render(request, "meetings/mine.html", queries.my_meetings(db(request), require_user(request), utcnow()))


# Scheduling and changing -----------------------------------------------------------------------


def _form_page(request: Request, form: queries.MeetingForm, typed: forms.Typed, problem: str = "") -> Response:
    errors = {"date": problem} if problem else typed.errors
    return render(request, "meetings/form.html", form.filled(typed.values, errors), status=422)


def _typed(request: Request, form: queries.MeetingForm, typed: forms.Typed,
           step: Callable[[actions.MeetingDraft], T]) -> T | Response:
    """The action on a valid draft; the form again with what to fix when the draft, or the action, finds fault
    with what was typed (any other refusal answers for itself)."""
    if typed.draft is None:
        return _form_page(request, form, typed)
    try:
        return step(typed.draft)
    except actions.MeetingError as refused:
        if refused.status != TYPED:
            raise
        db(request).rollback()
        return _form_page(request, form, typed, refused.message)


def new_meeting(request: Request) -> Response:
    place = accessed(request, access_place, Act.MANAGE_MEETINGS)
    user = require_user(request)
    form = queries.meeting_form(db(request), place, user)
    if request.method == "GET":
        values = forms.defaults(form, user, _zone(request), request.query_params.get("proposal"))
        return render(request, "meetings/form.html", form.filled(values))
    meeting = _typed(request, form, forms.meeting(request, form, _zone(request)), lambda draft: actions.do_schedule(
        db(request), place=place, by=user, draft=draft))
    if isinstance(meeting, Response):
        return meeting
    if meeting.access == Access.INVITED:
        return _done(request, meeting, _("会议已安排。请添加受邀人员。"),
                     to=path_for(request, "meetings:invitees", id=meeting.id))
    return _done(request, meeting, _("会议已安排，通知已发布。"))


def edit_meeting(request: Request) -> Response:
    meeting, place = accessed(request, access_meeting, Act.MANAGE_MEETINGS)
    user = require_user(request)
    form = queries.edit_form(db(request), meeting, place, user, utcnow())
    if request.method == "GET":
        return render(request, "meetings/form.html", form.filled(forms.values_now(form, _zone(request))))
    done = _typed(request, form, forms.meeting(request, form, _zone(request)), lambda draft: actions.do_edit(
        db(request), meeting, place, user, draft))
    return done if isinstance(done, Response) else _done(request, meeting, _("会议信息已修改。"))


def cancel_meeting(request: Request) -> Response:
    meeting, _place = accessed(request, access_meeting, Act.MANAGE_MEETINGS)
    reason = forms.reason(request)
    actions.do_cancel(db(request), meeting, require_user(request), reason)
    return _done(request, meeting, _("会议已取消，报名的居民会在会议页面看到取消原因。"))


# The meeting page ------------------------------------------------------------------------------


def detail(request: Request) -> Response:
    meeting, place = accessed(request, access_meeting)
    page = queries.meeting_page(db(request), meeting, place, current_person(request), current_user(request), utcnow())
    return render(request, "meetings/detail.html", page)


def notice_page(request: Request) -> Response:
    meeting, place = accessed(request, access_meeting)
    return render(request, "meetings/notice.html", queries.notice_page(db(request), meeting, place))


# Registration ----------------------------------------------------------------------------------


def _registered(request: Request, meeting: Meeting, registration: Registration, new: bool) -> str:
    if not new:
        return _("您已经报名了。")
    if registration.status == RegistrationStatus.WAITING:
        position = queries.waiting_position(db(request), meeting, registration)
        return _("名额已满，您在候补名单第 %(n)s 位。有人取消时会按顺序递补。", n=position)
    return _("报名成功。请按时参加。")


def register(request: Request) -> Response:
    meeting, place = accessed(request, access_meeting)
    person, user = require_person(request), require_user(request)
    registration, new = actions.do_register(db(request), meeting, place, person, user,
                                            household_id=forms.household(request))
    return _done(request, meeting, _registered(request, meeting, registration, new), anchor="registration")


def unregister(request: Request) -> Response:
    meeting, _place = accessed(request, access_meeting)
    cancelled = actions.do_unregister(db(request), meeting, require_user(request))
    return _done(request, meeting, _("已取消报名。") if cancelled else _("您没有报名这次会议。"), anchor="registration")


# Invitees --------------------------------------------------------------------------------------


def invitees(request: Request) -> Response:
    meeting, place = accessed(request, access_meeting, Act.MANAGE_MEETINGS)
    if request.method == "GET":
        page = queries.invitees_page(db(request), meeting, place, request.query_params.get("q", ""))
        return render(request, "meetings/invitees.html", page)
    change = forms.invitation(request)
    invitee = get_or_404(db(request), User, change.user)
    if change.remove:
        actions.do_uninvite(db(request), meeting, invitee)
        message = _("已取消对 %(name)s 的邀请。", name=invitee.display_name)
    else:
        actions.do_invite(db(request), meeting, place, invitee, require_user(request))
        message = _("已邀请 %(name)s。", name=invitee.display_name)
    return _done(request, meeting, message, to=path_for(request, "meetings:invitees", id=meeting.id))


# Sign-in at the door ---------------------------------------------------------------------------


def _sign_in_one(request: Request, meeting: Meeting, place: Place, typed: forms.SignIn) -> str:
    """Sign one person in, or take a sign-in back; the sentence that says so."""
    session, by = db(request), require_user(request)
    if typed.intent == "undo":
        entry = access_attendance(session, meeting, typed.attendance)
        actions.do_undo_sign_in(session, meeting, entry)
        return _("已撤销 %(name)s 的签到。", name=entry.name)
    if typed.intent == "registrant":
        entry = actions.do_sign_in(session, meeting, place, by, user=get_or_404(session, User, typed.user),
                                   household_id=typed.household)
    elif typed.intent == "member":
        entry = actions.do_sign_in(session, meeting, place, by, member=get_or_404(session, Member, typed.member),
                                   walk_in=True)
    else:
        entry = actions.do_sign_in(session, meeting, place, by, guest_name=typed.name)
    return _("%(name)s 已签到。", name=entry.name)


def sign_in(request: Request) -> Response:
    meeting, place = accessed(request, access_meeting, Act.SIGN_IN_ATTENDEES)
    if request.method == "GET":
        page = queries.sign_in_page(db(request), meeting, place, request.query_params.get("q", ""), utcnow())
        return render(request, "meetings/sign_in.html", page)
    message = _sign_in_one(request, meeting, place, forms.sign_in(request))
    return _done(request, meeting, message, to=path_for(request, "meetings:sign_in", id=meeting.id))


# Minutes ---------------------------------------------------------------------------------------


def edit_minutes(request: Request) -> Response:
    meeting, place = accessed(request, access_meeting, Act.MANAGE_MEETINGS)
    form = queries.minutes_form(db(request), meeting, place, utcnow())
    if request.method == "GET":
        return render(request, "meetings/minutes_form.html", form)
    typed = forms.minutes(request, form.agenda)
    try:
        actions.do_save_minutes(db(request), meeting, require_user(request), attendees=typed.values["attendees"],
                                summary=typed.values["summary"], records=typed.records, submit=typed.submit)
    except Refused as refused:  # the form again, with the reason (a move the proposal cannot take: 409)
        db(request).rollback()
        page = form.again(typed.values, typed.records, refused.message)
        return render(request, "meetings/minutes_form.html", page, status=refused.status)
    message = _("纪要已提交主持人审批。") if typed.submit else _("纪要草稿已保存，尚未公开。")
    return _done(request, meeting, message, to=path_for(request, "meetings:minutes", id=meeting.id))


def minutes_page(request: Request) -> Response:
    meeting, place, minutes = accessed(request, access_minutes)
    page = queries.minutes_page(db(request), meeting, place, minutes, current_person(request))
    return render(request, "meetings/minutes.html", page)


def approve_minutes(request: Request) -> Response:
    meeting, _place = accessed(request, access_meeting, Own.CHAIR)
    actions.do_approve_minutes(db(request), meeting, require_user(request))
    return _done(request, meeting, _("纪要已批准并公开；议程中的提案页面都已链接到它。"),
                 to=path_for(request, "meetings:minutes", id=meeting.id))


def return_minutes(request: Request) -> Response:
    meeting, _place = accessed(request, access_meeting, Own.CHAIR)
    actions.do_return_minutes(db(request), meeting, forms.note(request))
    return _done(request, meeting, _("纪要已退回修改。"), to=path_for(request, "meetings:minutes", id=meeting.id))


routes = [
    *public_routes("/places/{id:int}/meetings", place_meetings, "place_meetings"),
    Route("/places/{id:int}/meetings.ics", place_feed, methods=["GET"], name="place_feed"),
    Route("/places/{id:int}/meetings/new", new_meeting, methods=["GET", "POST"], name="new"),
    Route("/meetings/mine", mine, methods=["GET"], name="mine"),
    *public_routes("/meetings/{id:int}", detail, "detail"),
    Route("/meetings/{id:int}.ics", meeting_ical, methods=["GET"], name="ical"),
    Route("/meetings/{id:int}/notice", notice_page, methods=["GET"], name="notice"),
    Route("/meetings/{id:int}/edit", edit_meeting, methods=["GET", "POST"], name="edit"),
    Route("/meetings/{id:int}/cancel", cancel_meeting, methods=["POST"], name="cancel"),
    Route("/meetings/{id:int}/register", register, methods=["POST"], name="register"),
    Route("/meetings/{id:int}/unregister", unregister, methods=["POST"], name="unregister"),
    Route("/meetings/{id:int}/invitees", invitees, methods=["GET", "POST"], name="invitees"),
    Route("/meetings/{id:int}/sign-in", sign_in, methods=["GET", "POST"], name="sign_in"),
    Route("/meetings/{id:int}/minutes", minutes_page, methods=["GET"], name="minutes"),
    Route("/meetings/{id:int}/minutes/edit", edit_minutes, methods=["GET", "POST"], name="edit_minutes"),
    Route("/meetings/{id:int}/minutes/approve", approve_minutes, methods=["POST"], name="approve_minutes"),
    Route("/meetings/{id:int}/minutes/return", return_minutes, methods=["POST"], name="return_minutes"),
]
