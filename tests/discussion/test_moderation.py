"""Reports, hiding and restoring, dismissals, the moderation log, and blocked words."""

from __future__ import annotations

from client_helpers import csrf_token, logged_in
from factories import reload
from sqlmodel import select
from starlette.testclient import TestClient

from deliberate.discussion.models import Comment, CommentReport, ModerationEntry, ReportStatus
from deliberate.proposals.models import Notification, NotificationKind


def _post(client: TestClient, url: str, data: dict | None = None):  # type: ignore[no-untyped-def]
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token(client, "/notifications")})


def _say(client: TestClient, proposal_id: int, body: str) -> int:
    response = _post(client, f"/threads/proposal/{proposal_id}/comments", {"body": body})
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("#c", 1)[1])


def test_a_reported_comment_is_hidden_by_staff_the_author_told_and_everything_logged(app, session, cast):
    town, building, people, proposal = cast
    rude = _say(logged_in(app, "neighbour"), proposal.id, "楼上那家人素质太差")
    reporter = logged_in(app, "neighbour2")
    assert reporter.get(f"/comments/{rude}/report").status_code == 200
    no_reason = _post(reporter, f"/comments/{rude}/report", {"reason": " "})
    assert no_reason.status_code == 422 and "请写明举报的理由" in no_reason.text
    assert _post(reporter, f"/comments/{rude}/report", {"reason": "人身攻击"}).status_code == 303
    assert _post(reporter, f"/comments/{rude}/report", {"reason": "再举报一次"}).status_code == 303
    reload(session)
    assert len(session.exec(select(CommentReport)).all()) == 1

    staff = logged_in(app, "staff")
    queue = staff.get(f"/places/{town.community.id}/moderation")
    assert queue.status_code == 200 and "人身攻击" in queue.text and "楼上那家人素质太差" in queue.text
    assert logged_in(app, "neighbour").get(f"/places/{building.id}/moderation").status_code == 403
    assert _post(logged_in(app, "council"), f"/comments/{rude}/hide", {"reason": "x"}).status_code == 403
    assert _post(staff, f"/comments/{rude}/hide", {"reason": ""}).status_code == 422
    assert _post(staff, f"/comments/{rude}/hide", {"reason": "人身攻击，违反议事规则第三条"}).status_code == 303

    public = TestClient(app).get(f"/proposals/{proposal.id}").text
    assert "楼上那家人素质太差" not in public and "已被工作人员隐藏" in public
    assert "楼上那家人素质太差" in staff.get(f"/proposals/{proposal.id}").text  # staff still see it
    own = logged_in(app, "neighbour").get(f"/proposals/{proposal.id}").text
    assert "楼上那家人素质太差" in own and "人身攻击，违反议事规则第三条" in own  # and so does its author
    reload(session)
    report = session.exec(select(CommentReport)).one()
    assert report.status == ReportStatus.HIDDEN and report.resolved_by_id == people["staff"].id
    author_inbox = logged_in(app, "author").get("/notifications").text  # the author follows the proposal
    assert "发表了新评论" in author_inbox and "楼上那家人素质太差" not in author_inbox  # no excerpt once hidden
    told = session.exec(select(Notification).where(Notification.kind == NotificationKind.HIDDEN)).one()
    assert told.user_id == people["neighbour"].id
    assert "您的评论被隐藏" in logged_in(app, "neighbour").get("/notifications").text
    assert _post(logged_in(app, "neighbour2"), f"/comments/{rude}/helpful").status_code == 409
    hidden_report_page = logged_in(app, "outsider").get(f"/comments/{rude}/report")
    assert hidden_report_page.status_code == 409 and "楼上那家人素质太差" not in hidden_report_page.text

    assert _post(staff, f"/comments/{rude}/restore", {"reason": "作者已道歉"}).status_code == 303
    assert "楼上那家人素质太差" in TestClient(app).get(f"/proposals/{proposal.id}").text
    reload(session)
    log = [(e.action, e.reason) for e in session.exec(select(ModerationEntry).order_by(ModerationEntry.id)).all()]
    assert log == [("report", "人身攻击"), ("hide", "人身攻击，违反议事规则第三条"), ("restore", "作者已道歉")]
    page = staff.get(f"/places/{town.community.id}/moderation").text
    assert "作者已道歉" in page and "没有待处理的举报" in page


def test_a_report_can_be_dismissed_and_the_comment_stays(app, session, cast):
    town, _building, _people, proposal = cast
    fair = _say(logged_in(app, "neighbour"), proposal.id, "物业收费不透明")
    _post(logged_in(app, "neighbour2"), f"/comments/{fair}/report", {"reason": "造谣"})
    reload(session)
    report = session.exec(select(CommentReport)).one()
    staff = logged_in(app, "staff")
    assert _post(staff, f"/reports/{report.id}/dismiss", {"reason": "属于正常意见"}).status_code == 303
    assert _post(staff, f"/reports/{report.id}/dismiss").status_code == 409
    assert _post(staff, "/reports/999999/dismiss").status_code == 404
    reload(session)
    assert session.get(CommentReport, report.id).status == ReportStatus.DISMISSED
    assert session.get(Comment, fair).hidden_at is None
    assert "属于正常意见" in staff.get(f"/places/{town.community.id}/moderation").text


def test_blocked_words_set_by_the_community_apply_in_its_buildings(app, session, cast):
    town, building, _people, proposal = cast
    staff = logged_in(app, "staff")
    assert _post(logged_in(app, "neighbour"), f"/places/{town.community.id}/moderation/words",
                 {"words": "x"}).status_code == 403
    saved = _post(staff, f"/places/{town.community.id}/moderation/words", {"words": "傻瓜\n广告，加微信"})
    assert saved.status_code == 303
    assert "傻瓜" in staff.get(f"/places/{building.id}/moderation").text  # inherited, shown below
    body = "加ｗｅｉ信？不，加微信"
    refused = _post(logged_in(app, "neighbour"), f"/threads/proposal/{proposal.id}/comments", {"body": body})
    assert refused.status_code == 422 and "“加微信”" in refused.text and f">{body}</textarea>" in refused.text
    assert _post(logged_in(app, "neighbour"), f"/threads/proposal/{proposal.id}/comments",
                 {"body": "同意划线"}).status_code == 303
