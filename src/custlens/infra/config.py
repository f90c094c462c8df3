"""The team's settings: `custlens.yaml`, or `[tool.custlens]` in `pyproject.toml`, found by walking up."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from custlens.errors import CustlensError
from custlens.infra.yamlsafe import YamlError, load_yaml_strictly, settings_text
from custlens.models import DEFAULT_KINDS

CONFIG_NAMES = ("custlens.yaml", "custlens.yml", ".custlens.yaml")
DEFAULT_MAX_FILE_BYTES = 5_000_000


class CueChanges(BaseModel):
    """Cue phrases a team adds to, or removes from, the tagger's built-in list for one type."""

    model_config = ConfigDict(extra="forbid")
    add: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]] = Field(default_factory=list)
    remove: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]] = Field(default_factory=list)


class Config(BaseModel):
    """Settings for one notes repository. Paths are relative to the folder of the config file."""

    model_config = ConfigDict(extra="forbid")

    notes: list[str] = Field(default_factory=lambda: ["notes"], min_length=1, description="Folders that hold notes.")
    kinds: list[str] = Field(default_factory=lambda: list(DEFAULT_KINDS), min_length=1, description="Allowed kinds of source.")
    segments: list[str] | None = Field(None, min_length=1,
                                       description="Known segments; others get a did-you-mean error.")
    attributes: list[str] = Field(default_factory=list, description="Extra front matter keys to allow and keep.")
    require_need: bool | list[str] = Field(
        True, description="Fail `check` on notes that state no customer need: true, false, or a list of kinds."
    )
    researcher: str | None = Field(None, description="Default researcher for `custlens add`.")
    codebook: str = Field("themes.yaml", description="Where named themes live (themes.yaml is used if it exists; another file named here must exist).")
    exclude: list[str] = Field(
        default_factory=lambda: ["README.md", "readme.md"],
        description="Glob patterns of files to skip inside notes folders.",
    )
    max_file_bytes: int = Field(DEFAULT_MAX_FILE_BYTES, gt=0, strict=True, description="Larger files are refused.")
    engine: Literal["semantic", "fuzzy"] | None = Field(
        None, description="How statements are grouped: semantic (by meaning, the default) or fuzzy (by words)."
    )
    threshold: float | None = Field(None, gt=0, le=1, description="Default theme threshold of the engine.")
    subtheme_threshold: float | None = Field(None, gt=0, le=1, description="Default sub-theme threshold (semantic).")
    cues: dict[str, CueChanges] = Field(default_factory=dict, description="Tagger cues to add or remove.")
    min_confidence: float | None = Field(
        None, ge=0, le=1, description="How sure an inferred pain or need must be to count (semantic engine)."
    )
    redact: list[str] = Field(default_factory=list, description="Names that --redact masks.")

    root: Path = Field(default_factory=Path.cwd, exclude=True)
    _source: tuple[Path, Any, dict[Any, int]] | None = PrivateAttr(None)  # the file, its data and key lines

    @field_validator("require_need")
    @classmethod
    def _known_kinds(cls, value: bool | list[str], info: ValidationInfo) -> bool | list[str]:
        """A kind `require_need` lists that `kinds` does not is a typo that would turn the rule off for it."""
        kinds = info.data.get("kinds") or list(DEFAULT_KINDS)
        for kind in value if isinstance(value, list) else []:
            if kind not in kinds:
                import difflib

                close = next(iter(difflib.get_close_matches(kind, kinds, n=1, cutoff=0.75)), None)
                raise ValueError(f"unknown kind {kind!r}" + (f" (did you mean {close!r}?)" if close else
                                                           f"; kinds: {', '.join(kinds)}"))
        return value

    @field_validator("cues")
    @classmethod
    def _cue_types(cls, value: dict[str, CueChanges]) -> dict[str, CueChanges]:
        for key in value:
            if key not in ("pain", "need", "fine"):
                raise ValueError(f"cues are for 'pain', 'need' or 'fine' (praise: it counts for other), not {key!r}")
        return value

    def needs_a_need(self, kind: str) -> bool:
        """Whether `check` requires a stated need in a note of this kind."""
        if isinstance(self.require_need, bool):
            return self.require_need
        return kind in self.require_need

    def notes_dirs(self) -> list[Path]:
        return [self.root / folder for folder in self.notes]

    def codebook_path(self) -> Path:
        return self.root / self.codebook

    def own_files(self) -> tuple[Path, ...]:
        """The files of custlens's own that may sit in a notes folder and are no notes: the config file
        this was read from, and the codebook."""
        return ((self._source[0],) if self._source is not None else ()) + (self.codebook_path(),)

    def check_codebook(self) -> None:
        """Refuse a `codebook:` the config names that does not exist (a typo would silently drop every
        named theme); the default, themes.yaml, is used only if it exists, named or not (`init` names it)."""
        path = self.codebook_path()
        default = type(self).model_fields["codebook"].default
        if self.codebook != default and not path.exists():  # a link to nothing, too
            raise self.located(CustlensError(
                f"the codebook the config names, {self.codebook}, does not exist", setting=("codebook",),
                hint="correct `codebook:`, or create the file with `custlens themes --write-codebook`"))

    def located(self, error: CustlensError) -> CustlensError:
        """`error` with the config file and the line of the setting it is about (`error.setting`), when
        this config was read from a file and the error names no place of its own."""
        if self._source is not None and error.setting is not None and error.path is None:
            path, data, key_lines = self._source
            error.path, error.line = str(path), _line_of(data, error.setting, key_lines)
        return error


