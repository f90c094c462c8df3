"""Similarity engines: one type's statements to groups that say the same thing.

`semantic` (the default) groups sentence vectors by average linkage, cut at two levels; `fuzzy` groups
by shared words and spelling. Both use the compiled loops in `_native` where it was built.
"""


def compiled() -> bool:
    """Whether the compiled loops (`_native`, built at install where a C compiler is found) load here.
    Without them both engines run the numpy code that gives the same results, slower."""
    try:
        import custlens.pipeline.engines._native  # noqa: F401  # only whether it loads
    except ImportError:
        return False
    return True
