"""Rank fusion: pure functions over ranked id lists, deterministic on ties."""

from __future__ import annotations

from collections.abc import Sequence


def rrf(rankings: Sequence[Sequence[str]], k: int = 60,
        weights: Sequence[float] | None = None) -> list[tuple[str, float]]:
    """Reciprocal rank fusion: score(d) = Σ w_i / (k + rank_i(d)), ranks from 1.

    Ties go to the id seen first, in list order then rank, so equal inputs
    always give the same output.
    """
    weights = weights or [1.0] * len(rankings)
    scores: dict[str, float] = {}
    first_seen: dict[str, tuple[int, int]] = {}
    for li, (ranking, w) in enumerate(zip(rankings, weights, strict=True)):
        for rank, doc in enumerate(ranking, start=1):
            scores[doc] = scores.get(doc, 0.0) + w / (k + rank)
            first_seen.setdefault(doc, (rank, li))
    return sorted(scores.items(), key=lambda kv: (-kv[1], first_seen[kv[0]]))


def convex(scored: Sequence[Sequence[tuple[str, float]]],
           weights: Sequence[float]) -> list[tuple[str, float]]:
    """Weighted sum of min-max normalised scores; a list that misses an id adds 0."""
    total: dict[str, float] = {}
    first_seen: dict[str, tuple[int, int]] = {}
    for li, (ranking, w) in enumerate(zip(scored, weights, strict=True)):
        if not ranking:
            continue
        values = [s for _, s in ranking]
        lo, hi = min(values), max(values)
        span = hi - lo
        for rank, (doc, s) in enumerate(ranking, start=1):
            norm = (s - lo) / span if span > 0 else 1.0
            total[doc] = total.get(doc, 0.0) + w * norm
            first_seen.setdefault(doc, (rank, li))
    return sorted(total.items(), key=lambda kv: (-kv[1], first_seen[kv[0]]))


def union_by_score(*runs: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Candidate lists from one scorer (same scale) merged: each id once, at its best score,
    best first; ties keep first-seen order, so the result is deterministic."""
    best: dict[str, float] = {}
    for run in runs:
        for pid, score in run:
            if pid not in best or score > best[pid]:
                best[pid] = score
    order = {pid: i for i, pid in enumerate(best)}
    return sorted(best.items(), key=lambda kv: (-kv[1], order[kv[0]]))
