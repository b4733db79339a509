"""`deliberate recount FILE`: anyone can count an exported vote again and get the same result."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from deliberate import cli

OWNERS_MAJOR = {
    "rule": "owners_major",
    "form": "yes_no",
    "electorate": {"heads": 120, "area": 10234.5},
    "ballots": [
        {"choice": "yes", "heads": 70, "area": "6520.30", "voter": "3-201"},
        {"choice": "no", "heads": 10, "area": 500},
        {"choice": "abstain", "heads": 5, "area": 300.5},
    ],
}

EXPECTED = {
    "rule": "owners_major",
    "form": "yes_no",
    "passed": True,
    "quorum_met": True,
    "winner": "yes",
    "winners": ["yes"],
    "tally": {
        "yes": {"heads": 70, "area": "6520.30"},
        "no": {"heads": 10, "area": "500.00"},
        "abstain": {"heads": 5, "area": "300.50"},
    },
    "participation": {"heads": 85, "area": "7320.80"},
    "electorate": {"heads": 120, "area": "10234.50"},
    "explanation": (
        "参与表决 85 人（占 120 人的 70.83%）、面积 7,320.80 ㎡（占 10,234.50 ㎡ 的 71.53%），"
        "人数和面积均达到三分之二以上，达到法定人数；"
        "同意 70 人（占参与者的 82.35%）、面积 6,520.30 ㎡（占参与面积的 89.07%），"
        "人数和面积均达到参与者的四分之三以上，表决通过。"
    ),
    "explanation_en": (
        "85 of 120 voted (70.83%), holding 7,320.80 of 10,234.50 ㎡ (71.53%): at least two thirds of the "
        "electorate both by head and by area, so the quorum is met; yes: 70 (82.35% of those voting) holding "
        "6,520.30 ㎡ (89.07% of the area voting), at least three quarters of those voting both by head and by "
        "area, so it passes."
    ),
}


def write(tmp_path: Path, content: Any, name: str = "vote.json") -> str:
    path = tmp_path / name
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_recount_prints_the_result(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["recount", write(tmp_path, OWNERS_MAJOR)]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == EXPECTED
    assert captured.out.startswith('{\n  "rule": "owners_major",')  # indented, and
    assert "参与表决" in captured.out  # Chinese as is, not \\u escapes
    assert captured.err == ""


def test_a_malformed_ballot_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    vote = json.loads(json.dumps(OWNERS_MAJOR))
    vote["ballots"][1]["choice"] = "maybe"
    assert cli.main(["recount", write(tmp_path, vote)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("deliberate recount: ballot 2 ")
    assert "'maybe'" in captured.err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"rule": "majority", "form": "yes_no",', "invalid JSON"),
        ("", "invalid JSON"),
        ("[1, 2]", "JSON object"),
        ('{"rule": "majority", "form": "yes_no", "electorate": {"heads": 3}, "ballots": [{"choice": "yes", '
         '"area": NaN}]}', "ballot 1 (ballots[0]): area must be a finite"),
    ],
)
def test_input_that_cannot_be_counted_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    assert cli.main(["recount", write(tmp_path, content)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("deliberate recount: ")
    assert message in captured.err


def test_a_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["recount", str(tmp_path / "nowhere.json")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_a_byte_order_mark_is_allowed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(OWNERS_MAJOR).encode())
    assert cli.main(["recount", str(path)]) == 0
    assert json.loads(capsys.readouterr().out) == EXPECTED


@pytest.mark.parametrize("binary", [False, True])
def test_standard_input(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], binary: bool) -> None:
    text = json.dumps(OWNERS_MAJOR, ensure_ascii=False)
    stdin = io.TextIOWrapper(io.BytesIO(text.encode("utf-8")), encoding="utf-8") if binary else io.StringIO(text)
    monkeypatch.setattr(sys, "stdin", stdin)
    assert cli.main(["recount", "-"]) == 0
    assert json.loads(capsys.readouterr().out) == EXPECTED


def test_exact_decimals_survive_json_numbers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    vote = ('{"rule": "majority", "form": "yes_no", "electorate": {"heads": 5}, "ballots": ['
            '{"choice": "yes", "area": 0.1}, {"choice": "yes", "area": 0.2}, {"choice": "no", "area": 1.125}]}')
    assert cli.main(["recount", write(tmp_path, vote)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["tally"]["yes"]["area"] == "0.30"
    assert result["participation"]["area"] == "1.425"


def run_command(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deliberate.cli", *args],
        capture_output=True, encoding="utf-8", timeout=60, check=False,
        cwd=Path(cli.__file__).parents[1], env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )


def test_the_command_line(tmp_path: Path) -> None:
    done = run_command("recount", write(tmp_path, OWNERS_MAJOR))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == EXPECTED
    bad = write(tmp_path, {**OWNERS_MAJOR, "ballots": [{"choice": "yes"}, {"choice": "yes", "heads": 0}]}, "bad.json")
    done = run_command("recount", bad)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "ballot 2" in done.stderr


def _export(seed: int, count: int) -> dict[str, Any]:
    import random

    chance = random.Random(seed)
    options = ["甲", "乙", "丙"]
    ballots = []
    for _ in range(count):
        ballot: dict[str, Any] = {"choice": chance.sample(options, chance.randint(1, 3)), "heads": chance.randint(1, 2),
                                  "area": f"{chance.randint(3000, 3010) / 100:.2f}"}
        if chance.random() < 0.3:
            ballot["choice"] = None
        ballots.append(ballot)
    return {"rule": "owners_major", "form": "choose_many", "options": options,
            "electorate": {"heads": 2 * count, "area": f"{31 * count}.00"}, "ballots": ballots}


@pytest.mark.parametrize("seed", range(4))
def test_the_streamed_count_adds_alike_ballots_to_the_same_result_as_one_by_one(tmp_path: Path, seed: int) -> None:
    from deliberate.voting import recount, tally

    data = _export(seed, 300)
    path = tmp_path / "ballots.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    streamed = recount.streamed(lambda: path.open("rb"))
    careful = tally.tally(*tally.parse_recount(recount.load(path.read_text(encoding="utf-8"))))
    assert streamed.to_json() == careful.to_json()


def test_a_true_among_the_heads_is_refused_even_beside_ones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = dict(OWNERS_MAJOR, ballots=[{"choice": "yes", "heads": 1, "area": "1.00"},
                                       {"choice": "yes", "heads": True, "area": "1.00"}])
    path = tmp_path / "ballots.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert cli.main(["recount", str(path)]) == 2
    assert "ballot 2 (ballots[1]): heads must be a positive integer, got True" in capsys.readouterr().err


def test_participation_above_the_electorate_names_the_ballot_where_it_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = dict(OWNERS_MAJOR, electorate={"heads": 3, "area": "100"},
                ballots=[{"choice": "yes", "heads": 1, "area": "1.00"}] * 5)
    path = tmp_path / "ballots.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert cli.main(["recount", str(path)]) == 2
    assert "ballot 4 (ballots[3]): participation reaches 4 heads" in capsys.readouterr().err


def test_the_installed_command_recounts_without_loading_the_server(tmp_path: Path) -> None:
    script = ("import sys; from deliberate.entry import main; code = main(['recount', sys.argv[1]]); "
              "loaded = [m for m in ('deliberate.cli', 'deliberate.app', 'uvicorn', 'alembic') if m in sys.modules]; "
              "print(loaded, file=sys.stderr); raise SystemExit(code)")
    done = subprocess.run([sys.executable, "-c", script, write(tmp_path, OWNERS_MAJOR)], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == EXPECTED
    assert done.stderr.strip() == "[]"


def test_the_installed_command_is_the_whole_cli_otherwise(capsys: pytest.CaptureFixture[str]) -> None:
    from deliberate.entry import main

    with pytest.raises(SystemExit):
        main(["recount", "--help"])
    assert 'the export, or "-" for standard input' in capsys.readouterr().out  # cli's own help
    assert main(["recount", str(Path("/nonexistent/ballots.json"))]) == 2
