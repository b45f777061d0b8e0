"""The seed pages through the real pipeline: what the issue requires of them, exactly."""

from __future__ import annotations

from pathlib import Path

from ingest import build_changes
from kb.model import Document
from kb.registry import Registry

from .conftest import SEED_000, SEED_001, SEED_002, SEED_003, extracted

FURNITURE = ["PATENTSCOPE", "Watch the event", "subscribe to our newsletter", "(Photo: WIPO)",
             "conceptual representation", "cyber data circulating", "Video:",
             "Madrid Monitor", "Financial Reporting"]


def _docs(seeds: Path, registry: Registry) -> dict[str, Document]:
    docs = extracted([seeds], registry)
    assert all(isinstance(d, Document) for d in docs.values()), docs
    return docs  # type: ignore[return-value]


def test_no_menu_or_furniture_survives_in_any_passage(seeds: Path, registry: Registry) -> None:
    docs = _docs(seeds, registry)
    assert sorted(docs) == [SEED_000, SEED_001, SEED_002, SEED_003]
    for doc in docs.values():
        for passage in doc.passages:
            for phrase in FURNITURE:
                assert phrase not in passage.text, (doc.source, phrase)
                assert phrase not in passage.heading, (doc.source, phrase)


def test_seed_metadata(seeds: Path, registry: Registry) -> None:
    docs = _docs(seeds, registry)
    summary = {s: (d.title, d.doc_type, d.date, d.language, d.sessions, d.site, len(d.passages))
               for s, d in docs.items()}
    assert summary == {
        SEED_000: ("9th WIPO Conversation on “Training the Machines – Bytes, Rights, and the "
                   "Copyright Conundrum” – Recap and Highlights", "news", "2024-03-13", "en", [9],
                   "seeds", 3),
        SEED_001: ("WIPO Conversation on Intellectual Property and Frontier Technologies",
                   "session-page", "2024-03-13", "en", [9], "seeds", 4),
        SEED_002: ("WIPO Conversation on Intellectual Property and Frontier Technologies",
                   "session-page", "2024-03-13", "en", [1, 2, 3, 4, 5, 6, 7, 8, 9], "seeds", 9),
        SEED_003: ("WIPO Director General Opens Virtual Conference on IP and AI", "news",
                   "2020-07-07", "en", [2], "seeds", 5),
    }


def test_overview_passages_carry_the_session_they_describe(seeds: Path, registry: Registry
                                                           ) -> None:
    doc = _docs(seeds, registry)[SEED_002]
    by_opening = {" ".join(p.text.split()[:3]): p.sessions for p in doc.passages}
    assert by_opening == {
        "The WIPO Conversation": [9],
        "Artificial Intelligence (AI)": [9],
        "The ninth session": [9],
        "The eighth session": [8],
        "The sixth session": [6],
        "The first three": [1, 2, 3],
        "The seventh session": [7],
        "The fifth session": [5],
        "The fourth session": [4],
    }


def test_background_mention_of_the_first_session_keeps_the_main_session(
        seeds: Path, registry: Registry) -> None:
    doc = _docs(seeds, registry)[SEED_003]
    background = [p for p in doc.passages if "First Session" in p.text]
    assert [p.heading for p in background] == ["Background: IP and AI"]
    assert background[0].sessions == [2]
    assert doc.sessions == [2]


def test_passages_are_bounded_and_end_with_a_whole_sentence(seeds: Path, registry: Registry
                                                            ) -> None:
    for doc in _docs(seeds, registry).values():
        for passage in doc.passages:
            assert len(passage.text.split()) <= 250
            assert passage.text.rstrip()[-1] in ".?!\"”4", (doc.source, passage.text[-40:])


