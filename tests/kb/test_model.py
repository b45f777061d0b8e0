"""The records' to_dict(): the JSON shape, written out by hand where asdict was too slow for
/api/search, must still hold every field of the record, with its value."""

from __future__ import annotations

import dataclasses

from kb.model import Document, FacetValue, Hit, Passage


def test_a_facet_value_gives_every_field() -> None:
    value = FacetValue("9", "9 · Training the Machines · Mar 2024", 12, True)
    assert value.to_dict() == dataclasses.asdict(value)
    assert list(value.to_dict()) == [f.name for f in dataclasses.fields(FacetValue)]


def test_a_hit_gives_every_field_and_its_further_passages_alike() -> None:
    more = Hit(doc_id="d", passage_id="p2", source="s.md", title="T", type="news",
               date="2024-03-13", sessions=[9], topics=["copyright"], score=1.5,
               snippet="<mark>x</mark>", mentions=[2])
    hit = Hit(doc_id="d", passage_id="p1", source="s.md", title="T", type="news",
              date="2024-03-13", sessions=[9, 10], topics=["copyright"], score=2.25,
              snippet="a <mark>b</mark>", speaker="Daren Tang", heading="H", start=12.5,
              also_at=["copy.md"], more=[more], recording_url="https://example.org/v#t=12")
    assert hit.to_dict() == dataclasses.asdict(hit)
    # Copies: changing what to_dict gave never changes the hit.
    data = hit.to_dict()
    data["sessions"].append(1)
    data["more"][0]["topics"].append("x")
    assert (hit.sessions, more.topics) == ([9, 10], ["copyright"])


def test_a_record_gives_its_fields_in_order_whatever_was_set_on_it_since() -> None:
    """to_dict reads the instance's attributes at once when they are its fields in order, and
    field by field otherwise (an attribute deleted and set again, one added)."""
    passage = Passage(passage_id="p1", doc_id="d", position=0, text="Text", sessions=[9])
    names = [f.name for f in dataclasses.fields(Passage)]
    assert list(passage.to_dict()) == names
    del passage.heading
    passage.heading = "Moved"
    passage.extra = "not a field"  # type: ignore[attr-defined]
    data = passage.to_dict()
    assert list(data) == names and data == {**dataclasses.asdict(passage), "heading": "Moved"}
    data["sessions"].append(10)
    assert passage.sessions == [9]
    document = Document(doc_id="d", source="s.md", title="T", passages=[passage],
                        duplicate_urls={"a.md": "https://example.org/a"})
    assert document.to_dict(passages=False) == {
        **{k: v for k, v in dataclasses.asdict(document).items()
           if k not in ("doc_type", "passages")}, "type": "page"}
