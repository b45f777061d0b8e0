"""How well a topic rule agrees with passages labelled by hand: micro-averaged precision and
recall over (passage, topic) pairs, so that a test and ``bench/topics.py`` measure the same way.

A labelled passage is ``{"heading", "text", "topics"}`` (see
``tests/ingest/fixtures/topic_labels.json``); a rule maps ``(heading, text)`` to topic ids.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Rule = Callable[[str, str], Sequence[str]]


@dataclass(frozen=True)
class Score:
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        tagged = self.true_positives + self.false_positives
        return self.true_positives / tagged if tagged else 1.0

    @property
    def recall(self) -> float:
        relevant = self.true_positives + self.false_negatives
        return self.true_positives / relevant if relevant else 1.0

    @property
    def f1(self) -> float:
        both = self.precision + self.recall
        return 2 * self.precision * self.recall / both if both else 0.0


def load_labels(path: Path) -> list[dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8"))


def score(rule: Rule, labels: Sequence[dict[str, Any]]) -> Score:
    tp = fp = fn = 0
    for item in labels:
        found = set(rule(item.get("heading", ""), item["text"]))
        expected = set(item["topics"])
        tp += len(found & expected)
        fp += len(found - expected)
        fn += len(expected - found)
    return Score(tp, fp, fn)
