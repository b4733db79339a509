"""The measurement that chose pygal over matplotlib's SVG backend for the statistics charts: the page's three
charts (twelve months of two series, four outcomes, three ratings, Chinese labels), drawn 20 times, warm.

    .venv/bin/python -m bench.chart_libraries pygal
    python -m bench.chart_libraries matplotlib     # where matplotlib is installed (it is not a dependency)
"""

from __future__ import annotations

import importlib
import io
import sys
import time
from collections.abc import Callable
from typing import Any

MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]
RAISED = [12, 30, 25, 41, 38, 22, 19, 33, 47, 29, 31, 40]
CLOSED = [5, 9, 14, 20, 17, 21, 11, 24, 30, 18, 22, 27]
OUTCOMES = (["受理立案", "驳回", "合并", "办结"], [120, 14, 6, 88])
RATINGS = (["满意", "基本满意", "不满意"], [340, 120, 41])
RUNS = 20


def with_pygal() -> Callable[[], list[str]]:
    pygal: Any = importlib.import_module("pygal")
    style = importlib.import_module("pygal.style").Style(font_family="'Noto Sans CJK SC', sans-serif")
    options = {"style": style, "js": [], "width": 720, "height": 320, "disable_xml_declaration": True}

    def draw() -> list[str]:
        monthly = pygal.Bar(title="提案数量（按月）", **options)
        monthly.x_labels = MONTHS
        monthly.add("提出", RAISED)
        monthly.add("办结", CLOSED)
        outcomes = pygal.HorizontalBar(title="办理结果", **options)
        outcomes.x_labels = OUTCOMES[0]
        outcomes.add("提案数", OUTCOMES[1])
        ratings = pygal.Bar(title="满意度评价", **options)
        ratings.x_labels = RATINGS[0]
        ratings.add("份数", RATINGS[1])
        return [chart.render(is_unicode=True) for chart in (monthly, outcomes, ratings)]

    return draw


def with_matplotlib() -> Callable[[], list[str]]:
    matplotlib: Any = importlib.import_module("matplotlib")
    matplotlib.use("svg")
    figure: Any = importlib.import_module("matplotlib.figure").Figure
    matplotlib.rcParams["font.family"] = ["Noto Sans CJK SC", "DejaVu Sans"]
    matplotlib.rcParams["svg.fonttype"] = "none"

    def svg(fig: Any) -> str:
        out = io.StringIO()
        fig.tight_layout()
        fig.savefig(out, format="svg")
        return out.getvalue()

    def draw() -> list[str]:
        monthly = figure(figsize=(7.2, 3.2))
        axes = monthly.subplots()
        axes.bar([i - 0.2 for i in range(12)], RAISED, 0.4, label="提出")
        axes.bar([i + 0.2 for i in range(12)], CLOSED, 0.4, label="办结")
        axes.set_xticks(list(range(12)), MONTHS, rotation=45)
        axes.legend()
        axes.set_title("提案数量（按月）")
        outcomes = figure(figsize=(7.2, 3.2))
        outcomes.subplots().barh(*OUTCOMES)
        ratings = figure(figsize=(7.2, 3.2))
        ratings.subplots().bar(*RATINGS)
        return [svg(fig) for fig in (monthly, outcomes, ratings)]

    return draw


def main() -> None:
    which = sys.argv[1] if len(sys.argv) > 1 else "pygal"
    started = time.perf_counter()
    draw = with_pygal() if which == "pygal" else with_matplotlib()
    imported = time.perf_counter() - started
    drawn = draw()
    started = time.perf_counter()
    for _ in range(RUNS):
        drawn = draw()
    each = (time.perf_counter() - started) / RUNS
    print(f"{which}: import {imported * 1000:.0f} ms, the three charts {each * 1000:.1f} ms, "
          f"{sum(len(svg.encode()) for svg in drawn):,} bytes of SVG")


if __name__ == "__main__":
    main()
