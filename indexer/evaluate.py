"""Evaluation against a qrels file: MRR@10, Hit@10 and answer recall@10 per kind and mode.

A retrieved passage is relevant to an answer when it comes from the answer's
document and its source text, whitespace removed, contains every string of
the answer's ``all`` list; a passage spanning more than 1000 characters never
counts (so a whole-chapter "passage" cannot win by containing everything).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from indexer.errors import QueryError

MAX_RELEVANT_SPAN = 1000
WS = re.compile(r"\s+")


@dataclass(frozen=True)
class Answer:
    doc: str
    all: tuple[str, ...]


@dataclass(frozen=True)
class Qrel:
    id: str
    query: str
    kind: str
    answers: tuple[Answer, ...]


@dataclass(frozen=True)
class Retrieved:
    source: str
    text: str

    @property
    def squashed(self) -> str:
        return WS.sub("", self.text)


def load_qrels(path: Path) -> list[Qrel]:
    out = []
    with Path(path).open(encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                out.append(Qrel(row["id"], row["query"], row.get("kind", "all"), tuple(
                    Answer(a["doc"], tuple(WS.sub("", s) for s in a["all"])) for a in row["answers"])))
            except (ValueError, KeyError, TypeError) as exc:
                raise QueryError(f"{path}:{n}: not a qrels row ({exc})") from exc
    return out


def satisfies(r: Retrieved, a: Answer) -> bool:
    return r.source == a.doc and len(r.text) <= MAX_RELEVANT_SPAN and all(s in r.squashed for s in a.all)


def score_query(q: Qrel, ranked: Sequence[Retrieved], depth: int = 10) -> dict[str, float]:
    top = list(ranked[:depth])
    first = next((i for i, r in enumerate(top, start=1) if any(satisfies(r, a) for a in q.answers)), None)
    found = sum(1 for a in q.answers if any(satisfies(r, a) for r in top))
    return {
        "mrr": 1.0 / first if first else 0.0,
        "hit": 1.0 if first else 0.0,
        "recall": found / len(q.answers) if q.answers else 0.0,
    }


def evaluate(qrels: list[Qrel], run: Callable[[str], Sequence[Retrieved]], depth: int = 10) -> dict:
    """Per-kind and overall means, plus the per-query scores for inspection."""
    per_query = []
    for q in qrels:
        per_query.append({"id": q.id, "kind": q.kind, **score_query(q, run(q.query), depth)})
    table: dict[str, dict[str, float]] = {}
    for kind in [*sorted({r["kind"] for r in per_query}), "all"]:
        rows = [r for r in per_query if kind == "all" or r["kind"] == kind]
        table[kind] = {m: sum(r[m] for r in rows) / len(rows) for m in ("mrr", "hit", "recall")}
        table[kind]["n"] = len(rows)
    return {"table": table, "queries": per_query}


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0–100); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def format_table(results: dict[str, dict]) -> str:
    """results: mode → evaluate() output."""
    lines = [f"{'mode':<8}{'kind':<10}{'n':>4}{'MRR@10':>9}{'Hit@10':>9}{'Recall@10':>11}"]
    for mode, res in results.items():
        for kind, row in res["table"].items():
            lines.append(f"{mode:<8}{kind:<10}{row['n']:>4}{row['mrr']:>9.3f}{row['hit']:>9.3f}"
                         f"{row['recall']:>11.3f}")
    return "\n".join(lines)