def test_clean_and_menu_laden_copies_collapse_into_the_richer_one(seeds: Path,
                                                                  registry: Registry) -> None:
    changes, report = build_changes([seeds], {}, registry)
    assert sorted(d.source for d in changes.upserts) == [SEED_000, SEED_002, SEED_003]
    assert report.duplicates == {SEED_001: SEED_002}
    canonical = next(d for d in changes.upserts if d.source == SEED_002)
    assert canonical.duplicates == [SEED_001]
    entries = {e.source: e for e in changes.manifest}
    assert entries[SEED_001].duplicate_of == canonical.doc_id
    assert [entries[s].duplicate_of for s in (SEED_000, SEED_002, SEED_003)] == ["", "", ""]
    assert report.added == [SEED_000, SEED_002, SEED_003]
    assert report.passages_added == 3 + 9 + 5


def test_topics_are_the_subjects_of_passages_and_documents(seeds: Path,
                                                           registry: Registry) -> None:
    docs = _docs(seeds, registry)
    overview = docs[SEED_002]
    metaverse = next(p for p in overview.passages if p.text.startswith("The seventh session"))
    assert metaverse.topics == ["metaverse-nft", "blockchain"]
    # The 600-word overview page is about the ninth session; the older sessions it lists in a
    # line each are subjects of their passages, not of the page.
    assert overview.topics == ["copyright", "training-data", "generative-ai"]
    assert [p.topics for p in overview.passages] == [
        [], ["copyright", "training-data", "generative-ai"], ["copyright", "training-data"],
        ["generative-ai", "creators"], ["patents-inventorship", "ip-administration"],
        ["ai-regulation"], ["metaverse-nft", "blockchain"],
        ["ip-administration", "smes-innovation"], ["data"]]
    # The 300-word recap: the title's topics and the subjects of its three paragraphs.
    recap = docs[SEED_000]
    assert recap.topics == ["copyright", "training-data", "generative-ai", "creators",
                            "ai-regulation", "smes-innovation"]
    assert [p.topics for p in recap.passages] == [
        ["copyright", "training-data"], ["copyright", "creators", "ai-regulation"],
        ["generative-ai", "ai-regulation", "smes-innovation"]]
    assert docs[SEED_003].topics == ["data", "ai-regulation"]


def test_a_new_page_with_a_slightly_different_menu_loses_its_menu(seeds: Path,
                                                                  registry: Registry) -> None:
    changes, _ = build_changes([seeds], {}, registry)
    manifest = {e.source: e for e in changes.manifest}
    menu = (seeds / SEED_003).read_text(encoding="utf-8").split("\n", 1)[0]
    new_menu = menu.replace("Madrid Monitor", "Madrid Monitor Hague Monitor").replace(
        "World IP Day", "World IP Day 2026")
    (seeds / "004_new.txt").write_text(
        f"{new_menu}\n\nWIPO Conversation: the twelfth session\n\nThe twelfth session looked "
        "at synthetic media and digital replicas of voices.\n\nWatch the event\n",
        encoding="utf-8")
    second, report = build_changes([seeds], manifest, registry)
    assert report.added == ["004_new.txt"]
    (doc,) = second.upserts
    assert (doc.title, doc.sessions, doc.text) == (
        "WIPO Conversation: the twelfth session", [12],
        "The twelfth session looked at synthetic media and digital replicas of voices.")


def test_headings_are_paths_without_the_title(seeds: Path, registry: Registry) -> None:
    doc = _docs(seeds, registry)[SEED_002]
    assert [p.heading for p in doc.passages] == [
        "What is the WIPO Conversation?",
        'Ninth session of the WIPO Conversation on "Training the Machines – Bytes, Rights and '
        'the Copyright Conundrum"',
        'Ninth session of the WIPO Conversation on "Training the Machines – Bytes, Rights and '
        'the Copyright Conundrum"',
        "Previous sessions of the WIPO Conversation › Artificial Intelligence and IP",
        "Previous sessions of the WIPO Conversation › Artificial Intelligence and IP",
        "Previous sessions of the WIPO Conversation › Artificial Intelligence and IP",
        "Intellectual Property and the Metaverse",
        "New Technologies for Intellectual Property Administration",
        "Data and IP",
    ]
