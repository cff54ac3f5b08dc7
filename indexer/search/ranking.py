"""Ranking: named runs fused (weights keyed by the run's name), exact-match tiers,
the preference for documents a query names, which candidates match at all, and
documents interleaved for comparisons. Pure functions over (row, score) lists."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from indexer.config import SearchConfig
from indexer.query.request import MAX_K, MAX_OFFSET, QueryPlan
from indexer.search.fusion import convex, rrf
from indexer.search.matching import MIN_WORD_COVERAGE, coverage, match_kind

T = TypeVar("T", bound=Hashable)
Ranked = list[tuple[int, float]]
# Exact matches past the last page anyone can ask for are counted, not ranked.
RANKED_EXACT = MAX_OFFSET + MAX_K
# A semantic-only passage earns its document a place in a comparison only from the top of a retriever's list.
LEADERS = 20


@dataclass(frozen=True)
class Run:
    """One retriever's ranked list, named so that fusion weighs it by what it is."""

    name: str
    items: list[tuple[int, float]]
    weight: float = 1.0


@dataclass(frozen=True)
class Ranking:
    """The fused order of the rows that match, where each stood in the BM25 and dense
    lists, how each matches (indexer.search.matching), and how many more exact matches exist
    beyond those kept (past the last page anyone can ask for)."""

    fused: list[tuple[int, float]]
    bm25_rank: dict[int, int]
    dense_rank: dict[int, int]
    matches: dict[int, str]
    uncounted: int = 0
    missing: tuple[str, ...] = ()
    nearest: tuple[int, ...] = ()

    @property
    def total(self) -> int:
        return len(self.fused) + self.uncounted


@dataclass(frozen=True)
class Evidence:
    """What the ranking needs to know of the passages, as plain lookups: the squashed text,
    the document, and the cosine with the query (None for a mode without similarities)."""

    body: Callable[[int], str]
    doc_of: Callable[[int], str]
    similarities: Callable[[list[int]], dict[int, float]] | None
    semantic_bar: float
    semantic_floor: float
    words: list[str]
    phrases: list[str]
    whole: str
    parts: list[str]
    headings: Callable[[int], str] = lambda row: ""
    weights: dict[str, float] | None = None


def rank(plan: QueryPlan, lists: dict[str, Ranked], exact: Ranked, ev: Evidence, cfg: SearchConfig,
         grouped: bool) -> Ranking:
    """The whole ranking rule: the mode's runs fused, the exact matches the lists missed
    appended, exact-match tiers and the named-document preference, the match bar, and, for
    comparisons, documents interleaved. ``lists``: each retriever's candidates by name."""
    n = cfg.candidates
    bm25 = lists.get("bm25", [])
    lexical = bm25 if plan.parsed.phrases else bm25[:n]
    dense = lists.get("dense", [])
    items = {"bm25": lexical, "dense": dense, "headings": lists.get("headings", [])}
    runs = [Run(name, items[name], plan.run_weight(name, cfg.question_bm25_weight)) for name in plan.runs]
    if lists.get("feedback"):
        runs.append(Run("feedback", lists["feedback"], cfg.feedback_run_weight))
    fused = fuse(runs, cfg.fusion, cfg.rrf_k, cfg.convex_weight_bm25)
    seen = {row for row, _ in fused}
    extra = [(row, 0.0) for row, _ in exact if row not in seen]
    fused += extra[:RANKED_EXACT]
    uncounted = len(extra) - len(extra[:RANKED_EXACT])
    tiers = {row: tier_of(ev.body(row), ev.whole, ev.parts) for row, _ in fused}
    preferred = set(plan.intent.preferred_docs)
    fused = order_by_tier(fused, tiers, lambda row: ev.doc_of(row) in preferred,
                          cfg.prefer_boost ** plan.intent.strength)
    rows = [row for row, _ in fused]
    sims = ev.similarities(rows) if ev.similarities is not None else {}
    weights = ev.weights or dict.fromkeys(ev.words, 1.0)

    def covered(row: int) -> float:
        return coverage(weights, ev.body(row) + ev.headings(row))

    matches = classify(rows, ev.body, tiers, ev.words, ev.phrases, sims.get, ev.semantic_bar,
                       literal=bool(exact) and plan.lexical_mode, floor=ev.semantic_floor, covered=covered)
    fused = [(row, score) for row, score in fused if row in matches]
    missing = unfound_words(ev.words, [ev.body(row) for row, _ in fused[:RANKED_EXACT]]) if fused else ()
    if plan.intent.compare and not grouped:
        leaders = {row for row, _ in lexical[:LEADERS]} | {row for row, _ in dense[:LEADERS]}
        real = {row for row, _ in fused
                if matches[row] == "exact" or row in leaders or covered(row) >= MIN_WORD_COVERAGE}
        fused = interleave_documents(fused, [ev.doc_of(row) for row, _ in fused], real.__contains__)
    return Ranking(fused, {row: r for r, (row, _) in enumerate(lexical, start=1)},
                   {row: r for r, (row, _) in enumerate(dense, start=1)}, matches, uncounted, missing,
                   tuple(row for row, _ in (dense or bm25)[:10]))


