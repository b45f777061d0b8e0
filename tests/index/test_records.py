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
