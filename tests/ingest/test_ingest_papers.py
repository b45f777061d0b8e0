"""Papers as PDF and Word: footnotes leave the body for a closing "Notes" section; title,
authors and abstract are read from the front matter."""

from __future__ import annotations

from pathlib import Path

import docx

from kb.model import Document
from kb.registry import Registry

from .conftest import extracted
from .pdfmaker import NOTE_SIZE, make_pdf

HEADER = "Data Rights Group: comments on training data"


def _doc(path: Path, registry: Registry) -> Document:
    outcome = extracted([path], registry)[path.name]
    assert isinstance(outcome, Document), outcome
    return outcome


def _sections(doc: Document) -> list[tuple[str, str]]:
    return [(p.heading, p.text) for p in doc.passages]


def test_pdf_footnotes_and_their_markers_leave_the_body(tmp_path: Path,
                                                              registry: Registry) -> None:
    pages = [
        [HEADER, "Training Data and Copyright",
         [("Developers copy large collections of works to train models", 11, 0), ("1", 6, 4),
          (" and the", 11, 0)],
         "copies raise questions of reproduction rights in most countries.", "12"],
        [HEADER, [("Text and data mining exceptions differ between countries", 11, 0),
                  ("2,3", 6, 4), (".", 11, 0)],
         "Licensing markets for training data are still young.", "13"],
        [HEADER, "Remuneration",
         "Creators asked for remuneration when their works train models.", "14"],
    ]
    notes = [
        [[("1", 6, 3), (" See the survey of national laws published in 2023.", NOTE_SIZE, 0)],
         "The survey covers forty countries."],
        [[("2", 6, 3), (" Article 4 of Directive 2019/790.", NOTE_SIZE, 0)],
         "3 Section 30-4 of the Japanese Copyright Act."],
        [],
    ]
    doc = _doc(make_pdf(tmp_path / "comments.pdf", pages, footnotes=notes), registry)
    assert doc.title == "Training Data and Copyright"
    assert _sections(doc) == [
        ("Training Data and Copyright",
         "Developers copy large collections of works to train models and the copies raise "
         "questions of reproduction rights in most countries. Text and data mining exceptions "
         "differ between countries. Licensing markets for training data are still young."),
        ("Remuneration", "Creators asked for remuneration when their works train models."),
        ("Notes", "1 See the survey of national laws published in 2023. The survey covers "
                  "forty countries.\n\n2 Article 4 of Directive 2019/790.\n\n"
                  "3 Section 30-4 of the Japanese Copyright Act."),
    ]


def test_a_note_continued_from_the_previous_page_goes_too(tmp_path: Path,
                                                          registry: Registry) -> None:
    pages = [["Licensing", "Collective licences cover many works at once, and several of the",
              "collecting societies of authors, performers and publishers in Europe and in",
              "North America"],
             ["now offer them to developers who need training data for their models."]]
    notes = [[[("1", 6, 3), (" The first such licence was offered in Sweden, and it was", 8, 0)]],
             ["followed by licences in Germany and France.",
              [("2", 6, 3), (" See the societies' annual reports.", 8, 0)]]]
    doc = _doc(make_pdf(tmp_path / "licences.pdf", pages, footnotes=notes), registry)
    assert _sections(doc) == [
        ("Licensing", "Collective licences cover many works at once, and several of the "
                      "collecting societies of authors, performers and publishers in Europe and "
                      "in North America now offer them to developers who need training data for "
                      "their models."),
        ("Notes", "1 The first such licence was offered in Sweden, and it was followed by "
                  "licences in Germany and France.\n\n2 See the societies' annual reports.")]


def test_notes_under_a_typed_rule_go_when_every_line_has_one_size(tmp_path: Path,
                                                                  registry: Registry) -> None:
    pages = [["Text and Data Mining",
              "Mining exceptions differ between countries1 and regions of the world.",
              "Some allow commercial mining, others only research.2 A G20 study agrees.",
              "__________",
              "1 See Article 4 of Directive 2019/790.",
              "2 Section 30-4 of the Japanese Copyright Act."]]
    doc = _doc(make_pdf(tmp_path / "tdm.pdf", pages), registry)
    assert _sections(doc) == [
        ("Text and Data Mining", "Mining exceptions differ between countries and regions of "
                                 "the world. Some allow commercial mining, others only research. "
                                 "A G20 study agrees."),
        ("Notes", "1 See Article 4 of Directive 2019/790.\n\n"
                  "2 Section 30-4 of the Japanese Copyright Act.")]


