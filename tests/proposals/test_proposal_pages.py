"""A proposal from draft to closed through its pages, as residents, staff, the council and inspectors do it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from client_helpers import csrf_token, logged_in
from factories import make_proposal_cast, reload
from query_helpers import statements
from sqlmodel import select
from starlette.testclient import TestClient

from deliberate import clock, ticker
from deliberate.clock import utcnow
from deliberate.proposals.models import (
    CostItem,
    Notification,
    Photo,
    Plan,
    PlanVersion,
    Proposal,
    ProposalEvent,
    ProposalRating,
)
from deliberate.proposals.rules import Stage
from deliberate.voting.models import Vote

P = "/proposals/"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture
def town(session):  # type: ignore[no-untyped-def]
    _town, building, people = make_proposal_cast(session)
    return building, people


def _post(client: TestClient, url: str, data: dict | None = None, files=None, page: str | None = None,  # type: ignore[no-untyped-def]
          *, confirm: bool = True):
    """A form sent as a browser does; an irreversible step already confirmed unless `confirm` is False."""
    token = csrf_token(client, page or "/notifications")
    return client.post(url, data={**({"confirmed": "yes"} if confirm else {}), **(data or {}), "csrf_token": token},
                       files=files)


def _write(app, building, *, intent="submit", title="楼下停车难", files=None):  # type: ignore[no-untyped-def]
    author = logged_in(app, "author")
    response = _post(author, f"/places/{building.id}/proposals/new",
                     {"title": title, "category": "parking", "body": "晚上**没有**车位。<script>x()</script>",
                      "intent": intent}, files=files)
    assert response.status_code == 303, response.text
    return author, int(response.headers["location"].rsplit("/", 1)[-1])


def _timeline(session, proposal_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    reload(session)
    return list(session.exec(select(ProposalEvent.action).where(ProposalEvent.proposal_id == proposal_id)
                             .order_by(ProposalEvent.id)).all())


def test_resident_writes_a_proposal_with_a_photo_and_everyone_reads_it_sanitised(app, session, town):
    building, _people = town
    _author, proposal_id = _write(app, building, files=[("photos", ("car.png", PNG, "image/png"))])
    page = TestClient(app).get(f"/proposals/{proposal_id}")
    assert page.status_code == 200
    assert "楼下停车难" in page.text and "<strong>没有</strong>" in page.text and "<script>x()" not in page.text
    assert "已附议 0 人，需 2 人" in page.text
    photo = session.exec(select(Photo)).one()
    served = TestClient(app).get(f"/photos/{photo.id}")
    assert served.status_code == 200 and served.headers["content-type"] == "image/png" and served.content == PNG
    twin = TestClient(app).get(f"/proposals/{proposal_id}.json").json()
    assert twin["stage"] == "cosigning" and twin["timeline"][-1]["action"] == "submit"


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_saved(app, session, town):
    building, _people = town
    author = logged_in(app, "author")
    response = _post(author, f"/places/{building.id}/proposals/new",
                     {"title": "停车", "category": "parking", "body": "", "intent": "submit"},
                     files=[("photos", ("car.png", b"MZ\x90\x00 not a picture", "image/png"))])
    assert response.status_code == 422
    assert "不是 JPEG、PNG、GIF 或 WebP 图片" in response.text and 'value="停车"' in response.text
    reload(session)
    assert session.exec(select(Proposal)).all() == []


def test_missing_title_and_category_are_explained_in_the_form(app, town):
    building, _people = town
    response = _post(logged_in(app, "author"), f"/places/{building.id}/proposals/new", {"title": "", "category": "x"})
    assert response.status_code == 422
    assert "请写一个标题" in response.text and "请选择类别" in response.text


def test_only_residents_of_the_place_may_write_there(app, town):
    building, _people = town
    assert logged_in(app, "outsider").get(f"/places/{building.id}/proposals/new").status_code == 403
    assert TestClient(app, follow_redirects=False).get(f"/places/{building.id}/proposals/new").status_code == 303


def test_a_draft_is_seen_only_by_its_author_until_submitted(app, session, town):
    building, _people = town
    author, proposal_id = _write(app, building, intent="draft")
    assert author.get(f"/proposals/{proposal_id}").status_code == 200
    assert logged_in(app, "neighbour").get(f"/proposals/{proposal_id}").status_code == 404
    assert TestClient(app).get(f"/proposals/{proposal_id}.json").status_code == 404
    assert _post(author, f"{P}{proposal_id}/submit").status_code == 303
    assert logged_in(app, "neighbour").get(f"/proposals/{proposal_id}").status_code == 200


def test_an_authors_step_is_forbidden_to_others_and_out_of_turn_for_the_author(app, session, town):
    building, _people = town
    author, proposal_id = _write(app, building)
    assert _post(logged_in(app, "neighbour"), f"{P}{proposal_id}/withdraw", {"reason": "不要了"}).status_code == 403
    assert _post(author, f"{P}{proposal_id}/resubmit").status_code == 409  # the author's, but not now
    assert _post(author, f"{P}{proposal_id}/withdraw", {"reason": "不要了"}).status_code == 303


def test_cosigns_move_it_to_review_and_a_bad_move_is_refused_with_its_reason(app, session, town):
    building, _people = town
    _author, proposal_id = _write(app, building)
    outsider = logged_in(app, "outsider")
    assert _post(outsider, f"{P}{proposal_id}/cosign").status_code == 403
    for name in ("neighbour", "neighbour2"):
        assert _post(logged_in(app, name), f"{P}{proposal_id}/cosign").status_code == 303
    reload(session)
    assert session.get(Proposal, proposal_id).stage == Stage.REVIEW
    late = _post(logged_in(app, "neighbour"), f"{P}{proposal_id}/cosign")
    assert late.status_code == 409 and "提案现在处于「受理中」阶段，不能附议" in late.text
    staff_ids = {u for u in session.exec(select(Notification.user_id)).all()}
    assert len(staff_ids) >= 3  # followers told of each step, and staff and council of the review


def _in_review(app, session, building) -> int:  # type: ignore[no-untyped-def]
    _author, proposal_id = _write(app, building)
    for name in ("neighbour", "neighbour2"):
        _post(logged_in(app, name), f"{P}{proposal_id}/cosign")
    return proposal_id


def test_review_is_for_staff_and_council_and_rejection_needs_a_reason(app, session, town):
    building, _people = town
    proposal_id = _in_review(app, session, building)
    assert _post(logged_in(app, "neighbour"), f"{P}{proposal_id}/review", {"decision": "accept"}).status_code == 403
    staff = logged_in(app, "staff")
    refused = _post(staff, f"{P}{proposal_id}/review", {"decision": "reject", "reason": ""})
    assert refused.status_code == 422 and "必须公开说明理由" in refused.text
    assert 'value="reject" checked' in refused.text  # the form comes back as it was filled in
    nonsense = _post(staff, f"{P}{proposal_id}/review", {"decision": "nonsense", "reason": "看看"})
    assert nonsense.status_code == 422 and "请选择受理结果" in nonsense.text and ">看看</textarea>" in nonsense.text
    done = _post(staff, f"{P}{proposal_id}/review", {"decision": "reject", "reason": "不属于本楼事务"})
    assert done.status_code == 303
    page = TestClient(app).get(f"/proposals/{proposal_id}")
    assert "已驳回" in page.text and "不属于本楼事务" in page.text


def test_merging_through_the_page_moves_cosigners(app, session, town):
    building, _people = town
    target_id = _in_review(app, session, building)
    _author, duplicate_id = _write(app, building, title="车位不够")
    _post(logged_in(app, "neighbour"), f"{P}{duplicate_id}/cosign")
    _post(logged_in(app, "neighbour2"), f"{P}{duplicate_id}/cosign")
    response = _post(logged_in(app, "council"), f"{P}{duplicate_id}/merge",
                     {"target": str(target_id), "reason": "同一件事"})
    assert response.status_code == 303
    reload(session)
    assert session.get(Proposal, duplicate_id).merged_into_id == target_id
    assert "本提案已并入" in TestClient(app).get(f"/proposals/{duplicate_id}").text
    unknown = _post(logged_in(app, "council"), f"/proposals/{target_id}/merge", {"target": "99999", "reason": "重复"})
    assert unknown.status_code == 404


PLAN = {"title": "划线停车", "description": "重新划线，增加 20 个车位。", "responsible": "物业公司",
        "schedule": "2027年3月", "cost_lines": "划线 3000\n标识牌 1,500.50", "residents": "1500.50", "units": "1500",
        "government": "1500"}


def _accepted(app, session, building) -> int:  # type: ignore[no-untyped-def]
    proposal_id = _in_review(app, session, building)
    _post(logged_in(app, "staff"), f"{P}{proposal_id}/review", {"decision": "accept"})
    return proposal_id


def test_plans_are_drafted_versioned_disclosed_and_decided_by_the_council(app, session, town):
    building, _people = town
    proposal_id = _accepted(app, session, building)
    staff = logged_in(app, "staff")
    mismatch = _post(staff, f"{P}{proposal_id}/plans/new", {**PLAN, "government": "1"})
    assert mismatch.status_code == 422 and "应等于费用合计（4500.50 元）" in mismatch.text
    bad_line = _post(staff, f"{P}{proposal_id}/plans/new", {**PLAN, "cost_lines": "划线 三千"})
    assert bad_line.status_code == 422 and "费用第 1 行" in bad_line.text
    assert _post(staff, f"{P}{proposal_id}/plans/new", PLAN).status_code == 303
    reload(session)
    plan = session.exec(select(Plan)).one()
    edited = _post(staff, f"{P}{proposal_id}/plans/{plan.id}/edit",
                   {**PLAN, "title": "划线停车（修订）", "note": "按居民意见"})
    assert edited.status_code == 303
    history = TestClient(app).get(f"{P}{proposal_id}/plans/{plan.id}")
    assert "第 2 版" in history.text and "第 1 版" in history.text and "按居民意见" in history.text
    assert _post(staff, f"{P}{proposal_id}/publish").status_code == 303
    early = _post(staff, f"{P}{proposal_id}/end-disclosure")
    assert early.status_code == 409 and "公示期未满" in early.text
    assert _post(staff, f"{P}{proposal_id}/plans/{plan.id}/edit", PLAN).status_code == 409
    assert "方案公示中" in TestClient(app).get(f"/proposals/{proposal_id}").text
    _days_pass(app, 7)  # the clock moves it on when the period ends
    page = TestClient(app).get(f"/proposals/{proposal_id}")
    assert "方案待表决或决定" in page.text
    staff = logged_in(app, "staff")  # a week on, a new session; deciding is the council's, never staff's
    assert _post(staff, f"{P}{proposal_id}/decide", {"plan": str(plan.id)}).status_code == 403
    decided = _post(logged_in(app, "council"), f"{P}{proposal_id}/decide", {"plan": str(plan.id), "reason": "一致同意"})
    assert decided.status_code == 303
    reload(session)
    proposal = session.get(Proposal, proposal_id)
    assert proposal.stage == Stage.IMPLEMENTATION and proposal.responsible == "物业公司"
    assert [v.number for v in session.exec(select(PlanVersion).order_by(PlanVersion.number)).all()] == [1, 2]


def _days_pass(app, days: int) -> None:  # type: ignore[no-untyped-def]
    """The clock moves `days` ahead and does its work there (deadlines and periods end); then it comes back."""
    with clock.travel(timedelta(days=days, minutes=1)):
        ticker.tick(app.state.db)


def test_disclosed_plans_go_to_a_vote_linked_from_the_proposal(app, session, town):
    building, _people = town
    proposal_id = _accepted(app, session, building)
    staff = logged_in(app, "staff")
    _post(staff, f"{P}{proposal_id}/plans/new", PLAN)
    _post(staff, f"{P}{proposal_id}/plans/new", {**PLAN, "title": "立体车库"})
    _post(staff, f"{P}{proposal_id}/publish")
    _days_pass(app, 7)
    council = logged_in(app, "council")
    form = council.get(f"{P}{proposal_id}/vote")
    assert form.status_code == 200 and "2 个备选方案将作为选项" in form.text
    closes = (utcnow() + timedelta(days=3)).astimezone().strftime("%Y-%m-%dT%H:%M")
    response = _post(council, f"{P}{proposal_id}/vote", {"rule": "majority", "electorate": "households",
                                                                 "closes_at": closes})
    assert response.status_code == 303
    reload(session)
    vote = session.exec(select(Vote)).one()
    assert (vote.subject_kind, vote.subject_id, vote.form) == ("proposal", proposal_id, "choose_one")
    assert f"/votes/{vote.id}" in TestClient(app).get(f"/proposals/{proposal_id}").text
    assert _post(logged_in(app, "neighbour"), f"{P}{proposal_id}/vote", {}).status_code == 403


def _implementing(app, session, building) -> int:  # type: ignore[no-untyped-def]
    proposal_id = _accepted(app, session, building)
    _post(logged_in(app, "staff"), f"{P}{proposal_id}/plans/new", PLAN)
    _post(logged_in(app, "staff"), f"{P}{proposal_id}/publish")
    reload(session)
    plan = session.exec(select(Plan)).one()
    _days_pass(app, 7)
    _post(logged_in(app, "council"), f"{P}{proposal_id}/decide", {"plan": str(plan.id)})
    return proposal_id


def test_works_acceptance_fails_then_passes_residents_rate_and_the_proposal_closes(app, session, town):
    building, _people = town
    proposal_id = _implementing(app, session, building)
    staff = logged_in(app, "staff")
    assert _post(staff, f"{P}{proposal_id}/milestones", {"title": "划线", "due_on": "2020-01-01"}).status_code == 303
    assert _post(staff, f"{P}{proposal_id}/milestones", {"title": "x", "due_on": "明天"}).status_code == 422
    assert _post(staff, f"{P}{proposal_id}/progress", {"text": "已划一半", "percent": "50"},
                 files=[("photos", ("site.jpg", JPEG, "image/jpeg"))]).status_code == 303
    assert _post(staff, f"{P}{proposal_id}/progress", {"text": "x", "percent": "150"}).status_code == 422
    no_document = _post(staff, f"{P}{proposal_id}/costs", {"description": "油漆", "amount": "300"})
    assert no_document.status_code == 422 and "请附上凭证" in no_document.text
    assert _post(staff, f"{P}{proposal_id}/costs", {"description": "油漆", "amount": "300.5", "payee": "建材店"},
                 files=[("document", ("invoice.jpg", JPEG, "image/jpeg"))]).status_code == 303
    neighbour = logged_in(app, "neighbour")
    assert _post(neighbour, f"{P}{proposal_id}/progress", {"text": "x", "percent": "1"}).status_code == 403
    page = TestClient(app).get(f"/proposals/{proposal_id}")
    assert "已超期" in page.text and "300.50" in page.text and "50%" in page.text
    supervisor = logged_in(app, "supervisor")
    assert _post(supervisor, f"{P}{proposal_id}/inspections", {"findings": "线条歪斜"}).status_code == 303
    assert _post(staff, f"{P}{proposal_id}/complete").status_code == 303
    leader = logged_in(app, "leader")
    no_findings = _post(leader, f"{P}{proposal_id}/acceptance", {"outcome": "fail"})
    assert no_findings.status_code == 422 and "请写明存在的问题" in no_findings.text
    assert _post(logged_in(app, "neighbour"), f"{P}{proposal_id}/acceptance", {"outcome": "pass"}).status_code == 403
    assert _post(leader, f"{P}{proposal_id}/acceptance", {"outcome": "fail", "findings": "推倒重来"}).status_code == 303
    reload(session)
    assert session.get(Proposal, proposal_id).stage == Stage.IMPLEMENTATION
    _post(staff, f"{P}{proposal_id}/complete")
    assert _post(leader, f"{P}{proposal_id}/acceptance", {"outcome": "pass"}).status_code == 303
    for name, rating in (("author", "satisfied"), ("neighbour", "fairly_satisfied"), ("neighbour2", "dissatisfied")):
        assert _post(logged_in(app, name), f"{P}{proposal_id}/rating", {"rating": rating}).status_code == 303
    assert _post(logged_in(app, "outsider"), f"{P}{proposal_id}/rating", {"rating": "satisfied"}).status_code == 403
    assert _post(logged_in(app, "author"), f"{P}{proposal_id}/rating", {"rating": "great"}).status_code == 422
    assert _post(staff, f"{P}{proposal_id}/close").status_code == 409
    reload(session)
    assert len(session.exec(select(ProposalRating)).all()) == 3
    assert session.exec(select(CostItem)).one().document_id is not None
    _days_pass(app, 14)
    page = TestClient(app).get(f"/proposals/{proposal_id}")
    assert "已办结，居民满意度 66.67%" in page.text
    steps = _timeline(session, proposal_id)
    assert steps[:4] == ["create", "submit", "reach_threshold", "accept"]
    assert steps.count("complete_works") == 2 and "fail_acceptance" in steps and steps[-1] == "close"
    timeline = re.findall(r'<li>\s*<time', page.text)
    assert len(timeline) == len(steps)


def test_followers_read_their_notifications_and_mark_them_read(app, session, town):
    building, _people = town
    proposal_id = _in_review(app, session, building)
    _post(logged_in(app, "staff"), f"{P}{proposal_id}/review", {"decision": "accept"})
    author = logged_in(app, "author")
    inbox = author.get("/notifications")
    assert inbox.status_code == 200 and "受理立案" in inbox.text and "未读" in inbox.text
    assert _post(author, "/notifications").status_code == 303
    assert "未读" not in author.get("/notifications").text
    assert TestClient(app, follow_redirects=False).get("/notifications").status_code == 303


def test_unknown_or_malformed_ids_are_404(app, town):
    client = TestClient(app)
    assert client.get("/proposals/99999").status_code == 404
    assert client.get("/proposals/99999999999").status_code == 404
    assert client.get("/photos/12345").status_code == 404


def test_a_works_form_with_mistakes_comes_back_filled_in_with_each_problem_by_its_field(app, session, town):
    building, _people = town
    proposal_id = _implementing(app, session, building)
    staff = logged_in(app, "staff")

    milestone = _post(staff, f"{P}{proposal_id}/milestones", {"title": "划线", "due_on": "明天", "responsible": "老李"})
    assert milestone.status_code == 422
    assert 'value="划线"' in milestone.text and 'value="老李"' in milestone.text
    assert 'aria-invalid="true" aria-describedby="f-ms-due-error"' in milestone.text
    assert 'id="f-ms-due-error"' in milestone.text
    assert '<a href="#f-ms-due">' in milestone.text  # the summary at the top of the form leads to the field

    progress = _post(staff, f"{P}{proposal_id}/progress", {"text": "划了一半", "percent": "150"})
    assert progress.status_code == 422 and "进度须在 0 到 100 之间" in progress.text
    assert ">划了一半</textarea>" in progress.text and 'value="150"' in progress.text
    assert "照片需要重新选择" in progress.text

    cost = _post(staff, f"{P}{proposal_id}/costs", {"description": "油漆", "amount": "三百", "payee": "建材店"})
    assert cost.status_code == 422
    assert "金额应是不为负的数字" in cost.text and "请附上凭证" in cost.text
    assert 'value="油漆"' in cost.text and 'value="建材店"' in cost.text and 'value="三百"' in cost.text

    not_a_photo = _post(staff, f"{P}{proposal_id}/progress", {"text": "x", "percent": "10"},
                        files=[("photos", ("notes.txt", b"hello", "text/plain"))])
    assert not_a_photo.status_code == 422 and 'id="f-pg-photos-error"' in not_a_photo.text

    inspection = _post(logged_in(app, "supervisor"), f"{P}{proposal_id}/inspections", {"findings": ""})
    assert inspection.status_code == 422 and "请写明检查情况" in inspection.text

    reload(session)
    assert _timeline(session, proposal_id).count("progress") == 0  # nothing of it was saved


def test_the_proposal_page_reads_each_kind_of_thing_once_however_many_there_are(app, session, town):
    building, _people = town
    proposal_id = _implementing(app, session, building)
    staff = logged_in(app, "staff")

    def more_works() -> None:
        _post(staff, f"{P}{proposal_id}/milestones", {"title": "划线", "due_on": "2030-01-01"})
        _post(staff, f"{P}{proposal_id}/progress", {"text": "又划一段", "percent": "50"},
              files=[("photos", ("site.jpg", JPEG, "image/jpeg"))])
        _post(staff, f"{P}{proposal_id}/costs", {"description": "油漆", "amount": "300"},
              files=[("document", ("invoice.jpg", JPEG, "image/jpeg"))])
        _post(logged_in(app, "supervisor"), f"{P}{proposal_id}/inspections", {"findings": "线条歪斜"},
              files=[("photos", ("site.png", PNG, "image/png"))])

    more_works()
    url = f"/proposals/{proposal_id}"
    few = {who: statements(client, url) for who, client in (("anyone", TestClient(app)), ("staff", staff))}
    for _ in range(3):
        more_works()
    many = {who: statements(client, url) for who, client in (("anyone", TestClient(app)), ("staff", staff))}
    assert many == few
    assert few["staff"] <= 20, few  # who is asking, the proposal, its record once each, its thread and meetings
