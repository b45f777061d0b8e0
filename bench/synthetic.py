"""A synthetic corpus shaped like the WIPO Conversation material, for the search benchmark.

Realistic in the ways that matter to an index: Zipfian word frequencies (a few very common
words, a long tail of rare ones) mixed with English stop words, domain phrases that trigger the
registry's topics, 12 sessions with their real dates, document types, a pool of speakers, and
passages of 40 to 150 words under headings. Deterministic for a given seed.

    python bench/synthetic.py --passages 1000 --out /tmp/synthetic   # writes JSON Lines files
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import string
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from index import apply_changes  # noqa: E402
from kb.model import DOC_TYPES, ChangeSet, Document, ManifestEntry, Passage  # noqa: E402
from kb.registry import Registry  # noqa: E402

VOCABULARY = 40_000
ZIPF_EXPONENT = 1.07
STOP_RATE = 0.38
PASSAGES_PER_DOCUMENT = (4, 16)
WORDS_PER_PASSAGE = (40, 150)
DOCS_PER_FILE = 200


def _words(text: str) -> list[str]:
    return text.split()


_STOPS = _words("""
the of and to in a is that for on with as by this be are from it at or an was which have
has not but their they we will can its been were also more
""")
_DOMAIN = _words("""
copyright data training intellectual property artificial intelligence patent inventor
rights creators works generated model law protection authors licensing innovation policy
office technology infringement voice music human authorship platform machine learning
dataset output disclosure examination
""")
_FIRST = _words("""
Anna Daren Sylvie Michele Marco Chen Amina Pedro Ulrike Kenji Fatima Olga Ravi Lucia Tom
Ines Yusuf Mei Carlos Nadia
""")
_LAST = _words("""
Tang Forbin Woods Rossi Wei Diallo Silva Becker Sato Haddad Petrova Kumar Garcia Smith
Moreau Okafor Lin Torres Novak
""")


@dataclass
class SyntheticDocument:
    """One generated document: enough to write a JSON Lines record or build a Document."""

    doc_id: str
    title: str
    sections: list[tuple[str, str]]  # (heading, paragraph)
    sessions: list[int]
    date: str
    doc_type: str
    speakers: list[str]

    def record(self) -> dict[str, object]:
        text = "\n\n".join(f"{heading}\n\n{paragraph}" for heading, paragraph in self.sections)
        return {"id": self.doc_id, "title": self.title, "text": text,
                "sessions": self.sessions, "date": self.date, "type": self.doc_type,
                "language": "en", "speakers": self.speakers}

    def document(self, topics: list[str]) -> Document:
        passages = [Passage(passage_id=f"{self.doc_id}-{i}", doc_id=self.doc_id, position=i,
                            text=paragraph, heading=heading,
                            speaker=self.speakers[i % len(self.speakers)] if self.speakers
                            else "")
                    for i, (heading, paragraph) in enumerate(self.sections)]
        return Document(doc_id=self.doc_id, source=f"synthetic/{self.doc_id}", title=self.title,
                        doc_type=self.doc_type, date=self.date, language="en",
                        sessions=self.sessions, topics=topics, speakers=self.speakers,
                        site="synthetic", content_hash=self.doc_id, passages=passages)


class Generator:
    def __init__(self, registry: Registry, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.registry = registry
        self.words = _vocabulary(self.rng)
        self.cumulative = list(accumulate(1.0 / (r ** ZIPF_EXPONENT)
                                          for r in range(1, len(self.words) + 1)))
        self.signals = [s.rstrip("*") for t in registry.topics.values() for s in t.signals[:2]]
        self.speakers = [f"{f} {last}" for f in _FIRST for last in _LAST][:200]
        self.types = list(DOC_TYPES)

    def text(self, count: int) -> str:
        words = self.rng.choices(self.words, cum_weights=self.cumulative, k=count)
        for i in range(len(words)):
            if self.rng.random() < STOP_RATE:
                words[i] = self.rng.choice(_STOPS)
        if self.rng.random() < 0.6:
            words.insert(self.rng.randrange(len(words)), self.rng.choice(self.signals))
        sentences, start = [], 0
        while start < len(words):
            end = start + self.rng.randint(8, 24)
            sentence = " ".join(words[start:end])
            sentences.append(sentence[:1].upper() + sentence[1:] + ".")
            start = end
        return " ".join(sentences)

    def heading(self) -> str:
        words = self.rng.choices(self.words[:3000], k=self.rng.randint(2, 5))
        return " ".join(w.capitalize() for w in words)

    def documents(self, passages: int) -> Iterator[SyntheticDocument]:
        """Documents until about ``passages`` passages have been produced."""
        sessions = list(self.registry.sessions.values())
        made, number = 0, 0
        while made < passages:
            count = min(self.rng.randint(*PASSAGES_PER_DOCUMENT), passages - made)
            session = self.rng.choice(sessions)
            day = session.start + dt.timedelta(days=self.rng.randint(-20, 40))
            doc_type = self.rng.choice(self.types)
            speakers = self.rng.sample(self.speakers, self.rng.randint(1, 6)) \
                if doc_type in ("transcript", "session-page", "news") else []
            sections = [(self.heading(), self.text(self.rng.randint(*WORDS_PER_PASSAGE)))
                        for _ in range(count)]
            yield SyntheticDocument(
                doc_id=f"syn{number:06d}", title=self.heading(), sections=sections,
                sessions=[session.number], date=day.isoformat(), doc_type=doc_type,
                speakers=speakers)
            made += count
            number += 1


def queries(generator: Generator, count: int, seed: int) -> list[str]:
    """Half one to three words (common to rare), half natural-language questions."""
    rng = random.Random(seed)
    words = generator.words

    def word() -> str:
        return words[min(len(words) - 1, int(10 ** rng.uniform(0.3, 4.0)))]

    templates = ["what was said about {} and {}", "how should {} be treated under {} law",
                 "who raised {} and {} during the discussion on {}",
                 "is there any agreement on {} for {} in the {} context",
                 "what did the panel conclude about {} {}"]
    made = []
    for i in range(count):
        if i % 2 == 0:
            made.append(" ".join(word() for _ in range(rng.randint(1, 3))))
        else:
            template = rng.choice(templates)
            made.append(template.format(*(word() for _ in range(template.count("{}")))))
    return made


def write_jsonl(documents: list[SyntheticDocument], folder: Path, prefix: str = "part") -> int:
    """Write the documents as JSON Lines files of DOCS_PER_FILE records; returns files written."""
    folder.mkdir(parents=True, exist_ok=True)
    files = 0
    for start in range(0, len(documents), DOCS_PER_FILE):
        chunk = documents[start:start + DOCS_PER_FILE]
        lines = [json.dumps(d.record(), ensure_ascii=False) for d in chunk]
        (folder / f"{prefix}{files:04d}.jsonl").write_text("\n".join(lines) + "\n",
                                                          encoding="utf-8")
        files += 1
    return files


def _vocabulary(rng: random.Random) -> list[str]:
    """Domain words first (the frequent ones), then invented words of 3 to 11 letters."""
    words = list(dict.fromkeys(_DOMAIN))
    seen = set(words) | set(_STOPS)
    consonants, vowels = "bcdfghklmnprstvz", "aeiou"
    while len(words) < VOCABULARY:
        syllables = rng.randint(1, 4)
        word = "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(syllables))
        if rng.random() < 0.5:
            word += rng.choice(string.ascii_lowercase)
        if word not in seen:
            seen.add(word)
            words.append(word)
    head, tail = words[:len(_DOMAIN)], words[len(_DOMAIN):]
    mixed = tail[:200]
    for i, word in enumerate(head):  # spread the domain words over the frequent ranks
        mixed.insert(min(len(mixed), 5 + i * 6), word)
    return mixed + tail[200:]



def write_index(documents: Iterable[SyntheticDocument], index_dir: Path) -> float:
    """Index synthetic documents with kb's own writer, without the ingest pipeline (the
    benchmarks that use this measure search, not ingest); returns the seconds it took."""
    started = time.perf_counter()
    docs = [d.document([]) for d in documents]
    changes = ChangeSet(upserts=docs, manifest=[
        ManifestEntry(source=d.source, doc_id=d.doc_id, content_hash=d.content_hash)
        for d in docs])
    apply_changes(index_dir, changes, timeout=60)
    return time.perf_counter() - started


def main() -> int:
    from kb.registry import load_registry

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--passages", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    generator = Generator(load_registry(Path("corpus")), args.seed)
    documents = list(generator.documents(args.passages))
    files = write_jsonl(documents, args.out)
    print(f"{len(documents)} documents, about {args.passages} passages, in {files} files "
          f"under {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
