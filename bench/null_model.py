"""The absolute semantic bar against a null model: queries this corpus cannot answer.

Prints the best cosine each out-of-domain query reaches in the corpus (the null
distribution), then, for each candidate floor (search.semantic_floor), the two sides of
the trade: the share of answered dev queries that keep a relevant passage in their hybrid
top 10 (and that still have matches), and the share of out-of-domain queries that get zero
matches. Pick the lowest floor that clears the null queries' upper percentiles without
losing answered queries.

    .venv/bin/python bench/null_model.py ../shared/eval/dev.jsonl [--ood bench/data/ood-dev.jsonl]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

import numpy as np

from indexer.config import load_config
from indexer.evaluate import Retrieved, load_qrels, satisfies
from indexer.search.searcher import Searcher

OOD = Path(__file__).with_name("data") / "ood-dev.jsonl"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("qrels", nargs="+")
    ap.add_argument("--ood", default=str(OOD))
    ap.add_argument("--config", default=None)
    ap.add_argument("--floor", type=float, nargs="+", default=None)
    args = ap.parse_args()
    cfg = load_config(args.config)
    searcher = Searcher(cfg)
    ood = [json.loads(line)["query"] for line in Path(args.ood).read_text(encoding="utf-8").splitlines() if line]
    qrels = [q for path in args.qrels for q in load_qrels(Path(path))]
    files = {i.id: i.file for i in searcher.catalog}

    def best(query: str) -> float:
        vector = searcher.embedder.embed_query(query[: cfg.search.max_embed_chars])
        return float(searcher.indexes.dense.scores(vector).max())

    null = np.array([best(q) for q in ood])
    print(f"null model: {len(ood)} out-of-domain queries, best cosine "
          + "  ".join(f"p{p}={np.percentile(null, p):.4f}" for p in (50, 90, 95, 100)))
    floors = args.floor or [cfg.search.semantic_floor]
    print(f"{'floor':>7}{'answered keep':>15}{'have matches':>14}{'OOD zero':>10}")
    for floor in floors:
        searcher.cfg = dataclasses.replace(cfg, search=dataclasses.replace(cfg.search, semantic_floor=floor))
        kept = matched = 0
        for q in qrels:
            resp = searcher.search(q.query, k=10)
            matched += resp.total > 0
            kept += any(satisfies(Retrieved(files[h.passage.doc_id], h.passage.text), a)
                        for h in resp.hits for a in q.answers)
        zero = sum(searcher.search(q, k=10).total == 0 for q in ood)
        print(f"{floor:>7.3f}{kept / len(qrels):>15.1%}{matched / len(qrels):>14.1%}{zero / len(ood):>10.1%}")


if __name__ == "__main__":
    main()
