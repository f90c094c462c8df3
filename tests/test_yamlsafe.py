"""The YAML loader: plain data only, lines kept, bounded depth and alias expansion."""

from __future__ import annotations

import json
import pickle
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custlens.infra import yamlsafe
from custlens.infra.yamlsafe import YamlError, errors_in, load_yaml


def test_plain_values_and_lines() -> None:
    data = load_yaml("a: 1\nb: [x, y]\nc:\n  - true\n  - null\nd: 2026-01-02\n", line_offset=10)
    assert data == {"a": 1, "b": ["x", "y"], "c": [True, None], "d": "2026-01-02"}
    assert data.key_lines == {"a": 11, "b": 12, "c": 13, "d": 16}
    assert data["c"].item_lines == [14, 15]


@pytest.mark.parametrize(
    "text, code",
    [
        ("a: !!python/object/apply:os.system [echo]\n", "yaml-tag"),
        ("a: !!python/name:os.system\n", "yaml-tag"),
        ("a: !custom x\n", "yaml-tag"),
        ("a: 1\na: 2\n", "yaml-duplicate-key"),
        ("a: [1\n", "yaml-syntax"),
        ("a:\n\tb: 1\n", "yaml-tab"),
        ("a: 1\n---\nb: 2\n", "yaml-syntax"),
        ("? [a, b]\n: 1\n", "yaml-syntax"),
    ],
)
def test_refused_documents(text: str, code: str) -> None:
    """Errors about one value are recorded on the mapping that holds it; others raise."""
    try:
        errors = errors_in(load_yaml(text))
    except YamlError as caught:
        errors = [caught]
    assert [e.code for e in errors] == [code]
    assert errors[0].line is not None


def test_one_bad_batch_entry_keeps_its_errors_to_itself() -> None:
    data = load_yaml("- a: 1\n  a: 2\n  b: !!python/name:os.system\n- c: 3\n- d: !!bool maybe\n")
    assert [[e.code for e in errors_in(item)] for item in data] == [
        ["yaml-duplicate-key", "yaml-tag"], [], ["yaml-syntax"]
    ]
    assert data[1] == {"c": 3}


def test_keys_are_text_as_written() -> None:
    data = load_yaml("1: a\ntrue: b\nnull: c\n")
    assert data == {"1": "a", "true": "b", "null": "c"} and errors_in(data) == []


def test_deep_nesting_is_refused_quickly_without_recursion() -> None:
    started = time.perf_counter()
    with pytest.raises(YamlError) as caught:
        load_yaml("a: " + "[" * 100_000 + "]" * 100_000)
    assert caught.value.code == "yaml-too-deep"
    assert time.perf_counter() - started < 5


def test_alias_bombs_are_refused_but_ordinary_aliases_work() -> None:
    layers = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        layers.append(f"{name}: &{name} [" + ",".join(f"*{prev}" for _ in range(9)) + "]")
    with pytest.raises(YamlError) as caught:
        load_yaml("\n".join(layers) + "\n")
    assert caught.value.code == "yaml-alias-bomb"
    assert load_yaml("x: &r ana\ny: *r\n") == {"x": "ana", "y": "ana"}


def test_aliases_that_repeat_one_long_value_are_refused_by_its_length() -> None:
    # 1,000 aliases are few values, but of a 20,000-character text they are 20 MB, and a note of 4 MB
    # made that way filled 24 GB in the steps after parsing
    long = "x: &a " + "word " * 4_000 + "\nneeds: [" + ", ".join(["*a"] * 1_000) + "]\n"
    with pytest.raises(YamlError) as caught:
        load_yaml(long)
    assert caught.value.code == "yaml-alias-bomb" and "characters" in caught.value.message
    assert caught.value.line == 2
    fine = load_yaml("x: &a " + "word " * 4_000 + "\nneeds: [" + ", ".join(["*a"] * 40) + "]\n")
    assert len(fine["needs"]) == 40


def test_control_characters_are_reported_with_their_line() -> None:
    with pytest.raises(YamlError) as caught:
        load_yaml("a: 1\nb: \x07\n")
    assert caught.value.line == 2


# --- the fast path for simple front matter --------------------------------------------------------

