"""ANN against exact dense search (issue 24): build time, index size, query p50/p95 and recall@10.

Synthetic unit vectors clustered like text embeddings (a gaussian mixture around a common
direction, as e5's cosines sit in a narrow high band), and the vectors of a real build when one
is given. Rows are laid out as documents (contiguous blocks, each document drawing from a few
clusters), so "one document of 18" is a realistic selective filter.

    .venv/bin/python bench/ann.py --sizes 10000 100000 [--build index/current] [--faiss]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from indexer.backends.local import ann
from indexer.backends.local.dense import top_rows

DIM, DOCS, K, QUERIES = 384, 18, 10, 200


def synthetic(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` unit vectors and ``QUERIES`` query vectors from the same mixture."""
    rng = np.random.default_rng(seed)
    per_doc = max(2, n // 500 // DOCS)
    clusters = per_doc * DOCS
    base = rng.standard_normal(DIM)
    centres = base / np.linalg.norm(base) * 2.0 + rng.standard_normal((clusters, DIM)) / np.sqrt(DIM) * 1.5
    doc_of_row = np.minimum(np.arange(n) * DOCS // n, DOCS - 1)
    pick = doc_of_row + DOCS * rng.integers(0, per_doc, n)  # cluster c belongs to document c % DOCS
    x = centres[pick] + rng.standard_normal((n, DIM)) / np.sqrt(DIM) * 1.2
    q = centres[rng.integers(0, clusters, QUERIES)] + rng.standard_normal((QUERIES, DIM)) / np.sqrt(DIM) * 1.2
    unit = lambda a: (a / np.linalg.norm(a, axis=1, keepdims=True)).astype(np.float32)  # noqa: E731
    return unit(x), unit(q)


def doc_mask(n: int, doc: int) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    mask[np.minimum(np.arange(n) * DOCS // n, DOCS - 1) == doc] = True
    return mask


def timed(fn, queries: np.ndarray) -> tuple[list, float, float]:
    """One query at a time on one thread, as a serving worker answers it."""
    out, times = [], []
    for q in queries:
        t = time.perf_counter()
        out.append(fn(q))
        times.append((time.perf_counter() - t) * 1000)
    return out, float(np.percentile(times, 50)), float(np.percentile(times, 95))


def recall(found: list, truth: list) -> float:
    return float(np.mean([len({r for r, _ in f} & {r for r, _ in t}) / max(1, len(t))
                          for f, t in zip(found, truth, strict=True)]))


def row(name: str, build_s: float, size: int, p50: float, p95: float, rec: float) -> None:
    print(f"{name:<28} {build_s:>8.1f} {size / 2**20:>9.1f} {p50:>7.2f} {p95:>7.2f} {rec:>7.3f}", flush=True)


def measure(label: str, vectors: np.ndarray, queries: np.ndarray, dtypes: list[str], use_faiss: bool) -> None:
    n = len(vectors)
    print(f"\n{label}: {n} vectors × {vectors.shape[1]}, {len(queries)} queries, k={K}")
    print(f"{'method':<28} {'build s':>8} {'size MB':>9} {'p50 ms':>7} {'p95 ms':>7} {'rec@10':>7}")
    truth, p50, p95 = timed(lambda q: top_rows(vectors @ q, K), queries)
    row("exact numpy f32", 0.0, vectors.nbytes, p50, p95, 1.0)
    mask = doc_mask(n, DOCS // 2)
    ftruth, fp50, fp95 = timed(lambda q: top_rows(vectors @ q, K, mask), queries)
    row("exact, 1 doc of 18 (mask)", 0.0, 0, fp50, fp95, 1.0)
    wide = np.isin(np.minimum(np.arange(n) * DOCS // n, DOCS - 1), np.arange(12))
    wtruth = [top_rows(vectors @ q, K, wide) for q in queries]
    found, p50, p95 = timed(lambda q: ann.exact_within(vectors, q, mask, K), queries)
    row("exact over the doc's rows", 0.0, 0, p50, p95, recall(found, ftruth))
    with tempfile.TemporaryDirectory() as tmp:
        for dtype in dtypes:
            t = time.perf_counter()
            index = ann.build(vectors, dtype=dtype)
            build_s = time.perf_counter() - t
            path = Path(tmp) / f"{dtype}.usearch"
            index.save(str(path))
            view = index.restore(str(path), view=True)
            for ef in (64, 128, 256):
                view.expansion_search = ef
                found, p50, p95 = timed(lambda q: ann.search(view, vectors, q, K), queries)  # noqa: B023
                row(f"usearch {dtype} ef={ef}", build_s, os.path.getsize(path), p50, p95, recall(found, truth))
            view.expansion_search = ann.EXPANSION_SEARCH
            found, p50, p95 = timed(lambda q: ann.search(view, vectors, q, K, wide), queries)  # noqa: B023
            row(f"usearch {dtype} 12 docs of 18", build_s, 0, p50, p95, recall(found, wtruth))
            found, p50, p95 = timed(lambda q: ann.search(view, vectors, q, K, mask), queries)  # noqa: B023
            row(f"usearch {dtype} 1 doc of 18", build_s, 0, p50, p95, recall(found, ftruth))
            saved = ann.MIN_ROWS, ann.FILTER_SHARE
            ann.MIN_ROWS, ann.FILTER_SHARE = 0, 0.0  # the graph even for the one document's rows
            found, p50, p95 = timed(lambda q: ann.search(view, vectors, q, K, mask), queries)  # noqa: B023
            ann.MIN_ROWS, ann.FILTER_SHARE = saved
            row(f"usearch {dtype} 1 doc, graph", build_s, 0, p50, p95, recall(found, ftruth))
    if use_faiss:
        import faiss
        t = time.perf_counter()
        fx = faiss.IndexHNSWFlat(vectors.shape[1], ann.CONNECTIVITY, faiss.METRIC_INNER_PRODUCT)
        fx.hnsw.efConstruction = ann.EXPANSION_ADD
        fx.add(vectors)
        build_s = time.perf_counter() - t
        faiss.omp_set_num_threads(1)
        fx.hnsw.efSearch = ann.EXPANSION_SEARCH
        search = lambda q: list(zip(*(a[0].tolist() for a in fx.search(q[None], K)[::-1]), strict=True))  # noqa: E731
        found, p50, p95 = timed(search, queries)
        row(f"faiss HNSWFlat ef={ann.EXPANSION_SEARCH}", build_s, fx.ntotal * (vectors.shape[1] * 4 + 16 * 8 * 2),
            p50, p95, recall(found, truth))
        sel = faiss.IDSelectorBatch(np.flatnonzero(mask).astype(np.int64))
        params = faiss.SearchParametersHNSW(sel=sel, efSearch=ann.EXPANSION_SEARCH)
        fsearch = lambda q: list(zip(*(a[0].tolist() for a in fx.search(q[None], K, params=params)[::-1]), strict=True))  # noqa: E731
        found, p50, p95 = timed(fsearch, queries)
        row("faiss 1 doc, IDSelector", build_s, 0, p50, p95, recall(found, ftruth))
        faiss.omp_set_num_threads(os.cpu_count() or 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    ap.add_argument("--dtypes", nargs="*", default=["f32", "f16", "i8"])
    ap.add_argument("--build", type=Path, help="a build folder whose vectors.npy to measure too")
    ap.add_argument("--faiss", action="store_true", help="faiss-cpu's HNSWFlat too, where it is installed")
    args = ap.parse_args()
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")  # as serving sets it (indexer.embed.threads)
    import usearch
    print(f"usearch {usearch.__version__} connectivity={ann.CONNECTIVITY} "
          f"expansion_add={ann.EXPANSION_ADD}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    if args.build:
        vectors = np.load(args.build / "vectors.npy")
        rng = np.random.default_rng(1)
        queries = vectors[rng.choice(len(vectors), min(QUERIES, len(vectors)), replace=False)]
        queries = queries + rng.standard_normal(queries.shape).astype(np.float32) * 0.02
        queries /= np.linalg.norm(queries, axis=1, keepdims=True)
        measure(f"build {args.build}", vectors, queries.astype(np.float32), args.dtypes, args.faiss)
    for n in args.sizes:
        vectors, queries = synthetic(n)
        measure(f"synthetic {n}", vectors, queries, args.dtypes, args.faiss)


if __name__ == "__main__":
    main()
