"""Whatever a notes folder holds, custlens reports it file by file: no traceback, no hang, nothing lost."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custlens.cli import app

from .conftest import NOTES, REPO, note, snapshot, write

GOOD = "---\ndate: 2026-03-01\nkind: interview\nsegment: smb\nparticipant: P-1\n---\n## Needs\n- Export to CSV\n"


def _check_json(runner, folder: Path) -> dict:
    result = runner.invoke(app, ["check", str(folder), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output
    return json.loads(result.stdout)


def test_odd_files_each_get_a_located_problem(runner, tmp_path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "good.md").write_text(GOOD)
    os.symlink("loop.md", folder / "loop.md")  # a link to itself
    os.symlink("..", folder / "parent-link")  # a folder link loop: not followed
    os.mkfifo(folder / "pipe.md")  # reading it would block forever
    (folder / "folder.md").mkdir()  # a folder named like a note
    (folder / "folder.md" / "inner.md").write_text(GOOD)
    (folder / "utf16.md").write_bytes(GOOD.encode("utf-16"))
    (folder / "nul.md").write_bytes(GOOD.encode() + b"\x00\x00")
    (folder / "deep.yaml").write_text("a: " + "[" * 5000 + "]" * 5000 + "\n")
    (folder / "long.md").write_text(GOOD + "- " + "x" * 150_000 + "\n")
    (folder / "odd\nname é 🙂.md").write_text(GOOD)
    (folder / os.fsdecode(b"latin-\xe9.md")).write_text(GOOD)
    (folder / "shape.yaml").write_text("- date: 2026-01-01\n  kind: survey\n  segment: {a: b}\n  needs: [[1, 2]]\n- 7\n- [x]\n")
    (folder / "empty-front.md").write_text("---\n---\n## Needs\n- x\n")
    data = _check_json(runner, folder)
    by_name = {Path(f["path"]).name: f for f in data["files"]}
    codes = {name: [p["code"] for p in f["problems"]] for name, f in by_name.items()}
    assert codes["good.md"] == [] and codes["inner.md"] == []
    assert codes["loop.md"] == ["unreadable"]
    assert codes["pipe.md"] == ["unreadable"]
    assert codes["utf16.md"] == ["encoding"]
    assert codes["nul.md"] == ["binary"]
    assert codes["deep.yaml"] == ["yaml-too-deep"]
    assert codes["long.md"] == ["line-too-long"]
    assert codes["empty-front.md"] == ["missing-field"]
    assert set(codes["shape.yaml"]) == {"invalid-field", "not-a-note"}
    odd = [name for name in by_name if name.startswith("odd")]
    assert odd == ["odd\\nname é 🙂.md"] and codes[odd[0]] == []
    latin = [name for name in by_name if name.startswith("latin-")]
    assert latin and codes[latin[0]] == []
    assert data["summary"]["files"] == len(by_name) == 12


def test_the_file_size_limit_is_configurable_and_clear(runner, in_tmp) -> None:
    write(in_tmp / "custlens.yaml", "max_file_bytes: 1000\n")
    (in_tmp / "notes").mkdir()
    (in_tmp / "notes" / "big.md").write_text(GOOD + "- more\n" * 300)
    (in_tmp / "notes" / "small.md").write_text(GOOD)
    result = runner.invoke(app, ["check"])
    assert "notes/big.md: error[too-large]: file is 2,196 bytes, over the limit of 1,000" in result.stdout


CORRUPTIONS = [
    lambda t, r: t.replace("---\n", "", 1),
    lambda t, r: t.replace("segment: smb", "segment: [smb"),
    lambda t, r: t.replace("date: 2026-03-01", f"date: 2026-{r.randint(10, 99)}-{r.randint(30, 99)}"),
    lambda t, r: t.replace("kind: interview", "kind: intervew"),
    lambda t, r: t.replace("## Needs\n- Export to CSV\n", "## Pains\n- Slow\n"),
    lambda t, r: t.replace("participant: P-1", "participant: P-1\nparticipant: P-2"),
    lambda t, r: t.replace("segment: smb", "\tsegment: smb"),
    lambda t, r: t.replace("segment: smb", "segment: !!python/object/apply:os.system [x]"),
    lambda t, r: t[: r.randint(0, len(t))],
    lambda t, r: t.encode("latin-1", "replace").decode("latin-1").replace("smb", "caf\u00e9") + "\x00",
    lambda t, r: "".join(ch for ch in t if r.random() > 0.05),
    lambda t, r: t.replace("\n", "\r\n"),
]


def _broken_folder(folder: Path, count: int, seed: int) -> None:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(count):
        text = GOOD
        for _ in range(rng.randint(1, 3)):
            text = rng.choice(CORRUPTIONS)(text, rng)
        data = text.encode("latin-1") if "\x00" in text else text.encode("utf-8")
        (folder / f"n{k:05d}{rng.choice(['.md', '.md', '.yaml'])}").write_bytes(data)


def test_thousands_of_broken_notes_are_each_reported(runner, tmp_path) -> None:
    folder = tmp_path / "broken"
    _broken_folder(folder, 2000, seed=3)
    data = _check_json(runner, folder)
    assert data["summary"]["files"] == 2000 == len({f["path"] for f in data["files"]})
    assert data["summary"]["errors"] > 1000
    for f in data["files"]:
        for p in f["problems"]:
            assert p["code"] and p["message"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=10_000))
def test_generated_broken_folders_never_crash_any_command(runner, tmp_path_factory, seed: int) -> None:
    folder = tmp_path_factory.mktemp("gen")
    _broken_folder(folder, 25, seed)
    before = snapshot(folder)
    _check_json(runner, folder)
    for command in (["themes", "--all"], ["segments"], ["statements"]):
        result = runner.invoke(app, [*command, str(folder), "--format", "json"])
        assert result.exit_code == 0, result.output
        json.loads(result.stdout)
    assert snapshot(folder) == before


def test_no_synthesis_command_writes_into_the_notes_folder(runner, tmp_path, monkeypatch) -> None:
    """An audit hook fails any open-for-writing under the notes folder: a read-only folder works."""
    folder = tmp_path / "readonly-notes"
    note(folder, "a.md", needs=("Export to CSV",), pains=("Slow export",))
    guarded = str(folder)
    armed = {"on": True}

    def hook(event: str, args: tuple) -> None:
        if armed["on"] and event == "open" and isinstance(args[0], str) and args[0].startswith(guarded):
            mode, flags = args[1], args[2]
            if (mode and any(c in str(mode) for c in "wax+")) or (isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR)):
                raise PermissionError(f"write into the notes folder: {args[0]}")

    sys.addaudithook(hook)
    try:
        for command in (["check"], ["themes", "--all"], ["segments"], ["statements"], ["show", "export csv"]):
            result = runner.invoke(app, [*command, str(folder)])
            assert result.exit_code == 0, (command, result.output)
    finally:
        armed["on"] = False


def test_output_is_identical_across_runs_with_different_hash_seeds(tmp_path) -> None:
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed, CUSTLENS_CACHE_DIR=str(tmp_path / seed))
        proc = subprocess.run([sys.executable, "-m", "custlens", "themes", str(NOTES), "--all", "--format", "json"],
                              capture_output=True, text=True, env=env, cwd=REPO, check=False)
        assert proc.returncode == 0, proc.stderr
        outputs.add(proc.stdout)
    assert len(outputs) == 1


def test_a_codebook_that_is_a_device_is_an_error_not_an_empty_codebook(runner, in_tmp) -> None:
    note(in_tmp / "notes", "a.md", participant="P-1", needs=("Export invoices to Xero",))
    write(in_tmp / "custlens.yaml", f"codebook: {os.devnull}\n")
    result = runner.invoke(app, ["themes"])
    assert result.exit_code != 0 and "the codebook is not a file (a folder, pipe or device)" in result.stderr
    write(in_tmp / "custlens.yaml", "codebook: missing.yaml\n")  # none yet: a typo would drop every named theme
    missing = runner.invoke(app, ["themes"])
    assert missing.exit_code == 2 and "custlens.yaml:1: the codebook the config names, missing.yaml, does not exist" in missing.stderr
    (in_tmp / "missing.yaml").write_bytes("sso:\n  label: Caf\xe9\n".encode("latin-1"))
    latin = runner.invoke(app, ["themes"])
    assert latin.exit_code == 2 and "missing.yaml:2: the codebook is not UTF-8: byte 0xe9" in latin.stderr


def test_a_failed_codebook_write_keeps_the_old_codebook_and_leaves_no_temporary_file(runner, in_tmp, monkeypatch) -> None:
    note(in_tmp / "notes", "a.md", participant="P-1", needs=("Export invoices to Xero",))
    note(in_tmp / "notes", "b.md", participant="P-2", needs=("Invoices exported to Xero",))
    write(in_tmp / "themes.yaml", "sso:\n  label: Single sign-on\n  match: [SSO]\n")
    before = (in_tmp / "themes.yaml").read_bytes()
    import custlens.infra.storage

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(custlens.infra.storage.os, "replace", interrupted)
    result = runner.invoke(app, ["themes", "--write-codebook"])
    assert result.exit_code == 130 and "interrupted" in result.stderr
    assert (in_tmp / "themes.yaml").read_bytes() == before
    assert sorted(p.name for p in in_tmp.iterdir()) == ["notes", "themes.yaml"]


def test_write_codebook_writes_through_a_linked_codebook(runner, in_tmp) -> None:
    note(in_tmp / "notes", "a.md", needs=("Export invoices to Xero",))
    (in_tmp / "custlens.yaml").write_text("codebook: themes.yaml\n")
    (in_tmp / "shared.yaml").write_text("# our themes\n")
    (in_tmp / "themes.yaml").symlink_to("shared.yaml")
    result = runner.invoke(app, ["themes", "--all", "--write-codebook"])
    assert result.exit_code == 0, result.output
    assert (in_tmp / "themes.yaml").is_symlink()
    assert "Export invoices to Xero" in (in_tmp / "shared.yaml").read_text()


@pytest.mark.parametrize(
    ("file", "text", "message"),
    [
        ("custlens.yaml", "kinds: [a]\nkinds: [b]\n", "custlens.yaml:2: invalid config: duplicate key 'kinds'"),
        ("custlens.yaml", 'notes: !!python/object/apply:os.system ["true"]\n',
         "custlens.yaml:1: invalid config: YAML tag !!python/object/apply:os.system is not allowed in the config\n"),
        ("themes.yaml", "sso:\n  label: A\nsso:\n  label: B\n", "themes.yaml:3: invalid codebook: duplicate key 'sso'"),
        ("themes.yaml", "sso: !!set {a}\n", "themes.yaml:1: invalid codebook: YAML tag !!set is not allowed in the codebook\n"),
        ("custlens.yaml", "kinds: [a]\n---\nkinds: [b]\n", "custlens.yaml:2: invalid config: more than one YAML document in the config\n"),
    ],
)
def test_config_and_codebook_refuse_duplicate_keys_and_tags_like_notes(file, text, message, runner, in_tmp) -> None:
    note(in_tmp / "notes", "a.md", needs=("x",))
    if file != "custlens.yaml":
        (in_tmp / "custlens.yaml").write_text("codebook: themes.yaml\n")
    (in_tmp / file).write_text(text)
    result = runner.invoke(app, ["themes"])
    assert result.exit_code == 2 and message in result.stderr, result.output