_TRICKY = [
    "yes", "No", "on", "OFF", "y", "~", "null", "Null", "1", "-1", "+1", "0x1f", "0o17", "017", "0b101", "1_000",
    "1e3", "1.5e3", "1.0", ".5", "5.", ".inf", "-.inf", ".NaN", "2026-01-01", "2026-1-1", "2026-01-01 10:00:00",
    "12:30", "190:20:30", "a#b", "a #b", "a: b", "R&D", "don't", "x,y", "x, y", "(a)", "./x", "_x", "=", "a=b",
    "é", "日本", "a  b", "<<", "*x", "&x y", "!x", "%x", "@x", "`x", "|", ">", "- x", "-x", "?x", "? x", "[x",
    "{x: y}", "'", '"', "x'y", "x\"y", "a\\b", "\\", ".", "..", "+", "/", "x/", "0", "00", "-0", "1__0",
    "https://example.com/t/1?x=1#y", "a:b", "a:", "a ?b", "a,b]", "x{y}", "a|b", "a>b", "a%b", "a~", "Q?", "a\u200bb",
    "a\ufffeb", "a\xa0b", "a\u3000b", "x\ufeff", "a [b]", "a {b: c}", "a, b: c",
]
_scalar_text = st.one_of(
    st.sampled_from(_TRICKY), st.text(alphabet="ab1 .,:#-'\"[]{}!&*_=()/+\\é?|>%@~\u200b\ufffe", min_size=0, max_size=8)
)
_value = st.one_of(
    _scalar_text,
    _scalar_text.map(lambda v: f'"{v}"'),
    _scalar_text.map(lambda v: f"'{v}'"),
    st.lists(_scalar_text, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
    st.lists(_scalar_text, max_size=3).map(lambda items: "[" + ",".join(items) + " ]"),
    st.lists(_scalar_text, max_size=4).map(lambda items: "[ " + " , ".join(items) + " ,  ]"),  # spaces around commas
)
_line = st.one_of(
    st.tuples(st.sampled_from(["date", "kind", "tags", "a", "_b", "c-d", "true", "x1"]), st.sampled_from([": ", ":", ":  "]),
              _value, st.sampled_from(["", " ", "  "])).map("".join),
    st.sampled_from(["", "  ", "# a comment", "  - item", "key:", "a : b", "- x"]),
)


def _shape(value: object) -> object:
    """A value with its type and everything the loader keeps about lines, for exact comparison."""
    if isinstance(value, dict):
        return ("map", value.line, value.key_lines, value.errors,  # type: ignore[attr-defined]
                [(key, _shape(item)) for key, item in value.items()])
    if isinstance(value, list):
        return ("list", value.line, value.item_lines, value.errors,  # type: ignore[attr-defined]
                [_shape(item) for item in value])
    return (type(value).__name__, repr(value))


def _agrees_with_the_parser(text: str, offset: int = 0) -> bool:
    """Whether the fast path read `text` (else it left it to the parser), asserting it read it right."""
    fast = yamlsafe._simple_mapping(text, offset)
    try:
        full = yamlsafe._parse(text, offset, yamlsafe.MAX_DEPTH, yamlsafe.MAX_ALIAS_NODES)
    except YamlError:
        assert fast is None  # what the parser refuses is left to the parser, to say where and why
        return False
    if fast is not None:
        assert _shape(fast) == _shape(full)
        assert not errors_in(full)
    return fast is not None


@settings(max_examples=600, deadline=None)
@given(st.lists(_line, min_size=1, max_size=6), st.integers(0, 3))
def test_simple_front_matter_is_read_exactly_as_the_yaml_parser_reads_it(lines: list[str], offset: int) -> None:
    _agrees_with_the_parser("\n".join(lines) + "\n", offset)


def test_every_tricky_value_is_read_as_the_yaml_parser_reads_it() -> None:
    forms = ("{0}", "{0} ", '"{0}"', "'{0}'", "[{0}]", "[{0}, x]", "[ {0} ,{0}]", "[{0} , x , ]", "[ ]  # {0}")
    taken = [_agrees_with_the_parser(f"date: 2026-01-01\nvalue: {form.format(v)}\n", 1) for v in _TRICKY for form in forms]
    assert 0.3 < sum(taken) / len(taken) < 0.9  # both paths are taken


def test_the_sample_notes_front_matter_takes_the_fast_path() -> None:
    from .conftest import NOTES

    fronts = [path.read_text().split("---\n")[1] for path in sorted(NOTES.glob("*.md"))]
    assert len(fronts) > 5
    assert all(yamlsafe._simple_mapping(front, 1) is not None for front in fronts)
    assert yamlsafe._simple_mapping("a: 1\n  b: 2\n", 0) is None and yamlsafe._simple_mapping("a: 1\na: 2\n", 0) is None


def test_a_number_where_text_is_expected_is_read_as_written(runner, tmp_path) -> None:
    # YAML 1.1 reads 0042 as 34 (octal), 0x7 and +7 as 7, 12:30 as 750: four different ids became one
    from custlens.cli import app

    for k, written in enumerate(["007", "7", "0x7", "+7", "0042", "12:30"]):
        (tmp_path / f"n{k}.md").write_text(
            f"---\ndate: 2026-03-04\nkind: interview\nsegment: salons\nparticipant: {written}\ntags: [0o17]\n---\n"
            "## Needs\n- Export invoices to Xero\n", encoding="utf-8")
    data = json.loads(runner.invoke(app, ["statements", str(tmp_path), "--format", "json"]).stdout)
    assert sorted(s["participant"] for s in data["statements"]) == ["+7", "0042", "007", "0x7", "12:30", "7"]
    assert {tuple(s["tags"]) for s in data["statements"]} == {("0o17",)}
    assert load_yaml("n: 0x10\n")["n"] == 16 and pickle.loads(pickle.dumps(load_yaml("n: 010\n")["n"])) == 8


def test_a_value_a_tag_cannot_read_is_shown_short_with_a_hint_and_a_huge_integer_is_text() -> None:
    error, = errors_in(load_yaml("a: 1\nb: !!float " + "x" * 5_000 + "\n"))
    assert error.line == 2 and len(error.message) < 80 and "quotes" in (error.hint or "")
    assert load_yaml("p: " + "9" * 5_000 + "\n")["p"] == "9" * 5_000



def test_a_block_scalar_is_located_on_its_first_line_of_text() -> None:
    data = load_yaml("a: |\n  first\n  second\nb:\n  - >\n\n    folded\n  - plain\n", line_offset=2)
    assert data == {"a": "first\nsecond\n", "b": ["\nfolded\n", "plain"]}
    assert data.key_lines == {"a": 3, "b": 6}
    assert data.text_lines == {"a": 4}  # the words of `a: |`, after the key's line
    assert data["b"].item_lines == [9, 10]
