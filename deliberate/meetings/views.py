"""Meetings' pages: a place's calendar and its iCal feed, scheduling, registration, sign-in, minutes, notices."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from deliberate.accounts.models import User
from deliberate.accounts.people import Person
from deliberate.clock import utcnow
from deliberate.i18n import gettext as _
from deliberate.meetings import actions, forms, ical, rules
from deliberate.meetings.actions import ItemRecord, MeetingError
from deliberate.meetings.models import (
    Access,
    AgendaItem,
    Attendance,
    ItemMove,
    Meeting,
    Minutes,
    MinutesStatus,
    RegistrationStatus,
)
from deliberate.places import actions as places
from deliberate.places.models import Household, Member, Place
from deliberate.policy import Act, may
from deliberate.proposals.actions import ProposalError
from deliberate.proposals.models import Proposal
from deliberate.proposals.rules import IllegalTransition, stage_labels
from deliberate.web import forms as web_forms
from deliberate.web import refusals
from deliberate.web.auth import current_person, current_user, db, ensure, require_person, require_user
from deliberate.web.loading import get_or_404, parse_id
from deliberate.web.pagination import paginate
from deliberate.web.responses import flash, public_routes, redirect, render

REASON_MAX, RECORD_MAX, NAME_MAX = 2_000, 20_000, 50
FEED_HISTORY = timedelta(days=180)  # past meetings a calendar feed still carries


# Loading and refusing --------------------------------------------------------------------------


def _meeting(request: Request) -> tuple[Meeting, Place]:
    session = db(request)
    meeting = get_or_404(session, Meeting, request.path_params["id"])
    place = session.get(Place, meeting.place_id)
    assert place is not None
    return meeting, place


def _zone(request: Request) -> ZoneInfo:
    return ZoneInfo(request.app.state.settings.timezone)


def _url(request: Request, meeting: Meeting, anchor: str = "") -> str:
    return request.app.url_path_for("meetings:detail", id=meeting.id) + (f"#{anchor}" if anchor else "")


def _attempt(request: Request, step: Callable[[], Any]) -> Any:
    return refusals.attempt(request, step, MeetingError, IllegalTransition, ProposalError)


def _done(request: Request, meeting: Meeting, message: str, anchor: str = "", to: str | None = None) -> Response:
    flash(request, message)
    return redirect(to or _url(request, meeting, anchor))


def _manages(person: Person | None, meeting: Meeting, place: Place) -> bool:
    """Staff of the place or above, its own council, or whoever organised the meeting."""
    if may(person, Act.MANAGE_MEETINGS, place):
        return True
    return person is not None and person.user_id == meeting.organiser_id


def _can(person: Person | None, meeting: Meeting, place: Place) -> dict[str, bool]:
    manage = _manages(person, meeting, place)
    return {
        "manage": manage,
        "sign_in": manage or may(person, Act.SIGN_IN_ATTENDEES, place),
        "chair": person is not None and person.user_id == meeting.chair_id,
    }


def _require(request: Request, meeting: Meeting, place: Place, what: str) -> Person:
    person = require_person(request)
    if not _can(person, meeting, place)[what]:
        raise HTTPException(403)
    return person


def _trail(request: Request, place: Place) -> list[Place]:
    return places.ancestors(db(request), place) + [place]


def _labels() -> dict[str, Any]:
    return {"kind_labels": rules.kind_labels(), "access_labels": rules.access_labels(),
            "move_labels": rules.move_labels(), "stage_labels": stage_labels()}


def summary(request: Request, meeting: Meeting, place: Place) -> dict[str, Any]:
    return {
        "id": meeting.id, "title": meeting.title, "kind": meeting.kind, "status": meeting.status,
        "place": {"id": place.id, "name": place.name, "kind": place.kind},
        "starts_at": meeting.starts_at, "ends_at": meeting.ends_at, "room": meeting.room or None,
        "online_url": meeting.online_url or None, "url": _url(request, meeting),
        "ical": request.app.url_path_for("meetings:ical", id=meeting.id),
    }


# The calendar ----------------------------------------------------------------------------------


def place_meetings(request: Request) -> Response:
    session = db(request)
    place = get_or_404(session, Place, request.path_params["id"])
    within = request.query_params.get("within") == "1"
    now = utcnow()
    coming = actions.upcoming(session, place, now, within=within)
    page = paginate(session, actions.past_statement(place, now, within=within), request)
    past = [(meeting, where) for meeting, where in page.items]
    published = actions.published_minutes(session, [m.id for m, _p in past])  # type: ignore[misc]
    data = {
        "place": {"id": place.id, "name": place.name}, "includes_places_within": within,
        "upcoming": [summary(request, m, p) for m, p in coming],
        "past": [{**summary(request, m, p), "minutes_published": m.id in published} for m, p in past],
        "past_page": page.as_json(),
    }
    return render(request, "meetings/calendar.html", {
        "place": place, "trail": places.ancestors(session, place), "upcoming": coming, "past": past, "page": page,
        "published": published, "within": within,
        "can_manage": may(current_person(request), Act.MANAGE_MEETINGS, place),
        **_labels(),
    }, data=data)


def _feed_host(request: Request) -> str:
    return request.url.hostname or "deliberate"


def _absolute(request: Request, meeting: Meeting) -> str:
    return str(request.url_for("meetings:detail", id=meeting.id))


def _ics(body: bytes, filename: str) -> Response:
    return Response(body, media_type="text/calendar; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-cache",
    })


def place_feed(request: Request) -> Response:
    session = db(request)
    place = get_or_404(session, Place, request.path_params["id"])
    now = utcnow()
    rows = actions.feed(session, place, now - FEED_HISTORY, within=request.query_params.get("within") == "1")
    body = ical.meetings_calendar(_("%(name)s 的会议", name=place.name), rows, url_of=lambda m: _absolute(request, m),
                                  host=_feed_host(request), stamp=now)
    return _ics(body, f"place-{place.id}-meetings.ics")


def meeting_ical(request: Request) -> Response:
    meeting, place = _meeting(request)
    event = ical.event(meeting, place, url=_absolute(request, meeting), host=_feed_host(request), stamp=utcnow(),
                       agenda=actions.agenda_of(db(request), meeting))
    return _ics(ical.calendar(meeting.title, [event]), f"meeting-{meeting.id}.ics")


def mine(request: Request) -> Response:
    user = require_user(request)
    now = utcnow()
    rows = actions.mine(db(request), user)
    return render(request, "meetings/mine.html", {
        "upcoming": [r for r in rows if r[0].ends_at >= now][::-1], "past": [r for r in rows if r[0].ends_at < now],
        **_labels(),
    })


# Scheduling and changing -----------------------------------------------------------------------


def _form_context(request: Request, place: Place, organiser: User, meeting: Meeting | None = None) -> dict[str, Any]:
    session = db(request)
    return {
        "place": place, "trail": _trail(request, place), "meeting": meeting, "errors": {},
        "kinds": rules.kinds_for(place.kind), "notice_days": rules.NOTICE_DAYS,
        "chairs": actions.chair_candidates(session, place, organiser),
        "candidates": actions.agenda_candidates(session, place, meeting), **_labels(),
    }


def _parse(request: Request, context: dict[str, Any], place: Place, current: Meeting | None = None
           ) -> tuple[dict[str, Any], actions.MeetingDraft | None, dict[str, str]]:
    values = forms.read(request)
    draft, errors = forms.parse(
        values, place_kind=place.kind, zone=_zone(request), now=utcnow(), current=current,
        chair_ids={u.id for u in context["chairs"]}, candidate_ids={p.id for p in context["candidates"]},  # type: ignore[misc]
    )
    return values, draft, errors


def _form_again(request: Request, context: dict[str, Any], values: dict[str, Any], errors: dict[str, str],
                status: int = 422) -> Response:
    return render(request, "meetings/form.html", {**context, "values": values, "errors": errors}, status=status)


def new_meeting(request: Request) -> Response:
    session = db(request)
    place = get_or_404(session, Place, request.path_params["id"])
    ensure(request, Act.MANAGE_MEETINGS, place)
    user = require_user(request)
    context = _form_context(request, place, user)
    if request.method == "GET":
        day = (utcnow().astimezone(_zone(request)) + timedelta(days=4)).strftime("%Y-%m-%d")
        wanted = parse_id(request.query_params.get("proposal"))
        chosen = [str(wanted)] if wanted in {p.id for p in context["candidates"]} else []
        values = {"kind": rules.Kind.CONSULTATION.value, "date": day, "start": "19:00", "end": "21:00",
                  "access": Access.RESIDENTS, "chair": str(user.id), "proposals": chosen}
        return render(request, "meetings/form.html", {**context, "values": values})
    values, draft, errors = _parse(request, context, place)
    if draft is None:
        return _form_again(request, context, values, errors)
    try:
        meeting = actions.do_schedule(session, place=place, by=user, draft=draft)
    except MeetingError as error:
        session.rollback()
        return _form_again(request, context, values, {"date": error.message}, error.status)
    if meeting.access == Access.INVITED:
        return _done(request, meeting, _("会议已安排。请添加受邀人员。"),
                     to=request.app.url_path_for("meetings:invitees", id=meeting.id))
    return _done(request, meeting, _("会议已安排，通知已发布。"))


def edit_meeting(request: Request) -> Response:
    meeting, place = _meeting(request)
    _require(request, meeting, place, "manage")
    session = db(request)
    user = require_user(request)
    refusal = rules.change_refusal(status=meeting.status, ends_at=meeting.ends_at, now=utcnow(),
                                   minutes_published=actions.minutes_published(session, meeting))
    if refusal:
        raise HTTPException(409, refusal)
    organiser = session.get(User, meeting.organiser_id) if meeting.organiser_id else None
    context = _form_context(request, place, organiser or user, meeting)
    if request.method == "GET":
        agenda = actions.agenda_of(session, meeting)
        values = forms.values_of(meeting, _zone(request), [i.proposal_id for i in agenda if i.proposal_id],
                                 [i.title for i in agenda if i.proposal_id is None])
        return render(request, "meetings/form.html", {**context, "values": values})
    values, draft, errors = _parse(request, context, place, meeting)
    if draft is None:
        return _form_again(request, context, values, errors)
    try:
        actions.do_edit(session, meeting, place, user, draft)
    except MeetingError as error:
        session.rollback()
        if error.status != 422:
            raise refusals.as_http(error) from None
        return _form_again(request, context, values, {"date": error.message})
    return _done(request, meeting, _("会议信息已修改。"))


def cancel_meeting(request: Request) -> Response:
    meeting, place = _meeting(request)
    _require(request, meeting, place, "manage")
    reason = web_forms.text(request, "reason", max_length=REASON_MAX)[:REASON_MAX]
    user = require_user(request)
    _attempt(request, lambda: actions.do_cancel(db(request), meeting, user, reason))
    return _done(request, meeting, _("会议已取消，报名的居民会在会议页面看到取消原因。"))


# The meeting page ------------------------------------------------------------------------------


def _agenda(request: Request, meeting: Meeting) -> list[tuple[AgendaItem, Proposal | None]]:
    session = db(request)
    items = actions.agenda_of(session, meeting)
    ids = [i.proposal_id for i in items if i.proposal_id]
    found = {p.id: p for p in session.exec(select(Proposal).where(col(Proposal.id).in_(ids))).all()} if ids else {}
    return [(item, found.get(item.proposal_id)) for item in items]


def _registration_refusal(request: Request, meeting: Meeting, place: Place) -> tuple[int, str] | None:
    user = current_user(request)
    return rules.registration_refusal(
        status=meeting.status, starts_at=meeting.starts_at, now=utcnow(), access=meeting.access,
        lives_here=may(current_person(request), Act.ACT_AS_RESIDENT, place),
        invited=actions.is_invited(db(request), meeting, user),
    )


def detail(request: Request) -> Response:
    meeting, place = _meeting(request)
    session = db(request)
    person, user = current_person(request), current_user(request)
    can = _can(person, meeting, place)
    agenda = _agenda(request, meeting)
    counts = actions.counts(session, meeting)
    notice = rules.notice(meeting.kind, meeting.noticed_at, meeting.starts_at)
    minutes = actions.minutes_of(session, meeting)
    published = minutes is not None and minutes.status == MinutesStatus.PUBLISHED
    registration = actions.registration_of(session, meeting, user)
    now = utcnow()
    data = {
        **summary(request, meeting, place), "description": meeting.description,
        "capacity": meeting.capacity, "access": meeting.access,
        "notice": {"required_days": notice.required_days, "given_days": notice.given_days, "met": notice.met,
                   "noticed_at": meeting.noticed_at, "urgent_reason": meeting.urgent_reason or None},
        "cancelled": {"at": meeting.cancelled_at, "reason": meeting.cancel_reason} if meeting.cancelled else None,
        "agenda": [{"title": item.title, "proposal_id": item.proposal_id} for item, _p in agenda],
        "counts": {"registered": counts.registered, "waiting": counts.waiting, "attended": counts.attended},
        "minutes": request.app.url_path_for("meetings:minutes", id=meeting.id) if published else None,
    }
    chair = session.get(User, meeting.chair_id) if meeting.chair_id else None
    return render(request, "meetings/detail.html", {
        "meeting": meeting, "place": place, "trail": _trail(request, place), "agenda": agenda, "counts": counts,
        "notice": notice, "minutes": minutes, "published": published, "can": can, "chair": chair,
        "organiser": session.get(User, meeting.organiser_id) if meeting.organiser_id else None,
        "registration": registration, "position": actions.waiting_position(session, meeting, registration),
        "refusal": _registration_refusal(request, meeting, place) if user else None,
        "homes": actions.homes_for(session, user, place) if user else [],
        "started": now >= meeting.starts_at, "ended": now >= meeting.ends_at,
        "seats_left": counts.seats_left(meeting.capacity), **_labels(),
    }, data=data)


def notice_page(request: Request) -> Response:
    meeting, place = _meeting(request)
    session = db(request)
    chair = session.get(User, meeting.chair_id) if meeting.chair_id else None
    return render(request, "meetings/notice.html", {
        "meeting": meeting, "place": place, "trail": _trail(request, place), "agenda": _agenda(request, meeting),
        "notice": rules.notice(meeting.kind, meeting.noticed_at, meeting.starts_at), "chair": chair, **_labels(),
    })


# Registration ----------------------------------------------------------------------------------


def register(request: Request) -> Response:
    meeting, place = _meeting(request)
    person = require_person(request)
    user = require_user(request)
    raw = web_forms.text(request, "household", max_length=12)
    household = parse_id(raw) if raw else None
    if raw and household is None:
        raise HTTPException(422, _("请选择您在本地的一户。"))
    registration, new = _attempt(request, lambda: actions.do_register(db(request), meeting, place, person, user,
                                                                      household_id=household))
    if not new:
        message = _("您已经报名了。")
    elif registration.status == RegistrationStatus.WAITING:
        position = actions.waiting_position(db(request), meeting, registration)
        message = _("名额已满，您在候补名单第 %(n)s 位。有人取消时会按顺序递补。", n=position)
    else:
        message = _("报名成功。请按时参加。")
    return _done(request, meeting, message, "registration")


def unregister(request: Request) -> Response:
    meeting, _place = _meeting(request)
    user = require_user(request)
    cancelled = _attempt(request, lambda: actions.do_unregister(db(request), meeting, user))
    return _done(request, meeting, _("已取消报名。") if cancelled else _("您没有报名这次会议。"), "registration")


# Invitees --------------------------------------------------------------------------------------


def invitees(request: Request) -> Response:
    meeting, place = _meeting(request)
    _require(request, meeting, place, "manage")
    session = db(request)
    if request.method == "POST":
        invitee = get_or_404(session, User, web_forms.text(request, "user", max_length=12))
        by = require_user(request)
        if web_forms.text(request, "intent", max_length=10) == "remove":
            actions.do_uninvite(session, meeting, invitee)
            message = _("已取消对 %(name)s 的邀请。", name=invitee.display_name)
        else:
            _attempt(request, lambda: actions.do_invite(session, meeting, place, invitee, by))
            message = _("已邀请 %(name)s。", name=invitee.display_name)
        return _done(request, meeting, message, to=request.app.url_path_for("meetings:invitees", id=meeting.id))
    query = request.query_params.get("q", "").strip()[:NAME_MAX]
    invited = actions.invitees(session, meeting)
    invited_ids = {u.id for u in invited}
    found = [row for row in actions.residents_matching(session, place, query) if row[0].id not in invited_ids]
    return render(request, "meetings/invitees.html", {
        "meeting": meeting, "place": place, "trail": _trail(request, place), "invited": invited, "found": found,
        "q": query, **_labels(),
    })


# Sign-in at the door ---------------------------------------------------------------------------


def sign_in(request: Request) -> Response:
    meeting, place = _meeting(request)
    _require(request, meeting, place, "sign_in")
    session = db(request)
    if request.method == "POST":
        return _sign_in_post(request, meeting, place)
    query = request.query_params.get("q", "").strip()[:NAME_MAX]
    present = actions.attendance(session, meeting)
    signed_users = {a.user_id for a in present if a.user_id}
    signed_members = {a.member_id for a in present if a.member_id}
    registered = actions.registrations(session, meeting)
    homes = {user.id: actions.homes_for(session, user, place) for _r, user in registered}
    households = _households(request, [a.household_id for a in present if a.household_id])
    counts = actions.counts(session, meeting)
    return render(request, "meetings/sign_in.html", {
        "meeting": meeting, "place": place, "trail": _trail(request, place), "present": present,
        "registered": registered, "homes": homes, "signed_users": signed_users, "signed_members": signed_members,
        "found": actions.members_matching(session, place, query), "q": query, "households": households,
        "counts": counts, "refusal": rules.sign_in_refusal(
            status=meeting.status, starts_at=meeting.starts_at, now=utcnow(),
            minutes_published=actions.minutes_published(session, meeting)),
        **_labels(),
    })


def _households(request: Request, ids: list[int]) -> dict[int, str]:
    """Each household named as people say it: building and room."""
    if not ids:
        return {}
    rows = db(request).exec(
        select(Household, Place).join(Place, col(Place.id) == Household.building_id).where(col(Household.id).in_(ids))
    ).all()
    return {h.id: f"{b.name} {h.number}" for h, b in rows}  # type: ignore[misc]


def _sign_in_post(request: Request, meeting: Meeting, place: Place) -> Response:
    session = db(request)
    by = require_user(request)
    intent = web_forms.text(request, "intent", max_length=12)
    back = request.app.url_path_for("meetings:sign_in", id=meeting.id)
    if intent == "undo":
        entry = get_or_404(session, Attendance, web_forms.text(request, "attendance", max_length=12))
        if entry.meeting_id != meeting.id:
            raise HTTPException(404)
        _attempt(request, lambda: actions.do_undo_sign_in(session, meeting, entry))
        return _done(request, meeting, _("已撤销 %(name)s 的签到。", name=entry.name), to=back)
    if intent == "registrant":
        user = get_or_404(session, User, web_forms.text(request, "user", max_length=12))
        raw = web_forms.text(request, "household", max_length=12)
        household = parse_id(raw) if raw else None
        entry = _attempt(request, lambda: actions.do_sign_in(session, meeting, place, by, user=user,
                                                             household_id=household))
    elif intent == "member":
        member = get_or_404(session, Member, web_forms.text(request, "member", max_length=12))
        entry = _attempt(request, lambda: actions.do_sign_in(session, meeting, place, by, member=member,
                                                             walk_in=True))
    elif intent == "guest":
        name = web_forms.text(request, "name", max_length=NAME_MAX)
        if len(name) > NAME_MAX:
            raise HTTPException(422, _("姓名不能超过 %(n)s 个字。", n=NAME_MAX))
        entry = _attempt(request, lambda: actions.do_sign_in(session, meeting, place, by, guest_name=name))
    else:
        raise HTTPException(400)
    return _done(request, meeting, _("%(name)s 已签到。", name=entry.name), to=back)


# Minutes ---------------------------------------------------------------------------------------


def _minutes_context(request: Request, meeting: Meeting, place: Place) -> dict[str, Any]:
    session = db(request)
    chair = session.get(User, meeting.chair_id) if meeting.chair_id else None
    return {"meeting": meeting, "place": place, "trail": _trail(request, place), "agenda": _agenda(request, meeting),
            "chair": chair, "minutes": actions.minutes_of(session, meeting), "counts": actions.counts(session, meeting),
            "errors": {}, **_labels()}


def _records(request: Request, agenda: list[tuple[AgendaItem, Proposal | None]]) -> dict[int, ItemRecord]:
    records = {}
    for item, proposal in agenda:
        move = web_forms.text(request, f"move-{item.id}", max_length=20) if proposal is not None else ""
        if move not in ItemMove.ALL:
            raise HTTPException(422, _("请选择决定对提案的作用。"))
        records[item.id] = ItemRecord(  # type: ignore[index]
            discussion=web_forms.text(request, f"discussion-{item.id}", max_length=RECORD_MAX)[:RECORD_MAX],
            decision=web_forms.text(request, f"decision-{item.id}", max_length=RECORD_MAX)[:RECORD_MAX], move=move)
    return records


def edit_minutes(request: Request) -> Response:
    meeting, place = _meeting(request)
    _require(request, meeting, place, "manage")
    session = db(request)
    context = _minutes_context(request, meeting, place)
    minutes: Minutes | None = context["minutes"]
    refusal = rules.minutes_refusal(status=meeting.status, starts_at=meeting.starts_at, now=utcnow())
    if refusal or (minutes is not None and minutes.status == MinutesStatus.PUBLISHED):
        raise HTTPException(409, refusal or _("会议纪要已发布，不能再修改。"))
    if request.method == "GET":
        values = {"attendees": minutes.attendees if minutes else actions.attendees_line(session, meeting),
                  "summary": minutes.summary if minutes else ""}
        return render(request, "meetings/minutes_form.html", {**context, "values": values, "typed": {}})
    values = {"attendees": web_forms.text(request, "attendees", max_length=RECORD_MAX)[:RECORD_MAX],
              "summary": web_forms.text(request, "summary", max_length=RECORD_MAX)[:RECORD_MAX]}
    records = _records(request, context["agenda"])
    submit = web_forms.text(request, "intent", max_length=10) == "submit"
    user = require_user(request)
    try:
        actions.do_save_minutes(session, meeting, user, attendees=values["attendees"], summary=values["summary"],
                                records=records, submit=submit)
    except (MeetingError, IllegalTransition, ProposalError) as error:
        session.rollback()
        refused = refusals.as_http(error)
        return render(request, "meetings/minutes_form.html", {
            **context, "values": values, "typed": records, "errors": {"minutes": refused.detail},
        }, status=refused.status_code)
    message = _("纪要已提交主持人审批。") if submit else _("纪要草稿已保存，尚未公开。")
    return _done(request, meeting, message, to=request.app.url_path_for("meetings:minutes", id=meeting.id))


def minutes_page(request: Request) -> Response:
    meeting, place = _meeting(request)
    person = current_person(request)
    context = _minutes_context(request, meeting, place)
    minutes: Minutes | None = context["minutes"]
    can = _can(person, meeting, place)
    if minutes is None or (minutes.status != MinutesStatus.PUBLISHED and not (can["manage"] or can["chair"])):
        raise HTTPException(404, _("会议纪要还没有发布。"))
    session = db(request)
    approver = session.get(User, minutes.approved_by_id) if minutes.approved_by_id else None
    return render(request, "meetings/minutes.html", {**context, "can": can, "approver": approver})


def approve_minutes(request: Request) -> Response:
    meeting, place = _meeting(request)
    _require(request, meeting, place, "chair")
    chair = require_user(request)
    _attempt(request, lambda: actions.do_approve_minutes(db(request), meeting, chair))
    return _done(request, meeting, _("纪要已批准并公开；议程中的提案页面都已链接到它。"),
                 to=request.app.url_path_for("meetings:minutes", id=meeting.id))


def return_minutes(request: Request) -> Response:
    meeting, place = _meeting(request)
    _require(request, meeting, place, "chair")
    note = web_forms.text(request, "note", max_length=REASON_MAX)[:REASON_MAX]
    _attempt(request, lambda: actions.do_return_minutes(db(request), meeting, note))
    return _done(request, meeting, _("纪要已退回修改。"),
                 to=request.app.url_path_for("meetings:minutes", id=meeting.id))


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
