"""The learned half of the tagger: a statement's vector to how likely it is a pain, a need or neither,
combined with the cue tagger's evidence into one type and a confidence.

The model is a multinomial logistic regression over the sentence vectors (`embed`), trained by
`bench/train_tagger.py` only on the project's own prototype statements (`minilm/prototypes.yaml`), and
shipped as `minilm/tagger.json` (3 x 384 weights and 3 biases, tied to the model they were trained on).

The decision: each type's score is the log of the model's probability, plus a bias, plus CUE_WEIGHT
when a cue of that type fires (with negation, denial and advice handled as the cue tagger does; a
"fine" cue, praise or a problem denied, counts for other). So a firing cue decides unless the model is
about e**CUE_WEIGHT (400) times surer of another type; with no cue, the model decides alone. The
softmax of the scores is the confidence kept on the statement. CUE_WEIGHT and NEED_BIAS are the best of
a small grid on the SemEval-2019 train split (forum sentences) and the sample notes' quotes and
observations (bench/note-types.yaml) together; `bench/tagging.py --cross` shows the choice on each
alone. Every other data set there is held out.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from custlens.errors import CustlensError
from custlens.pipeline.embed import MODEL_ID, SCALE
from custlens.pipeline.wordpiece import MINILM

TYPES = ("pain", "need", "other")
CUE_WEIGHT = 6.0
NEED_BIAS = -0.5
PAIN_BIAS = 0.0
DATA = MINILM


@dataclass(frozen=True)
class Weights:
    """The trained model: one row of weights and a bias per type, in TYPES order."""

    weights: np.ndarray  # (3, 384)
    bias: np.ndarray  # (3,)

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        scores = (np.asarray(vectors, dtype=np.float64) / SCALE) @ self.weights.T + self.bias
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        out: np.ndarray = exp / exp.sum(axis=1, keepdims=True)
        return out


def prototypes_digest(path: Path = DATA / "prototypes.yaml") -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@functools.lru_cache(maxsize=1)
def load_weights(path: Path = DATA / "tagger.json") -> Weights:
    """The shipped weights, refused if they were trained for another model or other prototypes."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        weights = np.asarray(data["weights"], dtype=np.float64)
        bias = np.asarray(data["bias"], dtype=np.float64)
        fits = (data["model"] == MODEL_ID and data["classes"] == list(TYPES) and weights.shape == (3, 384)
                and bias.shape == (3,) and data["prototypes_sha256"] == prototypes_digest(path.parent / "prototypes.yaml"))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CustlensError(f"cannot read the tagger's weights {path}: {exc}",
                            hint="reinstall custlens, or type statements with cues only: --engine fuzzy") from None
    if not fits:
        raise CustlensError(f"the tagger's weights {path} were trained for another model or other prototypes",
                            hint="run bench/train_tagger.py, or type statements with cues only: --engine fuzzy")
    return Weights(weights, bias)


@dataclass(frozen=True)
class Decision:
    type: str
    confidence: float
    cue: str | None  # the cue that decided (None when the model decided alone or overruled it)
    overruled: str | None = None  # a cue the model overruled

    @property
    def why(self) -> str:
        """In words: `cue "i wish", model 0.83`, `model 0.71`, `model 0.91 over cue "error"`."""
        if self.cue is not None:
            return f'cue "{self.cue}", model {self.confidence:.2f}'
        if self.overruled is not None:
            return f'model {self.confidence:.2f} over cue "{self.overruled}"'
        return f"model {self.confidence:.2f}"


def decide(
    vectors: np.ndarray, cues: Sequence[tuple[str | None, str | None, str | None]], weights: Weights | None = None, *,
    need_bias: float = NEED_BIAS, pain_bias: float = PAIN_BIAS, cue_weight: float = CUE_WEIGHT,
) -> list[Decision]:
    """One decision per vector, from the model and (need cue, pain cue, fine cue) of the same text."""
    weights = weights or load_weights()
    if not len(cues):
        return []
    probabilities = weights.probabilities(vectors)
    by_type = [(pain, need, fine) for need, pain, fine in cues]  # each text's cues in TYPES order
    fired = np.array([[cue is not None for cue in row] for row in by_type], dtype=np.float64)
    scores = np.log(np.maximum(probabilities, 1e-12)) + np.array([pain_bias, need_bias, 0.0]) + cue_weight * fired
    scores -= scores.max(axis=1, keepdims=True)
    best = np.argmax(scores, axis=1)
    exp = np.exp(scores)
    confidence = np.round(exp[np.arange(len(cues)), best] / exp.sum(axis=1), 4).tolist()
    out = []
    for kind, sure, row in zip(best.tolist(), confidence, by_type):
        own = row[kind]
        # the cue the model overruled, when its own type has none: a need cue first, then pain, then fine
        overruled = None if own is not None else next((row[k] for k in (1, 0, 2) if k != kind and row[k] is not None), None)
        out.append(Decision(TYPES[kind], sure, own, overruled))
    return out
