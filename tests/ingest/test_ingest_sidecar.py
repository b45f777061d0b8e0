"""Metadata sidecars override inference, are validated, and count in the content hash."""

from __future__ import annotations

import json
from pathlib import Path

from ingest import build_changes, discover
from ingest.identity import document_id
from kb.model import Document, Failure, ManifestEntry
from kb.registry import Registry

from .conftest import SEED_000, SEED_003, extracted


def _doc(folder: Path, registry: Registry, source: str) -> Document | Failure:
    return extracted([folder], registry)[source]


def test_json_sidecar_overrides_what_is_inferred(seeds: Path, registry: Registry) -> None:
    (seeds / f"{SEED_003}.meta.json").write_text(json.dumps({
        "title": "Opening of the second session", "sessions": [2, 3], "date": "2020-07-08",
        "type": "transcript", "language": "fr", "speakers": ["Francis Gurry"],
        "url": "https://www.wipo.int/pressroom/en/articles/2020/article_0016.html",
    }), encoding="utf-8")
    doc = _doc(seeds, registry, SEED_003)
    assert isinstance(doc, Document)
    assert (doc.title, doc.sessions, doc.date, doc.doc_type, doc.language, doc.speakers) == (
        "Opening of the second session", [2, 3], "2020-07-08", "transcript", "fr",
        ["Francis Gurry"])
    assert doc.url == "https://www.wipo.int/pressroom/en/articles/2020/article_0016.html"
    assert doc.doc_id == document_id(SEED_003, doc.url)
    assert doc.site == "www.wipo.int"
    assert all(p.sessions == [2, 3] for p in doc.passages)


def test_toml_sidecar_with_a_single_session(seeds: Path, registry: Registry) -> None:
    (seeds / f"{SEED_000}.meta.toml").write_text('session = 8\ndate = 2023-09-21\n',
                                                 encoding="utf-8")
    doc = _doc(seeds, registry, SEED_000)
    assert isinstance(doc, Document)
    assert (doc.sessions, doc.date) == ([8], "2023-09-21")


def test_sidecars_are_not_documents(seeds: Path) -> None:
    (seeds / f"{SEED_000}.meta.json").write_text("{}", encoding="utf-8")
    (seeds / ".hidden.txt").write_text("secret", encoding="utf-8")
    assert [f.source for f in discover([seeds])] == [
        SEED_000, "001_c3a6d4861f1c4946.txt", "002_107c567630f7e293.txt", SEED_003]


def test_a_bad_sidecar_fails_its_file_with_the_reason(seeds: Path, registry: Registry) -> None:
    cases = {
        '{"sessions": [42]}': "sidecar {name}: session 42 is not in sessions.toml (known: 1, 2, "
                              "3, 4, 5, 6, 7, 8, 9, 10, 11, 12)",
        '{"type": "blog"}': "sidecar {name}: 'type' must be one of session-page, news, "
                            "transcript, summary, paper, report, third-party-report, page, "
                            "got 'blog'",
        '{"date": "13 March"}': "sidecar {name}: 'date' must be a date like 2024-03-13, got "
                                "'13 March'",
        '{"sesions": [9]}': "sidecar {name}: unknown key(s) sesions (allowed: title, session, "
                            "sessions, date, type, language, speakers, url, recording, "
                            "original_url)",
        '{"speakers": {"SPEAKER_00": 3}}': "sidecar {name}: 'speakers' must map labels to "
                                           'names, like {{SPEAKER_00 = "Daren Tang"}}',
        '{"speakers": "Daren Tang"}': "sidecar {name}: 'speakers' must be a list of names, or "
                                      "a table mapping diarised labels to names",
        '{"recording": "youtube.com/x"}': "sidecar {name}: 'recording' must be an http(s) "
                                          "address, got 'youtube.com/x'",
        '{"title": ': "sidecar {name} is not valid: Expecting value: line 1 column 11 (char 10)",
    }
    name = f"{SEED_000}.meta.json"
    for content, reason in cases.items():
        (seeds / name).write_text(content, encoding="utf-8")
        assert _doc(seeds, registry, SEED_000) == Failure(SEED_000, reason.format(name=name))


def test_editing_only_the_sidecar_re_ingests_the_file(seeds: Path, registry: Registry) -> None:
    first, _ = build_changes([seeds], {}, registry)
    manifest: dict[str, ManifestEntry] = {e.source: e for e in first.manifest}
    (seeds / f"{SEED_000}.meta.json").write_text('{"sessions": [8]}', encoding="utf-8")
    second, report = build_changes([seeds], manifest, registry)
    assert report.updated == [SEED_000]
    assert [(d.source, d.sessions) for d in second.upserts] == [(SEED_000, [8])]
