"""Whatever bytes a note file holds, parsing gives notes or clear, located problems, never an exception."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custlens.models import DEFAULT_KINDS
from custlens.pipeline.extract import extract
from custlens.pipeline.parse import ParseSettings, parse_bytes

SETTINGS = ParseSettings(kinds=DEFAULT_KINDS, max_file_bytes=100_000)
SUFFIXES = st.sampled_from([".md", ".yaml", ".yml"])

yaml_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20),
    st.sampled_from(["2026-02-30", "2026-01-01", "interview", "&a x", "*a", "!!python/object:os.system", "[", "{", "\t"]),
)
yaml_values = st.recursive(
    yaml_scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)),
    max_leaves=12,
)
fragments = st.sampled_from(
    ["---", "...", "date: 2026-03-01", "kind: interview", "segment: smb", "needs: 42", "needs: [a, b]", "- x",
     "## Needs", "## Pains", "> \"quote\"", "Pain: slow", "Need: fast", "#pain", "```", "<!--", "-->", "\t- tab",
     "key: [unclosed", "a: &x [1,2]", "b: *x", "segment: !!python/name:os.system", "? complex", "| a | b |", ""]
)


def _check(data: bytes, suffix: str) -> None:
    parsed = parse_bytes(data, "note" + suffix, suffix, SETTINGS)
    for problem in parsed.problems:
        assert problem.code and problem.message
        assert problem.severity in ("error", "warning")
        assert problem.line is None or problem.line >= 1
    assert parsed.notes or parsed.problems or not data.strip()
    extract(parsed.notes)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000), SUFFIXES)
def test_random_bytes_never_raise(data: bytes, suffix: str) -> None:
    _check(data, suffix)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(fragments, max_size=30), SUFFIXES, st.sampled_from(["\n", "\r\n", "\r"]), st.booleans())
def test_random_note_shaped_text_never_raises(lines: list[str], suffix: str, newline: str, bom: bool) -> None:
    data = newline.join(lines).encode("utf-8")
    _check((b"\xef\xbb\xbf" if bom else b"") + data, suffix)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(yaml_values, SUFFIXES)
def test_random_yaml_structures_never_raise(value: object, suffix: str) -> None:
    import yaml

    text = yaml.safe_dump(value, allow_unicode=True)
    data = (f"---\n{text}---\n## Needs\n- x\n" if suffix == ".md" else text).encode("utf-8")
    _check(data, suffix)


@settings(max_examples=200)
@given(st.text(max_size=300))
def test_random_text_bodies_never_raise(body: str) -> None:
    _check(("---\ndate: 2026-03-01\nkind: interview\nsegment: s\n---\n" + body).encode("utf-8", "surrogatepass"), ".md")
