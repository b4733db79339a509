"""A server worker records changes too: uvicorn's workers import only deliberate.asgi (the app), never
deliberate.models, so the app itself installs the audit log's listener."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import sys
from sqlalchemy import event
from sqlalchemy.orm import Session
from deliberate.app import create_app
from deliberate.audit import recording
from deliberate.settings import Settings
assert "deliberate.models" not in sys.modules
create_app(Settings.from_env({"DATABASE_URL": "sqlite:///" + sys.argv[1]}))
print(event.contains(Session, "before_flush", recording._record))
"""


def test_an_app_made_in_a_fresh_process_records_every_change(tmp_path) -> None:  # type: ignore[no-untyped-def]
    found = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "worker.db")], capture_output=True,
                           text=True, check=True, timeout=120)
    assert found.stdout.strip() == "True", found.stderr
