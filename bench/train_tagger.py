"""Train the tagger's weights from the project's prototype statements, reproducibly.

    python bench/train_tagger.py [--check]

Reads src/custlens/minilm/prototypes.yaml (statements written for custlens, by type), embeds them with
custlens's own model, fits a multinomial logistic regression (L2, C = 1, as scikit-learn counts it:
half the squared weights plus C times the summed log loss; biases not penalised) by L-BFGS from zero,
and writes src/custlens/minilm/tagger.json with the model and the prototypes' sha256 it was trained
for. No data set is read: the weights are derived from the project's own text only (MIT). `--check`
trains again and compares with the file instead of writing it (the tests do the same).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import yaml
from scipy.optimize import minimize

from custlens.pipeline.embed import MODEL_ID, SCALE, Embedder
from custlens.pipeline.tagmodel import DATA, TYPES, prototypes_digest

C = 1.0


def prototypes(path: Path = DATA / "prototypes.yaml") -> tuple[list[str], np.ndarray]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    texts = [text for kind in TYPES for text in data[kind]]
    labels = np.array([k for k, kind in enumerate(TYPES) for _ in data[kind]])
    return texts, labels


def fit(x: np.ndarray, y: np.ndarray, c: float = C) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression: (weights (classes, features), biases (classes,))."""
    d = x.shape[1]
    k = int(y.max()) + 1
    onehot = np.eye(k)[y]

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = theta[: k * d].reshape(k, d), theta[k * d :]
        scores = x @ w.T + b
        scores -= scores.max(axis=1, keepdims=True)
        logp = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
        value = 0.5 * float((w * w).sum()) - c * float((onehot * logp).sum())
        residual = c * (np.exp(logp) - onehot)
        return value, np.concatenate([(w + residual.T @ x).ravel(), residual.sum(axis=0)])

    found = minimize(loss, np.zeros(k * d + k), jac=True, method="L-BFGS-B",
                     options={"maxiter": 5000, "gtol": 1e-9, "ftol": 1e-14})
    return found.x[: k * d].reshape(k, d), found.x[k * d :]


def train() -> dict[str, object]:
    texts, labels = prototypes()
    vectors = Embedder().vectors(texts).astype(np.float64) / SCALE
    weights, bias = fit(vectors, labels)
    return {
        "model": MODEL_ID,
        "prototypes_sha256": prototypes_digest(),
        "classes": list(TYPES),
        "C": C,
        "trained_on": {kind: int((labels == k).sum()) for k, kind in enumerate(TYPES)},
        "weights": np.round(weights, 6).tolist(),
        "bias": np.round(bias, 6).tolist(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the shipped file instead of writing it")
    args = parser.parse_args()
    trained = train()
    target = DATA / "tagger.json"
    if args.check:
        shipped = json.loads(target.read_text(encoding="utf-8"))
        gap = max(float(np.abs(np.asarray(shipped[key]) - np.asarray(trained[key])).max()) for key in ("weights", "bias"))
        same = all(shipped[key] == trained[key] for key in ("model", "prototypes_sha256", "classes"))
        print(f"largest difference from {target}: {gap:.2e}; same model and prototypes: {same}")
        sys.exit(0 if same and gap < 1e-4 else 1)
    target.write_text(json.dumps(trained, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {target}: trained on {trained['trained_on']}")


if __name__ == "__main__":
    main()
