"""The one-way data flow: the folders name the stages, and a module imports only modules to its left.

Layers, bottom up: the values that flow (`errors`, `models`), the machinery (`infra`), the stages
(`pipeline`), the reports they make (`reports`), one module per command (`commands`), what people and
scripts read (`output`), and the command line (`cli`) on top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import custlens

ORDER = [
    "__init__", "errors", "models",
    "infra", "infra.visible", "infra.timing", "infra.parallel", "infra.storage", "infra.yamlsafe", "infra.config", "infra.cache",
    "pipeline", "pipeline.body", "pipeline.parse", "pipeline.files", "pipeline.parsecache", "pipeline.csvimport", "pipeline.normalise", "pipeline.extract", "pipeline.cues", "pipeline.wordpiece",
    "pipeline.embed", "pipeline.tagmodel", "pipeline.tag", "pipeline.engines._native", "pipeline.engines",
    "pipeline.engines.fuzzy", "pipeline.engines.semantic", "pipeline.labels", "pipeline.codebook", "pipeline.themes",
    "pipeline.triangulate", "pipeline.compare", "pipeline.gitnotes", "pipeline.competitors", "pipeline.contrast",
    "pipeline.redact",
    "reports",
    "commands", "commands.synthesis", "commands.check", "commands.add", "commands.init", "commands.themes",
    "commands.segments", "commands.show", "commands.statements", "commands.trends", "commands.changes",
    "commands.report", "commands.importcsv", "commands.competitors", "commands.churn", "commands.schema",
    "output", "output.records", "output.text", "output.as_json", "output.as_csv", "output.markdown",
    "output.tables", "output.html",
    "cli.app", "cli.console", "cli.options", "cli.prompts", "cli.notes", "cli.reports", "cli", "__main__",
]
LAYERS = {  # what each folder may import, besides itself and the package's version (`__init__`)
    "errors": set(), "models": set(), "infra": {"errors", "models"}, "pipeline": {"errors", "models", "infra"},
    "reports": {"errors", "models", "pipeline"},
    "commands": {"errors", "models", "infra", "pipeline", "reports"},
    "output": {"errors", "models", "infra", "pipeline", "reports"},
    "cli": {"errors", "models", "infra", "pipeline", "reports", "commands", "output"},
    "__main__": {"cli"}, "__init__": set(),
}
PACKAGE = Path(custlens.__file__).parent


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {module_name(p) for p in PACKAGE.rglob("*.py")} | {module_name(p) for p in PACKAGE.rglob("*.pyi")}


def source_of(module: str) -> Path | None:
    for candidate in (PACKAGE / (module.replace(".", "/") + ".py"), PACKAGE / module.replace(".", "/") / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def imported_modules(path: Path) -> set[str]:
    """The custlens modules a file imports (a package's own modules, not the package, where named)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[tuple[str, list[str]]] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("custlens") and not node.level:
            names.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            names += [(a.name, []) for a in node.names if a.name.startswith("custlens")]
        assert not (isinstance(node, ast.ImportFrom) and node.level), f"{path}: use an absolute import"
        for dotted, members in names:
            inner = dotted.split(".", 1)[1] if "." in dotted else "__init__"
            subs = [f"{inner}.{m}" if inner != "__init__" else m for m in members]
            if subs and all(sub in MODULES for sub in subs):
                found.update(subs)
            else:
                found.add(inner)
    return found


def layer(module: str) -> str:
    return module.split(".")[0]


def test_every_module_is_in_the_order() -> None:
    assert sorted(MODULES) == sorted(ORDER)


def test_modules_import_only_modules_to_their_left() -> None:
    for module in ORDER:
        source = source_of(module)
        for dependency in imported_modules(source) if source else ():
            assert ORDER.index(dependency) < ORDER.index(module), f"{module} imports {dependency}"


def test_each_folder_imports_only_the_layers_below_it() -> None:
    for module in ORDER:
        source = source_of(module)
        for dependency in imported_modules(source) if source else ():
            if layer(dependency) not in (layer(module), "__init__"):
                assert layer(dependency) in LAYERS[layer(module)], f"{module} imports {dependency}"


def test_the_engines_know_nothing_about_notes_or_files() -> None:
    assert imported_modules(PACKAGE / "pipeline" / "engines" / "fuzzy.py") == {
        "infra.timing", "pipeline.normalise", "pipeline.engines._native"}
    assert imported_modules(PACKAGE / "pipeline" / "engines" / "semantic.py") <= {
        "pipeline.embed", "pipeline.engines._native"}


def test_output_computes_nothing_from_the_pipeline() -> None:
    for path in (PACKAGE / "output").glob("*.py"):
        assert not imported_modules(path) & {"pipeline.engines.fuzzy", "pipeline.tag", "pipeline.parse", "pipeline.files",
                                             "pipeline.extract", "pipeline.codebook", "pipeline.embed"}, path


_LOADED = r"""
import sys
from custlens import cli
sys.argv = ["custlens", *sys.argv[1:]]
code = cli.invoke()
sys.stderr.write(f"\nexit: {code}\nloaded: " + " ".join(sorted(sys.modules)) + "\n")
"""
HEAVY = {"numpy", "scipy", "rapidfuzz", "onnxruntime", "custlens.pipeline.embed"}


@pytest.mark.parametrize(
    "args, absent",
    [
        (["--help"], HEAVY | {"pydantic", "yaml", "custlens.commands"}),
        (["add", "--help"], HEAVY | {"yaml", "custlens.commands"}),
        (["--version"], HEAVY - {"numpy", "custlens.pipeline.embed"} | {"pydantic", "yaml", "custlens.commands"}),
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
