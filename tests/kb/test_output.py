"""One emitter for table, JSON, JSON Lines and CSV output."""

from __future__ import annotations

import json
from datetime import date

import pytest

from kb.model import FacetValue, Hit
from kb.output import (
    csv_cell,
    csv_text,
    echo,
    emit_records,
    json_bytes,
    json_text,
    one_line,
    plain_snippet,
    terminal_safe,
)


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


# -- the sanitiser: nothing kb prints can drive the terminal -----------------------------------

HOSTILE = "Title \x1b]0;pwned\x07 \x1b[2J \x1b]52;c;ZXZpbA==\x07 \x9b31m \u202eevil\x7f end"


def test_terminal_safe_shows_every_control_character_and_keeps_lines() -> None:
    assert terminal_safe(HOSTILE + "\nline two\tcolumn") == (
        "Title \\x1b]0;pwned\\x07 \\x1b[2J \\x1b]52;c;ZXZpbA==\\x07 \\x9b31m \\u202eevil\\x7f end"
        "\nline two\tcolumn")


def test_one_line_escapes_newlines_and_undecodable_bytes() -> None:
    name = "report\n2024\r.txt\t" + b"\xff".decode("utf-8", "surrogateescape")
    assert one_line(name) == "report\\n2024\\r.txt\\t\\xff"


def test_echo_goes_through_the_sanitiser(capsys: pytest.CaptureFixture[str]) -> None:
    echo(HOSTILE)
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
    assert out == terminal_safe(HOSTILE) + "\n"


def test_table_cells_stay_on_their_line(capsys: pytest.CaptureFixture[str]) -> None:
    emit_records([{"id": "a\nb", "title": "\x1b[2Jx"}], "table", ["id", "title"])
    assert capsys.readouterr().out.splitlines() == ["ID    TITLE", "a\\nb  \\x1b[2Jx"]


@pytest.mark.parametrize("value, cell", [
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ("+1+1", "'+1+1"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tleading tab", "'\\tleading tab"),
    ("\r=1", "'\\r=1"),
    ("plain = text", "plain = text"),
    (-1.5, "-1.500"),
    (-3, "-3"),
    (["=a", "b"], "'=a; b"),
])
def test_csv_cells_cannot_be_formulas(value: object, cell: str) -> None:
    assert csv_cell(value) == cell


def test_csv_text_defuses_formulas_and_controls() -> None:
    rows = [{"title": "=HYPERLINK(\"http://x\")", "source": "a\x1b[31m\nb.md", "score": -0.5}]
    assert csv_text(rows, ["title", "source", "score"]) == (
        'title,source,score\n"\'=HYPERLINK(""http://x"")",a\\x1b[31m\\nb.md,-0.500\n')


def test_json_escapes_what_json_leaves_raw(capsys: pytest.CaptureFixture[str]) -> None:
    data = {"t": "\x9b2J \u202e \x1b", "s": b"\xff".decode("utf-8", "surrogateescape")}
    assert json_text(data) == '{"t": "\\u009b2J \\u202e \\u001b", "s": "\\udcff"}'
    assert json.loads(json_text(data)) == data
    emit_records([data], "jsonl", ["t"])
    assert "\x9b" not in capsys.readouterr().out


def test_served_json_is_the_printed_json_without_spaces() -> None:
    data = {"t": "~\x7f\x9f\xa0 é — ’ \u202a\u202e\u202f \u2066\u2069\u206a \x1b\n",
            "n": [1, 2.5, None, True, False], "e": {}, "l": []}
    assert json_bytes(data) == (
        '{"t":"~\\u007f\\u009f\xa0 é — ’ \\u202a\\u202e\u202f \\u2066\\u2069\u206a '
        '\\u001b\\n","n":[1,2.5,null,true,false],"e":{},"l":[]}').encode()


def test_served_json_escapes_exactly_what_the_printed_json_escapes() -> None:
    every = "".join(map(chr, [*range(0xD800), *range(0xE000, 0x110000)]))
    assert json_bytes({"all": every}) == json_text({"all": every}, compact=True).encode()


def test_served_json_writes_what_orjson_refuses_as_the_printed_json_does() -> None:
    undecodable = b"\xff".decode("utf-8", "surrogateescape")
    assert json_bytes({"s": undecodable, 9: [2**70]}) == (
        b'{"s":"\\udcff","9":[1180591620717411303424]}')
    assert json_bytes([FacetValue(undecodable, "x", 1)]) == (
        b'[{"value":"\\udcff","label":"x","count":1,"selected":false}]')


def test_served_json_writes_a_record_as_its_to_dict() -> None:
    more = Hit("d", "d#2", "a.txt", "T", "page", "2024-03-01", [9], ["x"], 0.25, "s", speaker="B")
    hit = Hit("d", "d#1", "a.txt", "T", "page", "2024-03-01", [9], ["x"], 1.5, "<mark>s</mark>",
              start=12.0, more=[more])
    value = FacetValue("9", "9 · Training the Machines · Mar 2024", 3, True)
    assert json_bytes([hit, value]) == json_bytes([hit.to_dict(), value.to_dict()])
    assert json.loads(json_bytes(hit))["more"] == [more.to_dict()]


def test_served_json_hands_dates_to_default() -> None:
    assert json_bytes({"d": date(2024, 3, 1)}, default=date.isoformat) == b'{"d":"2024-03-01"}'
    with pytest.raises(TypeError):
        json_bytes({"d": date(2024, 3, 1)})
