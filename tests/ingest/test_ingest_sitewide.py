"""Site-level boilerplate: blocks recurring across pages of one folder, with no list of them."""

from __future__ import annotations

from pathlib import Path

from ingest import build_changes, dedupe, sitewide
from ingest.readers.base import HEADING, PARAGRAPH, Block
from kb.model import Document, ManifestEntry
from kb.registry import Registry

from .conftest import extracted

FOOTER = ("World Intellectual Property Organization, 34 chemin des Colombettes, Geneva. "
          "Contact us, careers, procurement, terms of use, privacy policy and accessibility "
          "statements for all WIPO websites and services worldwide.")
VARIANT = FOOTER.replace("careers, procurement", "careers, job openings, procurement")
BODIES = [
    "The ninth session examined how training data is gathered for generative models. "
    "Delegates compared licensing schemes and collective management of rights.",
    "The eighth session turned to generative AI and the position of creators. "
    "Musicians and illustrators described how their work is reused by new tools.",
    "The seventh session explored the metaverse and non-fungible tokens. "
    "Speakers debated enforcement across borders and virtual jurisdictions.",
    "The sixth session considered AI inventions and patent examination. "
    "Offices shared how examiners assess inventive step for machine outputs.",
]


def _site(folder: Path, footers: list[str]) -> Path:
    folder.mkdir()
    for i, (body, footer) in enumerate(zip(BODIES, footers, strict=False)):
        (folder / f"page{i}.txt").write_text(f"Page {i}\n\n{body}\n\n{footer}\n",
                                             encoding="utf-8")
    return folder


def _texts(folder: Path, registry: Registry, **options: object) -> dict[str, str]:
    docs = extracted([folder], registry, **options)
    assert all(isinstance(d, Document) for d in docs.values())
    return {s: d.text for s, d in docs.items()}  # type: ignore[union-attr]


def test_a_block_recurring_across_pages_is_dropped(tmp_path: Path, registry: Registry) -> None:
    folder = _site(tmp_path / "site", [FOOTER, FOOTER, FOOTER, VARIANT])
    texts = _texts(folder, registry)
    assert texts == {f"page{i}.txt": BODIES[i] for i in range(4)}
    without = _texts(folder, registry, sitewide_layer=False)
    assert all(t.endswith("websites and services worldwide.") for t in without.values())


def test_a_new_page_with_a_slightly_different_footer_is_judged_against_the_manifest(
        tmp_path: Path, registry: Registry) -> None:
    folder = _site(tmp_path / "site", [FOOTER, FOOTER, FOOTER])
    first, _ = build_changes([folder], {}, registry)
    manifest: dict[str, ManifestEntry] = {e.source: e for e in first.manifest}
    (folder / "page3.txt").write_text(f"Page 3\n\n{BODIES[3]}\n\n{VARIANT}\n", encoding="utf-8")
    second, report = build_changes([folder], manifest, registry)
    assert report.added == ["page3.txt"]
    assert [d.text for d in second.upserts] == [BODIES[3]]


def test_text_shared_by_two_pages_of_different_folders_is_kept(tmp_path: Path,
                                                               registry: Registry) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    (tmp_path / "a" / "one.txt").write_text(f"{BODIES[0]}\n\n{FOOTER}\n", encoding="utf-8")
    (tmp_path / "b" / "two.txt").write_text(f"{BODIES[1]}\n\n{FOOTER}\n", encoding="utf-8")
    texts = _texts(tmp_path, registry)
    assert texts == {"a/one.txt": f"{BODIES[0]}\n\n{FOOTER}",
                     "b/two.txt": f"{BODIES[1]}\n\n{FOOTER}"}


TEASER = ("More about frontier technologies: read how WIPO supports innovators and creators with "
          "its guides, its IP policy toolkit and clinics for small businesses worldwide.")


def test_a_teaser_kept_by_main_content_extraction_is_dropped_across_html_pages(
        tmp_path: Path, registry: Registry) -> None:
    folder = tmp_path / "wipo"
    folder.mkdir()
    for i, body in enumerate(BODIES[:3]):
        (folder / f"p{i}.html").write_text(
            f"<html><body><nav><a href='/'>Home</a></nav><main><h1>Session page {i}</h1>"
            f"<p>{body}</p><h2>Related</h2><p>{TEASER}</p></main></body></html>",
            encoding="utf-8")
    assert _texts(folder, registry) == {f"p{i}.html": BODIES[i] for i in range(3)}
    without = _texts(folder, registry, sitewide_layer=False)
    assert without == {f"p{i}.html": f"{BODIES[i]}\n\n{TEASER}" for i in range(3)}


def test_a_pages_fingerprint_is_taken_of_the_words_of_its_signatures() -> None:
    """The worker tokenises each block once for both; the page's own text gives the same."""
    blocks = [Block("Ｔhe ﬁrst session’s report", HEADING),
              Block("\u0301e\u0301tude — İstanbul panel on training data and copyright for "
                    "creators, with remuneration and licensing of generative models", PARAGRAPH),
              Block(FOOTER, PARAGRAPH)]
    tokens = [sitewide.block_words(block) for block in blocks]
    assert tokens[0] == ["the", "first", "session", "s", "report"]
    page = dedupe.fingerprint(dedupe.block_text(blocks))
    assert dedupe.fingerprint_of([word for found in tokens for word in found]) == page
    assert page.words == sum(len(found) for found in tokens) == 51
    assert sitewide.document_signatures(blocks, tokens) == sitewide.document_signatures(blocks)


def test_recurrence_stops_counting_once_the_block_is_known_to_be_furniture() -> None:
    """A footer on five pages (two of them copies of one page, which count once) and a
    different block on one more: the count is exact without ``enough``, and stops at
    ``enough`` with it; a page's own copies never count for it."""
    footer = sitewide.block_signature(Block(FOOTER))
    variant = sitewide.block_signature(Block(VARIANT))
    other = sitewide.block_signature(Block(BODIES[0]))
    index = sitewide.SiteIndex([
        ("site", "a", [footer]), ("site", "b", [variant]), ("site", "b", [footer]),
        ("site", "c", [footer]), ("site", "d", [footer]), ("site", "e", [other]),
        ("elsewhere", "f", [footer])])
    assert index.recurrence("site", "a", footer) == 4
    assert index.recurrence("site", "new", footer) == 5
    assert index.recurrence("site", "new", footer, 3) == 3
    assert index.recurrence("site", "new", footer, 2) == 2
    assert index.recurrence("site", "new", footer, 9) == 5
    assert index.recurrence("site", "a", other, 2) == 2
    assert index.recurrence("site", "e", other, 2) == 1
    assert index.recurrence("nowhere", "a", footer, 2) == 1


def test_a_signature_not_in_the_index_is_counted_from_its_own_sketch() -> None:
    """An indexed signature's sketch is kept for recurrence; a block the index has never seen
    (a page ingested later) counts the same as an indexed copy of it."""
    footer = sitewide.block_signature(Block(FOOTER))
    index = sitewide.SiteIndex([("site", "a", [footer]), ("site", "b", [footer]),
                                ("site", "c", [footer])])
    assert index._sketches == {footer: sorted(footer)[:3]}
    variant = sitewide.block_signature(Block(VARIANT))
    assert variant not in index._sketches
    assert index.recurrence("site", "new", variant) == 4
    assert index.recurrence("site", "new", footer) == 4
