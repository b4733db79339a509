"""Handlers stay thin: read the form, load through the access layer, call one action, redirect or render.

Every endpoint in the routing table is at most 15 lines of code (its docstring, comments and blank lines
aside); the work belongs in the domain's forms, access, actions and queries."""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable

import pytest
from starlette.routing import Route

from deliberate.app import create_app
from deliberate.settings import Settings

MAX_LINES = 15


def _endpoints() -> dict[str, Callable[..., object]]:
    app = create_app(Settings.from_env({}))
    found = {}
    for route in app.routes:
        if isinstance(route, Route):
            found[route.name] = inspect.unwrap(route.endpoint)
    return found


def code_lines(function: Callable[..., object]) -> int:
    source = textwrap.dedent(inspect.getsource(function))
    definition = ast.parse(source).body[0]
    assert isinstance(definition, ast.FunctionDef)
    body = definition.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    lines = set()
    for statement in body:
        for node in ast.walk(statement):
            if hasattr(node, "lineno"):
                lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    text = source.splitlines()
    return sum(1 for n in lines if text[n - 1].strip() and not text[n - 1].strip().startswith("#"))


ENDPOINTS = _endpoints()


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_every_handler_is_at_most_15_lines(name: str) -> None:
    endpoint = ENDPOINTS[name]
    assert code_lines(endpoint) <= MAX_LINES, f"{name}: {endpoint.__module__}.{endpoint.__name__}"