def test_unicode_superscript_markers_are_dropped_from_words(tmp_path: Path,
                                                            registry: Registry) -> None:
    pages = [["Inventorship", "Courts in several countries refused to name an AI as inventor¹.",
              "Others have not decided the question yet²,³ and wait for legislation."]]
    doc = _doc(make_pdf(tmp_path / "inventor.pdf", pages), registry)
    assert doc.text == ("Courts in several countries refused to name an AI as inventor. Others "
                        "have not decided the question yet, and wait for legislation.")


ABSTRACT = ("We study how courts and patent offices treat inventions made with the help of "
            "artificial intelligence, and propose a test of human contribution.")


def test_academic_pdf_title_authors_and_abstract(tmp_path: Path, registry: Registry) -> None:
    pages = [[
        "Journal of Frontier Technology Law, Vol. 4",
        [("Who Invents When Machines", 20, 0)],
        [("Help? Inventorship after DABUS", 20, 0)],
        [("Jane Doe", 11, 0), ("1", 6, 4), (", Pierre-Luc Martin", 11, 0), ("2", 6, 4),
         (" and Ana de la Souza", 11, 0), ("1", 6, 4)],
        "University of Geneva, Faculty of Law",
        "jane.doe@unige.ch",
        "March 14, 2024",
        [("Abstract", 12, 0)],
        "We study how courts and patent offices treat inventions made with the help of",
        "artificial intelligence, and propose a test of human contribution.",
        "Keywords: inventorship, DABUS, patents",
        [("1. Introduction", 12, 0)],
        "The DABUS applications were filed in many countries and refused in most of them.",
    ]]
    path = make_pdf(tmp_path / "doe.pdf", pages, title="Microsoft Word - draft7.docx",
                    author="jdoe")
    doc = _doc(path, registry)
    assert (doc.title, doc.speakers, doc.doc_type, doc.date) == (
        "Who Invents When Machines Help? Inventorship after DABUS",
        ["Jane Doe", "Pierre-Luc Martin", "Ana de la Souza"], "paper", "2024-03-14")
    assert _sections(doc) == [
        # The masthead is too short to stand alone: it opens the first passage after it.
        ("Abstract", "Journal of Frontier Technology Law, Vol. 4\n\n" + ABSTRACT),
        ("Keywords", "inventorship, DABUS, patents"),
        ("1. Introduction", "The DABUS applications were filed in many countries and refused "
                            "in most of them."),
    ]
    assert all(p.speaker == "" for p in doc.passages)


def test_pdf_inline_abstract_and_authors_from_the_metadata(tmp_path: Path,
                                                           registry: Registry) -> None:
    pages = [[
        [("Generative AI and the Public Domain", 18, 0)],
        "Prepared for the twelfth session by",
        "Jane Doe with John Smith",
        f"Abstract: {ABSTRACT}",
    ]]
    path = make_pdf(tmp_path / "domain.pdf", pages, author="Jane Doe; John Smith; Editor X")
    doc = _doc(path, registry)
    assert (doc.title, doc.speakers, doc.doc_type) == (
        "Generative AI and the Public Domain", ["Jane Doe", "John Smith"], "paper")
    assert _sections(doc) == [
        ("", "Prepared for the twelfth session by Jane Doe with John Smith"),
        ("Abstract", ABSTRACT),
    ]


def test_a_submission_by_an_organisation_is_a_third_party_report(tmp_path: Path,
                                                                  registry: Registry) -> None:
    pages = [[
        [("Comments on the Revised Issues Paper", 18, 0)],
        "Submitted by the International Federation of Musicians",
        "Musicians ask that their consent be sought before recordings train models.",
    ]]
    doc = _doc(make_pdf(tmp_path / "fim.pdf", pages), registry)
    assert (doc.title, doc.speakers, doc.doc_type) == (
        "Comments on the Revised Issues Paper", ["International Federation of Musicians"],
        "third-party-report")
    assert doc.text == ("Musicians ask that their consent be sought before recordings train "
                        "models.")


def test_a_page_set_small_throughout_is_not_taken_for_notes(tmp_path: Path,
                                                             registry: Registry) -> None:
    prose = "The delegations discussed training data, licensing and remuneration of authors."
    pages = [["Debate", prose, prose, prose],
             [("Annex", 8, 0), ("1 The Delegation of Japan asked for a study on licensing.", 8, 0),
              ("2 The Delegation of Brazil supported the request.", 8, 0)]]
    pages = [[line if isinstance(line, str) else [line] for line in page] for page in pages]
    doc = _doc(make_pdf(tmp_path / "annex.pdf", pages), registry)
    assert [p.heading for p in doc.passages] == ["Debate", "Annex"]
    assert doc.passages[-1].text == ("1 The Delegation of Japan asked for a study on licensing.\n\n"
                                     "2 The Delegation of Brazil supported the request.")


