"""Language detection on short and mixed pages: kb's word lists beside a library that ships its
model (lingua-language-detector, and py3langid), on the same texts in the same run.

kb detects a document's language from scripts and the function words of its language files
(``ingest.enrich.language``). This script measures whether a well-kept detector from PyPI that
needs no download does better, restricted to the six UN languages as kb is:

- the 61 labelled pages of the session set (tests/ingest/fixtures/session_pages, with their
  language in manifest.toml: news, mirrors with another language's site menu, third-party
  reports) and the 29 pages of the Conversation set (bench/conversation/pages, language in the
  file name), read whole, as ingest reads a document;
- the same pages cut short: the first 60 characters of each page's longest paragraph, the size
  of a heading or a caption.

Accuracy counts an answer right only when it is the page's language; kb's "und" (too little
evidence) counts as wrong and is also shown apart. The libraries are optional, for this script
only: ``pip install lingua-language-detector py3langid``; without them it measures kb alone.

    python bench/language.py
"""

from __future__ import annotations

import sys
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest.enrich.language import detect_language, majority_language  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SESSION_PAGES = ROOT / "tests" / "ingest" / "fixtures" / "session_pages"
CONVERSATION = ROOT / "bench" / "conversation" / "pages"
CODES = ("en", "fr", "es", "ru", "ar", "zh")
SHORT_CHARS = 60


def labelled_pages() -> list[tuple[str, str, str]]:
    """(name, text, language) of every labelled page."""
    manifest = tomllib.loads((SESSION_PAGES / "manifest.toml").read_text(encoding="utf-8"))
    pages = [(page["file"], (SESSION_PAGES / page["file"]).read_text(encoding="utf-8"),
              page["language"]) for page in manifest["page"]
             if page.get("language") in CODES]
    pages += [(path.name, path.read_text(encoding="utf-8"), path.name[:2])
              for path in sorted(CONVERSATION.glob("*.md"))]
    return pages


def short(text: str) -> str:
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    longest = max(paragraphs, key=lambda p: len(p.split()))
    return " ".join(longest.split())[:SHORT_CHARS]


def kb_page(text: str) -> str:
    return majority_language(p for p in text.split("\n\n") if p.strip())


def detectors() -> dict[str, Callable[[str], str]]:
    found: dict[str, Callable[[str], str]] = {"kb (word lists and scripts)": kb_page}
    try:
        from lingua import IsoCode639_1, LanguageDetectorBuilder

        wanted = [IsoCode639_1.from_str(code) for code in CODES]
        lingua = LanguageDetectorBuilder.from_iso_codes_639_1(*wanted).build()

        def with_lingua(text: str) -> str:
            language = lingua.detect_language_of(text)
            return language.iso_code_639_1.name.lower() if language else "und"

        found["lingua-language-detector (six languages)"] = with_lingua
    except ImportError:
        print("lingua-language-detector is not installed: measuring without it")
    try:
        import py3langid

        identifier = py3langid.langid.LanguageIdentifier.from_modelpath(
            Path(py3langid.langid.MODEL_DIR) / py3langid.langid.MODEL_FILE, norm_probs=True)
        identifier.set_languages(list(CODES))
        found["py3langid (six languages)"] = lambda text: identifier.classify(text)[0]
    except ImportError:
        print("py3langid is not installed: measuring without it")
    return found


def main() -> int:
    pages = labelled_pages()
    print(f"{len(pages)} labelled pages: "
          + ", ".join(f"{c} {sum(1 for _, _, lang in pages if lang == c)}" for c in CODES))
    print(f"{'detector':<44} {'whole':>7} {'short':>7} {'und':>5} {'ms/page':>8}")
    for name, detect in detectors().items():
        started = time.perf_counter()
        whole = [detect(text) for _, text, _ in pages]
        cut = [detect(short(text)) if name != "kb (word lists and scripts)"
               else detect_language(short(text)) for _, text, _ in pages]
        elapsed = (time.perf_counter() - started) * 1000 / (2 * len(pages))
        right_whole = sum(got == lang for got, (_, _, lang) in zip(whole, pages, strict=True))
        right_short = sum(got == lang for got, (_, _, lang) in zip(cut, pages, strict=True))
        undetermined = whole.count("und") + cut.count("und")
        print(f"{name:<44} {right_whole / len(pages):7.1%} {right_short / len(pages):7.1%} "
              f"{undetermined:>5} {elapsed:8.2f}")
        for answers, label in ((whole, "whole"), (cut, "short")):
            for got, (file, _, lang) in zip(answers, pages, strict=True):
                if got != lang:
                    print(f"    {label}: {file}: {got} (is {lang})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
