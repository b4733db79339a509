"""The demo community as bench data, while `deliberate bench-data` is not there: `python -m bench.demo_urls`.

Loads the demo into a fresh SQLite file (or an empty database) and writes a urls.json in bench-data's shape:
the community's pages, its largest proposal thread, a closed vote's result, a meeting, staff tracking, and
every demo account that may cast an open, public vote online. Small: read its figures as a smoke test.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from deliberate import demo
from deliberate.accounts.models import User
from deliberate.cli import db_upgrade
from deliberate.db import Database
from deliberate.discussion.models import Comment
from deliberate.meetings.models import Meeting
from deliberate.places.models import Place, PlaceKind
from deliberate.settings import Settings
from deliberate.voting.models import Vote, VoteStatus
from deliberate.voting.queries import entries_for


def build(database_url: str, urls: Path) -> dict[str, Any]:
    settings = replace(Settings.from_env({}), database_url=database_url)
    db_upgrade(settings)
    database = Database(settings)
    try:
        with database.writing() as session:
            demo.load_demo(session)
        with database.session() as session:
            community = session.exec(select(Place).where(Place.kind == PlaceKind.COMMUNITY)).one()
            busiest = session.exec(
                select(Comment.subject_id).where(Comment.subject_kind == "proposal")
                .group_by(col(Comment.subject_id)).order_by(func.count().desc())
            ).first()
            closed = session.exec(select(Vote).where(col(Vote.status) != VoteStatus.OPEN)
                                  .order_by(col(Vote.id))).first()
            meeting = session.exec(select(Meeting).order_by(col(Meeting.id))).first()
            open_votes = session.exec(select(Vote).where(Vote.status == VoteStatus.OPEN,
                                                         col(Vote.secret).is_(False))).all()
            users = session.exec(select(User).order_by(col(User.id))).all()
            voters = [{"username": user.username, "password": demo.DEMO_PASSWORD, "vote": f"/votes/{vote.id}"}
                      for vote in open_votes for user in users if entries_for(session, vote, user)]
            pages = {
                "community_home": f"/places/{community.id}",
                "proposal_list": f"/places/{community.id}/proposals",
                "proposal_list_deep": f"/places/{community.id}/proposals?sort=cosigns",
                "proposal_200_comments": f"/proposals/{busiest}",
                "vote_result_10k": f"/votes/{closed.id}" if closed else None,
                "meeting": f"/meetings/{meeting.id}" if meeting else None,
            }
            data = {
                "staff": {"username": "staff", "password": demo.DEMO_PASSWORD},
                "voters": voters,
                "pages": {name: path for name, path in pages.items() if path},
                "staff_pages": {"staff_tracking": f"/places/{community.id}/tracking"},
            }
    finally:
        database.dispose()
    urls.parent.mkdir(parents=True, exist_ok=True)
    urls.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return data


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--urls", type=Path, required=True)
    args = parser.parse_args()
    data = build(args.database_url, args.urls)
    print(f"demo bench data: {len(data['pages'])} pages, {len(data['voters'])} voters -> {args.urls}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
