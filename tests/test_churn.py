"""`custlens churn`: the themes one group of notes (cancellations and lost deals, or any kind, segment, tag,
competitor or researcher) says more than the rest, counted per participant, with an interval that keeps a
few notes from looking like a strong signal."""

from __future__ import annotations

import json

import pytest

from custlens.cli import app
from custlens.pipeline.contrast import difference

from .conftest import NOTES, note

PRICE = "The price per seat gets too expensive as the team grows"
SYNC = "The Google calendar sync lags and we get double bookings"
SMS = "Automatic SMS reminders to clients the day before"


@pytest.mark.parametrize(
    ("counts", "low", "high"),
    [  # Newcombe (1998), Statistics in Medicine 17:857-872, table II, method 11
        ((56, 70, 48, 80), 0.0428, 0.3422),
        ((9, 10, 3, 10), 0.1013, 0.8387),
        ((6, 7, 2, 7), -0.0290, 0.8423),
        ((5, 56, 0, 29), -0.0667, 0.2037),
        ((0, 10, 0, 20), -0.2005, 0.3445),
        ((0, 10, 0, 10), -0.3445, 0.3445),
    ],
)
def test_the_interval_is_newcombes_hybrid_score_with_continuity_correction(counts, low, high) -> None:
    d, lo, hi = difference(*counts)
    assert d == pytest.approx(counts[0] / counts[1] - counts[2] / counts[3])
    assert (round(lo, 4), round(hi, 4)) == (low, high)


def _leaving(root) -> None:
    """Five who left (four cancellations, one sales call tagged lost-deal) and nine others. PRICE: four
    who left, nobody else. SYNC: two of five who left, five of nine others (said everywhere). SMS: four
    others, nobody who left. P-1 says SYNC three times: one participant."""
    n = root / "notes"
    for k in range(1, 5):
        pains = (PRICE, SYNC, SYNC + ", again", SYNC + " every week") if k == 1 else (PRICE, SYNC) if k == 2 else (PRICE,)
        note(n, f"c{k}.md", participant=f"P-{k}", kind="cancellation", segment="salons" if k < 3 else "solo",
             pains=pains)
    note(n, "lost.md", participant="P-5", kind="sales-call", segment="solo", extra="tags: [prospect, lost-deal]",
         needs=("Pricing that levels off as the team grows",))
    note(n, "open.md", participant="P-6", kind="sales-call", segment="solo", extra="tags: [prospect]", pains=(SYNC,))
    for k in range(7, 15):
        pains = (SYNC,) if k < 11 else ()
        needs = (SMS,) if k >= 11 else ()
        note(n, f"i{k}.md", participant=f"P-{k}", segment="clinics" if k % 2 else "salons", pains=pains, needs=needs)


