"""`python -m bench.recount [--ballots N]`: time and memory of `deliberate recount` on a large export.

Writes an owners' vote export of N ballots (default 1,000,000) to a temporary file, runs the command as a
user would, and reports its wall time and peak resident memory against the targets (≤ 2 s, ≤ 200 MB for a
million ballots). Appends the figures to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

TARGET_SECONDS, TARGET_MB = 2.0, 200.0
RESULTS = Path(__file__).with_name("RESULTS.md")


def write_export(path: Path, ballots: int, seed: int = 1) -> None:
    """An export as the site writes it: the header first, then the ballots, one object each."""
    chance = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        out.write(json.dumps({"rule": "owners_major", "form": "yes_no", "options": ["yes", "no", "abstain"],
                              "electorate": {"heads": ballots, "area": f"{200 * ballots}.00"}})[:-1])
        out.write(', "ballots": [')
        for n in range(ballots):
            choice, area = chance.choice(("yes", "yes", "no", "abstain")), chance.randint(4000, 16000) / 100
            out.write(("," if n else "") + f'{{"choice": "{choice}", "heads": 1, "area": "{area:.2f}"}}')
        out.write("]}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ballots", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "ballots.json"
        write_export(export, args.ballots)
        size_mb = export.stat().st_size / 1_048_576
        command = [str(Path(sys.executable).with_name("deliberate")), "recount", str(export)]
        load = os.getloadavg()[0]
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
        return 1
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    verdict = "met" if seconds <= TARGET_SECONDS and peak_mb <= TARGET_MB else "missed"
    line = (f"| {datetime.now(UTC):%Y-%m-%d %H:%M} UTC | {args.ballots:,} | {size_mb:.0f} MB | {seconds:.2f} s | "
            f"{peak_mb:.0f} MB | {load:.1f} | {verdict} |")
    print("| date | ballots | file | wall time | peak RSS | load | ≤ 2 s, ≤ 200 MB |")
    print(line)
    with RESULTS.open("a", encoding="utf-8") as results:
        results.write(f"\n`python -m bench.recount`: {line}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
