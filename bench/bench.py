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

from indexer.build import build_index, embedding_text  # noqa: E402
from indexer.config import load_config  # noqa: E402
from indexer.corpus import Catalog  # noqa: E402
from indexer.embed import make_embedder  # noqa: E402
from indexer.evaluate import load_qrels, percentile  # noqa: E402
from indexer.lexical import parse_query  # noqa: E402
from indexer.search import Searcher  # noqa: E402
from indexer.segment import parse  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--skip-cold", action="store_true", help="skip the cold build (about 3 minutes)")
    ap.add_argument("--queries", default=str(ROOT.parent / "shared" / "eval" / "dev.jsonl"))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    cfg = load_config()
    embedder = make_embedder(cfg.embedding)
    print(f"model: {embedder.model_id} ({embedder.dim} dims)")

    docs = Catalog.load(cfg.corpus_dir, cfg.max_document_bytes).documents()
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

    embed_ms, bm25_ms, hybrid_ms = [], [], []
    for q in queries:
        pq = parse_query(q)
        t = time.perf_counter()
        s.embedder.embed_query(pq.positive_text)
        embed_ms.append(1000 * (time.perf_counter() - t))
        t = time.perf_counter()
        s.lexical.search(pq, limit=cfg.search.candidates)
        bm25_ms.append(1000 * (time.perf_counter() - t))
        t = time.perf_counter()
        s.search(q, mode="hybrid", k=10)
        hybrid_ms.append(1000 * (time.perf_counter() - t))
    e, b, h = (statistics.median(x) for x in (embed_ms, bm25_ms, hybrid_ms))
    print(f"\nhybrid breakdown (median ms): embed query {e:.1f} + BM25 {b:.1f} = {e + b:.1f}; "
          f"hybrid total {h:.1f} → ratio {h / (e + b):.2f} (rest: fusion, tiers, highlights, citations)")


if __name__ == "__main__":
    main()
