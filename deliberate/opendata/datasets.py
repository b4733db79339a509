"""The datasets of open data, each with its fields (names that never change) and the one statement that reads it.

Only what the site shows anyone who is not logged in: no drafts (a proposal's or a vote's), no minutes, nothing
of the register (members, owners, birth years, areas, households), no account's username, e-mail or login, no
roll of a vote and no ballot. People appear as the public pages show them: an account's display name (a
proposal's author, who made a step of its timeline, a meeting's chair). A vote's result is the count published
when it closed, and nothing of it before; an open vote says who may vote and how, never who chose what.

Each dataset is read with one statement of plain columns (Core, never whole objects), in batches while the
response is written, for the place and every place inside it (each row names its place) and for the period on
the date that belongs to the dataset (`dated_by`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select
from sqlmodel import Session, col

from deliberate.accounts.models import User
from deliberate.db import from_centi
from deliberate.i18n import gettext as _
from deliberate.meetings.models import Attendance, Meeting, Minutes, MinutesStatus, Registration, RegistrationStatus
from deliberate.opendata.rules import Period
from deliberate.places.models import Place
from deliberate.proposals.models import CostItem, Milestone, Plan, PlanVersion, ProgressUpdate, Proposal, ProposalEvent
from deliberate.proposals.rules import Stage
from deliberate.voting.models import Vote, VoteStatus

BATCH = 2000  # rows fetched at a time while an export streams
Row = dict[str, Any]
AFTER_APPROVAL = (Stage.IMPLEMENTATION, Stage.ACCEPTANCE, Stage.RATING, Stage.CLOSED)  # works are shown


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # integer, decimal, text, boolean, timestamp, date
    about: str


@dataclass(frozen=True)
class Scope:
    """What an export reads: the place and those inside it, the period, and how times and links are written."""

    session: Session
    place: Place
    period: Period
    zone: ZoneInfo
    now: datetime
    links: dict[str, str]  # "proposal", "vote", "meeting", "photo": a page's path up to its id


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    about: str
    dated_by: str  # the field the period applies to
    fields: tuple[Field, ...]
    read: Callable[[Scope], Iterator[Row]]

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    def rows(self, scope: Scope) -> Iterator[Row]:
        """Each row with exactly the documented fields, in their order."""
        names = self.names
        for row in self.read(scope):
            yield {name: row[name] for name in names}


def _where(place: Place) -> Any:
    return col(Place.path).startswith(place.path)


def _place_columns() -> list[Any]:
    return [col(Place.id).label("place_id"), col(Place.name).label("place_name"),
            col(Place.kind).label("place_kind")]


def _between(column: Any, scope: Scope) -> Any:
    first, after = scope.period.bounds(scope.zone)
    return and_(column >= first, column < after)


def _value(value: Any, zone: ZoneInfo) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(zone).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _read(scope: Scope, statement: Any) -> Iterator[Row]:
    for found in scope.session.exec(statement.execution_options(yield_per=BATCH)):
        yield {key: _value(value, scope.zone) for key, value in found._mapping.items()}


def _money(centi: int | None) -> str | None:
    return None if centi is None else f"{from_centi(int(centi)):.2f}"


def _link(scope: Scope, kind: str, ident: int | None) -> str | None:
    return None if ident is None else f"{scope.links[kind]}{ident}"


# Proposals and their timeline ------------------------------------------------------------------------------


def _raised() -> Any:
    return func.coalesce(col(Proposal.submitted_at), col(Proposal.created_at))


def _proposals(scope: Scope) -> Iterator[Row]:
    p = Proposal
    statement = (
        select(col(p.id).label("id"), *_place_columns(), col(p.title).label("title"), col(p.body).label("body"),
               col(p.category).label("category"), col(p.stage).label("stage"),
               col(User.display_name).label("author"), col(p.cosign_count).label("cosign_count"),
               col(p.cosigners_needed).label("cosigners_needed"), _raised().label("submitted_at"),
               col(p.review_due_at).label("review_due_at"), col(p.closed_at).label("closed_at"),
               col(p.satisfaction).label("satisfaction"), col(p.responsible).label("responsible"),
               col(p.merged_into_id).label("merged_into_id"))
        .join(Place, col(Place.id) == p.place_id).join(User, col(User.id) == p.author_id)
        .where(_where(scope.place), col(p.stage) != Stage.DRAFT, _between(_raised(), scope))
        .order_by(_raised(), col(p.id))
    )
    for row in _read(scope, statement):
        row["satisfaction"] = row["satisfaction"] or None
        row["responsible"] = row["responsible"] or None
        row["url"] = _link(scope, "proposal", row["id"])
        yield row


def _events(scope: Scope) -> Iterator[Row]:
    e = ProposalEvent
    statement = (
        select(col(e.id).label("id"), col(e.proposal_id).label("proposal_id"), *_place_columns(),
               col(e.action).label("action"), col(e.from_stage).label("from_stage"),
               col(e.to_stage).label("to_stage"), col(e.reason).label("reason"),
               col(User.display_name).label("actor"), col(e.subject_kind).label("subject_kind"),
               col(e.subject_id).label("subject_id"), col(e.at).label("at"))
        .join(Proposal, col(Proposal.id) == e.proposal_id).join(Place, col(Place.id) == Proposal.place_id)
        .join(User, col(User.id) == e.actor_id, isouter=True)
        .where(_where(scope.place), col(Proposal.stage) != Stage.DRAFT, _between(col(e.at), scope))
        .order_by(col(e.at), col(e.id))
    )
    for row in _read(scope, statement):
        row["subject_kind"] = row["subject_kind"] or None
        yield row


# Plans -----------------------------------------------------------------------------------------------------


def _plan_statement(scope: Scope) -> Any:
    v = PlanVersion
    return (
        select(col(Plan.id).label("id"), col(Plan.proposal_id).label("proposal_id"), *_place_columns(),
               col(Plan.status).label("status"), col(Plan.version).label("version"), col(v.title).label("title"),
               col(v.description).label("description"), col(v.responsible).label("responsible"),
               col(v.schedule).label("schedule"), col(v.cost_lines).label("cost_lines"),
               col(v.residents_centi).label("residents_centi"), col(v.units_centi).label("units_centi"),
               col(v.government_centi).label("government_centi"),
               col(Plan.disclosure_starts_at).label("disclosure_starts_at"),
               col(Plan.disclosure_ends_at).label("disclosure_ends_at"), col(Plan.vote_id).label("vote_id"),
               col(Plan.created_at).label("created_at"))
        .join(v, and_(col(v.plan_id) == Plan.id, col(v.number) == Plan.version))
        .join(Proposal, col(Proposal.id) == Plan.proposal_id).join(Place, col(Place.id) == Proposal.place_id)
        .where(_where(scope.place), col(Proposal.stage) != Stage.DRAFT, _between(col(Plan.created_at), scope))
        .order_by(col(Plan.created_at), col(Plan.id))
    )


def _cost_lines(raw: str) -> list[tuple[str, int]]:
    return [(str(line["item"]), int(line["amount_centi"])) for line in json.loads(raw or "[]")]


def _plans(scope: Scope) -> Iterator[Row]:
    for row in _read(scope, _plan_statement(scope)):
        lines = _cost_lines(row["cost_lines"])
        row["schedule"] = row["schedule"] or None
        row["total_cost"] = _money(sum(amount for _item, amount in lines))
        row["cost_line_count"] = len(lines)
        for share in ("residents", "units", "government"):
            row[f"{share}_share"] = _money(row[f"{share}_centi"])
        yield row


def _plan_cost_lines(scope: Scope) -> Iterator[Row]:
    for plan in _read(scope, _plan_statement(scope)):
        for number, (item, amount) in enumerate(_cost_lines(plan["cost_lines"]), 1):
            yield {"plan_id": plan["id"], "proposal_id": plan["proposal_id"], "place_id": plan["place_id"],
                   "place_name": plan["place_name"], "place_kind": plan["place_kind"], "line": number,
                   "item": item, "amount": _money(amount), "created_at": plan["created_at"]}


# Works -----------------------------------------------------------------------------------------------------


def _of_works(statement: Any, model: Any, scope: Scope) -> Any:
    return (statement.join(Proposal, col(Proposal.id) == model.proposal_id)
            .join(Place, col(Place.id) == Proposal.place_id)
            .where(_where(scope.place), col(Proposal.stage).in_(AFTER_APPROVAL)))


def _milestones(scope: Scope) -> Iterator[Row]:
    m = Milestone
    statement = _of_works(select(
        col(m.id).label("id"), col(m.proposal_id).label("proposal_id"), *_place_columns(),
        col(m.title).label("title"), col(m.responsible).label("responsible"), col(m.due_on).label("due_on"),
        col(m.done_at).label("done_at")), m, scope)
    statement = statement.where(col(m.due_on) >= scope.period.start, col(m.due_on) <= scope.period.end)
    for row in _read(scope, statement.order_by(col(m.due_on), col(m.id))):
        row["responsible"] = row["responsible"] or None
        yield row


def _progress(scope: Scope) -> Iterator[Row]:
    u = ProgressUpdate
    statement = _of_works(select(
        col(u.id).label("id"), col(u.proposal_id).label("proposal_id"), *_place_columns(),
        col(u.milestone_id).label("milestone_id"), col(u.percent).label("percent"), col(u.text).label("text"),
        col(u.created_at).label("created_at")), u, scope)
    yield from _read(scope, statement.where(_between(col(u.created_at), scope)).order_by(col(u.created_at), col(u.id)))


def _costs(scope: Scope) -> Iterator[Row]:
    c = CostItem
    statement = _of_works(select(
        col(c.id).label("id"), col(c.proposal_id).label("proposal_id"), *_place_columns(),
        col(c.description).label("description"), col(c.amount_centi).label("amount_centi"),
        col(c.payee).label("payee"), col(c.document_id).label("document_id"),
        col(c.created_at).label("created_at")), c, scope)
    for row in _read(scope, statement.where(_between(col(c.created_at), scope)).order_by(col(c.created_at), col(c.id))):
        row["amount"] = _money(row["amount_centi"])
        row["payee"] = row["payee"] or None
        row["document_url"] = _link(scope, "photo", row["document_id"])
        yield row


# Meetings --------------------------------------------------------------------------------------------------


def _registrations(status: str) -> Any:
    return (select(func.count()).where(col(Registration.meeting_id) == Meeting.id, col(Registration.status) == status)
            .correlate(Meeting).scalar_subquery())


def _meetings(scope: Scope) -> Iterator[Row]:
    m = Meeting
    attended = (select(func.count()).where(col(Attendance.meeting_id) == m.id).correlate(m).scalar_subquery())
    minutes = (select(col(Minutes.meeting_id)).where(col(Minutes.meeting_id) == m.id,
                                                col(Minutes.status) == MinutesStatus.PUBLISHED).correlate(m).exists())
    statement = (
        select(col(m.id).label("id"), *_place_columns(), col(m.kind).label("kind"), col(m.title).label("title"),
               col(m.status).label("status"), col(m.starts_at).label("starts_at"), col(m.ends_at).label("ends_at"),
               col(m.room).label("room"), col(m.online_url).label("online_url"), col(m.capacity).label("capacity"),
               col(m.access).label("access"), col(User.display_name).label("chair"),
               col(m.notice_days).label("notice_days"), col(m.noticed_at).label("noticed_at"),
               _registrations(RegistrationStatus.REGISTERED).label("registered"),
               _registrations(RegistrationStatus.WAITING).label("waiting"), attended.label("attended"),
               minutes.label("minutes_published"),
               col(m.cancelled_at).label("cancelled_at"), col(m.cancel_reason).label("cancel_reason"),
               (col(m.starts_at) <= scope.now).label("started"))
        .join(Place, col(Place.id) == m.place_id).join(User, col(User.id) == m.chair_id, isouter=True)
        .where(_where(scope.place), _between(col(m.starts_at), scope)).order_by(col(m.starts_at), col(m.id))
    )
    for row in _read(scope, statement):
        row["attended"] = int(row["attended"]) if row["started"] else None
        row["minutes_published"] = bool(row["minutes_published"])
        row["room"], row["online_url"] = row["room"] or None, row["online_url"] or None
        row["cancel_reason"] = row["cancel_reason"] or None
        row["url"] = _link(scope, "meeting", row["id"])
        yield row


# Votes -----------------------------------------------------------------------------------------------------


def _held() -> Any:
    return func.coalesce(col(Vote.opens_at), col(Vote.created_at))


def _vote_statement(scope: Scope, *statuses: str) -> Any:
    v = Vote
    return (
        select(col(v.id).label("id"), *_place_columns(), col(v.title).label("title"),
               col(v.question).label("question"), col(v.form).label("form"), col(v.rule).label("rule"),
               col(v.electorate).label("electorate"), col(v.secret).label("secret"), col(v.status).label("status"),
               col(v.subject_kind).label("subject_kind"), col(v.subject_id).label("subject_id"),
               _held().label("opens_at"), col(v.closes_at).label("closes_at"), col(v.closed_at).label("closed_at"),
               col(v.certified_at).label("certified_at"), col(v.result_json).label("result_json"))
        .join(Place, col(Place.id) == v.place_id)
        .where(_where(scope.place), col(v.status).in_(statuses), _between(_held(), scope))
        .order_by(_held(), col(v.id))
    )


def _published(row: Row) -> dict[str, Any] | None:
    """The count made at closing, as the vote's page publishes it; nothing while the vote is open."""
    if row["status"] not in (VoteStatus.CLOSED, VoteStatus.CERTIFIED) or not row["result_json"]:
        return None
    return dict(json.loads(row["result_json"]))


