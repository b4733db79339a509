"""Reading the (already CSRF-checked) form of a request."""

from __future__ import annotations

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request


def form(request: Request) -> FormData:
    return request.state._state.get("form") or FormData()


def text(request: Request, name: str, *, max_length: int = 10_000) -> str:
    value = form(request).get(name)
    if not isinstance(value, str):
        return ""
    return value.strip()[: max_length + 1]


def upload(request: Request, name: str) -> UploadFile | None:
    value = form(request).get(name)
    if isinstance(value, UploadFile) and value.filename:
        return value
    return None
