"""Ranking quality: kb's nDCG@10 and MAP beside SQLite FTS5 bm25() in one run, on Cranfield and
on the Conversation set (bench/conversation/).

The Cranfield documents go through the real index code (kb.model Documents, apply_changes into
a temporary folder, KbIndex.search with plain-word queries); the baseline is FTS5 with the
porter tokenizer and the query's words OR'ed, on the same titles and abstracts.

    python bench/ranking.py            # the default ranking
    python bench/ranking.py --tune     # also a grid over k1, b, field weights and coordination

The Conversation set ships in bench/conversation/: 29 short pages written in the style of the
Conversation's record (English, French, Spanish, Chinese, Arabic, Russian; document symbols,
speakers, datelines, two near-duplicate copies, distractors), 30 researcher questions and graded
judgments. kb ingests the pages through the real pipeline (``ingest.build_changes`` with the
corpus's registries and glossary) and answers with one hit per document, as ``kb search`` does;
the baseline is FTS5 over the same files' raw text (porter tokenizer, query words OR'ed, one row
per file). Both rankings are read through duplicates.tsv (a copy counts as its original, once).

Metrics: nDCG@10 with graded gains (cranqrel codes 1..4 -> gains 4..1, -1 -> 0) and a log2
discount, ideal ranking from all judged documents; MAP over the top 1000 with every document of
gain > 0 relevant. Both are averaged over the 225 queries.
"""

from __future__ import annotations

import argparse
import itertools
import math
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from index import apply_changes  # noqa: E402
from index.schema import TITLE_WEIGHT  # noqa: E402
from index.search import DEFAULT_RANKING, KbIndex, Ranking  # noqa: E402
from kb.model import ChangeSet, Document, Passage, SearchRequest  # noqa: E402

DATA = Path("../shared/bench-data/cranfield")
CONVERSATION = Path(__file__).resolve().parent / "conversation"
CORPUS = Path(__file__).resolve().parents[1] / "corpus"
DEPTH = 1000
_GAINS = {1: 4, 2: 3, 3: 2, 4: 1, -1: 0}


def read_documents(path: Path) -> list[tuple[str, str, str]]:
    """(number, title, abstract) for each document of cran.all.1400."""
    docs = []
    for block in re.split(r"^\.I ", path.read_text(encoding="utf-8"), flags=re.M)[1:]:
        number, rest = block.split("\n", 1)
        fields = dict(re.findall(r"^\.([TABW])\n(.*?)(?=^\.[TABW]\n|\Z)", rest, flags=re.M | re.S))
        docs.append((number.strip(), " ".join(fields.get("T", "").split()),
                     " ".join(fields.get("W", "").split())))
    return docs


def read_queries(path: Path) -> list[str]:
    """Query texts in file order: the judgments number them 1..225 by position."""
    blocks = re.split(r"^\.I ", path.read_text(encoding="utf-8"), flags=re.M)[1:]
    return [" ".join(block.split(".W", 1)[1].split()) for block in blocks]


def read_judgments(path: Path) -> dict[int, dict[str, int]]:
    judged: dict[int, dict[str, int]] = {}
    for line in path.read_text(encoding="utf-8").split("\n"):
        parts = line.split()
        if len(parts) == 3:
            judged.setdefault(int(parts[0]), {})[parts[1]] = _GAINS.get(int(parts[2]), 0)
    return judged


def ndcg_at_10(ranking: list[str], gains: dict[str, int]) -> float:
    dcg = sum(gains.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranking[:10]))
    ideal = sorted((g for g in gains.values() if g > 0), reverse=True)[:10]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def average_precision(ranking: list[str], gains: dict[str, int]) -> float:
    relevant = {d for d, g in gains.items() if g > 0}
    if not relevant:
        return 0.0
    found, total = 0, 0.0
    for i, doc in enumerate(ranking, start=1):
        if doc in relevant:
            found += 1
            total += found / i
    return total / len(relevant)


def evaluate(rankings: list[list[str]], judged: dict[int, dict[str, int]]) -> tuple[float, float]:
    ndcg = [ndcg_at_10(r, judged.get(i, {})) for i, r in enumerate(rankings, start=1)]
    ap = [average_precision(r, judged.get(i, {})) for i, r in enumerate(rankings, start=1)]
    return statistics.fmean(ndcg), statistics.fmean(ap)


