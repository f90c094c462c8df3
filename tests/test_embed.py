"""The embedding engine: the tokenizer against the reference, the verified model, the vector store."""

from __future__ import annotations

import csv
import json
import os
import socket
import stat
from pathlib import Path

import numpy as np
import pytest

from custlens.cli import app
from custlens.pipeline import embed
from custlens.pipeline.embed import SCALE, Embedder, VectorStore
from custlens.pipeline.wordpiece import WordPiece

from .conftest import DATASETS, note

TRICKY = [
    "Café naïve résumé", "İstanbul ΣΑΣ", "日本語のテキスト and more", "emoji 😀👍🏽 ok", "a\x0bb\x0cc\x1cd\x85e\u2028f",
    "tab\there\r\nnew", "€100 © ™ — – … «quote»", "x" * 150, "ﬁ ß", "\u200b\u200d zero width", "ﾊﾝｶｸ full－width",
    "a\ufffdb\x00c", "Ελληνικά Русский العربية", "long " * 400, "don't can't it's", "e-mail, re-enter (twice)!",
    "", "   ", "#pain [[wiki|link]] <b>html</b>", "\x1b[2J\x1b]0;title\x07 escape",
]


def _reference() -> object:
    tokenizers = pytest.importorskip("tokenizers", reason="the reference tokenizer is installed with the test extra")
    reference = tokenizers.BertWordPieceTokenizer(str(embed.vocabulary_file()), lowercase=True)
    reference.enable_truncation(256)
    return reference


def test_the_tokenizer_gives_the_reference_ids_on_tricky_text() -> None:
    reference = _reference()
    mine = WordPiece.from_file(embed.vocabulary_file())
    for text in TRICKY:
        assert mine.encode(text) == reference.encode(text).ids, repr(text)  # type: ignore[attr-defined]


def test_the_tokenizer_gives_the_reference_ids_on_customer_text() -> None:
    if not DATASETS.is_dir():
        pytest.skip("../shared/datasets is not beside the repository")
    reference = _reference()
    mine = WordPiece.from_file(embed.vocabulary_file())
    with open(DATASETS / "complaints_twitter" / "complaints-data.csv", encoding="utf-8", newline="") as handle:
        texts = [row[1] for row in csv.reader(handle)][:3000]
    with open(DATASETS / "banking77" / "train.csv", encoding="utf-8", newline="") as handle:
        texts += [row[0] for row in csv.reader(handle)][:3000]
    wanted = [e.ids for e in reference.encode_batch(texts)]  # type: ignore[attr-defined]
    assert [mine.encode(t) for t in texts] == wanted


def test_the_tokenizer_costs_linear_time_on_a_long_word() -> None:
    mine = WordPiece.from_file(embed.vocabulary_file())
    ids = mine.encode("q" * 100_000 + " " + "zx" * 50_000)
    assert ids[0] == mine.cls and ids[-1] == mine.sep and len(ids) <= 256


def test_vectors_are_unit_length_integers_and_do_not_depend_on_the_texts_beside_them(tmp_path: Path) -> None:
    texts = ["Patients forget their appointments", "No-shows cost us money every week", "Export invoices to Xero"]
    together = Embedder(VectorStore(tmp_path / "a")).vectors(texts)
    alone = np.concatenate([Embedder(VectorStore(tmp_path / f"b{k}")).vectors([t]) for k, t in enumerate(texts)])
    assert together.dtype == np.int16 and np.array_equal(together, alone)
    norms = np.linalg.norm(together.astype(np.float64), axis=1)
    assert np.all(np.abs(norms - SCALE) < SCALE * 0.001)
    sims = together.astype(np.float64) @ together.T.astype(np.float64) / SCALE**2
    assert sims[0, 1] > sims[0, 2] and sims[0, 1] > sims[1, 2]  # the two about missed visits are closest


def _count_model_runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    original = embed.Model.run

    def counting(self: embed.Model, batch: list[list[int]]) -> np.ndarray:
        calls.append(len(batch))
        return original(self, batch)

    monkeypatch.setattr(embed.Model, "run", counting)
    return calls


def test_a_rerun_embeds_only_new_texts_and_identical_texts_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _count_model_runs(monkeypatch)
    texts = ["Same words", "Same words", "Other words here", "Same words"]
    Embedder(VectorStore(tmp_path)).vectors(texts)
    assert sum(calls) == 2
    calls.clear()
    again = Embedder(VectorStore(tmp_path)).vectors([*texts, "A new statement"])
    assert sum(calls) == 1 and np.array_equal(again[0], again[1])