def _votes(scope: Scope) -> Iterator[Row]:
    for row in _read(scope, _vote_statement(scope, VoteStatus.OPEN, VoteStatus.CLOSED, VoteStatus.CERTIFIED)):
        result = _published(row) or {}
        electorate, participation = result.get("electorate", {}), result.get("participation", {})
        row["secret"] = bool(row["secret"])
        row["proposal_id"] = row["subject_id"] if row["subject_kind"] == "proposal" else None
        row["electorate_heads"], row["electorate_area"] = electorate.get("heads"), electorate.get("area")
        row["participation_heads"], row["participation_area"] = participation.get("heads"), participation.get("area")
        row["quorum_met"], row["passed"] = result.get("quorum_met"), result.get("passed")
        row["winner"] = result.get("winner")
        row["explanation"], row["explanation_en"] = result.get("explanation"), result.get("explanation_en")
        row["url"] = _link(scope, "vote", row["id"])
        yield row


def _vote_results(scope: Scope) -> Iterator[Row]:
    for row in _read(scope, _vote_statement(scope, VoteStatus.CLOSED, VoteStatus.CERTIFIED)):
        result = _published(row) or {}
        for position, (option, count) in enumerate(result.get("tally", {}).items(), 1):
            yield {"vote_id": row["id"], "place_id": row["place_id"], "place_name": row["place_name"],
                   "place_kind": row["place_kind"], "status": row["status"], "position": position, "option": option,
                   "heads": count["heads"], "area": count["area"], "opens_at": row["opens_at"]}