def build_index(docs: list[tuple[str, str, str]], folder: Path) -> None:
    documents = [
        Document(doc_id=number, source=f"cran/{number}", title=title, doc_type="paper",
                 language="en", site="cranfield",
                 passages=[Passage(passage_id=f"{number}-0", doc_id=number, position=0,
                                   text=abstract)])
        for number, title, abstract in docs
    ]
    apply_changes(folder, ChangeSet(upserts=documents))


def kb_rankings(folder: Path, queries: list[str], ranking: Ranking) -> list[list[str]]:
    rankings = []
    with KbIndex(folder, ranking) as index:
        for text in queries:
            found: list[str] = []
            for page in range(1, DEPTH // 100 + 1):
                result = index.search(SearchRequest(query=text, page=page, page_size=100,
                                                    group="flat"))
                found += [hit.doc_id for hit in result.hits]
                if len(found) >= result.total:
                    break
            rankings.append(found)
    return rankings


def fts5_rankings(docs: list[tuple[str, str, str]], queries: list[str]) -> list[list[str]]:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(number UNINDEXED, title, abstract, "
               "tokenize='porter')")
    db.executemany("INSERT INTO docs VALUES (?, ?, ?)", docs)
    return _fts5_rank(db, "docs", "number", queries)


def _fts5_rank(db: sqlite3.Connection, table: str, key: str,
               queries: list[str]) -> list[list[str]]:
    """Each query's ranking by FTS5's bm25(), its words OR'ed (phrase-quoted, so none is read
    as an operator)."""
    rankings = []
    for text in queries:
        words = re.findall(r"\w+", text.lower())
        match = " OR ".join(f'"{w}"' for w in words)
        rows = db.execute(f"SELECT {key} FROM {table} WHERE {table} MATCH ? "
                          f"ORDER BY bm25({table}) LIMIT ?", (match, DEPTH)).fetchall()
        rankings.append([row[0] for row in rows])
    return rankings


def _table(path: Path) -> list[list[str]]:
    """Rows of a tab-separated file, without its comment lines."""
    return [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def conversation_set() -> tuple[list[Path], list[str], dict[int, dict[str, int]],
                                dict[str, str]]:
    """(pages, questions in id order, judgments by question number, copy -> original)."""
    pages = sorted((CONVERSATION / "pages").glob("*.md"))
    rows = _table(CONVERSATION / "questions.tsv")
    questions = [query for _, query in sorted(rows, key=lambda row: int(row[0]))]
    judged: dict[int, dict[str, int]] = {}
    for number, page, grade in _table(CONVERSATION / "qrels.tsv"):
        judged.setdefault(int(number), {})[page] = int(grade)
    copies = dict(_table(CONVERSATION / "duplicates.tsv"))
    return pages, questions, judged, copies


def originals(ranking: list[str], copies: dict[str, str]) -> list[str]:
    """A ranking with each copy read as its original, each page once."""
    return list(dict.fromkeys(copies.get(page, page) for page in ranking))


def conversation_kb(pages: list[Path], questions: list[str], folder: Path,
                    expand: bool = True) -> list[list[str]]:
    """kb's rankings: the pages ingested as ``kb ingest`` does, one hit per document."""
    import ingest
    from kb.registry import load_registry

    registry = load_registry(CORPUS)
    if not (folder / "built").exists():
        changes, report = ingest.build_changes([pages[0].parent], {}, registry)
        assert not report.failed, report.failed
        apply_changes(folder, changes)
        (folder / "built").touch()
    rankings = []
    with KbIndex(folder) as index:
        index.use_glossary(registry.glossary)
        for text in questions:
            result = index.search(SearchRequest(query=text, page_size=100, expand=expand))
            rankings.append([Path(hit.source).stem for hit in result.hits])
    return rankings


def conversation_fts5(pages: list[Path], questions: list[str]) -> list[list[str]]:
    """FTS5 bm25() over the raw files, the query's words OR'ed."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE pages USING fts5(name UNINDEXED, body, tokenize='porter')")
    db.executemany("INSERT INTO pages VALUES (?, ?)",
                   [(page.stem, page.read_text(encoding="utf-8")) for page in pages])
    return _fts5_rank(db, "pages", "name", questions)


def run_conversation() -> None:
    pages, questions, judged, copies = conversation_set()
    print(f"\nConversation set: {len(pages)} pages, {len(questions)} questions, "
          f"{sum(len(j) for j in judged.values())} judgments")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "index"
        systems = {
            "SQLite FTS5 bm25() porter, words OR-ed": conversation_fts5(pages, questions),
            "kb (glossary on, as shipped)": conversation_kb(pages, questions, folder),
            "kb --no-expand (words typed only)": conversation_kb(pages, questions, folder,
                                                                 expand=False),
        }
    scores = {name: evaluate([originals(r, copies) for r in rankings], judged)
              for name, rankings in systems.items()}
    print(f"{'system':<44} {'nDCG@10':>8} {'MAP':>8}")
    for name, (ndcg, ap) in scores.items():
        print(f"{name:<44} {ndcg:8.3f} {ap:8.3f}")
    base = scores["SQLite FTS5 bm25() porter, words OR-ed"][0]
    ours = scores["kb (glossary on, as shipped)"][0]
    print(f"kb / FTS5 on nDCG@10: {ours / base:.3f} (bar: 1.10)")
    kb_each = [ndcg_at_10(originals(r, copies), judged.get(i, {}))
               for i, r in enumerate(systems["kb (glossary on, as shipped)"], start=1)]
    fts_each = [ndcg_at_10(originals(r, copies), judged.get(i, {}))
                for i, r in enumerate(systems["SQLite FTS5 bm25() porter, words OR-ed"],
                                      start=1)]
    print("per question (nDCG@10 kb / FTS5):")
    for i, (question, a, b) in enumerate(zip(questions, kb_each, fts_each, strict=True),
                                         start=1):
        print(f"  {i:>2}. {question[:48]:<48} {a:6.3f} {b:6.3f}")


def _grid() -> list[Ranking]:
    grid = []
    for k1, b, exact in itertools.product((1.2, 1.6, 2.0, 2.5), (0.6, 0.75, 0.9), (0.3,)):
        grid.append(Ranking(k1=k1, b=b, exact=exact))
    return grid


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tune", action="store_true", help="also run a parameter grid")
    parser.add_argument("--conversation-only", action="store_true",
                        help="only the Conversation set (it ships with kb)")
    args = parser.parse_args()
    if args.conversation_only:
        run_conversation()
        return 0
    if not DATA.is_dir():
        print(f"Cranfield data not found at {DATA} (run from the repository root with "
              "../shared/bench-data present); measuring the Conversation set only.")
        run_conversation()
        return 0
    docs = read_documents(DATA / "cran.all.1400")
    queries = read_queries(DATA / "cran.qry")
    judged = read_judgments(DATA / "cranqrel")
    print(f"Cranfield: {len(docs)} documents, {len(queries)} queries, "
          f"{sum(len(j) for j in judged.values())} judgments")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "index"
        started = time.perf_counter()
        build_index(docs, folder)
        print(f"kb index built in {time.perf_counter() - started:.1f} s")
        base = evaluate(fts5_rankings(docs, queries), judged)
        started = time.perf_counter()
        ours = evaluate(kb_rankings(folder, queries, DEFAULT_RANKING), judged)
        elapsed = time.perf_counter() - started
        print(f"{'system':<44} {'nDCG@10':>8} {'MAP':>8}")
        print(f"{'SQLite FTS5 bm25() porter, words OR-ed':<44} {base[0]:8.3f} {base[1]:8.3f}")
        print(f"{'kb ' + _describe(DEFAULT_RANKING):<44} {ours[0]:8.3f} {ours[1]:8.3f}")
        print(f"kb: {len(queries)} queries in {elapsed:.1f} s; ahead on both: "
              f"{'yes' if ours[0] > base[0] and ours[1] > base[1] else 'NO'}")
        if args.tune:
            results = []
            for ranking in _grid():
                results.append((evaluate(kb_rankings(folder, queries, ranking), judged),
                                ranking))
            results.sort(key=lambda r: -(r[0][0] + r[0][1]))
            print("best 10 of the grid (nDCG@10 + MAP):")
            for (ndcg, ap), ranking in results[:10]:
                print(f"  {_describe(ranking):<44} {ndcg:8.3f} {ap:8.3f}")
    run_conversation()
    return 0


def _describe(ranking: Ranking) -> str:
    return (f"BM25F k1={ranking.k1} b={ranking.b} title x{TITLE_WEIGHT} "
            f"typed+{ranking.exact}")


if __name__ == "__main__":
    raise SystemExit(main())
