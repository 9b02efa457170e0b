"""The layers import downward only, and the core never names a channel (README: Architecture).

policy < common < storage < faq < services < handlers < bot: a module may import its own package
and the packages below it, never one above.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("policy", "common", "storage", "faq", "services", "handlers", "bot")
CHANNEL_NAMES = re.compile(r"""["'](telegram|wechat|console)["']""")
MAX_LINES = 400


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & set(LAYERS)


@pytest.mark.parametrize("package", LAYERS)
def test_a_package_imports_only_itself_and_the_layers_below(package):
    allowed = set(LAYERS[: LAYERS.index(package) + 1])
    upward = {
        str(path.relative_to(ROOT)): sorted(_imported_packages(path) - allowed)
        for path in _modules(package)
        if _imported_packages(path) - allowed
    }
    assert upward == {}, f"{package}/ imports from a layer above it"


@pytest.mark.parametrize("package", ("handlers", "services", "storage", "faq", "policy"))
def test_the_core_never_names_a_channel(package):
    naming = [str(p.relative_to(ROOT)) for p in _modules(package) if CHANNEL_NAMES.search(p.read_text("utf-8"))]
    assert naming == [], "channels declare themselves (ChannelInfo); the core must not name them"


def test_no_production_module_is_over_400_lines():
    long = {
        str(p.relative_to(ROOT)): n
        for package in LAYERS
        for p in _modules(package)
        if (n := len(p.read_text("utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}, "split modules by job: one job per file"
