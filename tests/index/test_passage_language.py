"""A passage in another language than its document is analysed and faceted in its own."""

from __future__ import annotations

from pathlib import Path

from index import apply_changes, open_index
from kb.model import ChangeSet, SearchRequest
from tests.index.fixtures import doc


def test_an_english_section_of_a_french_page(tmp_path: Path) -> None:
    page = doc("bilingue", "Conversation de l'OMPI", [
        "Les créateurs demandent une rémunération équitable pour leurs œuvres protégées.",
        "The delegates said that the copyrights of creators must be respected.",
    ], language="fr")
    page.passages[1].language = "en"
    apply_changes(tmp_path / "ix", ChangeSet(upserts=[page]))
    ix = open_index(tmp_path / "ix")
    try:
        result = ix.search(SearchRequest(query="copyrighted", group="flat"))
        assert [h.passage_id for h in result.hits] == ["bilingue-1"]
        assert result.hits[0].language == "en"
        assert "<mark>copyrights</mark>" in result.hits[0].snippet
        everything = ix.search(SearchRequest(query="", group="flat"))
        assert [(v.value, v.count) for v in everything.facets["language"]] == [("en", 1),
                                                                               ("fr", 1)]
        assert ix.document("bilingue").language == "fr"
    finally:
        ix.close()
