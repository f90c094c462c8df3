"""The YAML loader: plain data only, lines kept, bounded depth and alias expansion."""

from __future__ import annotations

import time

import pytest

from custlens.yamlsafe import YamlError, errors_in, load_yaml


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


def test_control_characters_are_reported_with_their_line() -> None:
    with pytest.raises(YamlError) as caught:
        load_yaml("a: 1\nb: \x07\n")
    assert caught.value.line == 2
