"""The package's layers, bottom to top: a module imports only modules of its own layer entry or of a
lower layer (README, "Layout"). Checked on every `import` and `from ... import` of rbdash, including
those inside functions; relative imports are refused; Streamlit is imported only by the ui layer."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

#: Bottom to top. A module belongs to the first entry that is its name or a package containing it.
LAYERS: list[tuple[str, ...]] = [
    ("rbdash.offices",),
    ("rbdash.config", "rbdash.messages"),
    ("rbdash.problems", "rbdash.ikm"),
    ("rbdash.model",),
    ("rbdash.workbook", "rbdash.access"),
    ("rbdash.analysis",),
    ("rbdash.present", "rbdash.store"),
    ("rbdash.exports",),
    ("rbdash.ui", "rbdash.cli"),
    ("rbdash.__main__",),
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


SOURCES = {module_name(p): p.read_text() for p in sorted((ROOT / "rbdash").rglob("*.py"))}


def entry(module: str) -> tuple[int, str] | None:
    """The layer index of `module` and the entry it belongs to (None for the package root)."""
    for index, names in enumerate(LAYERS):
        for name in names:
            if module == name or module.startswith(name + "."):
                return index, name
    return None


def imported_modules(source: str, modules: set[str]) -> list[tuple[int, str]]:
    """(line, module) of every rbdash import in `source`; -1 as the module's line marks a relative import."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "rbdash"]
        elif isinstance(node, ast.ImportFrom) and node.level:
            found.append((node.lineno, "<relative>"))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "rbdash":
            for alias in node.names:  # `from rbdash.present import charts` imports rbdash.present.charts
                full = f"{node.module}.{alias.name}"
                found.append((node.lineno, full if full in modules else node.module))
    return found


def violations(sources: dict[str, str]) -> list[str]:
    wrong = []
    for module, source in sources.items():
        own = entry(module)
        if own is None:
            continue
        for line, imported in imported_modules(source, set(sources)):
            other = entry(imported)
            if other is None:
                wrong.append(f"{module}:{line} imports {imported}")
            elif other[0] > own[0] or (other[0] == own[0] and other[1] != own[1]):
                wrong.append(f"{module}:{line} ({own[1]}) imports {imported} ({other[1]})")
    return wrong


def test_every_module_has_a_layer() -> None:
    assert [m for m in SOURCES if m != "rbdash" and entry(m) is None] == []


def test_a_layer_imports_only_layers_below_it() -> None:
    assert violations(SOURCES) == []


def test_the_check_finds_upward_sideways_and_relative_imports() -> None:
    fake = {
        "rbdash.analysis.fake": "def f():\n    from rbdash.present import charts\n",
        "rbdash.workbook.fake": "import rbdash.access.signin\n",
        "rbdash.model": "from . import problems\n",
        "rbdash.present.charts": "",
        "rbdash.access.signin": "",
    }
    assert violations(fake) == [
        "rbdash.analysis.fake:2 (rbdash.analysis) imports rbdash.present.charts (rbdash.present)",
        "rbdash.workbook.fake:1 (rbdash.workbook) imports rbdash.access.signin (rbdash.access)",
        "rbdash.model:1 imports <relative>",
    ]


def test_only_the_ui_layer_imports_streamlit() -> None:
    wrong = []
    for module, source in SOURCES.items():
        if module.startswith("rbdash.ui"):
            continue
        for node in ast.walk(ast.parse(source)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            names += [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if any(name.split(".")[0] == "streamlit" for name in names):
                wrong.append(f"{module}:{node.lineno}")
    assert wrong == []
