"""The `deliberate` command as installed: `deliberate recount FILE` starts without the server's modules.

A recount runs anywhere, often on a large export; loading the app, Alembic and uvicorn first cost it 0.6 s.
Everything else, `--help` included, is deliberate.cli."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) == 2 and args[0] == "recount" and (args[1] == "-" or not args[1].startswith("-")):
        from deliberate.voting.recount import main as recount

        return recount(args[1])
    from deliberate.cli import main as command

    return command(args)


if __name__ == "__main__":
    raise SystemExit(main())
