"""Privacy, pipes, signals and the network: --redact, quiet broken pipes, Ctrl-C, no sockets."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from custlens.cli import app
from custlens.pipeline.redact import Redactor, masked_words

from .conftest import NOTES, REPO, note, write

SECRETS = ["jane.doe@acme.example", "+1 (555) 010-4477", "020 7946 0958", "tok_9f8a7b6c5d4e3f2a1b0c",
           "Jane Doe", "Marguerite", "s3cr3tSessionValue123"]


def _sensitive_notes(root: Path) -> None:
    write(root / "custlens.yaml", "redact: [Jane Doe, Marguerite]\nattributes: [contact]\n")
    notes = root / "notes"
    note(notes, "2026-05-01-smb-jane-doe.md", participant="P-1", researcher="Marguerite",
         pains=("Jane Doe says the export link https://app.example/s/tok_9f8a7b6c5d4e3f2a1b0c?session=s3cr3tSessionValue123 expires",),
         needs=("Write to jane.doe@acme.example or call +1 (555) 010-4477 when the export is ready",),
         quotes=("Ring Marguerite on 020 7946 0958 about exports",), extra="contact: jane.doe@acme.example")
    note(notes, "b.md", participant="P-2", needs=("An export that Marguerite can schedule",),
         pains=("The export link expires before Jane Doe opens it",))


@pytest.mark.parametrize("command", [["themes", "--all"], ["segments"], ["show", "export link"], ["statements"]])
@pytest.mark.parametrize("fmt", ["json", "csv", "markdown", "table"])
def test_redact_leaves_nothing_listed_in_the_output(command, fmt, runner, in_tmp) -> None:
    _sensitive_notes(in_tmp)
    formats = {"show": {"table": "text"}}
    chosen = formats.get(command[0], {}).get(fmt, fmt)
    plain = runner.invoke(app, [*command, "--format", chosen])
    assert plain.exit_code == 0, plain.output
    assert any(secret in plain.stdout for secret in SECRETS)  # the test data really holds them
    result = runner.invoke(app, [*command, "--format", chosen, "--redact"])
    assert result.exit_code == 0, result.output
    out = result.stdout + result.stderr
    for secret in SECRETS:
        assert secret.lower() not in out.lower(), (secret, out)
    if command[0] in ("statements", "show") and fmt != "markdown" or command[0] == "themes" and fmt == "json":
        assert "jane-doe" in plain.stdout.lower()  # a place: a listed name in a file name
    assert "jane-doe" not in out.lower(), out


@pytest.mark.parametrize("fmt", ["json", "markdown", "table"])
def test_redact_masks_a_token_in_a_theme_label_made_from_its_words(fmt, runner, in_tmp) -> None:
    # a label is read from the statements' words without their punctuation, where `ghp_...` and an
    # address no longer look like what the patterns find: the words redaction took out are masked too
    token, address = "ghp_Q1w2E3r4T5y6U7i8O9p0AsDfGhJk", "ops.lead@acme.example"
    for k in range(3):
        note(in_tmp / "notes", f"p{k}.md", participant=f"P-{k}",
             pains=(f"Token {token} leaked in the shared export again",),
             needs=(f"Exports mailed to {address} straight away",))
    shown = runner.invoke(app, ["themes", "--all", "--format", fmt, "--redact"])
    assert shown.exit_code == 0, shown.output
    assert "leaked" in shown.stdout and "[redacted]" in shown.stdout  # the label is there, masked
    for word in ("ghp", "Q1w2E3r4T5y6U7i8O9p0AsDfGhJk", "acme", "ops.lead", "lead"):
        assert word.lower() not in shown.stdout.lower(), (word, shown.stdout)
    assert Redactor().label("Token leaked", masked_words([(f"Token {token}", "Token [token]")])) == "Token leaked"
    lower = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"  # the label's words match no pattern: masked as words
    assert Redactor().label("ghp abcdefghijklmnopqrstuvwxyz0123456789 leaked", masked_words([(lower, "[token]")])) == "[redacted] leaked"


def test_redact_masks_a_token_in_the_label_of_a_named_themes_sub_theme_ranked_on_its_own(runner, in_tmp) -> None:
    # at --level subtheme, a codebook theme's sub-themes are themes of their own that keep `named`, but
    # their labels are made from the statements' words
    token = "ghp_abc123def456ghi789jkl012mno345"
    write(in_tmp / "custlens.yaml", "codebook: codebook.yaml\n")
    write(in_tmp / "codebook.yaml", "security:\n  label: Security problems\n  match: [token, security]\n")
    for k, segment in enumerate(["a", "b", "c"]):
        note(in_tmp / "notes", f"t{k}.md", participant=f"P-{k}", segment=segment,
             pains=(f"Our GitHub token {token} leaked in the support chat",))
        note(in_tmp / "notes", f"s{k}.md", participant=f"Q-{k}", segment=segment,
             pains=("Security reviews of every release take us weeks",))
    for fmt in ("json", "table"):
        shown = runner.invoke(app, ["themes", "--all", "--level", "subtheme", "--redact", "--format", fmt])
        assert shown.exit_code == 0, shown.output
        for word in ("ghp", "abc123def456ghi789jkl012mno345"):
            assert word not in shown.stdout, (fmt, shown.stdout)


def test_redactor_masks_what_it_should_and_keeps_dates_and_counts() -> None:
    redact = Redactor(["Ana Lopez"])
    assert redact("mail ana@x.example, ana lopez on +44 20 7946 0958") == "mail [email], [name] on [phone]"
    assert redact("On 2026-03-04 she booked 8-10 slots, 200+ a month") == "On 2026-03-04 she booked 8-10 slots, 200+ a month"
    assert redact("see https://t.example/a/Zx81kQ0pLmN3bV7cR2?x=1") == "see https://t.example/a/[token]?[redacted]"
    # a web address pasted without its scheme, and a listed name in a file name or note id
    assert redact("portal.example.com/invoice?id=88&key=Zx81kQ and www.example.com/reset?token=SECRETabc") == (
        "portal.example.com/invoice?[redacted] and www.example.com/reset?[redacted]")
    assert redact("notes/2026-03-04-smb-call-with-ana-lopez.md, ana_lopez, ANA.LOPEZ") == (
        "notes/2026-03-04-smb-call-with-[name].md, [name], [name]")
    assert redact("e.g. and/or version 1.2/3, Ana Lopezova") == "e.g. and/or version 1.2/3, Ana Lopezova"
    assert redact("cost 29.99/month? Rated 4.5/5? app.example.com?invite=8f7a9c2b") == (
        "cost 29.99/month? Rated 4.5/5? app.example.com?[redacted]")
    accented = Redactor(["José García", "Mary-Jane O'Neil"])
    assert accented("notes/2026-12-02-salons-jose-garcia.md, mary-jane-o-neil, José García") == (
        "notes/2026-12-02-salons-[name].md, [name], [name]")


@pytest.mark.parametrize(
    "phone", ["07700 900123", "+44 7700 900123", "+49 30 12345678", "4155550134", "0612345678", "+33 6 12 34 56 78",
              "(415) 555-0134", "415-555-0134", "555.123.4567"],
)
def test_phone_numbers_in_the_usual_national_and_international_forms_are_masked(phone: str) -> None:
    assert Redactor()(f"call {phone} today") == "call [phone] today"


@pytest.mark.parametrize(
    "text", ["on 2026-03-04", "from 2019-2020", "version 1.2.3", "12.50 a month", "Order 12345678", "12/05/2026",
             "paid 1,200,000", "09:30-10:15", "self-serve-onboarding-v2"],
)
def test_dates_amounts_ids_and_words_are_not_masked(text: str) -> None:
    assert Redactor()(text) == text


@pytest.mark.parametrize(
    "token", ["ghp_abcdefghijklmnopqrstuvwxyz0123456789", "sk-proj-abcdefABCDEF1234567890xyz",
              "xoxb-123456789012-abcdefghij", "AKIAIOSFODNN7EXAMPLE", "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
              "Zx81kQ0pLmN3bV7cR2aaQ9"],
)
def test_access_tokens_in_free_text_are_masked(token: str) -> None:
    assert Redactor()(f"the key {token} leaked") == "the key [token] leaked"


def test_piping_into_head_ends_quietly() -> None:
    for command in ("statements --format csv", "themes --all --format csv", "themes --all", "segments", "trends", "statements",
                    "--help", "themes --help"):
        proc = subprocess.run(
            f"{sys.executable} -m custlens {command} {NOTES} | head -1; exit ${{PIPESTATUS[0]}}",
            shell=True, capture_output=True, text=True, cwd=REPO, executable="/bin/bash", check=False
        )
        assert len(proc.stdout.splitlines()) == 1
        assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr and "Exception" not in proc.stderr
        assert proc.returncode == 0, (command, proc.stderr)


@pytest.mark.slow
def test_ctrl_c_exits_130_with_one_line(tmp_path) -> None:
    folder = tmp_path / "notes"
    for k in range(3000):  # 30,000 statements: the signal comes while they are grouped
        note(folder, f"n{k:05}.md", participant=f"P-{k}",
             needs=tuple(f"Export number {k * 5 + m} to CSV quickly" for m in range(5)),
             pains=tuple(f"Slow export {k * 5 + m} of invoices" for m in range(5)))
    env = dict(os.environ, CUSTLENS_NO_CACHE="1")
    proc = subprocess.Popen([sys.executable, "-m", "custlens", "themes", str(folder), "--all", "--format", "json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    time.sleep(1.8)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    if proc.returncode == 0 or (proc.returncode == 130 and out.endswith("}\n")):
        pytest.skip("finished (its whole report written) before the signal arrived")
    assert proc.returncode == 130
    assert err.strip() == "interrupted"
    assert out == ""


def test_no_network_connection_is_ever_opened(runner, monkeypatch, tmp_path) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("custlens tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    for args in (["check", str(NOTES)], ["themes", str(NOTES), "--format", "json"], ["segments", str(NOTES)],
                 ["show", "deposit online", str(NOTES)], ["statements", str(NOTES), "--format", "csv"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
    folder = tmp_path / "n"
    assert runner.invoke(app, ["add", "--kind", "interview", "--segment", "s", "--need", "x", "--dir", str(folder)]).exit_code == 0


def test_running_the_model_leaves_nothing_in_home_and_turns_the_runtimes_telemetry_off(tmp_path) -> None:
    # onnxruntime 1.29 and later keep usage events under ~/.cache/Microsoft (and may send them) unless
    # ORT_DISABLE_TELEMETRY is set before it is imported; the socket check above sees only Python's sockets
    home, cache = tmp_path / "home", tmp_path / "cache"
    home.mkdir()
    env = {key: value for key, value in os.environ.items() if key != "ORT_DISABLE_TELEMETRY"}
    env.update(HOME=str(home), CUSTLENS_CACHE_DIR=str(cache), XDG_CACHE_HOME=str(home / ".cache"))
    note(tmp_path / "notes", "a.md", needs=("Export invoices to Xero",), pains=("The sync lags every day",))
    result = subprocess.run([sys.executable, "-m", "custlens", "themes", "--all", str(tmp_path / "notes")], env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0 and "Export invoices to Xero" in result.stdout, result.stderr
    assert list(cache.glob("vectors-*.bin"))  # the model ran: its vectors are stored
    assert list(home.rglob("*")) == []


def test_json_output_is_valid_even_when_files_are_skipped(runner, tmp_path) -> None:
    note(tmp_path, "good.md", needs=("Export",))
    write(tmp_path / "bad.yaml", "- [unclosed\n")
    (tmp_path / "binary.md").write_bytes(b"\x00\x01\x02" * 100)
    for command in (["themes"], ["segments"], ["statements"], ["check"]):
        result = runner.invoke(app, [*command, str(tmp_path), "--format", "json"])
        json.loads(result.stdout)


def test_redact_keeps_people_apart_and_masks_tags(runner, in_tmp) -> None:
    write(in_tmp / "custlens.yaml", "redact: [Dana, Eli]\n")
    for name in ("Dana", "Eli", "Sam"):
        note(in_tmp / "notes", f"{name}.md", participant=name, needs=("Invoices mailed automatically",),
             extra="tags: [Dana-account]" if name == "Dana" else "")
    plain = json.loads(runner.invoke(app, ["segments", "--format", "json"]).stdout)
    masked = json.loads(runner.invoke(app, ["segments", "--format", "json", "--redact"]).stdout)
    assert plain["segments"][0]["participants"] == masked["segments"][0]["participants"] == 3
    statements = runner.invoke(app, ["statements", "--format", "json", "--redact"]).stdout
    assert "Dana" not in statements and "Eli" not in statements and "[participant 1]" in statements
    refused = runner.invoke(app, ["themes", "--redact", "--write-codebook"])
    assert refused.exit_code == 2 and not (in_tmp / "themes.yaml").exists()


@pytest.mark.slow
def test_ctrl_c_while_worker_processes_parse_exits_130_with_one_line(tmp_path) -> None:
    folder = tmp_path / "notes"
    for k in range(6000):
        note(folder, f"n{k:05}.md", participant=f"P-{k}", needs=(f"Export number {k} to CSV",))
    env = dict(os.environ, CUSTLENS_NO_CACHE="1")
    proc = subprocess.Popen([sys.executable, "-m", "custlens", "check", str(folder)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    time.sleep(0.9)  # started up, and reading the notes
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("finished before the signal arrived")
    assert proc.returncode == 130
    assert err.strip() == "interrupted"  # no traceback from a worker either
    assert out == ""


def test_an_installed_pydantic_plugin_never_sees_the_notes(tmp_path: Path) -> None:
    """Pydantic plugins (found through installed packages' entry points) observe every validation;
    custlens turns them off, unless PYDANTIC_DISABLE_PLUGINS says otherwise."""
    site = tmp_path / "site"
    (site / "spy_plugin-1.0.dist-info").mkdir(parents=True)
    (site / "spy_plugin-1.0.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: spy-plugin\nVersion: 1.0\n")
    (site / "spy_plugin-1.0.dist-info" / "entry_points.txt").write_text("[pydantic]\nspy = spy_plugin:plugin\n")
    seen = tmp_path / "seen.txt"
    (site / "spy_plugin.py").write_text(
        "import os\n"
        "class Plugin:\n"
        "    def new_schema_validator(self, schema, *args, **kwargs):\n"
        "        with open(os.environ['SPY_SEEN'], 'a') as out:\n"
        "            out.write('validator\\n')\n"
        "        return None, None, None\n"
        "plugin = Plugin()\n"
    )
    base = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    base.update(SPY_SEEN=str(seen), PYTHONPATH=str(site))
    command = [sys.executable, "-m", "custlens", "check", str(NOTES)]
    done = subprocess.run(command, env=base, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert not seen.exists()
    done = subprocess.run(command, env={**base, "PYDANTIC_DISABLE_PLUGINS": ""}, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "validator" in seen.read_text()  # the plugin does load when asked for


def test_the_process_ends_with_all_its_output_written_and_its_exit_code(runner, tmp_path: Path) -> None:
    """The console entry point ends the process without tearing every object down one by one: what it
    wrote must all be there, through a pipe and into a file, and the exit code must be the command's."""
    env = dict(os.environ, CUSTLENS_CACHE_DIR=str(tmp_path / "cache"))
    one = str(min(NOTES.glob("*.md")))
    for args in (["statements", str(NOTES), "--format", "json"], ["statements", one, "--format", "json"]):
        expected = runner.invoke(app, args).stdout
        assert len(expected) > 100_000 or len(expected) < 8_000  # more than a pipe holds, less than a buffer
        piped = subprocess.run([sys.executable, "-m", "custlens", *args], capture_output=True, text=True, env=env,
                               check=False)
        assert (piped.returncode, piped.stdout) == (0, expected)
        with open(tmp_path / "out.json", "w") as out:
            written = subprocess.run([sys.executable, "-m", "custlens", *args], stdout=out, env=env, check=False)
        assert (written.returncode, (tmp_path / "out.json").read_text()) == (0, expected)
    failed = subprocess.run([sys.executable, "-m", "custlens", "check", str(tmp_path / "missing")], capture_output=True,
                            text=True, env=env, check=False)
    assert failed.returncode == 2 and "no such file or folder" in failed.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux), a device that is always full")
@pytest.mark.parametrize("command", ["themes", "themes --format json", "check", "statements --format csv", "show 'deposit online'",
                                     "segments", "trends --format markdown", "schema", "--version"])
def test_a_full_disk_on_standard_output_is_an_io_error_not_a_bug(command: str, tmp_path) -> None:
    import shlex

    from custlens.errors import ExitCode

    args = shlex.split(command) + ([str(NOTES)] if command.split()[0] not in ("schema", "--version") else [])
    env = dict(os.environ, CUSTLENS_CACHE_DIR=str(tmp_path / "cache"))
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "custlens", *args], stdout=full, stderr=subprocess.PIPE, text=True,
                              env=env, check=False)
    assert done.returncode == ExitCode.IO == 74
    assert done.stderr.splitlines() == ["error: cannot write the output: no space left on device",
                                        "  hint: check the free space where the output goes"]
