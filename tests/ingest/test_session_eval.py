"""The session evaluation set: 62 short pages in six languages with the sessions each is about.

Every page must come out exactly as its manifest says (sessions, language, or skipped), the
document-level F1 must stay at 0.95 or above, WIPO's menu must be gone from every page in every
language, and registering a session must not move a single passage id.
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from ingest.enrich.gaps import find_gaps, stanza
from kb.model import Document, SessionGap, Skipped
from kb.registry import Registry, load_registry

from .conftest import FIXTURES, extracted

PAGES = FIXTURES / "session_pages"
MANIFEST = tomllib.loads((PAGES / "manifest.toml").read_text(encoding="utf-8"))["page"]
#: Labels of WIPO's menu in each language (and names it keeps in all): none may survive.
MENU_LABELS = ["Patent & Technology Information", "PATENTSCOPE", "eHague", "WIPO Lex",
               "Formation en propriété intellectuelle", "Académie de l'OMPI",
               "Formación en PI", "Revista de la OMPI", "Обучение в области ИС", "Журнал ВОИС",
               "知识产权培训", "产权组织杂志", "مجلة الويبو", "أكاديمية الويبو"]
SESSION_13 = (FIXTURES / "session_13.toml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def results(registry: Registry) -> dict[str, Document | object]:
    return extracted([PAGES], registry)


@pytest.mark.parametrize("page", MANIFEST, ids=[p["file"] for p in MANIFEST])
def test_each_page_is_about_its_sessions_in_its_language(results: dict, page: dict) -> None:
    outcome = results[page["file"]]
    if page.get("skipped"):
        assert isinstance(outcome, Skipped), outcome
        return
    assert isinstance(outcome, Document), outcome
    assert (outcome.sessions, outcome.language) == (page["sessions"], page["language"])


def test_document_level_f1_is_at_least_0_95(results: dict) -> None:
    tp = fp = fn = 0
    for page in MANIFEST:
        if page.get("skipped"):
            continue
        got = set(getattr(results[page["file"]], "sessions", []))
        want = set(page["sessions"])
        tp, fp, fn = tp + len(got & want), fp + len(got - want), fn + len(want - got)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert 2 * precision * recall / (precision + recall) >= 0.95


def test_no_menu_label_survives_in_any_language(results: dict) -> None:
    for outcome in results.values():
        if isinstance(outcome, Document):
            for passage in outcome.passages:
                assert not [label for label in MENU_LABELS if label in passage.text], \
                    (outcome.source, passage.text[:80])


@pytest.mark.parametrize("name", ["zh_s2_menu.txt", "ar_s9_menu.txt", "fr_s2_menu.txt",
                                  "ru_s9_menu.txt", "es_s2_menu.txt"])
def test_a_single_page_loses_its_menu_without_the_site_layer(tmp_path: Path, registry: Registry,
                                                              name: str) -> None:
    shutil.copy(PAGES / name, tmp_path / name)
    doc = extracted([tmp_path / name], registry)[name]
    assert isinstance(doc, Document)
    assert "PATENTSCOPE" not in doc.text and "WIPO GREEN" not in doc.text
    assert doc.title == {"zh_s2_menu.txt": "第二届知识产权与人工智能产权组织对话会",
                         "ar_s9_menu.txt": "محادثة الويبو بشأن الملكية الفكرية والتكنولوجيات "
                                           "الحدودية",
                         "fr_s2_menu.txt": "Le Directeur général ouvre la deuxième session du "
                                           "Dialogue de l'OMPI sur la propriété intellectuelle "
                                           "et l'intelligence artificielle",
                         "ru_s9_menu.txt": "Дискуссия ВОИС по вопросам интеллектуальной "
                                           "собственности и передовых технологий",
                         "es_s2_menu.txt": "La segunda sesión del Diálogo de la OMPI sobre "
                                           "Propiedad Intelectual e Inteligencia Artificial"}[name]


def test_passing_mentions_are_facts_of_their_passage(results: dict) -> None:
    doc = results["en_s8_news_first_in_passing.txt"]
    assert doc.sessions == [8]
    assert [(p.sessions, p.mentions) for p in doc.passages] == [([8], [1])]
    overview = results["en_previous_sessions_overview.txt"]
    assert [(p.sessions, p.mentions) for p in overview.passages] == [
        ([8], []), ([7], []), ([6], []), ([5], [])]


def test_a_session_missing_from_the_registry_is_a_gap_with_a_stanza(results: dict,
                                                                     registry: Registry) -> None:
    doc = results["en_s13_unregistered.txt"]
    gaps = find_gaps(doc, registry)
    assert gaps == [SessionGap(
        "en_s13_unregistered.txt", 13,
        ["'Thirteenth Session' in the title", "'thirteenth session' in the text"],
        "2026-04-15", "2026-04-16",
        "Thirteenth Session of the WIPO Conversation on IP and Frontier Technologies")]
    assert stanza(gaps[0]) == (
        '[[session]]\nnumber = 13\n'
        'title = "Thirteenth Session of the WIPO Conversation on IP and Frontier Technologies"\n'
        'start = 2026-04-15\nend = 2026-04-16\nformat = "hybrid"  # check\n'
        'symbol = "WIPO/IP/CONV/GE/YY"  # fill in\nsymbol_confirmed = false\n'
        'description = "Seen in en_s13_unregistered.txt."  # describe it')
    assert all(find_gaps(d, registry) == [] for name, d in results.items()
               if isinstance(d, Document) and name != "en_s13_unregistered.txt")


def test_registering_a_session_moves_no_passage_id(tmp_path: Path, registry: Registry,
                                                   results: dict) -> None:
    edited = tmp_path / "registry"
    shutil.copytree(FIXTURES / "registry", edited)
    (edited / "sessions.toml").write_text(
        (edited / "sessions.toml").read_text(encoding="utf-8") + SESSION_13, encoding="utf-8")
    after = extracted([PAGES], load_registry(edited))
    before_ids = {s: [p.passage_id for p in d.passages] for s, d in results.items()
                  if isinstance(d, Document)}
    assert {s: [p.passage_id for p in d.passages] for s, d in after.items()
            if isinstance(d, Document)} == before_ids
    assert after["en_s13_unregistered.txt"].sessions == [13]
    assert find_gaps(after["en_s13_unregistered.txt"], load_registry(edited)) == []


def test_a_date_after_the_last_session_is_a_gap_with_a_guessed_number(
        tmp_path: Path, registry: Registry) -> None:
    page = tmp_path / "spring_meeting.txt"
    page.write_text("WIPO Conversation on IP and Frontier Technologies: Quantum Computing\n\n"
                    "May 5 and 6, 2026\n\nThe Conversation met in Geneva to discuss quantum "
                    "computing, sensing and communication and what they mean for patents.\n",
                    encoding="utf-8")
    doc = extracted([page], registry)[page.name]
    assert isinstance(doc, Document) and doc.sessions == []
    assert find_gaps(doc, registry) == [SessionGap(
        page.name, 13, ["a date after the last session: 2026-05-05"], "2026-05-05", "2026-05-06",
        "WIPO Conversation on IP and Frontier Technologies: Quantum Computing", "",
        guessed=True)]
