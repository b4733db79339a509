"""Every answer carries a strict Content-Security-Policy, forbids framing and sniffing, and keeps referrers home;
HSTS in production. Nothing in the templates runs or styles inline, so the policy needs no 'unsafe-inline'."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from starlette.testclient import TestClient

from deliberate.app import create_app

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"


def test_pages_and_errors_carry_the_security_headers(client):
    for url in ("/", "/login", "/places/999999", "/index.json"):
        headers = client.get(url).headers
        policy = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert "strict-transport-security" not in headers  # plain http on a laptop


def test_production_adds_hsts(settings, database):
    production = replace(settings, production=True, secret_key="p" * 40)
    with TestClient(create_app(production, database)) as client:
        assert client.get("/login").headers["strict-transport-security"].startswith("max-age=")


def test_no_template_runs_or_styles_anything_inline():
    inline = re.compile(r"""\sstyle=|\son[a-z]+=["']|<script(?![^>]*\ssrc=)|<style""", re.IGNORECASE)
    found = [f"{path.relative_to(TEMPLATES)}: {match.group(0).strip()}" for path in TEMPLATES.rglob("*.html")
             for match in inline.finditer(path.read_text(encoding="utf-8"))]
    assert found == []