def unfound_words(words: list[str], bodies: list[str]) -> tuple[str, ...]:
    """The query's content words that no matching passage holds: what a partly answered
    query tells the reader it did not find."""
    return tuple(w for w in words if not any(w in b for b in bodies))


def fuse(runs: Sequence[Run], method: str, rrf_k: int, convex_weight_bm25: float) -> list[tuple[int, float]]:
    """Named runs fused. RRF weighs each run by its own weight; convex fusion gives lexical
    runs ``convex_weight_bm25`` and the dense run the rest, by name, never by position."""
    runs = [r for r in runs if r.items]
    if not runs:
        return []
    if len(runs) == 1:
        return list(runs[0].items)
    if method == "convex":
        weights = [r.weight * (1.0 - convex_weight_bm25 if r.name == "dense" else convex_weight_bm25) for r in runs]
        return convex([r.items for r in runs], weights)
    return rrf([[row for row, _ in r.items] for r in runs], k=rrf_k, weights=[r.weight for r in runs])


def tier_of(body: str, whole: str, parts: list[str]) -> int:
    """2: the whole (short) query is in the text; 1: every space-separated part is; else 0."""
    if whole and whole in body:
        return 2
    if len(parts) > 1 and all(x in body for x in parts):
        return 1
    return 0


def order_by_tier(fused: list[tuple[T, float]], tiers: dict[T, int], preferred: Callable[[T], bool],
                  boost: float) -> list[tuple[T, float]]:
    """Exact matches first: a passage holding the whole query (or every part of it)
    outranks semantic near-misses. Documents the query names get their fused score
    raised (a preference, not a filter). Ties keep the fused order."""
    scored = [(item, s * boost if preferred(item) else s) for item, s in fused]
    order = sorted(range(len(scored)), key=lambda i: (-tiers[scored[i][0]], -scored[i][1], i))
    return [scored[i] for i in order]


def classify(items: Sequence[T], body: Callable[[T], str], tiers: dict[T, int], words: list[str],
             phrases: list[str], similarity: Callable[[T], float | None], bar: float,
             literal: bool, floor: float = float("-inf"),
             covered: Callable[[T], float] = lambda item: 0.0) -> dict[T, str]:
    """How each candidate matches the query; the ones that do not are left out. Holding
    every quoted phrase counts as an exact match."""
    out: dict[T, str] = {}
    for item in items:
        text = body(item)
        tier = 2 if phrases and all(x in text for x in phrases) else tiers[item]
        kind = match_kind(tier, sum(w in text for w in words), len(words), similarity(item), bar, literal, floor,
                          covered(item))
        if kind:
            out[item] = kind
    return out


def interleave_documents(ranked: list[tuple[T, float]], docs: list[str],
                         real: Callable[[T], bool] = lambda item: True) -> list[tuple[T, float]]:
    """Round-robin over documents in the order of their best hit, each keeping its own order:
    a "各地…" question wants every city's answer near the top, not ten from one plan. Only a
    document with a real match (``real``: the query, or most of its word weight, in the text)
    takes part; the others follow in their fused order, never forced up as filler."""
    queues: dict[str, list[tuple[T, float]]] = {}
    for item, doc in zip(ranked, docs, strict=True):
        queues.setdefault(doc, []).append(item)
    taking = [q for q in queues.values() if any(real(item) for item, _ in q)]
    out: list[tuple[T, float]] = []
    depth = 0
    while depth < max(map(len, taking), default=0):
        for queue in taking:
            if depth < len(queue):
                out.append(queue[depth])
        depth += 1
    chosen = {id(q) for q in taking}
    return out + [entry for entry, doc in zip(ranked, docs, strict=True) if id(queues[doc]) not in chosen]