def _churn(runner, *args: str) -> dict:
    result = runner.invoke(app, ["churn", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _said(data: dict, text: str, themes: list[dict]) -> dict:
    theme = next(t["id"] for t in themes if any(s["text"] == text for s in t["statements"]))
    return next(row for row in data["themes"] if row["id"] == theme)


def test_cancellations_and_lost_deals_against_the_rest_with_counts_both_ways(runner, tmp_path) -> None:
    _leaving(tmp_path)
    notes = str(tmp_path / "notes")
    data = _churn(runner, notes, "--all")
    themes = json.loads(runner.invoke(app, ["themes", notes, "--all", "--format", "json"]).stdout)["themes"]
    assert data["group"] == {"name": "cancellations and lost deals", "matches": ["kind=cancellation", "tag=lost-deal"],
                             "notes": 5, "participants": 5}
    assert data["rest"] == {"notes": 9, "participants": 9} and data["counted"] == "participants"
    price, sync, sms = (_said(data, text, themes) for text in (PRICE, SYNC, SMS))
    assert (price["group"], price["rest"]) == ({"participants": 4, "of": 5, "share": 0.8},
                                               {"participants": 0, "of": 9, "share": 0.0})
    assert (sync["group"]["participants"], sync["rest"]["participants"]) == (2, 5)  # P-1 said it three times: once
    assert (sms["group"]["participants"], sms["rest"]["participants"]) == (0, 4)
    # said only by those who left: over-represented, and first; said everywhere: not; said only by others: last
    assert data["themes"][0]["id"] == price["id"] and price["verdict"] == "more"
    assert price["interval"][0] > 0 and price["difference"] == 0.8
    assert sync["verdict"] == "unclear" and sync["interval"][0] < 0 < sync["interval"][1]
    order = [row["id"] for row in data["themes"]]
    assert order.index(price["id"]) < order.index(sync["id"]) < order.index(sms["id"])
    assert data["themes"][-1]["id"] == sms["id"] and sms["difference"] < 0


def test_the_table_shows_who_is_compared_the_counts_and_the_interval(runner, tmp_path) -> None:
    _leaving(tmp_path)
    result = runner.invoke(app, ["churn", str(tmp_path / "notes"), "--top", "2"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == ("cancellations and lost deals (kind=cancellation or tag=lost-deal): 5 notes from 5 "
                        "participants; the rest: 9 notes from 9 participants")
    assert lines[1].split() == ["Theme", "Type", "Group", "Rest", "Diff", "95%", "interval", "Verdict"]
    assert lines[2].split()[-10:] == ["pain", "4/5", "80%", "0/9", "0%", "+80", "+18", "to", "+99", "more"]
    assert len(lines) == 4
    assert "2 of " in result.stderr and "--all shows every theme" in result.stderr


def test_a_few_notes_are_never_a_strong_signal(runner, tmp_path) -> None:
    n = tmp_path / "notes"
    note(n, "c.md", participant="P-1", kind="cancellation", pains=(PRICE,))
    for k in range(2, 8):
        note(n, f"i{k}.md", participant=f"P-{k}", pains=(SYNC,))
    data = _churn(runner, str(n))
    price = next(row for row in data["themes"] if row["group"]["participants"] == 1)
    assert price["difference"] == 1.0 and price["verdict"] == "unclear"  # one of one, none of six: not sure


def test_compare_any_kind_segment_tag_or_competitor(runner, tmp_path) -> None:
    _leaving(tmp_path)
    notes = str(tmp_path / "notes")
    clinics = _churn(runner, notes, "--compare", "segment=clinics")
    assert clinics["group"]["matches"] == ["segment=clinics"] and clinics["group"]["name"] is None
    assert clinics["group"]["participants"] == 4 and clinics["rest"]["participants"] == 10
    cancellations = _churn(runner, notes, "--compare", "kind=Cancellation")
    assert cancellations["group"]["notes"] == 4
    union = _churn(runner, notes, "-c", "kind=cancellation", "-c", "tag=lost-deal")
    assert union["themes"] == _churn(runner, notes)["themes"]
    text = runner.invoke(app, ["churn", notes, "--compare", "segment=clinics"]).stdout
    assert text.startswith("notes where segment=clinics: 4 notes from 4 participants; the rest: 10 notes")


def test_compare_values_are_checked(runner, tmp_path) -> None:
    _leaving(tmp_path)
    notes = str(tmp_path / "notes")
    for args, message, hint in [
        (["--compare", "segmnt=clinics"], "invalid value for --compare: 'segmnt=clinics'", "KEY one of kind, segment"),
        (["--compare", "segment"], "invalid value for --compare: 'segment'", "KEY=VALUE"),
        (["--compare", "segment=clinic"], "no notes match --compare segment=clinic", "did you mean `clinics`?"),
        (["--compare", "segment=salons", "--segment", "salons"], "every note matches segment=salons", "smaller group"),
        (["--compare", "segment=salons", "--segment", "clinics"],
         "the filters keep none of the 6 notes of segment=salons: nothing to compare", "widen --segment"),
        (["--kind", "interview"], "the filters keep none of the 5 notes of cancellations and lost deals", "widen"),
    ]:
        result = runner.invoke(app, ["churn", notes, *args])
        assert result.exit_code == 2, (args, result.output)
        assert message in result.stderr and hint in result.stderr and "Traceback" not in result.output
    none = tmp_path / "none"
    note(none, "a.md", pains=(SYNC,))
    result = runner.invoke(app, ["churn", str(none)])
    assert result.exit_code == 2
    assert "no cancellation notes and no notes tagged lost-deal: nothing to compare" in result.stderr


def test_churn_in_csv_and_markdown(runner, tmp_path) -> None:
    _leaving(tmp_path)
    notes = str(tmp_path / "notes")
    rows = runner.invoke(app, ["churn", notes, "--format", "csv", "--top", "1"]).stdout.splitlines()
    assert rows[0] == "id,label,type,group_participants,group_total,rest_participants,rest_total,difference,low,high,verdict"
    assert rows[1].split(",")[3:8] == ["4", "5", "0", "9", "0.8000"] and rows[1].endswith(",more")
    markdown = runner.invoke(app, ["churn", notes, "--format", "markdown", "--top", "1"]).stdout
    assert "| Theme | Type | Group | Rest | Difference (points) | 95% interval | Verdict |" in markdown
    assert "| 4/5 80% | 0/9 0% | +80 |" in markdown


def test_the_sample_notes_say_why_customers_leave(runner) -> None:
    data = _churn(runner, str(NOTES), "--all")
    assert data["group"]["notes"] == 7  # five cancellations and two sales calls tagged lost-deal
    first = data["themes"][0]
    assert first["verdict"] == "more" and first["rest"]["participants"] == 0
    everywhere = max(data["themes"], key=lambda row: row["group"]["participants"] + row["rest"]["participants"])
    assert everywhere["verdict"] == "unclear"


def test_the_verdict_says_more_less_or_unclear_as_the_interval_shows() -> None:
    from custlens.pipeline.contrast import Contrast

    def verdict(a: int, m: int, b: int, n: int) -> str:
        return Contrast(None, a, m, b, n, *difference(a, m, b, n)).verdict  # type: ignore[arg-type]

    assert verdict(8, 10, 1, 20) == "more"
    assert verdict(0, 10, 15, 20) == "less"
    assert verdict(2, 10, 4, 20) == "unclear"  # the same share on both sides
    assert verdict(1, 1, 0, 6) == "unclear"  # one of one against none of six


@pytest.mark.parametrize("fmt", ["json", "csv", "markdown", "table"])
def test_redact_masks_names_in_the_themes_compared(fmt, runner, in_tmp) -> None:
    from .conftest import write

    write(in_tmp / "custlens.yaml", "redact: [Marguerite]\n")
    for k in range(1, 4):
        note(in_tmp / "notes", f"c{k}.md", participant=f"P-{k}", kind="cancellation",
             pains=("Marguerite's per-seat invoice doubled when the team grew",))
    for k in range(4, 8):
        note(in_tmp / "notes", f"i{k}.md", participant=f"P-{k}", pains=(SYNC,))
    plain = runner.invoke(app, ["churn", "--format", fmt, "--all"])
    assert plain.exit_code == 0, plain.output
    assert "marguerite" in plain.stdout.lower()
    masked = runner.invoke(app, ["churn", "--format", fmt, "--all", "--redact"])
    assert masked.exit_code == 0 and "marguerite" not in masked.stdout.lower()
    def words(text: str) -> list[list[str]]:  # a table's columns are as wide as their widest cell
        return [line.split() for line in text.splitlines()]

    shown = masked.stdout.replace("\\[name]", "[name]")  # Markdown escapes the `[` that could open a link
    assert words(shown.replace("[name]", "Marguerite")) == words(plain.stdout)  # only the name changes
