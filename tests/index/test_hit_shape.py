"""What each hit shows: a marked word even when only its heading or title matched, and the
same further passages whatever the page size."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from index import KbIndex, apply_changes, open_index
from kb.model import ChangeSet, SearchRequest
from tests.index.fixtures import doc


@pytest.fixture(scope="module")
def ix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KbIndex]:
    docs = [
        doc("voices", "Deepfakes of performers", [
            "Panellists asked who owns a voice once it has been cloned.",
            "Several speakers called for consent and remuneration.",
        ], headings=["Likeness", "Remuneration of performers"], date="2025-10-28"),
        doc("many", "Licensing", [
            "Training data and remuneration: remuneration for training data.",
            *(f"Passage {n} on remuneration." for n in range(1, 6))], date="2024-03-13"),
        *(doc(f"other{n}", "Remuneration", ["Remuneration of creators for training data."],
              date=f"2024-03-1{n}") for n in range(1, 4)),
    ]
    path = tmp_path_factory.mktemp("hits") / "ix"
    apply_changes(path, ChangeSet(upserts=docs))
    index = open_index(path)
    yield index
    index.close()


def _snippets(ix: KbIndex, query: str) -> dict[str, str]:
    result = ix.search(SearchRequest(query=query, group="flat"))
    return {h.passage_id: h.snippet for h in result.hits}


def test_a_match_in_the_title_only_is_shown_with_the_title(ix: KbIndex) -> None:
    assert _snippets(ix, "deepfakes") == {
        "voices-0": "<mark>Deepfakes</mark> of performers — Panellists asked who owns a voice "
                    "once it has been cloned.",
        "voices-1": "<mark>Deepfakes</mark> of performers — Several speakers called for "
                    "consent and remuneration.",
    }


def test_a_match_in_the_heading_only_is_shown_with_the_heading(ix: KbIndex) -> None:
    snippets = _snippets(ix, "performers")
    assert snippets["voices-1"] == ("Remuneration of <mark>performers</mark> — Several speakers "
                                    "called for consent and remuneration.")
    # The heading comes before the title: it is the passage's own.
    assert snippets["voices-0"] == ("Deepfakes of <mark>performers</mark> — Panellists asked "
                                    "who owns a voice once it has been cloned.")


def test_a_match_in_the_text_needs_no_heading(ix: KbIndex) -> None:
    assert _snippets(ix, "cloned")["voices-0"] == (
        "Panellists asked who owns a voice once it has been <mark>cloned</mark>.")


@pytest.mark.parametrize("more", [0, 1, 2, 4, 5, 8])
def test_further_passages_do_not_depend_on_the_page_size(ix: KbIndex, more: int) -> None:
    def shown(size: int, page: int = 1) -> list[tuple[str, list[str]]]:
        hits = ix.search(SearchRequest(query="remuneration training", page_size=size,
                                       page=page, more_per_document=more)).hits
        return [(h.doc_id, [m.passage_id for m in h.more]) for h in hits]

    further = [f"many-{n}" for n in range(1, 6)][:more]
    assert shown(10)[0] == ("many", further)
    assert shown(1) == [("many", further)]
    assert shown(2) + shown(2, page=2) == shown(10)[:4]
