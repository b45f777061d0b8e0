"""Each document shape through the real pipeline, from fixtures under fixtures/shapes."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import pytest

from kb.model import Document, Failure
from kb.registry import Registry

from .conftest import FIXTURES, extracted
from .pdfmaker import make_pdf

SHAPES = FIXTURES / "shapes"


@pytest.fixture
def shapes(tmp_path: Path) -> Path:
    return Path(shutil.copytree(SHAPES, tmp_path / "shapes"))


def _doc(path: Path, registry: Registry, source: str | None = None) -> Document:
    results = extracted([path], registry)
    outcome = results[source or path.name]
    assert isinstance(outcome, Document), outcome
    return outcome


def _turns(doc: Document) -> list[tuple[str, str]]:
    return [(p.speaker, " ".join(p.text.split()[:4])) for p in doc.passages]


def test_html_main_content_with_headings_and_metadata(shapes: Path, registry: Registry) -> None:
    doc = _doc(shapes / "article.html", registry)
    assert (doc.title, doc.doc_type, doc.date, doc.site, doc.sessions) == (
        "Copyright infrastructure and generative AI", "news", "2025-04-25", "www.wipo.int", [11])
    assert doc.url == ("https://www.wipo.int/about-ip/en/frontier_technologies/news/2025/"
                       "infrastructure.html")
    assert [p.heading for p in doc.passages] == [
        "Copyright infrastructure and generative AI", "Why infrastructure matters", "Next steps"]
    text = doc.text
    for furniture in ("cookies", "Terms of use", "About IP", "Follow us"):
        assert furniture not in text
    assert "copyright-infrastructure" in doc.topics


def test_markdown_front_matter_headings_and_inline_markup(shapes: Path, registry: Registry
                                                          ) -> None:
    doc = _doc(shapes / "notes.md", registry)
    assert (doc.title, doc.date, doc.sessions) == ("Notes on the twelfth session", "2025-10-30",
                                                   [12])
    assert [(p.heading, p.text) for p in doc.passages] == [
        ("Synthetic media", "The twelfth session looked at synthetic media, deepfakes and "
                            "digital replicas of voice and likeness."),
        ("Labelling", "Watermarking of AI output\n\nLabelling duties for platforms\n\n"
                      "Speakers asked whether existing personality rights are enough."),
    ]


def test_speaker_labelled_transcript_one_passage_per_turn(shapes: Path, registry: Registry
                                                          ) -> None:
    doc = _doc(shapes / "labelled_transcript.txt", registry)
    assert doc.doc_type == "transcript"
    assert _turns(doc) == [
        ("Michele Woods", "Welcome, everyone, to the"),
        ("David Lee", "Thank you, Michele. Our"),
        ("Chair", "We will take questions"),
        ("Gurry", "I would add that"),
        ("Michele Woods", "Thank you. Let us"),
    ]
    assert doc.speakers == ["Michele Woods", "David Lee", "Chair", "Gurry"]
    assert "rough-draft" not in doc.text
    assert doc.sessions == [10]


def test_speech_to_text_stream_recovers_speakers(shapes: Path, registry: Registry) -> None:
    name = "SCP_31_2019-12-03_AM_1_floor_hyp.txt"
    doc = _doc(shapes / name, registry)
    assert (doc.title, doc.date, doc.doc_type) == ("SCP 31 2019-12-03 AM 1 floor", "2019-12-03",
                                                   "transcript")
    assert "[[" not in doc.text and "speech recognition" not in doc.text
    assert _turns(doc) == [
        ("", "Good morning distinguished delegates."),
        ("Delegation of Japan", "Thank you Chair. Japan"),
        ("Ana Souza", "Thank you Mr Chair."),
    ]


def test_formal_report_numbered_paragraphs_and_delegations(shapes: Path, registry: Registry
                                                           ) -> None:
    doc = _doc(shapes / "report_a_59_14.txt", registry)
    assert (doc.title, doc.doc_type, doc.date, doc.sessions) == (
        "Report of the Second Session", "report", "2020-07-10", [2])
    turns = [(p.speaker, p.heading) for p in doc.passages if p.speaker]
    opening = "AGENDA ITEM 1: OPENING OF THE SESSION"  # the title is not repeated in the path
    assert turns == [
        ("Director General", opening),
        ("Delegation of Japan", opening),
        ("Delegation of Brazil", opening),
        ("Chair", "AGENDA ITEM 2: ISSUES PAPER"),
        ("Representative of the European Union", "AGENDA ITEM 2: ISSUES PAPER"),
        ("Secretariat", "AGENDA ITEM 2: ISSUES PAPER"),
    ]
    assert "page 2" not in doc.text and "A/59/14" not in doc.text and "1 to 3" not in doc.text


def test_webvtt_cues_merge_into_timed_turns(shapes: Path, registry: Registry) -> None:
    doc = _doc(shapes / "panel.vtt", registry)
    assert [(p.speaker, p.start, p.text) for p in doc.passages] == [
        ("Michele Woods", 1.0, "Good afternoon and welcome to the panel on copyright "
                               "infrastructure. Our first speaker works on rights registries."),
        ("Ana Souza", 15.0, "Thank you. Registries need identifiers that machines can read at "
                            "scale."),
    ]
    assert doc.doc_type == "transcript"


def test_subrip_cues_with_caption_labels(shapes: Path, registry: Registry) -> None:
    doc = _doc(shapes / "panel.srt", registry)
    assert [(p.speaker, p.start) for p in doc.passages] == [("Michele Woods", 1.0),
                                                            ("Ana Souza", 65.0)]


def test_json_lines_records_are_documents_and_bad_lines_fail_alone(shapes: Path,
                                                                   registry: Registry) -> None:
    results = extracted([shapes / "records.jsonl"], registry)
    assert sorted(results) == ["records.jsonl#line-3", "records.jsonl#line-4",
                               "records.jsonl#rec-1", "records.jsonl#rec-2"]
    first = results["records.jsonl#rec-1"]
    assert isinstance(first, Document)
    assert (first.doc_id, first.title, first.sessions, first.date, first.doc_type) == (
        "rec-1", "Comment from a collecting society", [9], "2024-03-14", "third-party-report")
    assert results["records.jsonl#line-3"] == Failure(
        "records.jsonl#line-3", "line 3: not valid JSON (Expecting ',' delimiter)")
    assert results["records.jsonl#line-4"] == Failure("records.jsonl#line-4",
                                                      "line 4: record has no 'id'")


def test_pdf_running_headers_and_page_numbers_are_removed(tmp_path: Path, registry: Registry
                                                          ) -> None:
    body = [
        ["WIPO/IP/AI/2/GE/20/1 REV.", "Issue 1: Inventorship and Ownership",
         "The first issue asks whether an AI application could be named as the inventor",
         "of an invention when it generated the invention without any human being",
         "involved.", "1"],
        ["WIPO/IP/AI/2/GE/20/1 REV.", "Patent law in most countries requires that the",
         "inventor be a natural person, and ownership follows from inventorship.", "2"],
        ["WIPO/IP/AI/2/GE/20/1 REV.", "Issue 2: Patentable Subject Matter",
         "The second issue concerns inventions made by AI and whether they should be",
         "excluded from patentability.", "3"],
    ]
    path = make_pdf(tmp_path / "issues.pdf", body, title="Revised Issues Paper")
    doc = _doc(path, registry)
    assert doc.title == "Revised Issues Paper"
    assert doc.doc_type == "paper"
    assert [(p.heading, p.text) for p in doc.passages] == [
        ("Issue 1: Inventorship and Ownership",
         "The first issue asks whether an AI application could be named as the inventor of an "
         "invention when it generated the invention without any human being involved.\n\n"
         "Patent law in most "
         "countries requires that the inventor be a natural person, and ownership follows from "
         "inventorship."),
        ("Issue 2: Patentable Subject Matter",
         "The second issue concerns inventions made by AI and whether they should be excluded "
         "from patentability."),
    ]
    assert doc.sessions == [2]  # the Revised Issues Paper is a document of session 2


def test_docx_headings_paragraphs_and_tables(tmp_path: Path, registry: Registry) -> None:
    word = docx.Document()
    word.core_properties.title = "Summary of the eighth session"
    word.add_heading("Generative AI and creators", level=1)
    word.add_paragraph("The eighth session heard musicians and illustrators on generative AI.")
    table = word.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Speaker"
    table.rows[0].cells[1].text = "Topic"
    path = tmp_path / "summary.docx"
    word.save(str(path))
    doc = _doc(path, registry)
    assert (doc.title, doc.doc_type, doc.sessions) == ("Summary of the eighth session",
                                                       "summary", [8])
    assert [(p.heading, p.text) for p in doc.passages] == [
        ("Generative AI and creators",
         "The eighth session heard musicians and illustrators on generative AI.\n\n"
         "Speaker | Topic"),
    ]


def test_html_link_menus_outside_nav_and_footer_link_rows_are_dropped(tmp_path: Path,
                                                                      registry: Registry) -> None:
    labels = ["About IP", "IP Training", "Patents", "Trademarks", "Copyright", "PATENTSCOPE",
              "Madrid Monitor", "WIPO Academy", "World IP Day", "IP News", "Careers", "Contact"]
    menu = "".join(f'<li><a href="/m{i}">{label}</a></li>' for i, label in enumerate(labels))
    article = ("The ninth session of the WIPO Conversation opened today in Geneva with more "
               "than 800 participants online and in the room.")
    (tmp_path / "short.html").write_text(
        f'<html><body><div class="mega-menu"><ul>{menu}</ul></div><div class="content">'
        f"<h1>Conversation opens</h1><p>{article}</p><p>Watch the event</p></div>"
        '<div class="site-footer"><p>Contact us · Terms of use · Privacy policy</p></div>'
        "</body></html>", encoding="utf-8")
    doc = _doc(tmp_path / "short.html", registry)
    assert (doc.title, doc.text, doc.sessions) == ("Conversation opens", article, [9])


def test_captions_of_one_speaker_split_at_a_long_pause(tmp_path: Path, registry: Registry
                                                       ) -> None:
    sentence = "We keep talking about registries and identifiers for works used by machines."
    cues = [f"00:00:{2 * i:02d}.000 --> 00:00:{2 * i + 1:02d}.900\n{sentence}" for i in range(4)]
    cues.append("00:00:30.000 --> 00:00:32.000\nAfter the pause, a new point.")
    (tmp_path / "talk.vtt").write_text("WEBVTT\n\n" + "\n\n".join(cues) + "\n", encoding="utf-8")
    doc = _doc(tmp_path / "talk.vtt", registry)
    assert [(p.start, len(p.text.split())) for p in doc.passages] == [(0.0, 48), (30.0, 6)]
