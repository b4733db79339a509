"""The statistics page's charts, drawn on the server as SVG by pygal, each with the table of its numbers.

pygal was chosen by measurement (README, "Statistics"): the page's three charts take about 12 ms and 57 kB
with it, against 156 ms (and half a second to import) with matplotlib's SVG backend. The SVG is shown as an
<img> whose source is a data: URL, so that its own stylesheet stays inside the image (the site's
Content-Security-Policy allows no inline style on pages) and it prints with the page.
"""

from __future__ import annotations

import base64
import sys
from dataclasses import dataclass

import pygal
from pygal.style import Style

# pygal adds to sys.meta_path a finder for its map plugins that has only the API Python 3.4 retired
# (find_module), so Python warns (ImportWarning) at every import that reaches it. No map is drawn here.
sys.meta_path[:] = [finder for finder in sys.meta_path if not isinstance(finder, pygal.PluginImportFixer)]

FONT = "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif"
STYLE = Style(
    font_family=FONT, background="#ffffff", plot_background="#ffffff", foreground="#1a1a1a",
    foreground_strong="#1a1a1a", foreground_subtle="#c9c2b5", colors=("#a4161a", "#1a4fa0", "#1b5e20", "#8a4b00"),
    title_font_size=18, label_font_size=14, major_label_font_size=14, legend_font_size=14, value_font_size=14,
)


@dataclass(frozen=True)
class Chart:
    """One chart: its title, the table of what it draws (`columns` heads the table, each row a label and one
    number per series), and the SVG."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple[int, ...]], ...]
    svg: str

    @property
    def source(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode("ascii")

    @property
    def summary(self) -> str:
        """What the chart shows, in a sentence of numbers: its image's text for those who cannot see it."""
        return "; ".join(
            f"{label}: " + ", ".join(f"{name} {n}" for name, n in zip(self.columns[1:], numbers, strict=True))
            for label, numbers in self.rows
        )


def _config() -> dict[str, object]:
    return {"style": STYLE, "js": [], "disable_xml_declaration": True, "width": 720, "height": 320,
            "legend_at_bottom": True, "print_values": False, "show_y_guides": True, "truncate_label": -1}


def bars(key: str, title: str, columns: tuple[str, ...], rows: list[tuple[str, tuple[int, ...]]], *,
         horizontal: bool = False) -> Chart:
    """Bars for each row's numbers, one series per column after the first."""
    chart = (pygal.HorizontalBar if horizontal else pygal.Bar)(title=title, **_config())
    chart.x_labels = [label for label, _numbers in rows]
    chart.x_label_rotation = 30 if len(rows) > 6 else 0
    top = max((n for _label, numbers in rows for n in numbers), default=0)
    step = max(1, -(-top // 5))  # whole numbers on the value axis: these are counts
    chart.y_labels = list(range(0, max(top, 1) + step, step))
    for index, name in enumerate(columns[1:]):
        chart.add(name, [numbers[index] for _label, numbers in rows])
    if len(columns) == 2:
        chart.show_legend = False
    svg = chart.render(is_unicode=True)
    return Chart(key=key, title=title, columns=columns, rows=tuple(rows), svg=svg)