def find_config(start: Path | None = None) -> Config:
    """Walk up from `start` (default: the current folder) to the first config; defaults if none."""
    override = os.environ.get("CUSTLENS_CONFIG")
    if override:
        return load_config(Path(override))
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        for name in CONFIG_NAMES:
            if (folder / name).is_file():
                return load_config(folder / name)
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            table, key_lines = _pyproject_table(pyproject)
            if table is not None:
                return _validate(table, pyproject, folder, key_lines)
    return Config(root=here)


def load_config(path: Path) -> Config:
    if path.name == "pyproject.toml":
        table, key_lines = _pyproject_table(path)
        return _validate(table or {}, path, path.parent, key_lines)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CustlensError(f"cannot read config: {(exc.strerror or str(exc)).lower()}", path=str(path)) from None
    text = settings_text(raw, str(path), "the config")
    try:
        data = load_yaml_strictly(text, "the config")
    except YamlError as exc:
        raise CustlensError(f"invalid config: {exc.message}", path=str(path), line=exc.line, hint=exc.hint) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise CustlensError("invalid config: it must be a mapping of settings", path=str(path), line=1)
    return _validate(data, path, path.parent, getattr(data, "key_lines", {}))


_TOML_TABLE = re.compile(r"^[ \t]*\[\[?([^\[\]]+)\]\]?[ \t]*(?:#.*)?$")  # a [table] or an [[array of tables]]
_TOML_KEY = re.compile(r"^[ \t]*([A-Za-z0-9_-]+)[ \t]*=")


def _pyproject_table(path: Path) -> tuple[dict[str, Any] | None, dict[Any, int]]:
    """`[tool.custlens]` of a pyproject.toml, and the line of each of its keys (tomllib keeps none)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CustlensError(f"invalid pyproject.toml: {exc}", path=str(path)) from None
    tool = data.get("tool", {})
    table = tool.get("custlens") if isinstance(tool, dict) else None
    if table is not None and not isinstance(table, dict):
        raise CustlensError("invalid config: `tool.custlens` in pyproject.toml must be a table of settings",
                            path=str(path), hint="write the settings under a `[tool.custlens]` header")
    key_lines: dict[Any, int] = {}
    inside = False
    for number, line in enumerate(text.splitlines(), 1):
        if header := _TOML_TABLE.match(line):
            inside = header.group(1).replace(" ", "") == "tool.custlens"
        elif inside and (key := _TOML_KEY.match(line)):
            key_lines.setdefault(key.group(1), number)
    return table, key_lines


def _validate(data: dict[str, Any], path: Path, root: Path, key_lines: dict[Any, int]) -> Config:
    try:
        config = Config.model_validate({**data, "root": root})
        config._source = (path, data, key_lines)
        return config
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        message = "unknown setting" if first["type"] == "extra_forbidden" else first["msg"]
        raise CustlensError(
            f"invalid config: {where}: {message}",
            path=str(path),
            line=_line_of(data, first["loc"], key_lines),
            hint="see `custlens init` for a commented example",
        ) from None


def _line_of(data: Any, loc: tuple[Any, ...], key_lines: dict[Any, int]) -> int | None:
    """The line of the deepest key or list item of `loc` the loaded YAML knows (TOML knows none)."""
    line = key_lines.get(loc[0]) if loc else None
    value = data
    for part in loc:
        if isinstance(value, dict) and part in value:
            line = getattr(value, "key_lines", {}).get(part, line)
            value = value[part]
        elif isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value):
            lines = getattr(value, "item_lines", [])
            line = lines[part] if part < len(lines) else line
            value = value[part]
        else:  # a setting that is missing: the line of what should hold it
            break
    return line
