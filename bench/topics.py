"""Topic tagging quality: kb's rule (a topic is a subject of the passage) beside the rule it
replaced (a topic is any mention of one of its signals), on the same hand-labelled passages and
the same taxonomy, in one run.

    python bench/topics.py                 # corpus/topics.toml, the labels in tests/
    python bench/topics.py --per-topic     # also precision and recall per topic

The labels (``tests/ingest/fixtures/topic_labels.json``) are 60 passages: the 18 distinct
passages of the seed pages and 42 written in the Conversation's style across the twelve
sessions' subjects, each with the topics a reader would file it under. Scores are micro-averaged
over (passage, topic) pairs. The seed documents' topic counts show what a reader sees on a page.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import ingest  # noqa: E402
from ingest.enrich.topic_quality import Rule, load_labels, score  # noqa: E402
from ingest.enrich.topics import TopicMatcher  # noqa: E402
from kb.model import Document  # noqa: E402
from kb.registry import load_registry  # noqa: E402

LABELS = ROOT / "tests" / "ingest" / "fixtures" / "topic_labels.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--per-topic", action="store_true")
    args = parser.parse_args()
    registry = load_registry(args.corpus)
    matcher = TopicMatcher(registry)
    labels = load_labels(LABELS)
    rules: dict[str, Rule] = {
        "kb: subject of the passage": matcher.passage_topics,
        "before: any mention": lambda heading, text: matcher.signalled(f"{heading}\n{text}"),
    }
    print(f"{len(labels)} hand-labelled passages, {sum(len(i['topics']) for i in labels)} "
          f"labels, {len(registry.topics)} topics ({args.corpus / 'topics.toml'})\n")
    print(f"{'rule':30} {'P':>6} {'R':>6} {'F1':>6} {'tagged':>7} {'per passage':>12}")
    for name, rule in rules.items():
        s = score(rule, labels)
        tagged = s.true_positives + s.false_positives
        print(f"{name:30} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {tagged:7d} "
              f"{tagged / len(labels):12.2f}")
    if args.per_topic:
        print(f"\n{'topic':26} {'labels':>6}  " + "  ".join(f"{n.split(':')[0]:>13}"
                                                          for n in rules))
        for topic in registry.topics:
            subset = [{**i, "topics": [t for t in i["topics"] if t == topic]} for i in labels]
            cells = []
            for rule in rules.values():
                only = _only(rule, topic)
                s = score(only, subset)
                cells.append(f"P {s.precision:.2f} R {s.recall:.2f}")
            count = sum(topic in i["topics"] for i in labels)
            print(f"{topic:26} {count:6d}  " + "  ".join(f"{c:>13}" for c in cells))
    print(f"\nTopics per seed document (of {len(registry.topics)}):")
    seeds = sorted(p for p in args.corpus.glob("*.txt"))
    for _, outcome in ingest.extract(seeds, registry):
        if isinstance(outcome, Document):
            before = matcher.roll_up(matcher.signalled(f"{p.heading}\n{p.text}")
                                     for p in outcome.passages)
            words = sum(len(p.text.split()) for p in outcome.passages)
            print(f"  {outcome.source}: {words} words, kb {len(outcome.topics)}, "
                  f"before {len(before)}")


def _only(rule: Rule, topic: str) -> Rule:
    return lambda heading, text: [t for t in rule(heading, text) if t == topic]


if __name__ == "__main__":
    main()
