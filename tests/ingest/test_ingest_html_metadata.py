"""Page metadata from malformed, real-shaped pages (fixtures/malformed): lxml's tree and the
reader's rules read them; BeautifulSoup is not needed for any of these (see the README).

Each page is broken the way saved pages are: a PHP warning printed before ``<html>`` (the
parser then implies a root of its own, without the page's ``lang``), unclosed ``<p>``, ``<td>``
and ``<head>``, crossed ``<b><i>`` tags, upper-case markup, a ``<meta>`` inside the body, a
``rel`` holding several words in mixed case, the language declared only on ``<body>`` or in a
``content-language`` meta tag.
"""

from __future__ import annotations

from pathlib import Path

from ingest.readers.html import parse
from kb.model import Document
from kb.registry import Registry

from .conftest import FIXTURES, extracted

MALFORMED = FIXTURES / "malformed"
WIPO = "https://www.wipo.int/about-ip/{}/frontier_technologies/frontier_conversation.html"


def _declared_language(name: str) -> str:
    return parse((MALFORMED / name).read_bytes(), name)[0].language


def test_metadata_of_malformed_pages_through_the_pipeline(registry: Registry) -> None:
    found = extracted([MALFORMED], registry)
    summary = {source: (d.title, d.url, d.date, d.language, d.site)
               for source, d in found.items() if isinstance(d, Document)}
    assert summary == {
        "php_warning_before_html.html": (
            "Диалог ВОИС по вопросам интеллектуальной собственности и передовых технологий",
            WIPO.format("ru"), "2024-03-13", "ru", "www.wipo.int"),
        "unclosed_tags_meta_in_body.html": (
            "Conversation de l'OMPI sur la propriété intellectuelle et les technologies de "
            "pointe", WIPO.format("fr"), "2024-03-13", "fr", "www.wipo.int"),
        "body_lang_og_title.html": (
            "Conversación de la OMPI sobre PI y tecnologías de vanguardia", "", "2024-03-14",
            "es", "malformed"),
    }


def test_the_declared_language_is_read_wherever_the_page_put_it() -> None:
    assert _declared_language("php_warning_before_html.html") == "ru"  # its own <html> tag
    assert _declared_language("unclosed_tags_meta_in_body.html") == "fr"  # content-language
    assert _declared_language("body_lang_og_title.html") == "es"  # <body lang>


def test_the_text_of_a_malformed_page_is_whole_and_without_the_server_warning(
        registry: Registry) -> None:
    page = extracted([MALFORMED / "unclosed_tags_meta_in_body.html"], registry)[
        "unclosed_tags_meta_in_body.html"]
    assert isinstance(page, Document)
    assert [p.text for p in page.passages] == [
        "La Conversation de l'OMPI est un forum ouvert à toutes les parties prenantes pour "
        "débattre des incidences des technologies de pointe sur la propriété intellectuelle.",
        "La neuvième session a porté sur l'intelligence artificielle générative et les "
        "données d'entraînement, ainsi que sur la rémunération des créateurs.\n\n"
        "Session Date\n\n9 13 mars 2024"]
    warned = parse((MALFORMED / "php_warning_before_html.html").read_bytes(), "x.html")[0]
    assert not any("session_start" in block.text for block in warned.blocks)
    assert Path(MALFORMED / "php_warning_before_html.html").read_text(
        encoding="utf-8").count("session_start") == 1