def test_a_wipo_paper_keeps_its_own_front_matter(tmp_path: Path, registry: Registry) -> None:
    pages = [[
        "WIPO/IP/AI/2/GE/20/1 REV.",
        [("Revised Issues Paper on Intellectual Property Policy", 16, 0)],
        "Prepared by the Secretariat",
        "Issue 1: Inventorship and Ownership",
        "The first issue asks whether an AI application could be named as the inventor.",
    ]]
    doc = _doc(make_pdf(tmp_path / "rev.pdf", pages, title="Microsoft Word - rev.docx"),
               registry)
    assert (doc.title, doc.speakers, doc.doc_type) == (
        "Revised Issues Paper on Intellectual Property Policy", [], "paper")


def test_docx_paper_title_authors_and_abstract(tmp_path: Path, registry: Registry) -> None:
    word = docx.Document()
    word.core_properties.title = "Draft"
    word.core_properties.author = "python-docx"
    word.add_paragraph("Who Invents When Machines Help?", style="Title")
    word.add_paragraph("By Jane Doe (University of Geneva) and John Smith")
    word.add_paragraph("Centre for Law and Technology, University of Geneva")
    word.add_heading("Abstract", level=1)
    word.add_paragraph(ABSTRACT)
    word.add_heading("Introduction", level=1)
    word.add_paragraph("The DABUS applications were refused in most countries.")
    path = tmp_path / "doe.docx"
    word.save(str(path))
    doc = _doc(path, registry)
    assert (doc.title, doc.speakers, doc.doc_type) == (
        "Who Invents When Machines Help?", ["Jane Doe", "John Smith"], "paper")
    assert _sections(doc) == [
        ("Abstract", ABSTRACT),
        ("Introduction", "The DABUS applications were refused in most countries."),
    ]


def test_a_docx_report_without_abstract_by_named_authors(tmp_path: Path,
                                                         registry: Registry) -> None:
    word = docx.Document()
    word.add_paragraph("Report on AI and Music Licensing", style="Title")
    word.add_paragraph("Ana Souza, Michele Woods")
    word.add_paragraph("Licences for training on recorded music are negotiated label by label.")
    path = tmp_path / "music.docx"
    word.save(str(path))
    doc = _doc(path, registry)
    assert (doc.title, doc.speakers, doc.doc_type) == (
        "Report on AI and Music Licensing", ["Ana Souza", "Michele Woods"],
        "third-party-report")
    assert doc.text == "Licences for training on recorded music are negotiated label by label."


def test_a_summary_by_named_rapporteurs_stays_a_summary(tmp_path: Path,
                                                        registry: Registry) -> None:
    word = docx.Document()
    word.add_paragraph("Summary of the Eighth Session", style="Title")
    word.add_paragraph("Ana Souza and Michele Woods")
    word.add_paragraph("The eighth session heard musicians and illustrators on generative AI.")
    path = tmp_path / "summary8.docx"
    word.save(str(path))
    doc = _doc(path, registry)
    assert (doc.title, doc.speakers, doc.doc_type, doc.sessions) == (
        "Summary of the Eighth Session", ["Ana Souza", "Michele Woods"], "summary", [8])


def test_front_matter_of_a_pdf_set_in_one_size(tmp_path: Path, registry: Registry) -> None:
    pages = [["Machine Learning and the Inventive Step", "Jane Doe and John Smith",
              "Institute for IP Law, Munich", "Abstract",
              "We ask how the person skilled in the art changes when AI tools are common, and "
              "what", "that means for the inventive step.", "Introduction",
              "Patent offices assess inventive step against the skilled person."]]
    doc = _doc(make_pdf(tmp_path / "step.pdf", pages), registry)
    assert (doc.title, doc.speakers, doc.doc_type) == (
        "Machine Learning and the Inventive Step", ["Jane Doe", "John Smith"], "paper")
    assert _sections(doc) == [
        ("Abstract", "We ask how the person skilled in the art changes when AI tools are "
                     "common, and what that means for the inventive step."),
        ("Introduction", "Patent offices assess inventive step against the skilled person."),
    ]
