"""Document-level session precision, recall and F1, and language accuracy, beside the old rule.

Reads the evaluation pages in tests/ingest/fixtures/session_pages (WIPO session pages, news,
mirrors with menus, third-party reports, issues-paper pages, summaries, overview pages, in the
six UN languages; the expected sessions and language of each are in its manifest.toml), runs
kb's pipeline on them with the test registry, and prints the figures. The baseline is kb as it
was at a git revision (default: the last commit before the session rules), run in a subprocess from
``git archive`` with that revision's own registry, on the same pages in the same run.

    python bench/sessions.py [--baseline REV] [--no-baseline] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
import tomllib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "tests" / "ingest" / "fixtures" / "session_pages"
REGISTRY = ROOT / "tests" / "ingest" / "fixtures" / "registry"

#: Run inside the baseline's source tree: print {source: [sessions, language]} as JSON.
_EXTRACT = """
import json, sys
from pathlib import Path
import ingest
from kb.registry import load_registry
registry = load_registry(Path(sys.argv[2]))
out = {}
for _, result in ingest.extract([Path(sys.argv[1])], registry):
    sessions = getattr(result, "sessions", None)
    out[result.source] = None if sessions is None else [sessions, result.language]
print(json.dumps(out))
"""


def expected() -> dict[str, dict]:
    return {p["file"]: p for p in tomllib.loads((PAGES / "manifest.toml").read_text())["page"]}


def run_current() -> dict[str, list | None]:
    return _run(ROOT, REGISTRY)


#: kb as it was before documents' sessions were told apart from passing mentions (the baseline
#: the README's figures compare against; a clone without that history can pass --no-baseline).
RULES_BEFORE = "a28782c"


def run_baseline(revision: str) -> dict[str, list | None]:
    """The pipeline at ``revision``, with that revision's own test registry."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "kb", "ingest",
                                  "tests/ingest/fixtures/registry"],
                                 check=True, capture_output=True).stdout
        with tarfile.open(fileobj=__import__("io").BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        return _run(Path(tmp), Path(tmp) / "tests" / "ingest" / "fixtures" / "registry")


def _run(source_root: Path, registry: Path) -> dict[str, list | None]:
    done = subprocess.run([sys.executable, "-c", _EXTRACT, str(PAGES), str(registry)],
                          check=True, capture_output=True, text=True, cwd=source_root,
                          env={"PYTHONPATH": str(source_root), "PATH": ""})
    return json.loads(done.stdout)


def score(results: dict[str, list | None], truth: dict[str, dict]) -> dict[str, float]:
    """Micro-averaged P/R/F1 over (document, session) pairs; language accuracy; pages exact."""
    tp = fp = fn = right_language = exact = pages = 0
    per_language: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for name, page in truth.items():
        if page.get("skipped"):
            continue
        pages += 1
        got = results.get(name)
        sessions, language = (set(got[0]), got[1]) if got else (set(), "")
        want = set(page["sessions"])
        tp, fp, fn = tp + len(want & sessions), fp + len(sessions - want), fn + len(want - sessions)
        right_language += language == page["language"]
        exact += sessions == want
        per_language[page["language"]][0] += sessions == want
        per_language[page["language"]][1] += 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    figures = {"precision": precision, "recall": recall, "f1": f1,
               "language": right_language / pages, "exact": exact, "pages": pages}
    figures.update({f"exact_{code}": f"{a}/{b}" for code, (a, b) in sorted(per_language.items())})
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default=RULES_BEFORE,
                        help=f"git revision (default: {RULES_BEFORE}, kb before the session rules)")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="list pages kb gets wrong")
    args = parser.parse_args()
    truth = expected()
    rows = [("kb", run_current())]
    if not args.no_baseline:
        revision = args.baseline
        rows.append((f"baseline {revision[:10]}", run_baseline(revision)))
    skipped = sum(1 for p in truth.values() if p.get("skipped"))
    print(f"{len(truth) - skipped} pages with expected sessions and language "
          f"(+{skipped} boilerplate-only), {PAGES.relative_to(ROOT)}")
    print(f"{'system':<22} {'P':>6} {'R':>6} {'F1':>6} {'lang':>6} {'exact':>7}  per language")
    for label, results in rows:
        s = score(results, truth)
        langs = " ".join(f"{k[6:]} {v}" for k, v in s.items() if k.startswith("exact_"))
        print(f"{label:<22} {s['precision']:>6.3f} {s['recall']:>6.3f} {s['f1']:>6.3f} "
              f"{s['language']:>6.3f} {s['exact']:>3}/{s['pages']:<3}  {langs}")
        if args.verbose:
            for name, page in truth.items():
                got = results.get(name)
                if not page.get("skipped") and (got is None or sorted(got[0]) != page["sessions"]
                                                or got[1] != page["language"]):
                    print(f"    {name}: expected {page['sessions']} {page['language']}, "
                          f"got {got}")


if __name__ == "__main__":
    main()
