"""Snippets and passages reach the page as text plus kb's own <mark> tags, nothing else."""

from __future__ import annotations

from markupsafe import Markup

from web.highlight import highlight, safe_snippet


def test_a_well_formed_snippet_keeps_its_marks() -> None:
    snippet = "the &lt;b&gt; <mark>training</mark> data &amp; more"
    assert safe_snippet(snippet) == Markup(snippet)


def test_stray_tags_in_a_snippet_are_escaped_not_rendered() -> None:
    snippet = "<mark>x</mark> <script>alert(1)</script> <img src=x onerror=alert(1)>"
    assert safe_snippet(snippet) == Markup(
        "<mark>x</mark> &lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;"
    )


def test_unbalanced_marks_are_closed_or_dropped() -> None:
    assert safe_snippet("</mark>a <mark>b") == Markup("a <mark>b</mark>")
    assert safe_snippet("<mark><mark>a</mark></mark>") == Markup("<mark>a</mark>")


def test_highlight_marks_the_given_indexed_words_and_escapes_the_rest() -> None:
    words = frozenset({"training", "trained", "machines"})
    text = "Training the machines <script>x</script>; trained & retrained."
    assert highlight(text, words) == Markup(
        "<mark>Training</mark> the <mark>machines</mark> &lt;script&gt;x&lt;/script&gt;; "
        "<mark>trained</mark> &amp; retrained."
    )


def test_highlight_without_words_only_escapes() -> None:
    assert highlight("a <b> c", frozenset()) == Markup("a &lt;b&gt; c")
