"""Tagging by meaning: quotes and observations join themes, with how sure the tagger is and why; a
quality floor on public data that no rule was tuned on; the shipped weights are reproducible."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from custlens.cli import app
from custlens.pipeline import tagmodel
from custlens.pipeline.embed import Embedder
from custlens.pipeline.tag import Tagger

from .conftest import DATASETS, REPO, note

sys.path.insert(0, str(REPO / "bench"))
from tagging import f1  # the benchmark's own scorer, so the floors and the README agree


def _statements(runner, folder, *args: str) -> list[dict]:
    result = runner.invoke(app, ["statements", str(folder), "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return list(json.loads(result.stdout)["statements"])


def test_quotes_and_observations_that_state_a_pain_join_its_theme(runner, tmp_path) -> None:
    for k, pain in enumerate(["Retyping every invoice into Xero takes my whole Friday",
                              "We key all invoices into the accounting system by hand"]):
        note(tmp_path, f"p{k}.md", participant=f"P-{k}", pains=(pain,), needs=("Anything else",))
    note(tmp_path, "q.md", participant="Q-1", needs=("Something",),
         quotes=("Every Friday I lose the afternoon re-entering the same invoices into Xero",),
         extra="")
    found = {s["text"]: s for s in _statements(runner, tmp_path)}
    quote = found["Every Friday I lose the afternoon re-entering the same invoices into Xero"]
    assert quote["type"] == "pain" and quote["inferred"] and 0.5 < quote["confidence"] <= 1
    assert quote["theme"] == found["Retyping every invoice into Xero takes my whole Friday"]["theme"]
    assert quote["why"].startswith(("cue", "model"))
    stated = found["Retyping every invoice into Xero takes my whole Friday"]
    assert not stated["inferred"] and stated["confidence"] is None and stated["why"] == "stated: under pains"
    shown = runner.invoke(app, ["show", quote["theme"], str(tmp_path)])
    assert "[inferred: " in shown.stdout and "model " in shown.stdout


def test_explicit_types_always_win_over_the_model(runner, tmp_path) -> None:
    note(tmp_path, "a.md", needs=("Thanks, everything works perfectly now",),
         extra="", pains=("I love this product",))
    found = {s["text"]: s for s in _statements(runner, tmp_path)}
    assert found["Thanks, everything works perfectly now"]["type"] == "need"
    assert found["I love this product"]["type"] == "pain"
    note(tmp_path, "b.md", pains=("Export the ledger to Xero #need",))  # a tag overrides its section
    tagged = {s["text"]: s for s in _statements(runner, tmp_path)}["Export the ledger to Xero"]
    assert tagged["type"] == "need" and tagged["why"] == "stated: a need line or tag"


def test_praise_and_ease_keep_a_statement_other_and_say_why(runner, tmp_path) -> None:
    said = ("Liked the new calendar view a lot.", "Finished setting up the reminders in under two minutes.")
    for k, quote in enumerate(said):
        note(tmp_path, f"n{k}.md", needs=("A stated need",), quotes=(quote,))
    found = {s["text"]: s for s in _statements(runner, tmp_path)}
    for text in said:
        assert found[text]["type"] == "other" and found[text]["inferred"], found[text]
        assert found[text]["why"].startswith('cue "'), found[text]


def test_a_fine_cue_the_model_overrules_is_named_in_why() -> None:
    sure_of_pain = tagmodel.Weights(np.zeros((3, 384)), np.array([10.0, 0.0, 0.0]))
    decision = tagmodel.decide(np.zeros((1, 384)), [(None, None, "liked the")], sure_of_pain)[0]
    assert decision.type == "pain" and decision.why.endswith('over cue "liked the"'), decision.why


def test_the_labelled_sample_quotes_match_their_notes_and_stay_above_their_floor(runner, in_repo) -> None:
    """bench/note-types.yaml, the tuning split of quotes and observations, labels every quote and
    observation in notes/ at its place; a note edited without its label is caught here."""
    import yaml

    labelled = yaml.safe_load((REPO / "bench" / "note-types.yaml").read_text(encoding="utf-8"))["statements"]
    found = {(s["path"], s["line"]): s for s in _statements(runner, REPO / "notes")
             if s["section"] in ("quotes", "observations")}
    assert {(e["path"], e["line"]) for e in labelled} == set(found)
    for entry in labelled:
        assert found[entry["path"], entry["line"]]["text"] == entry["text"], entry
    guessed = [found[e["path"], e["line"]]["type"] for e in labelled]
    score = f1([e["type"] for e in labelled], guessed, "three")[2]
    assert score >= FLOORS["sample"], f"sample notes' quotes and observations: F1 {score:.3f} under {FLOORS['sample']}"


def test_min_confidence_keeps_unsure_inferences_out_of_the_themes(runner, tmp_path) -> None:
    note(tmp_path, "a.md", needs=("A stated need",),
         quotes=("The export is a bit slow sometimes", "It crashes every single time I open a report"))
    loose = {s["text"]: s for s in _statements(runner, tmp_path)}
    strict = {s["text"]: s for s in _statements(runner, tmp_path, "--min-confidence", "0.9999")}
    unsure = [t for t, s in loose.items() if s["inferred"] and s["type"] == "pain" and s["confidence"] < 0.9999]
    assert unsure
    for text in unsure:
        assert strict[text]["type"] == "other" and strict[text]["theme"] is None
        assert "under the minimum confidence" in strict[text]["why"]
    bad = runner.invoke(app, ["themes", str(tmp_path), "--min-confidence", "2"])
    assert bad.exit_code == 2 and "--min-confidence" in bad.stderr


def test_fitted_phrases_no_longer_type_anything() -> None:
    tagger = Tagger()
    for text in ("#nothappy", "smh", "wtf", "fml", "the light blinks on and off", "not powering on",
                 "get your act together", "no heat", "little help", "please dm me", "barring that, add a filter",
                 "that would be a godsend", "we could do with a filter", "what I'm asking for is a filter"):
        assert tagger.classify(text) == ("other", None), text


def test_the_shipped_weights_are_what_the_training_script_makes() -> None:
    done = subprocess.run([sys.executable, str(REPO / "bench" / "train_tagger.py"), "--check"], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_weights_trained_for_another_model_are_refused(tmp_path) -> None:
    shipped = json.loads((tagmodel.DATA / "tagger.json").read_text(encoding="utf-8"))
    (tmp_path / "prototypes.yaml").write_bytes((tagmodel.DATA / "prototypes.yaml").read_bytes())
    (tmp_path / "tagger.json").write_text(json.dumps({**shipped, "model": "another-model"}), encoding="utf-8")
    from custlens.errors import CustlensError

    with pytest.raises(CustlensError, match="trained for another model"):
        tagmodel.load_weights.__wrapped__(tmp_path / "tagger.json")


# --- the quality floors. Held out: public data nothing was tuned on (the need bias and cue weight were
# chosen on the SemEval train split and the sample notes' quotes; see bench/tagging.py). "sample" is that
# tuning split itself (bench/note-types.yaml): a floor that catches a regression, not a held-out check.
# They fail when tagging gets worse.

FLOORS = {"need": 0.77, "pain": 0.68, "three": 0.65, "sample": 0.72}  # measured: 0.798, 0.703, 0.708, 0.769


@pytest.mark.slow
def test_tagging_quality_does_not_drop_below_its_floor_on_held_out_data() -> None:
    if not DATASETS.is_dir():
        pytest.skip("../shared/datasets is not beside the repository: the quality floor needs it")
    from tagging import load_sets

    sets = {s.name: s for s in load_sets(str(DATASETS))}
    embedder, tagger = Embedder(), Tagger()
    for name, kind, floor in (("SemEval-2019 suggestions, trial (forum)", "need", FLOORS["need"]),
                              ("Twitter complaints, all", "pain", FLOORS["pain"]),
                              ("gold notes, quotes and observations", "three", FLOORS["three"])):
        data = sets[name]
        decisions = tagmodel.decide(embedder.vectors(data.texts), [tagger.cues_of(t) for t in data.texts])
        score = f1(data.labels, [d.type for d in decisions], kind)[2]
        assert score >= floor, f"{name}: F1 {score:.3f} under its floor {floor}"


def test_the_cue_audit_splits_every_cue_faithfully_and_flags_a_phrase_fitted_to_one_row() -> None:
    """bench/cue_audit.py, the check that no cue phrase is fitted to a row or two of one data set: it
    splits each cue into phrases and puts them back together unchanged, and it flags a phrase that
    fires on a single row of one set while a general one that fires across sets passes."""
    from cue_audit import counts, fitted, parse, render

    from custlens.pipeline import cues

    for _, pattern in (*cues.NEED_CUES, *cues.PAIN_CUES, *cues.FINE_CUES):
        assert "|".join(render(branch) for branch in parse(pattern)[0]) == pattern
    sets = {"forum": ["The export is too slow.", "My lamp blinks on and off at night."],
            "tweets": ["so slow today", "app is slow again"]}
    found = counts([("pain", "slow", r"\b(?:slow|blinks on and off|goes (?:dark|quiet) at night)\b")], sets)
    assert fitted(found) == [("forum", "pain", "slow", "blinks on and off", 1)]
    assert ("pain", "slow", "goes (?:dark|quiet) at night", {}) in found
