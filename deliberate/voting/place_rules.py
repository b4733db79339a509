"""What a place decides for its votes (规则设置): whether owners who do not vote are counted with the majority.

A vote takes the rule of its place when it is created and keeps it (`Vote.non_voters_with_majority`), so that a
change of the setting never changes a vote already under way."""

from __future__ import annotations

from sqlmodel import Session

from deliberate.i18n import gettext as _
from deliberate.places import settings
from deliberate.places.models import Place
from deliberate.places.settings import Kind, Setting

NON_VOTERS = "votes.non_voters_with_majority"

# 民法典 第二百七十八条 asks for the owners' participation and majorities; whether owners who do not vote are added
# to the majority is for each compound's rules of procedure (业主大会议事规则) or management statute to decide.
SETTINGS: tuple[Setting, ...] = settings.declare(
    Setting(NON_VOTERS, "votes", lambda: _("未投票的业主计入多数意见"), Kind.YES_NO, "no",
            source=lambda: _("由本小区业主大会议事规则或管理规约决定；默认不计入"),
            help=lambda: _("只用于业主表决：未投票业主的人数和面积计入人数和面积都领先的一方。"
                           "表决发起时采用当时的设置，之后修改不影响已发起的表决。")),
)


def non_voters_with_majority(session: Session, place: Place) -> bool:
    return settings.values(session, place, SETTINGS)[NON_VOTERS] == "yes"
