"""Benchmark: index build (cold and warm cache), embedding throughput, and
query latency per mode with a breakdown of where hybrid time goes.

Prints numbers; asserts nothing. Usage:
    .venv/bin/python bench/bench.py [--skip-cold] [--queries ../shared/eval/dev.jsonl] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from indexer.analysis.text import gram_tokens, word_tokens  # noqa: E402
from indexer.build.pipeline import build_index, embedding_text  # noqa: E402
from indexer.config import load_config  # noqa: E402
from indexer.documents.corpus import Catalog  # noqa: E402
from indexer.embed.embedders import make_embedder  # noqa: E402
from indexer.evaluate import load_qrels, percentile  # noqa: E402
from indexer.parse.parser import parse  # noqa: E402
from indexer.search.searcher import Searcher  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--skip-cold", action="store_true", help="skip the cold build (about 3 minutes)")
    ap.add_argument("--queries", default=str(ROOT.parent / "shared" / "eval" / "dev.jsonl"))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    cfg = load_config()
    embedder = make_embedder(cfg.embedding)
    print(f"model: {embedder.model_id} ({embedder.dim} dims)")

    docs = Catalog.load(cfg.corpus_dir, cfg.limits).documents()
    t = time.perf_counter()
    passages = [p for d in docs for p in parse(d).passages]
    print(f"parse: {len(docs)} documents → {len(passages)} passages in {time.perf_counter() - t:.2f} s")

    sample = [embedding_text(p, "bench") for p in passages[:128]]
    t = time.perf_counter()
    embedder.embed_passages(sample)
    dt = time.perf_counter() - t
    print(f"embedding throughput: {len(sample) / dt:.1f} passages/s ({1000 * dt / len(sample):.1f} ms each)")

    with tempfile.TemporaryDirectory() as tmp:
        bench_cfg = replace(cfg, index_dir=Path(tmp) / "index", cache_dir=Path(tmp) / "cache")
        if not args.skip_cold:
            r = build_index(bench_cfg, embedder=embedder, progress=False, log=lambda s: None)
            print(f"build, cold cache: {r.seconds:.1f} s ({r.embedded} embedded)")
        else:
            bench_cfg = replace(bench_cfg, cache_dir=cfg.cache_dir)
        r = build_index(bench_cfg, embedder=embedder, progress=False, log=lambda s: None)
        print(f"build, warm cache: {r.seconds:.1f} s ({r.embedded} embedded, {r.cached} cached)")

    s = Searcher(cfg, embedder=embedder)
    queries = [q.query for q in load_qrels(Path(args.queries))]
    print(f"\nquery latency over {len(queries)} dev queries × {args.repeat} (ms)")
    print(f"{'mode':<8}{'p50':>8}{'p95':>8}{'max':>8}")
    for mode in ("bm25", "dense", "hybrid"):
        times = []
        for _ in range(args.repeat):
            for q in queries:
                t = time.perf_counter()
                s.search(q, mode=mode, k=10)
                times.append(1000 * (time.perf_counter() - t))
        print(f"{mode:<8}{percentile(times, 50):>8.1f}{percentile(times, 95):>8.1f}{max(times):>8.1f}")

    compare_with_bm25s(s, queries, cfg.search.candidates)


def compare_with_bm25s(s: Searcher, queries: list[str], candidates: int) -> None:
    """The issue's two ratios, in one run on the real index: our BM25 against bm25s on the
    same analysed tokens (jieba words with their subwords, character uni/bigrams), and
    hybrid against what it cannot avoid (embedding the query) plus bm25s."""
    try:
        import bm25s
    except ImportError:
        print("\nbm25s comparison skipped: .venv/bin/pip install -e '.[bench]'")
        return
    from indexer.backends.local.indexes import top_scored
    from indexer.query.request import SearchRequest, plan_query

    lexicon = s.lexicon

    def tokens(text: str) -> list[str]:
        return ([w for _, w, _, _ in word_tokens(text, lexicon, subwords=True)]
                + ["g:" + g for _, g, _, _ in gram_tokens(text)])

    t = time.perf_counter()
    corpus = [tokens(p.body_text) for p in s.passages]
    retriever = bm25s.BM25()
    retriever.index(corpus, show_progress=False)
    print(f"\nbm25s index over the same tokens: {len(corpus)} passages in {time.perf_counter() - t:.1f} s")

    embed_ms, ref_ms, scorer_ms, bm25_ms, hybrid_ms = [], [], [], [], []
    everything = np.ones(len(s.store), dtype=bool)
    for q in queries:
        plan = plan_query(SearchRequest.parse({"q": q}, s.cfg.search.max_query_chars), s.catalog,
                          s.cfg.search.max_embed_chars)
        lq = s.indexes.lexical.query(plan.lexical)
        qtok = [term if field == "words" else "g:" + term for field, term, _ in lq.terms
                if field in ("words", "grams")]
        if not qtok:
            continue
        t = time.perf_counter()
        s.embedder.embed_query(plan.embed_text)
        embed_ms.append(1000 * (time.perf_counter() - t))
        t = time.perf_counter()
        retriever.retrieve([qtok], k=min(candidates, len(corpus)), show_progress=False, n_threads=1)
        ref_ms.append(1000 * (time.perf_counter() - t))
        t = time.perf_counter()
        top_scored(s.indexes.lexical.scores(plan.lexical), candidates, everything)
        scorer_ms.append(1000 * (time.perf_counter() - t))
        t = time.perf_counter()
        s.search(q, mode="bm25", k=10)
        bm25_ms.append(1000 * (time.perf_counter() - t))
        t = time.perf_counter()
        s.search(q, mode="hybrid", k=10)
        hybrid_ms.append(1000 * (time.perf_counter() - t))
    e, r, sc, b, h = (statistics.median(x) for x in (embed_ms, ref_ms, scorer_ms, bm25_ms, hybrid_ms))
    print(f"median ms over {len(ref_ms)} queries: embed query {e:.2f}, bm25s {r:.2f}, our BM25F scorer {sc:.2f}, "
          f"bm25 mode (whole search) {b:.2f}, hybrid (whole search) {h:.2f}")
    print(f"BM25F scorer / bm25s:          {sc / r:.2f}×  (five fields and the all-words boost vs one field)")
    print(f"BM25-only search / bm25s:      {b / r:.2f}×  (target ≤ 3×)")
    print(f"hybrid / (embed query + bm25s): {h / (e + r):.2f}×  (target ≤ 1.3×)")

if __name__ == "__main__":
    main()
