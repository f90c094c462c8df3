"""Comparing one group of notes with the rest: the interval on the difference of two shares."""

from __future__ import annotations

import pytest

from custlens.pipeline.compare import difference


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


def test_the_verdict_says_more_less_or_unclear_as_the_interval_shows() -> None:
    from custlens.pipeline.compare import Contrast

    def verdict(a: int, m: int, b: int, n: int) -> str:
        return Contrast(None, a, m, b, n, *difference(a, m, b, n)).verdict  # type: ignore[arg-type]

    assert verdict(8, 10, 1, 20) == "more"
    assert verdict(0, 10, 15, 20) == "less"
    assert verdict(2, 10, 4, 20) == "unclear"  # the same share on both sides
    assert verdict(1, 1, 0, 6) == "unclear"  # one of one against none of six
