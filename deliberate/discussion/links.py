"""Where a comment is read: its thread's page, at the comment."""

from __future__ import annotations

from deliberate.discussion.models import Comment


def thread_url(kind: str, subject_id: int, proposal_id: int | None) -> str:
    if kind == "proposal":
        return f"/proposals/{subject_id}"
    if kind == "plan":
        return f"/proposals/{proposal_id}/plans/{subject_id}"
    return f"/votes/{subject_id}"


def comment_url(comment: Comment, proposal_id: int | None) -> str:
    """A comment about a plan or a vote is read on that page (it shows its proposal's whole thread)."""
    if comment.about_kind and comment.about_id is not None:
        return f"{thread_url(comment.about_kind, comment.about_id, comment.subject_id)}#c{comment.id}"
    return f"{thread_url(comment.subject_kind, comment.subject_id, proposal_id)}#c{comment.id}"
