"""Every reference form kb prints reads back to the ids it names."""

from __future__ import annotations

import pytest

from kb.refs import parse_reference

DOC = "e6b121e219815efb"
PASSAGE = "c64704b70b0a533d"


@pytest.mark.parametrize("text, candidates", [
    (DOC, (("document", DOC), ("passage", DOC))),
    (f"  {PASSAGE}\n", (("document", PASSAGE), ("passage", PASSAGE))),
    (f"p-{PASSAGE}", (("document", f"p-{PASSAGE}"), ("passage", f"p-{PASSAGE}"),
                      ("passage", PASSAGE))),
    (f"003_c1b8a34cd238fc18.txt#p-{PASSAGE}", (("passage", PASSAGE),)),
    (f"sub dir/report.jsonl#2024.txt#p-{PASSAGE}", (("passage", PASSAGE),)),
    (f"/doc/{DOC}#p-{PASSAGE}", (("passage", PASSAGE), ("document", DOC))),
    (f"/doc/{DOC}", (("document", DOC),)),
    (f"http://127.0.0.1:5000/doc/{DOC}?q=Gurry&p={PASSAGE}#p-{PASSAGE}",
     (("passage", PASSAGE), ("document", DOC))),
    (f"https://kb.example.org/doc/{DOC}?p={PASSAGE}", (("passage", PASSAGE), ("document", DOC))),
    ("rec-2024:7", (("document", "rec-2024:7"), ("passage", "rec-2024:7"))),
])
def test_each_printed_form_names_its_ids(text: str, candidates: tuple) -> None:
    reference = parse_reference(text)
    assert reference is not None
    assert reference.candidates == candidates


@pytest.mark.parametrize("text", ["", "two words", "page.txt#section", "/search?q=a",
                                  "http://x/sessions/9", "/doc/", "/doc/a b", "-p"])
def test_anything_else_is_not_a_reference(text: str) -> None:
    assert parse_reference(text) is None
