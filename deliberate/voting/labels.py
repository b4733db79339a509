"""How forms, rules, electorates and states of a vote read to a resident."""

from __future__ import annotations

from typing import Any

from deliberate.i18n import gettext as _
from deliberate.voting.tally import percent


def form_labels() -> dict[str, str]:
    return {
        "yes_no": _("同意 / 反对 / 弃权"),
        "choose_one": _("从几个方案中选一个"),
        "choose_many": _("可以选多个"),
    }


def rule_labels() -> dict[str, str]:
    return {
        "plurality": _("得票最多者胜出（不设法定人数）"),
        "majority": _("参与者过半数同意"),
        "two_thirds": _("参与者三分之二以上同意"),
        "unanimous": _("全体一致同意"),
        "residents_meeting": _("居民会议：过半数参加，参加者过半数同意（居委会组织法）"),
        "owners_ordinary": _(
            "业主一般事项：专有面积和人数均三分之二以上参与，参与者面积和人数均过半数同意（民法典第二百七十八条）"
        ),
        "owners_major": _(
            "业主重大事项：专有面积和人数均三分之二以上参与，参与者面积和人数均四分之三以上同意（民法典第二百七十八条）"
        ),
    }


def electorate_labels() -> dict[str, str]:
    return {
        "adults": _("本地年满 18 周岁的居民，每人一票"),
        "households": _("每户一票（户代表）"),
        "owners": _("业主，按人数和专有面积计（一人多套计一人，开发商未售房屋合计一人）"),
        "council": _("本级议事会成员"),
        "representatives": _("居民代表（楼栋长）"),
    }


def status_labels() -> dict[str, str]:
    return {
        "draft": _("准备中"),
        "open": _("投票中"),
        "closed": _("已截止，待认证"),
        "certified": _("已认证公示"),
        "withdrawn": _("已撤回"),
    }


def turnout_text(voted: int, roll: int) -> str:
    """How many took part, said beside every result: "3 / 59 人参与（5.08%）"."""
    return _("%(voted)s / %(roll)s 人参与（%(percent)s%%）", voted=voted, roll=roll, percent=percent(voted, roll))


def turnout_json(voted: int, roll: int) -> dict[str, Any]:
    return {"voted": voted, "roll": roll, "percent": percent(voted, roll)}


def result_turnout(result: dict[str, Any]) -> str:
    """The turnout of a stored result (its participation against its electorate, by head)."""
    return turnout_text(int(result["participation"]["heads"]), int(result["electorate"]["heads"]))


def choice_label(choice: object) -> str:
    if choice is None or choice == "abstain":
        return _("弃权")
    if isinstance(choice, list | tuple):
        return "、".join(str(c) for c in choice) or _("弃权")
    return {"yes": _("同意"), "no": _("反对")}.get(str(choice), str(choice))


def error_message(code: str) -> str:
    return {
        "not_draft": _("这次表决已经开始，不能再开始一次。"),
        "closes_in_past": _("截止时间已过，请先修改截止时间。"),
        "empty_roll": _("按所选的投票人范围，这里没有一个人有投票权，无法开始。"),
        "no_area": _("业主表决按专有面积计票，但住户名册中这些房屋都没有登记面积。请先补充面积再开始。"),
        "not_open": _("这次表决现在不接受投票。"),
        "closed": _("投票已截止。"),
        "not_on_roll": _("您不在这次表决的投票人名单上。"),
        "bad_choice": _("请从给出的选项中选择。"),
        "voted_on_paper": _("您已用纸质选票投票，不能再在网上投票或修改。"),
        "already_voted": _("此人已经投过票，每人只能有一张选票。"),
        "receipt_needed": _("这是不记名投票：要修改选票，请输入您投票时得到的回执码。"),
        "too_early": _("截止时间未到，还有人没有投票，现在不能结束表决。"),
        "not_closed": _("表决截止后才能认证结果。"),
        "not_withdrawable": _("只有尚未认证结果的表决可以撤回。"),
        "reason_needed": _("请写明撤回的理由，它会公开显示并通知投票人。"),
        "serial_taken": _(
            "这个编号的纸质选票已经录入过了：每张选票的编号只能录入一次。如果之前录错了，请在已录入的选票中更正。"
        ),
        "serial_needed": _("请填写纸质选票上的编号。"),
        "no_such_paper": _("没有找到这个编号的纸质选票。"),
        "owners_unchecked": _("这里有同名的业主尚未核对身份：请先在“同名业主核对”中核对，"
                              "再勾选“我已核对同名业主”后开始投票。"),
    }.get(code, _("操作冲突"))
