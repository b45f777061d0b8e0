"""Two writing processes share the new documents by writing work, not by record count."""

from __future__ import annotations

from index.segments import document_work, manifest_work, split
from kb.model import Document, Passage


def _document(n: int, passages: int, chars: int) -> Document:
    doc_id = f"d{n}"
    return Document(doc_id=doc_id, source=f"{doc_id}.txt", title="T" * 10,
                    passages=[Passage(f"{doc_id}p{i}", doc_id, i, "x" * chars, heading="H")
                              for i in range(passages)])


def test_a_document_s_work_is_its_analysed_characters_and_a_cost_per_record() -> None:
    # Title 10 characters, counted twice per passage; heading 1, twice; 100 characters of text;
    # 520 per record (three passages and the document record).
    assert document_work(_document(0, 3, 100)) == 3 * (2 * 10 + 2 * 1 + 100) + 520 * 4
    assert manifest_work(10) == 3600


def test_a_run_of_long_documents_is_not_left_to_one_side() -> None:
    # Eight short documents, then two whose passages are long: by records (22) the cut would
    # fall after the first six, both long ones left to the second process; by work the two
    # long ones go one to each side.
    docs = [_document(n, 1, 50) for n in range(8)] + [_document(8 + n, 2, 20_000)
                                                      for n in range(2)]
    short, long = document_work(docs[0]), document_work(docs[8])
    assert (short, long) == (2 * 10 + 2 * 1 + 50 + 520 * 2, 2 * (2 * 10 + 2 * 1 + 20_000) + 520 * 3)
    assert split(docs) == 9
    # The writer's own manifest work moves the cut earlier: 210 entries are 75,600 characters'
    # worth, more than the short documents and one long one.
    assert split(docs, manifest_work(210)) == 8
