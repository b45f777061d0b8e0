"""Six languages, acronyms, document symbols, "did you mean" and browsing order, via the index.

Each test builds a small index of crafted pages in the Conversation's style and searches it as
a researcher would.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from index import KbIndex, apply_changes, open_index
from index.analysis import fold, stem
from kb.model import ChangeSet, Document, SearchRequest
from tests.index.fixtures import doc


def _pages() -> list[Document]:
    return [
        doc("zh-deepfake", "深度伪造与人格权", [
            "深度伪造技术对表演者的肖像权和声音权构成新的挑战。",
        ], language="zh", date="2024-11-06"),
        doc("zh-patent", "人工智能与专利", [
            "会议讨论了人工智能生成的发明的专利保护问题。",
        ], language="zh", date="2024-03-14"),
        doc("fr-ompi", "Conversation de l'OMPI", [
            "Le Directeur général de l'OMPI a ouvert la session sur les données d'entraînement.",
        ], language="fr", date="2024-03-13"),
        doc("es-autor", "Derechos de autor e inteligencia artificial", [
            "Los creadores pidieron una remuneración justa por el uso de sus obras.",
        ], language="es", date="2021-06-01"),
        doc("ru-ip", "Интеллектуальная собственность", [
            "Делегаты обсудили охрану интеллектуальной собственности в эпоху ИИ.",
        ], language="ru", date="2023-09-20"),
        doc("ar-ai", "الملكية الفكرية والذكاء الاصطناعي", [
            "ناقش المندوبون حماية الملكية الفكرية للأعمال التي يولدها الذكاء الاصطناعي.",
        ], language="ar", date="2023-09-21"),
        doc("ar-meetings", "اجتماعات الويبو", [
            "عقدت الويبو اجتماعات مع الحكومات حول السياسات، وكانت المناقشات مفيدة.",
        ], language="ar", date="2023-09-22"),
        doc("en-nft", "IP and the Metaverse", [
            "NFTs and DAOs raise new questions for brand owners.",
            "An LLM's outputs and SMEs' access to training data were discussed.",
        ], date="2023-03-29"),
        doc("en-enforce", "Enforcement online", [
            "Enforcement of rights on blockchain platforms was the main topic.",
        ], date="2022-07-07"),
        doc("wipo_ip_ai_2_ge_20_1_rev", "Revised Issues Paper on Intellectual Property Policy "
            "and Artificial Intelligence", [
                "This paper sets out the issues for the second session of the Conversation.",
            ], doc_type="paper", date="2020-05-21"),
        doc("en-cites", "Second session: the Revised Issues Paper", [
            "Delegates commented on document WIPO/IP/AI/2/GE/20/1 REV, the Revised Issues "
            "Paper, and on WIPO/IP/AI/2/GE/20/1 REV again in their closing remarks; the paper "
            "WIPO/IP/AI/2/GE/20/1 Rev. was adopted as the basis of discussion.",
        ], date="2020-07-10"),
        doc("en-copyright", "Copyrighted works and training", [
            "Copyrighted works used in training data need licences.",
        ], date="2024-05-01"),
    ]


@pytest.fixture(scope="module")
def ix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KbIndex]:
    path = tmp_path_factory.mktemp("languages") / "ix"
    apply_changes(path, ChangeSet(upserts=_pages()))
    opened = open_index(path)
    yield opened
    opened.close()


def _docs(ix: KbIndex, query: str, **kwargs: object) -> list[str]:
    return [h.doc_id for h in ix.search(SearchRequest(query=query, **kwargs)).hits]


def test_a_chinese_query_finds_its_chinese_page(ix: KbIndex) -> None:
    result = ix.search(SearchRequest(query="深度伪造"))
    assert [h.doc_id for h in result.hits] == ["zh-deepfake"]
    assert "<mark>深度</mark><mark>伪造</mark>技术" in result.hits[0].snippet
    assert _docs(ix, "专利") == ["zh-patent"]


def test_a_french_elision_is_not_part_of_the_word(ix: KbIndex) -> None:
    result = ix.search(SearchRequest(query="OMPI", group="flat"))
    assert [h.passage_id for h in result.hits] == ["fr-ompi-0"]
    assert "l&#x27;<mark>OMPI</mark>" in result.hits[0].snippet
    assert _docs(ix, "l'OMPI") == ["fr-ompi"]
    assert _docs(ix, "entraînement") == ["fr-ompi"]


def test_a_spanish_word_finds_its_other_forms(ix: KbIndex) -> None:
    assert _docs(ix, "derecho") == ["es-autor"]
    assert _docs(ix, "creador", languages=["es"]) == ["es-autor"]


def test_a_russian_inflected_form_finds_another_form(ix: KbIndex) -> None:
    assert _docs(ix, "собственность") == ["ru-ip"]
    assert _docs(ix, "интеллектуальная") == ["ru-ip"]


def test_an_arabic_query_finds_its_page(ix: KbIndex) -> None:
    # The page writes "الذكاء" (with the article) and "للأعمال"; the query neither.
    assert _docs(ix, "ذكاء") == ["ar-ai"]
    assert _docs(ix, "والملكية") == ["ar-ai"]


# Plurals in "-at" (ات) and their singulars, folded as indexed (the article dropped), share one
# stem: PyStemmer's Arabic stemmer alone gives the plural "اجتماعا" and the singular "اجتماع".
@pytest.mark.parametrize(("plural", "singular", "shared"), [
    ("اجتماعات", "اجتماع", "اجتماع"),
    ("الاجتماعات", "الاجتماع", "اجتماع"),
    ("مناقشات", "مناقشة", "مناقش"),
    ("الحكومات", "حكومة", "حكوم"),
    ("سياسات", "سياسة", "سياس"),
    ("معلومات", "معلومة", "معلوم"),
    ("جلسات", "جلسة", "جلس"),
])
def test_an_arabic_plural_in_at_shares_its_singulars_stem(plural: str, singular: str,
                                                            shared: str) -> None:
    assert (stem(fold(plural), "ar"), stem(fold(singular), "ar")) == (shared, shared)


def test_a_short_arabic_word_keeps_its_final_at() -> None:
    # Under five letters the "-at" is more often the root's than a plural's: "ذات" (self).
    assert [stem(fold(w), "ar") for w in ("ذات", "بنات")] == ["ذات", "بنا"]


def test_an_arabic_singular_finds_the_plural_and_back(ix: KbIndex) -> None:
    # The page writes the plurals "اجتماعات", "الحكومات", "السياسات", "المناقشات".
    assert _docs(ix, "اجتماع") == ["ar-meetings"]
    assert _docs(ix, "مناقشة") == ["ar-meetings"]
    assert _docs(ix, "حكومة") == ["ar-meetings"]
    assert _docs(ix, "الاجتماعات") == ["ar-meetings"]


def test_the_query_is_read_in_the_languages_searched(ix: KbIndex) -> None:
    # "les" is a French stop word: searched in English only, it is a word like any other
    # (no English page has it), so nothing is found; in all languages it is dropped.
    english = ix.search(SearchRequest(query="les", languages=["en"]))
    assert english.total == 0
    assert ix.search(SearchRequest(query="session", languages=["French"])).total == 1


@pytest.mark.parametrize("query", ["NFT", "NFTs", "nfts", "DAO", "LLM", "LLM's", "SME",
                                   "SMEs"])
def test_acronym_plurals_and_possessives_match_the_singular(ix: KbIndex, query: str) -> None:
    result = ix.search(SearchRequest(query=query))
    assert [h.doc_id for h in result.hits] == ["en-nft"]
    assert result.suggestion == ""


def test_an_acronym_plural_is_marked_whole(ix: KbIndex) -> None:
    hit = ix.search(SearchRequest(query="NFT", group="flat")).hits[0]
    assert hit.snippet.startswith("<mark>NFTs</mark> and DAOs")


@pytest.mark.parametrize("query", ["WIPO/IP/AI/2/GE/20/1 REV", "WIPO/IP/AI/2/GE/20/1 Rev.",
                                   "wipo_ip_ai_2_ge_20_1_rev", "WIPO/IP/AI/2/GE/20/1/REV"])
def test_a_document_symbol_in_any_form_finds_its_paper_first(ix: KbIndex, query: str) -> None:
    assert _docs(ix, query) == ["wipo_ip_ai_2_ge_20_1_rev", "en-cites"]


def test_a_symbol_searched_is_marked_whole(ix: KbIndex) -> None:
    hit = ix.search(SearchRequest(query="wipo_ip_ai_2_ge_20_1_rev", group="flat")).hits[1]
    assert hit.snippet == (
        "Delegates commented on document <mark>WIPO/IP/AI/2/GE/20/1 REV</mark>, the Revised "
        "Issues Paper, and on <mark>WIPO/IP/AI/2/GE/20/1 REV</mark> again in their closing "
        "remarks; the paper <mark>WIPO/IP/AI/2/GE/20/1 Rev.</mark> was adopted as the basis of "
        "discussion.")


def test_a_symbol_without_its_revision_finds_the_revision_too(ix: KbIndex) -> None:
    assert _docs(ix, "WIPO/IP/AI/2/GE/20/1") == ["wipo_ip_ai_2_ge_20_1_rev", "en-cites"]


@pytest.mark.parametrize(("query", "suggestion"), [
    ("copyrighted", ""),
    ("copyrights", ""),
    ("trainng data", "training data"),
    ("blokchain", "blockchain"),
    ("foo:bar copyright", ""),
    ("(NFT OR blokchain) AND enforcement", "(NFT OR blockchain) AND enforcement"),
    ("NFTZ", ""),
    ("licencess", "licences"),
])
def test_did_you_mean(ix: KbIndex, query: str, suggestion: str) -> None:
    assert ix.search(SearchRequest(query=query)).suggestion == suggestion


def test_did_you_mean_never_offers_a_shorter_commoner_word(ix: KbIndex) -> None:
    # "data" is one edit from "datas" only by dropping a letter that is not a doubled one.
    assert ix.search(SearchRequest(query="datas")).suggestion == ""


def test_an_empty_query_lists_newest_first(ix: KbIndex) -> None:
    listed = ix.search(SearchRequest(query="", page_size=4))
    assert [h.date for h in listed.hits] == ["2024-11-06", "2024-05-01", "2024-03-14",
                                             "2024-03-13"]
    oldest = ix.search(SearchRequest(query="", sort="date-asc", page_size=1))
    assert oldest.hits[0].date == "2020-05-21"


def test_jieba_loads_only_for_chinese(tmp_path: Path) -> None:
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from index import apply_changes, open_index\n"
        "from kb.model import ChangeSet, SearchRequest\n"
        "from tests.index.fixtures import doc\n"
        f"apply_changes({str(tmp_path / 'ix')!r}, ChangeSet(upserts=[doc('a', 'T', ['Plain "
        "English text.'])]))\n"
        f"ix = open_index({str(tmp_path / 'ix')!r})\n"
        "assert ix.search(SearchRequest(query='english')).total == 1\n"
        "print('jieba' in sys.modules)\n"
        "assert ix.search(SearchRequest(query='深度伪造')).total == 0\n"
        "print('jieba' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True,
                         text=True, check=True)
    assert out.stdout.split() == ["False", "True"]
    assert "Building prefix dict" not in out.stderr
