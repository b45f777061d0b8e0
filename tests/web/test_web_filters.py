"""How values read on a page: times, dates, and which addresses may become links."""

from __future__ import annotations

import pytest

from web.filters import hhmmss, http_url, lang_attrs, nice_date


@pytest.mark.parametrize(("seconds", "shown"), [
    (None, ""), (0, "00:00:00"), (5.9, "00:00:05"), (62.0, "00:01:02"), (3723.5, "01:02:03"),
    (-3, "00:00:00"),
])
def test_hhmmss(seconds: float | None, shown: str) -> None:
    assert hhmmss(seconds) == shown


@pytest.mark.parametrize(("value", "shown"), [
    ("2024-03-13", "13 Mar 2024"), ("2024-03", "2024-03"), ("", ""), ("soon", "soon"),
])
def test_nice_date(value: str, shown: str) -> None:
    assert nice_date(value) == shown


@pytest.mark.parametrize(("url", "link"), [
    ("https://www.wipo.int/about-ip/en/frontier_technologies/", True),
    ("http://example.org/x", True),
    ("javascript:alert(1)", False),
    ("JavaScript:alert(1)", False),
    ("data:text/html,<script>alert(1)</script>", False),
    ("//evil.example/x", False),
    ("corpus/a.txt", False),
    ("", False),
])
def test_only_web_addresses_become_links(url: str, link: bool) -> None:
    assert http_url(url) == (url if link else None)


@pytest.mark.parametrize(("language", "attrs"), [
    ("en", ""), ("und", ""), ("fr", ' lang="fr"'), ("ar", ' lang="ar" dir="rtl"'),
    ('"><script>', ""),
])
def test_lang_attrs(language: str, attrs: str) -> None:
    assert lang_attrs(language) == attrs