# The catalogue ---------------------------------------------------------------------------------------------


def _place_fields() -> tuple[Field, ...]:
    return (Field("place_id", "integer", _("所属地点的编号")), Field("place_name", "text", _("所属地点的名称")),
            Field("place_kind", "text", _("所属地点的层级：community 社区、compound 小区、building 楼栋")))


def catalogue() -> list[Dataset]:
    """Every dataset, its fields described in the reader's language."""
    place = _place_fields()
    proposal_id = Field("proposal_id", "integer", _("提案编号"))
    return [
        Dataset("proposals", _("提案"),
                _("每条已提交的提案一行（草稿不公开）。"),
                "submitted_at", (
            Field("id", "integer", _("提案编号")), *place,
            Field("title", "text", _("标题")),
            Field("body", "text", _("正文（Markdown 原文）")),
            Field("category", "text", _("类别代码")),
            Field("stage", "text", _("当前阶段代码")),
            Field("author", "text", _("提案人，按网站公开显示的名字")),
            Field("cosign_count", "integer", _("附议人数")),
            Field("cosigners_needed", "integer", _("进入受理所需附议人数")),
            Field("submitted_at", "timestamp", _("提交时间")),
            Field("review_due_at", "timestamp", _("受理期限")),
            Field("closed_at", "timestamp", _("办结或终止时间")),
            Field("satisfaction", "decimal", _("办结时公布的满意率（百分数）")),
            Field("responsible", "text", _("实施责任方")),
            Field("merged_into_id", "integer", _("并入的提案编号")),
            Field("url", "text", _("提案页面的地址")),
        ), _proposals),
        Dataset("proposal_events", _("办理记录"),
                _("提案时间线上的每一步一行：谁、何时、从哪个阶段到哪个阶段、理由。"),
                "at", (
            Field("id", "integer", _("记录编号")), proposal_id, *place,
            Field("action", "text", _("操作代码")),
            Field("from_stage", "text", _("原阶段代码")),
            Field("to_stage", "text", _("新阶段代码")),
            Field("reason", "text", _("公开的理由或说明")),
            Field("actor", "text", _("操作人，按网站公开显示的名字；空表示系统按时自动")),
            Field("subject_kind", "text", _("涉及的对象类型（plan、vote、milestone 等）")),
            Field("subject_id", "integer", _("涉及的对象编号")),
            Field("at", "timestamp", _("时间")),
        ), _events),
        Dataset("plans", _("方案"),
                _("每个方案一行，内容为当前版本。"),
                "created_at", (
            Field("id", "integer", _("方案编号")), proposal_id, *place,
            Field("status", "text", _("方案状态代码")),
            Field("version", "integer", _("当前版本号")),
            Field("title", "text", _("标题")),
            Field("description", "text", _("内容（Markdown 原文）")),
            Field("responsible", "text", _("责任方")),
            Field("schedule", "text", _("工期安排")),
            Field("total_cost", "decimal", _("费用明细合计（元）")),
            Field("cost_line_count", "integer", _("费用明细条数")),
            Field("residents_share", "decimal", _("居民自筹（元）")),
            Field("units_share", "decimal", _("共建单位（元）")),
            Field("government_share", "decimal", _("政府补贴（元）")),
            Field("disclosure_starts_at", "timestamp", _("公示开始时间")),
            Field("disclosure_ends_at", "timestamp", _("公示结束时间")),
            Field("vote_id", "integer", _("付诸的表决编号")),
            Field("created_at", "timestamp", _("拟定时间")),
        ), _plans),
        Dataset("plan_cost_lines", _("方案费用明细"),
                _("方案当前版本的每条费用明细一行。"),
                "created_at", (
            Field("plan_id", "integer", _("方案编号")), proposal_id, *place,
            Field("line", "integer", _("明细序号")),
            Field("item", "text", _("项目")),
            Field("amount", "decimal", _("金额（元）")),
            Field("created_at", "timestamp", _("方案拟定时间")),
        ), _plan_cost_lines),
        Dataset("milestones", _("实施节点"),
                _("方案通过后的每个实施节点一行。"),
                "due_on", (
            Field("id", "integer", _("节点编号")), proposal_id, *place,
            Field("title", "text", _("节点名称")),
            Field("responsible", "text", _("责任方")),
            Field("due_on", "date", _("计划完成日期")),
            Field("done_at", "timestamp", _("实际完成时间")),
        ), _milestones),
        Dataset("progress_updates", _("实施进度"),
                _("每条进度更新一行。"),
                "created_at", (
            Field("id", "integer", _("进度编号")), proposal_id, *place,
            Field("milestone_id", "integer", _("所属节点编号")),
            Field("percent", "integer", _("完成百分比")),
            Field("text", "text", _("进度说明")),
            Field("created_at", "timestamp", _("发布时间")),
        ), _progress),
        Dataset("costs", _("实际支出"),
                _("实施中公开的每笔支出一行。"),
                "created_at", (
            Field("id", "integer", _("支出编号")), proposal_id, *place,
            Field("description", "text", _("内容")),
            Field("amount", "decimal", _("金额（元）")),
            Field("payee", "text", _("收款方")),
            Field("document_url", "text", _("发票或收据照片的地址")),
            Field("created_at", "timestamp", _("公开时间")),
        ), _costs),
        Dataset("meetings", _("会议"),
                _("每次会议一行，附报名和实到人数（不含名单）。"),
                "starts_at", (
            Field("id", "integer", _("会议编号")), *place,
            Field("kind", "text", _("会议类型代码")),
            Field("title", "text", _("标题")),
            Field("status", "text", _("状态代码")),
            Field("starts_at", "timestamp", _("开始时间")),
            Field("ends_at", "timestamp", _("结束时间")),
            Field("room", "text", _("地点")),
            Field("online_url", "text", _("线上参会地址")),
            Field("capacity", "integer", _("名额；空表示不限")),
            Field("access", "text", _("谁可以参加的代码")),
            Field("chair", "text", _("主持人，按网站公开显示的名字")),
            Field("notice_days", "integer", _("规定的提前通知天数")),
            Field("noticed_at", "timestamp", _("发出通知的时间")),
            Field("registered", "integer", _("已报名人数")),
            Field("waiting", "integer", _("候补人数")),
            Field("attended", "integer", _("实到人数；会议开始前为空")),
            Field("minutes_published", "boolean", _("会议纪要是否已公开")),
            Field("cancelled_at", "timestamp", _("取消时间")),
            Field("cancel_reason", "text", _("取消原因")),
            Field("url", "text", _("会议页面的地址")),
        ), _meetings),
        Dataset("votes", _("表决"),
                _("每次表决一行（筹备中的不公开）；结果为表决结束时公布的计票，进行中的表决没有结果。"),
                "opens_at", (
            Field("id", "integer", _("表决编号")), *place,
            Field("title", "text", _("标题")),
            Field("question", "text", _("表决事项")),
            Field("form", "text", _("表决形式代码")),
            Field("rule", "text", _("通过规则代码")),
            Field("electorate", "text", _("投票人范围代码")),
            Field("secret", "boolean", _("是否无记名投票")),
            Field("status", "text", _("状态代码")),
            proposal_id,
            Field("opens_at", "timestamp", _("开始时间")),
            Field("closes_at", "timestamp", _("截止时间")),
            Field("closed_at", "timestamp", _("实际结束时间")),
            Field("certified_at", "timestamp", _("确认公布时间")),
            Field("electorate_heads", "integer", _("有投票权的人数（户数）")),
            Field("electorate_area", "decimal", _("有投票权的专有面积合计（平方米）")),
            Field("participation_heads", "integer", _("参加投票的人数（户数）")),
            Field("participation_area", "decimal", _("参加投票的专有面积合计（平方米）")),
            Field("quorum_met", "boolean", _("参加人数是否达到法定要求")),
            Field("passed", "boolean", _("是否通过")),
            Field("winner", "text", _("胜出的选项")),
            Field("explanation", "text", _("结果说明（中文）")),
            Field("explanation_en", "text", _("结果说明（英文）")),
            Field("url", "text", _("表决页面的地址")),
        ), _votes),
        Dataset("vote_results", _("表决计票"),
                _("已结束表决的每个选项一行：得票人数和面积。"),
                "opens_at", (
            Field("vote_id", "integer", _("表决编号")), *place,
            Field("status", "text", _("表决状态代码")),
            Field("position", "integer", _("选项序号")),
            Field("option", "text", _("选项（是否表决为 yes、no、abstain）")),
            Field("heads", "integer", _("得票人数（户数）")),
            Field("area", "decimal", _("得票专有面积（平方米）")),
            Field("opens_at", "timestamp", _("表决开始时间")),
        ), _vote_results),
    ]


def find(name: str) -> Dataset | None:
    return next((d for d in catalogue() if d.name == name), None)
