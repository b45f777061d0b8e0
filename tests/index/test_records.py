"""A record's stored JSON is the standard library's text, whoever writes it (index.records)."""

from __future__ import annotations

import json
from dataclasses import replace

from index.records import document_records, manifest_record
from kb.model import ManifestEntry
from tests.index.fixtures import doc


def _standard(text: str) -> str:
    return json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))


def test_each_records_json_is_the_standard_librarys_text() -> None:
    base = doc("caps", "Légendes \u2028 «AI»", ["first \x00 words", "second"], language="fr")
    passages = base.passages
    for start, written in [(12.5, "12.5"), (1e-05, "1e-05"), (0.0, "0.0"), (3600.0, "3600.0"),
                           (float("nan"), "NaN"), (None, "null")]:
        captioned = replace(base, passages=[replace(passages[0], start=start), passages[1]])
        records = document_records(captioned)
        data = [record["data"] for record in records]
        assert data == [_standard(text) for text in data]
        assert f'"start":{written},' in data[1]
        assert '"title":"Légendes \u2028 «AI»"' in data[0] and '"first \\u0000 words"' in data[1]
    # A lone surrogate (an undecodable file name) is written as the standard library does.
    entry = ManifestEntry(source="bad\udcff.html", doc_id="x", content_hash="h")
    assert manifest_record(entry)["data"] == json.dumps(
        entry.to_dict(), ensure_ascii=False, separators=(",", ":"))
    assert '"source":"bad\udcff.html"' in manifest_record(entry)["data"]


def test_passage_records_hold_the_documents_fields_and_their_own_without_empty_ones() -> None:
    """The fields every passage of a document shares are made once per document; each record
    still holds them, its own fields after them, and no empty field."""
    paper = replace(doc("paper", "The paper", ["Opening words.", "Closing words."],
                        sessions=[9], speakers=["Daren Tang"], site="", date="2024-03-13",
                        headings=["Intro", ""], passage_speakers=["", "Sylvie Forbin"]),
                    source="docs/wipo_ip_ai_2_ge_20_1.pdf")
    paper.passages[1].mentions = [3]
    records = document_records(paper)
    assert [record["id"] for record in records] == ["d:paper", "p:paper-0", "p:paper-1"]
    shared = {"kind": "passage", "doc_id": "paper", "title": "\x02en\x03The paper",
              "type": "news", "year": "2024", "date": "2024-03-13",
              "src": "docs/wipo_ip_ai_2_ge_20_1.pdf", "language": "en", "session": "9"}
    title = "The paper wipo_ip_ai_2_ge_20_1"  # the symbol its file name carries, added
    assert {k: v for k, v in records[1].items() if k != "data"} == {
        **shared, "id": "p:paper-0", "session_any": "9", "speaker": "Daren Tang",
        "speaker_words": "Daren Tang", "heading": "\x02en\x03Intro",
        "body": f"\x02en\x03{title}\n{title}\nIntro\nIntro\nOpening words."}
    assert {k: v for k, v in records[2].items() if k != "data"} == {
        **shared, "id": "p:paper-1", "session_any": "3\x1e9",
        "speaker": "Sylvie Forbin", "speaker_words": "Sylvie Forbin", "heading": "\x02en\x03",
        "body": f"\x02en\x03{title}\n{title}\nClosing words."}
    # A file name without a symbol: the title alone.
    plain = document_records(replace(paper, source="docs/paper.pdf"))
    assert plain[1]["body"] == "\x02en\x03The paper\nThe paper\nIntro\nIntro\nOpening words."