def test_themes_rerun_reuses_the_cached_vectors(runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUSTLENS_CACHE_DIR", str(tmp_path / "cache"))
    for k in range(3):
        note(tmp_path / "notes", f"n{k}.md", participant=f"P-{k}", needs=(f"Reminders by text, number {k}",))
    calls = _count_model_runs(monkeypatch)
    first = runner.invoke(app, ["themes", str(tmp_path / "notes"), "--format", "json"])
    assert first.exit_code == 0 and sum(calls) >= 3  # the statements, and phrases its labels are chosen among
    calls.clear()
    second = runner.invoke(app, ["themes", str(tmp_path / "notes"), "--format", "json", "--threshold", "0.5"])
    assert second.exit_code == 0 and sum(calls) == 0


def test_an_interrupted_run_keeps_what_was_embedded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embed, "KEEP_EVERY", 2)
    monkeypatch.setattr(embed, "BATCH", 1)
    original = embed.Model.run
    done: list[int] = []

    def interrupted(self: embed.Model, batch: list[list[int]]) -> np.ndarray:
        if len(done) == 3:
            raise KeyboardInterrupt
        done.append(1)
        return original(self, batch)

    monkeypatch.setattr(embed.Model, "run", interrupted)
    with pytest.raises(KeyboardInterrupt):
        Embedder(VectorStore(tmp_path)).vectors([f"statement number {k}" for k in range(8)])
    assert len(VectorStore(tmp_path).rows) == 2


def test_the_vector_store_is_private_and_a_damaged_record_is_a_miss(tmp_path: Path) -> None:
    Embedder(VectorStore(tmp_path)).vectors(["one statement", "another statement", "a third one"])
    path = next(tmp_path.glob("vectors-*.bin"))
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = bytearray(path.read_bytes())
    data[len(VectorStore.HEADER) + VectorStore.RECORD.itemsize + 40] ^= 0xFF  # inside the second record
    path.write_bytes(bytes(data))
    store = VectorStore(tmp_path)
    assert len(store.rows) == 1 and store.rewrite
    Embedder(store).vectors(["one statement", "another statement", "a third one"])
    store.save()
    assert len(VectorStore(tmp_path).rows) == 3 and not VectorStore(tmp_path).rewrite
    path.write_bytes(b"garbage of another version")
    assert VectorStore(tmp_path).rows == {}


def test_a_tampered_model_is_refused_with_a_clear_error(runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUSTLENS_CACHE_DIR", str(tmp_path / "cache"))
    tampered = tmp_path / "model.onnx"
    data = bytearray(embed.model_file().read_bytes())
    data[len(data) // 2] ^= 0x01
    tampered.write_bytes(bytes(data))
    monkeypatch.setenv("CUSTLENS_MODEL_FILE", str(tampered))
    embed._loaded.cache_clear()
    note(tmp_path / "notes", "a.md", needs=("A statement never embedded before: tamper check",))
    result = runner.invoke(app, ["themes", str(tmp_path / "notes")])
    assert result.exit_code == 2
    assert "is not the expected file" in result.stderr and "--engine fuzzy" in result.stderr
    assert "Traceback" not in result.output
    fuzzy = runner.invoke(app, ["themes", str(tmp_path / "notes"), "--engine", "fuzzy", "--all"])
    assert fuzzy.exit_code == 0 and "A statement never embedde" in fuzzy.stdout


def test_a_missing_model_is_a_clear_error_and_fuzzy_still_works(runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUSTLENS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("CUSTLENS_MODEL_FILE", str(tmp_path / "nowhere.onnx"))
    embed._loaded.cache_clear()
    note(tmp_path / "notes", "a.md", needs=("Another statement nobody embedded",))
    result = runner.invoke(app, ["themes", str(tmp_path / "notes")])
    assert result.exit_code == 2 and "cannot read the embedding model" in result.stderr
    fuzzy = runner.invoke(app, ["statements", str(tmp_path / "notes"), "--engine", "fuzzy", "--format", "json"])
    assert fuzzy.exit_code == 0 and json.loads(fuzzy.stdout)["statements"][0]["theme"].startswith("need-")


def test_embedding_opens_no_network_connection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("custlens tried to open a network connection")

    for target, name in ((socket.socket, "connect"), (socket.socket, "connect_ex"), (socket, "create_connection"),
                         (socket, "getaddrinfo")):
        monkeypatch.setattr(target, name, refuse)
    embed._loaded.cache_clear()  # load the model again, with the network refused
    vectors = Embedder(VectorStore(tmp_path)).vectors(["a statement embedded with the network refused"])
    assert vectors.shape == (1, embed.DIMENSIONS)
