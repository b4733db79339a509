"""The arrows run one way (README, "Layout"): every import in deliberate/ points to its own layer or below.

The graph is read from the source (every import statement, at any depth), so an import that runs back up
fails here, and so does one hidden inside a function to dodge a cycle: no function imports anything.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "deliberate"

# Lowest first. A module may import its own layer and the layers below; the ground floor's modules use one
# another, and the domains that share a layer are independent of each other.
LAYERS: list[tuple[str, ...]] = [
    ("backup", "clock", "connections", "data_version", "db", "i18n", "mail", "numbers", "periodic", "refusal",
     "settings"),
    ("places",),
    ("accounts",),
    ("policy",),
    ("voting",),
    ("proposals",),
    ("discussion", "meetings"),
    ("inbox", "audit", "opendata", "statistics"),
    ("web",),
]
# Above everything: what each domain shows on the web (its views and forms) and what puts the app together.
TOP_MODULES = ("app", "asgi", "bench_data", "cli", "demo", "entry", "models", "ticker")
VIEW_SUFFIXES = ("views", "forms")
# The installed command imports inside its function on purpose: `deliberate recount` starts without the server.
LAZY_IMPORTERS = ("entry",)


@dataclass(frozen=True)
class Module:
    name: str  # "proposals.views"
    path: Path

    @property
    def unit(self) -> str:
        """The first part of the name: the domain package, or a ground-floor module."""
        return self.name.split(".")[0]

    @property
    def is_view(self) -> bool:
        """A domain's views or forms module (web/ holds the shared plumbing they stand on)."""
        last = self.name.split(".")[-1]
        in_domain = "." in self.name and self.unit != "web"
        return in_domain and any(last == suffix or last.endswith("_" + suffix) for suffix in VIEW_SUFFIXES)

    @property
    def layer(self) -> int:
        if self.unit in TOP_MODULES or self.is_view:
            return len(LAYERS)
        for number, units in enumerate(LAYERS):
            if self.unit in units:
                return number
        raise AssertionError(f"deliberate/{self.path.relative_to(PACKAGE)} is in no layer: add it to LAYERS")


def modules() -> dict[str, Module]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts:
            found[".".join(parts)] = Module(".".join(parts), path)
    return found


def imports_of(module: Module, known: dict[str, Module]) -> Iterator[tuple[int, str, bool]]:
    """(line, imported module, inside a function) for every import of a deliberate module."""
    tree = ast.parse(module.path.read_text(encoding="utf-8"))
    nested = {id(node) for function in ast.walk(tree) if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
              for node in ast.walk(function) if node is not function}
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            if name.startswith("deliberate."):
                target = name.removeprefix("deliberate.")
                if target in known:
                    yield node.lineno, target, id(node) in nested


def violations() -> list[str]:
    known = modules()
    found = []
    for module in sorted(known.values(), key=lambda m: m.name):
        for line, target_name, in_function in imports_of(module, known):
            target = known[target_name]
            where = f"deliberate/{module.path.relative_to(PACKAGE)}:{line} imports {target_name}"
            if in_function and module.name not in LAZY_IMPORTERS:
                found.append(f"{where} inside a function")
            if target.layer > module.layer:
                found.append(f"{where}, a layer above it")
            elif 0 < target.layer == module.layer < len(LAYERS) and target.unit != module.unit:
                found.append(f"{where}, a sibling it must stay independent of")
            elif target.is_view and module.unit not in (target.unit, "app"):
                found.append(f"{where}, another domain's {target.name.split('.')[-1]}")
            elif target.is_view and not module.is_view and module.unit != "app":
                found.append(f"{where}: only the app and views use views")
    return found


def test_every_import_runs_down_the_layers() -> None:
    assert violations() == []


def test_every_module_has_a_layer() -> None:
    for module in modules().values():
        assert module.layer >= 0


@pytest.mark.parametrize("low, high", [("voting", "proposals"), ("proposals", "meetings"), ("places", "accounts")])
def test_the_check_would_catch_an_arrow_the_wrong_way(low: str, high: str, tmp_path: Path) -> None:
    rogue = Module(f"{low}.rogue", tmp_path / "rogue.py")
    rogue.path.write_text(f"from deliberate.{high} import models\n", encoding="utf-8")
    known = {**modules(), rogue.name: rogue}
    targets = [target for _line, target, _nested in imports_of(rogue, known)]
    assert targets and all(known[target].layer > rogue.layer for target in targets)
