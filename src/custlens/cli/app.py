"""The Typer application: its name, help and the options before any command (`--version`)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
import typer.core

from custlens import __version__


def _readable_types() -> None:
    """`--help` shows what to write, not Python's names for it: typer would print `<list[Path]>` beside an
    argument (whose name column already says PATH) and `<bool>` beside a flag."""
    option_type = typer.core.TyperOption.display_type_rich

    def option_display(self: typer.core.TyperOption, ctx: Any) -> str | None:
        return None if self.is_flag else option_type(self, ctx)

    typer.core.TyperOption.display_type_rich = option_display  # type: ignore[method-assign]  # see the docstring
    typer.core.TyperArgument.display_type_rich = lambda self, ctx: None  # type: ignore[method-assign]  # as above


_readable_types()

app = typer.Typer(
    name="custlens",
    help="Turn customer research notes into evidence: stated pains and needs, grouped into themes, "
    "with how many participants, segments and kinds of source back each one.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _installed(package: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def version_lines() -> list[str]:
    """What `--version` prints: custlens's version, then the model and the engine that runs it, whether
    grouping runs compiled, and the Python. Versions come from the installed packages' metadata; the model is not loaded."""
    import platform

    from custlens.pipeline.embed import describe
    from custlens.pipeline.engines import compiled

    model = describe()
    package = model["package"].split()[0]
    grouping = ("compiled (custlens.pipeline.engines._native)" if compiled()
                else "numpy (the compiled step was not built here: the same themes, slower)")
    return [
        f"custlens {__version__}",
        f"model: {model['model']}, {package} {_installed(package)}, sha256 {model['sha256'][:12]}",
        f"engine: onnxruntime {_installed('onnxruntime')}",
        f"grouping: {grouping}",
        f"python: {platform.python_version()} ({platform.system().lower()} {platform.machine()})",
    ]


def _version(value: bool) -> None:
    if value:
        typer.echo("\n".join(version_lines()))
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", "-V", help="Show the version (with the model's, and whether grouping runs compiled) and exit.", callback=_version, is_eager=True, metavar=""),
    ] = False,
) -> None:
    """custlens: what do our customers actually need, and how sure are we?"""
