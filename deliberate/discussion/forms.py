"""Reading the forms of threads: a comment or an answer, an edit, a report, a moderator's reason, blocked words."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from deliberate.discussion import rules
from deliberate.web import forms


@dataclass(frozen=True)
class CommentText:
    body: str
    stance: str
    parent: str  # the id of the comment answered, or ""

    def typed(self) -> dict[str, str]:
        """What was written, to show again when it must be fixed."""
        return {"body": self.body, "stance": self.stance, "parent": self.parent}


def comment(request: Request) -> CommentText:
    return CommentText(forms.text(request, "body", max_length=rules.BODY_MAX),
                       forms.text(request, "stance", max_length=10), forms.text(request, "parent", max_length=12))


def reason(request: Request) -> str:
    return forms.text(request, "reason", max_length=rules.REASON_MAX)


def blocked_words(request: Request) -> str:
    return forms.text(request, "words", max_length=20_000)


def helpful(request: Request) -> bool:
    return forms.text(request, "helpful", max_length=1) != "0"
