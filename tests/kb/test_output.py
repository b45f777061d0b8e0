"""One emitter for table, JSON, JSON Lines and CSV output."""

from __future__ import annotations

import json

import pytest

from kb.output import emit_records, plain_snippet


def test_plain_snippet_brackets_marks_and_decodes_entities() -> None:
    snippet = "the <mark>training</mark> <mark>data</mark> &amp; &lt;b&gt; rights"
    assert plain_snippet(snippet) == "the [training] [data] & <b> rights"


ROWS = [{"id": "a", "sessions": [9, 2], "score": 1.23456, "title": "One"},
        {"id": "b", "sessions": [], "score": 0.5, "title": "Two, \"quoted\""}]


def test_csv_joins_lists_and_quotes(capsys: pytest.CaptureFixture[str]) -> None:
    emit_records(ROWS, "csv", ["id", "sessions", "score", "title"])
    assert capsys.readouterr().out == (
        'id,sessions,score,title\na,9; 2,1.235,One\nb,,0.500,"Two, ""quoted"""\n')


def test_jsonl_streams_one_object_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    emit_records(iter(ROWS), "jsonl", ["id"])
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["a", "b"]


def test_table_aligns_columns(capsys: pytest.CaptureFixture[str]) -> None:
    emit_records(ROWS, "table", ["id", "sessions", "title"])
    assert capsys.readouterr().out.splitlines() == [
        "ID  SESSIONS  TITLE",
        "a   9; 2      One",
        'b             Two, "quoted"',
    ]


def test_table_wraps_the_last_column_under_itself(capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "30")
    emit_records([{"n": 1, "title": "Intellectual Property and Artificial Intelligence"}],
                 "table", ["n", "title"])
    assert capsys.readouterr().out.splitlines() == [
        "N  TITLE",
        "1  Intellectual Property and",
        "   Artificial Intelligence",
    ]
