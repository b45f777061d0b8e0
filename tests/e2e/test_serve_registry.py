"""The loop researchers run after every session, against a real `kb serve` process.

Start the server, add session 13 (and a topic) to the registries, add a page and a caption file
about it, run `kb ingest`: the live server labels, filters, facets and links session 13 and the
new topic without a restart, and every passage id copied before the registry edit still opens
its passage.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
from pathlib import Path

from .test_serve import Server, _get, served  # noqa: F401 - the fixture is used by name

SESSION_13 = (Path(__file__).resolve().parents[1] / "ingest" / "fixtures"
              / "session_13.toml").read_text(encoding="utf-8")
QUANTUM_TOPIC = """
[[topic]]
id = "quantum"
label = "Quantum technologies"
description = "Quantum computing, sensing and communication."
signals = ["quantum"]
"""
PAGE = """Thirteenth Session of the WIPO Conversation

April 15 and 16, 2026

The thirteenth session of the WIPO Conversation looked at quantum technologies and what they
mean for patents, trade secrets and standards. Panellists from research institutes and IP offices
discussed patent landscapes for quantum computing.
"""
CAPTIONS = """WEBVTT

00:00:03.000 --> 00:00:08.000
<v Chair>Good morning and welcome to the thirteenth session of the WIPO Conversation.

00:00:08.000 --> 00:00:14.000
<v Chair>Our subject today is quantum computing and the patents that protect it.
"""


def _all_passages(url: str) -> dict[str, str]:
    """passage id -> doc id for everything the server holds."""
    found: dict[str, str] = {}
    page = 1
    while True:
        data = json.loads(_get(f"{url}/api/search?group=flat&size=100&page={page}")[1])
        found.update({h["passage_id"]: h["doc_id"] for h in data["hits"]})
        if page >= data["pages"]:
            return found
        page += 1


def _status(url: str) -> int:
    try:
        return _get(url)[0]
    except urllib.error.HTTPError as exc:
        return exc.code


def test_a_new_session_reaches_a_running_server_without_restart_or_broken_links(
        served: tuple[Server, Path, Path]) -> None:  # noqa: F811
    server, corpus, index_dir = served
    server.wait_ready()
    before = _all_passages(server.url)
    assert len(before) == 17
    assert _status(server.url + "/search?session=13") == 400

    with (corpus / "sessions.toml").open("a", encoding="utf-8") as handle:
        handle.write(SESSION_13)
    with (corpus / "topics.toml").open("a", encoding="utf-8") as handle:
        handle.write(QUANTUM_TOPIC)
    (corpus / "thirteenth_session.txt").write_text(PAGE, encoding="utf-8")
    (corpus / "thirteenth_session_day1.vtt").write_text(CAPTIONS, encoding="utf-8")
    env = {**os.environ, "KB_CORPUS": str(corpus), "KB_INDEX": str(index_dir)}
    done = subprocess.run([sys.executable, "-m", "kb", "ingest"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Ingest: 2 added, 3 updated, 0 removed, 0 unchanged, 1 duplicates, 0 failed" \
        in done.stderr + done.stdout
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # the server notices the new generation by itself
        if json.loads(_get(server.url + "/healthz")[1])["documents"] == 5:
            break
        time.sleep(0.3)

    data = json.loads(_get(server.url + "/api/search?session=13")[1])
    assert sorted(h["source"] for h in data["hits"]) == ["thirteenth_session.txt",
                                                         "thirteenth_session_day1.vtt"]
    assert [(v["label"], v["count"], v["selected"]) for v in data["facets"]["session"]
            if v["value"] == "13"] == [("13 · Quantum · Apr 2026", 2, True)]
    status, page = _get(server.url + "/search?q=quantum")
    assert status == 200 and "13 · Quantum · Apr 2026" in page
    link = re.search(r'href="(/search\?[^"]*session=13[^"]*)"', page)
    assert link is not None
    facet_url = server.url + link.group(1).replace("&amp;", "&")
    status, filtered = _get(facet_url)
    assert status == 200 and "Thirteenth Session of the WIPO Conversation" in filtered
    assert '<strong class="total">2</strong>' in filtered
    status, session_page = _get(server.url + "/sessions/13")
    assert status == 200 and "Quantum Technologies and Intellectual Property" in session_page
    status, topics = _get(server.url + "/topics")
    assert status == 200 and "Quantum technologies" in topics
    assert _status(server.url + "/search?topic=quantum") == 200

    after = _all_passages(server.url)
    assert {p: d for p, d in after.items() if p in before} == before
    for passage_id, doc_id in before.items():
        status, doc = _get(f"{server.url}/doc/{urllib.parse.quote(doc_id)}?p={passage_id}")
        assert status == 200 and f'id="p-{passage_id}"' in doc
        assert "is no longer in this document" not in doc.split("hidden>")[0]
