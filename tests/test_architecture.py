"""The one-way data flow: a module imports only modules to its left."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import custlens

ORDER = [
    "__init__", "errors", "visible", "timing", "parallel", "storage", "models", "yamlsafe", "config", "parse", "imports",
    "cache", "extract", "cues", "wordpiece", "embed", "tagmodel", "tag", "_native", "cluster", "semantic", "labels", "codebook",
    "themes", "triangulate", "redact", "commands", "render", "html_report", "cli", "__main__",
]
PACKAGE = Path(custlens.__file__).parent
MODULES = {p.stem for p in PACKAGE.glob("*.py")} | {p.stem for p in PACKAGE.glob("*.pyi")}  # .pyi: compiled ones


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:
                if node.module:
                    found.add(node.module.split(".")[0])
                else:  # `from . import x`: a module of the package, or a name from __init__
                    found.update(a.name if a.name in MODULES else "__init__" for a in node.names)
            elif node.module and node.module.startswith("custlens"):
                parts = node.module.split(".")
                found.add(parts[1] if len(parts) > 1 else "__init__")
    return found


def test_every_module_is_in_the_order() -> None:
    assert sorted(MODULES) == sorted(ORDER)


def test_modules_import_only_modules_to_their_left() -> None:
    for module in ORDER:
        source = PACKAGE / f"{module}.py"
        for dependency in imported_modules(source) if source.exists() else ():
            assert ORDER.index(dependency) < ORDER.index(module), f"{module} imports {dependency}"


def test_cluster_knows_nothing_about_notes_or_files() -> None:
    assert imported_modules(PACKAGE / "cluster.py") == {"timing", "_native"}


def test_render_computes_nothing_from_the_pipeline() -> None:
    assert not imported_modules(PACKAGE / "render.py") & {"cluster", "tag", "parse", "extract", "codebook"}


_LOADED = r"""
import sys
from custlens import cli
sys.argv = ["custlens", *sys.argv[1:]]
code = cli.invoke()
sys.stderr.write(f"\nexit: {code}\nloaded: " + " ".join(sorted(sys.modules)) + "\n")
"""
HEAVY = {"numpy", "scipy", "rapidfuzz", "onnxruntime", "custlens.embed"}


@pytest.mark.parametrize(
    "args, absent",
    [
        (["--help"], HEAVY | {"pydantic", "yaml", "custlens.commands"}),
        (["add", "--help"], HEAVY | {"yaml", "custlens.commands"}),
        (["check", "{notes}"], HEAVY),
        (["check", "{notes}", "--format", "json"], HEAVY | {"rich"}),
        (["themes", "{notes}", "--format", "json", "--all"], {"rich"}),  # output for scripts needs no Rich
    ],
)
def test_commands_load_nothing_heavy_they_do_not_use(args: list[str], absent: set[str]) -> None:
    """Start-up time is mostly imports: `--help`, `add` and `check` never load the model or the grouping's numbers,
    and output for scripts never loads Rich."""
    import subprocess
    import sys

    from .conftest import NOTES

    args = [arg.format(notes=NOTES) for arg in args]
    done = subprocess.run([sys.executable, "-c", _LOADED, *args], capture_output=True, text=True, check=False)
    loaded = set(done.stderr.rsplit("loaded: ", 1)[1].split())
    assert "\nexit: 0\n" in done.stderr and "custlens.cli" in loaded
    assert not loaded & absent
