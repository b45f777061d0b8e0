"""Exports of 10,000 passages stream: the CSV is made chunk by chunk from the index, so the
memory it takes stays far below the size of the file it writes."""

from __future__ import annotations

import csv
import io
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kb.model import Document, Passage, SearchRequest

DOCUMENTS, PER_DOCUMENT = 500, 20
SENTENCE = ("Delegates discussed remuneration for performers whose voices train synthetic media "
            "models, and how licensing could reach creators in every member state. ")


@pytest.fixture(scope="module")
def big_library(tmp_path_factory: pytest.TempPathFactory, registry: Any) -> Iterator[Any]:
    import index
    from kb.model import ChangeSet
    from kb.search import Library

    target = tmp_path_factory.mktemp("big") / "index"
    docs = []
    for d in range(DOCUMENTS):
        doc_id = f"{d:016x}"
        passages = [Passage(passage_id=f"{d:08x}{p:08x}", doc_id=doc_id, position=p,
                            text=f"Passage {p} of document {d}. " + SENTENCE * 9,
                            speaker="Michele Woods" if p % 2 else "", sessions=[12])
                    for p in range(PER_DOCUMENT)]
        docs.append(Document(doc_id=doc_id, source=f"doc{d}.txt", title=f"Document {d}",
                             doc_type="transcript", date="2025-10-28", language="en",
                             sessions=[12], passages=passages))
    index.apply_changes(target, ChangeSet(upserts=docs))
    library = Library(target, registry)
    yield library
    library.close()


def test_a_10000_row_csv_export_streams_in_bounded_memory(big_library: Any) -> None:
    from kb.research import export

    big_library.search(SearchRequest(query="remuneration"))  # the index's caches, built once
    tracemalloc.start()
    try:
        result = export.export(big_library, SearchRequest(query="remuneration"), "csv",
                               "http://kb.example")
        blocks = sizes = 0
        for block in result.blocks:
            blocks += 1
            sizes += len(block.encode("utf-8"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.total == DOCUMENTS * PER_DOCUMENT == 10_000
    assert blocks == 1 + 10_000 // 500  # the header, then one block per chunk of 500
    assert sizes > 14_000_000
    assert peak < 8_000_000, f"peak {peak:,} bytes for a {sizes:,}-byte export"


def test_the_web_export_is_a_streamed_response_of_every_row(big_library: Any,
                                                            registry: Any) -> None:
    from web import create_app

    app = create_app({"KB_LIBRARY": big_library, "KB_REGISTRY": registry, "TESTING": True})
    response = app.test_client().get("/api/export?q=remuneration&format=csv",
                                     buffered=False)
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["X-KB-Total"] == "10000"
    first = next(iter(response.response))
    assert first.startswith(b"rank,passage_id,doc_id,permalink,")
    rest = b"".join(response.response)
    response.close()
    rows = list(csv.DictReader(io.StringIO((first + rest).decode("utf-8"))))
    assert len(rows) == 10_000
    assert rows[0]["text"].startswith("Passage ") and len(rows[0]["text"]) > 1300
    assert Path(rows[-1]["permalink"]).name.startswith(rows[-1]["doc_id"])
