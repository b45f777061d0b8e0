"""Dataclass methods compiled once and kept beside kb's bytecode (issue #10, cold start)."""

from __future__ import annotations

import dataclasses
import importlib.util
import marshal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from kb.dataclass_cache import compiled_once, read


def _records() -> tuple[type, type]:
    """Two records as kb writes them: one with defaults and a factory, one frozen."""

    @dataclass
    class Note:
        text: str
        tags: list[str] = field(default_factory=list)
        weight: float = 1.0
        hidden: str = field(default="", repr=False, compare=False)

    @dataclass(frozen=True)
    class Key:
        source: str
        number: int = 0

    return Note, Key


def _behaviour(note: type, key: type) -> list[Any]:
    """Everything the generated methods do, as values to compare."""
    first, second = note("a"), note("a", ["x"], 2.0, hidden="h")
    try:
        key("s").number = 3
        frozen = "assigned"
    except dataclasses.FrozenInstanceError as exc:
        frozen = str(exc)
    return [repr(first), repr(second), first == note("a", hidden="other"), first == second,
            first.tags is not note("a").tags, repr(key("s", 2)), key("s", 2) == key("s", 2),
            hash(key("s", 2)) == hash(key("s", 2)), hash(key("s", 2)) == hash(key("t", 2)),
            frozen, [f.name for f in dataclasses.fields(note)]]


@pytest.fixture
def writes_bytecode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)


def test_records_made_from_kept_code_behave_as_dataclass_makes_them(
        tmp_path: Path, writes_bytecode: None) -> None:
    path = tmp_path / "methods.bin"
    plain = _behaviour(*_records())
    with compiled_once(path) as first:
        compiled = _behaviour(*_records())
    assert (first.reused, first.compiled) == (0, 9)  # Note: 3 methods; Key: 6 (frozen)
    assert sorted(read(path)) == sorted(first.used)
    with compiled_once(path) as second:
        reused = _behaviour(*_records())
    assert (second.reused, second.compiled) == (9, 0)
    assert plain == compiled == reused
    assert plain == ["_records.<locals>.Note(text='a', tags=[], weight=1.0)",
                     "_records.<locals>.Note(text='a', tags=['x'], weight=2.0)", True, False,
                     True, "_records.<locals>.Key(source='s', number=2)", True, True, False,
                     "cannot assign to field 'number'", ["text", "tags", "weight", "hidden"]]


def test_dataclasses_compile_as_usual_outside_the_block(tmp_path: Path,
                                                        writes_bytecode: None) -> None:
    with compiled_once(tmp_path / "methods.bin"):
        assert hasattr(dataclasses, "exec")
    assert not hasattr(dataclasses, "exec")
    with compiled_once(tmp_path / "methods.bin") as done:
        pass
    _records()
    assert (done.reused, done.compiled) == (0, 0)


def test_nothing_is_written_when_python_writes_no_bytecode(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    with compiled_once(tmp_path / "methods.bin") as done:
        _records()
    assert done.compiled == 9
    assert not (tmp_path / "methods.bin").exists()


@pytest.mark.parametrize("content", [
    b"",
    b"\x00\x01\x02\x03" + marshal.dumps({}),  # another Python's magic number
    importlib.util.MAGIC_NUMBER + b"\xff\x00 torn",
    importlib.util.MAGIC_NUMBER + marshal.dumps(["not", "a", "table"]),
    importlib.util.MAGIC_NUMBER + marshal.dumps({"def f(): pass": "not code"}),
])
def test_a_foreign_or_damaged_file_is_ignored_and_replaced(
        tmp_path: Path, writes_bytecode: None, content: bytes) -> None:
    path = tmp_path / "methods.bin"
    path.write_bytes(content)
    assert read(path) == {}
    with compiled_once(path) as done:
        assert _behaviour(*_records()) == _behaviour(*_records())
    assert (done.reused, done.compiled) == (0, 18)
    assert len(read(path)) == 9


def test_a_folder_that_cannot_be_written_costs_only_the_compiling(
        tmp_path: Path, writes_bytecode: None) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache's folder would be")
    with compiled_once(blocked / "methods.bin") as done:
        _records()
    assert done.compiled == 9
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]
