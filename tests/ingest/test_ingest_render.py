"""render_text: a document as text with each heading once above its passages."""

from __future__ import annotations

import shutil
from pathlib import Path

import ingest
from kb.registry import Registry

from .conftest import FIXTURES, document

DELEGATES = ("Delegates described how training data is gathered from the open web, from "
             "licensed archives and from public domain collections, and asked which of these "
             "sources need a licence.")
HOLDERS = ("Rights holders replied that opt-out signals are not read by every crawler and that "
           "registries of works could help developers find who to ask.")


def test_each_heading_once_above_its_passages(tmp_path: Path, registry: Registry) -> None:
    path = Path(shutil.copy(FIXTURES / "render" / "panel.md", tmp_path / "panel.md"))
    doc = document([path], registry, "panel.md")
    # Two passages under "Background": the heading is printed above the first only; the
    # trailing "Annex" heading has nothing under it and is printed once.
    assert [p.heading for p in doc.passages] == ["Background", "Background", "Next steps",
                                                 "Annex"]
    assert ingest.render_text(doc) == "\n\n".join([
        "Background", " ".join([DELEGATES] * 4), " ".join([HOLDERS] * 3),
        "Next steps", "The Secretariat will publish a summary before the next session.",
        "Annex",
    ])
    assert "Background" not in doc.text  # what render_text adds: Document.text drops headings


def test_html_page_headings_and_a_document_without_headings(tmp_path: Path,
                                                            registry: Registry) -> None:
    shapes = Path(shutil.copytree(FIXTURES / "shapes", tmp_path / "shapes"))
    doc = document([shapes / "article.html"], registry, "article.html")
    first, second, third = (p.text for p in doc.passages)
    assert ingest.render_text(doc) == "\n\n".join([
        "Copyright infrastructure and generative AI", first, "Why infrastructure matters",
        second, "Next steps", third])
    (tmp_path / "plain.txt").write_text(
        "The ninth session looked at training data and licensing of works.\n", encoding="utf-8")
    plain = document([tmp_path / "plain.txt"], registry, "plain.txt")
    assert ingest.render_text(plain) == plain.text == (
        "The ninth session looked at training data and licensing of works.")


def test_a_transcript_names_each_speaker_where_the_turn_begins(tmp_path: Path,
                                                               registry: Registry) -> None:
    sentence = "Registries of works need identifiers that machines can read at scale. "
    (tmp_path / "talk.txt").write_text(
        ">> MICHELE WOODS:  Welcome, everyone, to the tenth session.\n\n"
        f">> ANA SOUZA:  {sentence * 30}\n\n"
        ">> MICHELE WOODS:  Thank you, Ana.\n", encoding="utf-8")
    doc = document([tmp_path / "talk.txt"], registry, "talk.txt")
    assert [p.speaker for p in doc.passages] == ["Michele Woods", "Ana Souza", "Ana Souza",
                                                 "Michele Woods"]
    second, third = doc.passages[1].text, doc.passages[2].text
    assert ingest.render_text(doc) == "\n\n".join([
        "Speakers found: 2\n  Michele Woods: 2 turns\n  Ana Souza: 1 turn",
        "Michele Woods: Welcome, everyone, to the tenth session.",
        f"Ana Souza: {second}", third, "Michele Woods: Thank you, Ana."])
