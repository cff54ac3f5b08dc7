"""The dev set on both backends: one build each (the configured embedder, vectors from the
shared embedding cache), the eval table per backend and mode, and the top-10 overlap
between them per mode and kind (passage ids shared, over the longer list).

Prints numbers; asserts nothing. Usage:
    .venv/bin/python bench/backends.py [--qrels ../shared/eval/dev.jsonl] [--work DIR] [--uri http://…]
                                       [--config FILE]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.build.pipeline import build_index  # noqa: E402
from indexer.config import load_config  # noqa: E402
from indexer.embed.threads import cores, set_threads  # noqa: E402
from indexer.evaluate import Retrieved, evaluate, format_table, load_qrels  # noqa: E402
from indexer.search.searcher import Searcher  # noqa: E402

MODES = ("bm25", "dense", "hybrid")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--qrels", default=str(ROOT.parent / "shared" / "eval" / "dev.jsonl"))
    ap.add_argument("--work", default=None, help="where the two builds go (default: a temporary folder)")
    ap.add_argument("--uri", default=None, help="a Milvus server instead of an embedded milvus-lite file")
    ap.add_argument("--config", default=None, help="the corpus and settings (default: the project's config.yaml)")
    args = ap.parse_args()
    set_threads(cores())
    qrels = load_qrels(Path(args.qrels))
    work = Path(args.work or tempfile.mkdtemp(prefix="plansearch-backends-"))
    base = load_config(args.config)
    tops: dict[str, dict[str, list[list[str]]]] = {}
    tables = {}
    for backend in ("local", "milvus"):
        uri = args.uri or str(work / backend / "plans.db")
        cfg = replace(base, backend=backend, index_dir=work / backend, milvus=replace(base.milvus, uri=uri))
        t0 = time.perf_counter()
        build_index(cfg, progress=False, log=lambda _: None)
        print(f"{backend}: built in {time.perf_counter() - t0:.1f} s", flush=True)
        searcher = Searcher(cfg)
        tops[backend] = {}
        results = {}
        for mode in MODES:
            ids: list[list[str]] = []

            def run(q: str, mode=mode, ids=ids, searcher=searcher):
                hits = searcher.search(q, mode=mode, k=10).hits
                ids.append([h.passage.passage_id for h in hits])
                return [Retrieved(h.info.file, h.passage.text) for h in hits]

            t0 = time.perf_counter()
            results[mode] = evaluate(qrels, run)
            ms = (time.perf_counter() - t0) * 1000 / len(qrels)
            print(f"{backend} {mode}: {ms:.1f} ms per query", flush=True)
            tops[backend][mode] = ids
        searcher.close()
        tables[backend] = results
        print(f"\n== {backend}\n{format_table(results)}\n", flush=True)

    kinds = sorted({q.kind for q in qrels})
    print("top-10 overlap: mean |A ∩ B| / max(|A|, |B|) of the passage ids (1 when both are empty); "
          "'same': identical lists")
    print(f"{'mode':<8}" + "".join(f"{k:>10}" for k in [*kinds, "all"]) + f"{'same':>8}")
    for mode in MODES:
        a, b = tops["local"][mode], tops["milvus"][mode]
        share = [len(set(x) & set(y)) / max(len(x), len(y)) if x or y else 1.0 for x, y in zip(a, b, strict=True)]
        cells = [sum(s for s, q in zip(share, qrels, strict=True) if q.kind == k) /
                 sum(q.kind == k for q in qrels) for k in kinds]
        same = sum(x == y for x, y in zip(a, b, strict=True))
        print(f"{mode:<8}" + "".join(f"{c:>10.3f}" for c in [*cells, sum(share) / len(share)]) + f"{same:>8}")
    print("\nMRR@10 milvus − local, per kind and mode")
    for mode in MODES:
        diffs = {k: tables["milvus"][mode]["table"][k]["mrr"] - tables["local"][mode]["table"][k]["mrr"]
                 for k in [*kinds, "all"]}
        print(f"{mode:<8}" + "".join(f"{k}={d:+.3f} " for k, d in diffs.items()))


if __name__ == "__main__":
    main()
