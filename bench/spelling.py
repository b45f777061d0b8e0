"""'Did you mean' on real misspellings: how often the suggestion is right, and how often a
correctly spelled word gets one.

The bundled corpus and the Conversation set's pages (bench/conversation/pages) are ingested
through the real pipeline into a temporary index; then each misspelling of
bench/misspellings.tsv (100 typos of words those pages hold, written by hand as people type
them) is searched alone, as ``kb search`` does, and its suggestion compared with the word
meant; then each word meant is searched correctly spelled, which should get no suggestion.

    python bench/spelling.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import ingest  # noqa: E402
from index import KbIndex, apply_changes  # noqa: E402
from kb.model import SearchRequest  # noqa: E402
from kb.registry import load_registry  # noqa: E402

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent / "corpus"


def read_pairs(path: Path) -> list[tuple[str, str]]:
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    return [(typo, meant) for typo, meant in rows]


def main() -> int:
    pairs = read_pairs(HERE / "misspellings.tsv")
    registry = load_registry(CORPUS)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "index"
        changes, report = ingest.build_changes([CORPUS, HERE / "conversation" / "pages"], {},
                                               registry)
        assert not report.failed, report.failed
        apply_changes(folder, changes)
        right, wrong, none = [], [], []
        false_alarms = []
        started = time.perf_counter()
        with KbIndex(folder) as index:
            for typo, meant in pairs:
                result = index.search(SearchRequest(query=typo, page_size=1))
                suggestion = result.suggestion or ("" if not result.total else
                                                   f"(none; {result.total} found by its stem)")
                if suggestion == meant:
                    right.append((typo, meant, suggestion))
                elif result.suggestion:
                    wrong.append((typo, meant, suggestion))
                else:
                    none.append((typo, meant, suggestion))
            for meant in dict.fromkeys(m for _, m in pairs):
                suggestion = index.search(SearchRequest(query=meant, page_size=1)).suggestion
                if suggestion:
                    false_alarms.append((meant, suggestion))
        elapsed = time.perf_counter() - started
    words = len(dict.fromkeys(m for _, m in pairs))
    print(f"{len(pairs)} misspellings of {words} words, "
          f"{len(pairs) + words} searches in {elapsed:.1f} s")
    print(f"  suggestion right:          {len(right):>3} ({len(right) / len(pairs):.0%})")
    print(f"  suggestion wrong:          {len(wrong):>3} ({len(wrong) / len(pairs):.0%})")
    found = [row for row in none if row[2]]
    print(f"  no suggestion:             {len(none):>3} ({len(none) / len(pairs):.0%}), of "
          f"which {len(found)} found passages anyway (a word sharing the typo's stem is "
          "indexed, so the word is not unknown)")
    print(f"correctly spelled words given a suggestion: {len(false_alarms)} of {words}")
    for typo, meant, suggestion in wrong:
        print(f"  wrong: {typo} -> {suggestion} (meant {meant})")
    for typo, meant, found_note in none:
        print(f"  none:  {typo} (meant {meant}) {found_note}")
    for meant, suggestion in false_alarms:
        print(f"  false alarm: {meant} -> {suggestion}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
