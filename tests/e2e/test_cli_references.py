"""`kb show` and `kb similar` take every reference kb prints, and say what they expected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result

from tests.conftest import copy_corpus
from tests.e2e.test_cli_seeds import SEED_003, kb

FORMS_HINT = ("  hint: give a doc_id or passage_id, p-<passage_id>, <source>#p-<passage_id> (as "
              "`kb search` prints it), or a link to /doc/<doc_id>#p-<passage_id> (a full http:// "
              "URL too)")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    base = tmp_path_factory.mktemp("refs")
    corpus = copy_corpus(base / "corpus")
    index_dir = base / "index"
    assert kb(corpus, index_dir, "ingest").exit_code == 0
    hit = json.loads(kb(corpus, index_dir, "search", "Gurry", "--flat", "--json").output)
    return corpus, index_dir, hit["hits"][0]


def run(seeded: tuple[Path, Path, dict], *args: str) -> Result:
    return kb(seeded[0], seeded[1], *args)


def test_the_reference_kb_search_prints_is_one_kb_show_takes(seeded: tuple) -> None:
    printed = run(seeded, "search", "Gurry", "--flat", "--limit", "1").output.splitlines()[-1]
    hit = seeded[2]
    assert printed.strip() == f"{SEED_003}#p-{hit['passage_id']}"
    shown = run(seeded, "show", printed.strip())
    assert shown.exit_code == 0, shown.output
    assert shown.output.splitlines()[:3] == [
        f"      doc_id: {hit['doc_id']}",
        f"  passage_id: {hit['passage_id']}",
        "       title: WIPO Director General Opens Virtual Conference on IP and AI",
    ]


@pytest.mark.parametrize("form", [
    "{p}", "p-{p}", "{source}#p-{p}", "/doc/{d}#p-{p}",
    "http://127.0.0.1:5000/doc/{d}?q=Gurry&p={p}#p-{p}",
])
def test_every_passage_form_shows_the_same_passage(seeded: tuple, form: str) -> None:
    hit = seeded[2]
    reference = form.format(p=hit["passage_id"], d=hit["doc_id"], source=hit["source"])
    shown = run(seeded, "show", reference, "--json")
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.output)
    assert (data["passage_id"], data["doc_id"]) == (hit["passage_id"], hit["doc_id"])
    similar = run(seeded, "similar", reference, "--format", "jsonl")
    assert similar.exit_code == 0, similar.output
    expected = run(seeded, "similar", hit["passage_id"], "--format", "jsonl").output
    assert similar.output == expected and expected


@pytest.mark.parametrize("form", ["{d}", "/doc/{d}", "http://localhost:5000/doc/{d}"])
def test_document_forms_show_the_document_with_its_doc_id(seeded: tuple, form: str) -> None:
    hit = seeded[2]
    shown = run(seeded, "show", form.format(d=hit["doc_id"]))
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert lines[:2] == [
        f"      doc_id: {hit['doc_id']}",
        "       title: WIPO Director General Opens Virtual Conference on IP and AI"]
    assert f"[{hit['passage_id']}]" in lines


def test_a_malformed_reference_says_which_forms_are_taken(seeded: tuple) -> None:
    result = run(seeded, "show", "the Gurry page")
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        "Error: 'the Gurry page' is not a reference kb understands", FORMS_HINT]


def test_an_unknown_id_is_not_found_with_the_forms(seeded: tuple) -> None:
    result = run(seeded, "similar", "page.txt#p-0000000000000000")
    assert result.exit_code == 6
    assert result.output.splitlines() == [
        "Error: no document or passage 'page.txt#p-0000000000000000'",
        FORMS_HINT + "; `kb search --json` lists doc_id and passage_id"]


def test_similar_to_a_document_names_a_passage_to_use(seeded: tuple) -> None:
    hit = seeded[2]
    first = json.loads(run(seeded, "show", hit["doc_id"], "--json").output)["passages"][0]
    result = run(seeded, "similar", hit["doc_id"])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"Error: '{hit['doc_id']}' is a document, not a passage (its first passage is "
        f"p-{first['passage_id']})",
        "  hint: `kb similar` compares one passage; `kb show DOC_ID` lists them"]
