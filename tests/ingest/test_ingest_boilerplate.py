"""Page-level cleaning, tested on strings through the plain-text reader's block splitter."""

from __future__ import annotations

import re

import pytest

from ingest import boilerplate
from ingest.boilerplate import clean_page, is_furniture, is_menu_line
from ingest.readers.base import Block
from ingest.readers.structure import text_to_blocks

MENU = " ".join(["About IP", "IP Training", "Patent Protection", "Trademark Information",
                 "Global Brand Database", "Madrid Monitor", "IP Laws, Treaties & Judgements",
                 "WIPO Academy", "Workshops & Seminars", "World IP Day", "WIPO Magazine",
                 "Case Studies & Success Stories", "IP News", "Financial Reporting"])


def _texts(text: str, web_text: bool = True) -> list[str]:
    return [b.text for b in clean_page(text_to_blocks(text), web_text=web_text)]


def test_one_long_line_of_link_labels_is_a_menu() -> None:
    assert is_menu_line(MENU)
    assert not is_menu_line("The Conversation met in Geneva. " * 8)
    assert not is_menu_line("Training the Machines")


def test_trailing_furniture_is_dropped_and_content_kept() -> None:
    page = "\n\n".join([
        MENU,
        "Training data and copyright",
        "The ninth session looked at training data.",
        "Watch the event",
        "To receive regular updates about our events and projects, subscribe to our newsletter.",
        "Video: Discover how an artist creates an AI-generated runway",
        "conceptual representation of artificial intelligence technology\n(Photo: WIPO)",
        "Share this page",
        "The fourth session discussed data.",
    ])
    assert _texts(page) == ["Training data and copyright",
                            "The ninth session looked at training data.",
                            "The fourth session discussed data."]


def test_a_menu_with_one_label_per_line_is_dropped() -> None:
    labels = "\n".join(["Home", "About us", "Patents", "Trademarks", "Copyright", "Contact"])
    page = f"{labels}\n\nTitle of the page\n\nA sentence of content that stays here."
    assert _texts(page) == ["Title of the page", "A sentence of content that stays here."]


def test_short_lists_in_html_content_are_not_taken_for_menus() -> None:
    labels = ["pip install kb", "kb ingest", "kb search", "kb serve", "kb extract", "kb --help"]
    blocks = [Block(label) for label in labels]
    assert [b.text for b in clean_page(blocks, web_text=False)] == labels
    assert clean_page(blocks, web_text=True) == []


def test_furniture_patterns() -> None:
    assert is_furniture("(Photo: WIPO/Berrod)")
    assert is_furniture("Watch the webcast")
    assert is_furniture("Sign up for our newsletter to stay informed")
    assert is_furniture("We use cookies to improve your experience. Accept all cookies")
    assert is_furniture("Contact us · Terms of use · Privacy policy · Accessibility")
    assert not is_furniture("Geneva · 2024")
    assert not is_furniture("Japan said yes · Brazil said no · the Chair closed the debate.")
    assert not is_furniture("Photographs of the event were shared widely among delegates.")
    assert not is_furniture("The newsletter industry was discussed by the panel at length, "
                            "as were subscriptions, in the second part of the meeting "
                            "about creative work and how artists subscribe to services "
                            "that pay them for their work under licences negotiated with "
                            "collective management organisations.")


def test_a_sentence_broken_by_a_link_is_rejoined() -> None:
    blocks = text_to_blocks("The session was opened by\nthe Director General of WIPO.\n\nNext.")
    assert [b.text for b in blocks] == ["The session was opened by the Director General of WIPO.",
                                        "Next."]


@pytest.mark.parametrize(("text", "ends"), [
    ("One. Two! Three? Four", [(3, 4), (8, 9), (15, 16)]),
    ("Wait... what. Yes", [(12, 13)]),  # an ellipsis ends nothing
    ("He said “go.” Then", [(11, 13)]),  # closing quotes belong to the end
    ("第一。第二！三", [(2, 3), (5, 6)]),
    ("x.. y. z", [(5, 6)]),
    (".", [(0, 1)]),
    ("a.b", []),
    ("?!? ok", [(2, 3)]),
])
def test_sentence_ends_are_the_plain_definition_s(text: str, ends: list[tuple[int, int]]
                                                  ) -> None:
    """The sentence-end pattern opens with the marks' class (for a fast scan); its matches are
    those of the definition it is written from."""
    plain = re.compile(r"(?<!\.)[.!?](?:['\"”’)]*)(?=\s|$)|[。！？؟]")
    assert [m.span() for m in boilerplate._SENTENCE_END.finditer(text)] == ends
    assert [m.span() for m in plain.finditer(text)] == ends


@pytest.mark.parametrize(("text", "furniture"), [
    ("Subscribe to our newsletter", True),
    ("Sign up for the WIPO newſletter today", True),  # "ſ" matches "s" where case is ignored
    ("Register now for the weekly newsletters!", True),
    ("Our newsletter archive", False),
    ("We use cookies. Accept all", True),
    ("Subscribe to our newsletter " + "word " * 50, False),
])
def test_newsletter_and_cookie_notices(text: str, furniture: bool) -> None:
    assert is_furniture(text) is furniture


def test_word_limits_hold_at_their_bounds() -> None:
    """A cookie notice of up to 80 words is furniture, one word more is not; a label has at
    most five words (counting stops one past each bound)."""
    notice = "We use cookies on this site; please accept them."
    padded = notice + " " + " ".join(["word"] * (80 - len(notice.split())))
    assert len(padded.split()) == 80 and is_furniture(padded)
    assert not is_furniture(padded + " more")
    assert boilerplate._is_label("Home About Patents Designs Copyright")
    assert not boilerplate._is_label("Home About Patents Designs Copyright News")
    assert not boilerplate._is_label("Home.")
