"""Calibrate the semantic bar (search.semantic_bar_z) for the configured embedder.

For each candidate z it prints, over a qrels file: the share of relevant passages that
dense retrieval ranks in its top 10 and that clear the bar, the hybrid and dense
MRR@10 / Hit@10 with the bar applied, and the median total a query reports. Pick the
lowest z that keeps the eval at its level: a higher bar gives honester totals, a lower
one keeps more of the semantic hits that only the dense ranking finds.

    .venv/bin/python bench/calibrate.py ../shared/eval/dev.jsonl [--z 2.0 2.5 2.8 3.0]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics

import numpy as np

from indexer.config import load_config
from indexer.evaluate import Retrieved, evaluate, load_qrels, satisfies
from indexer.search.searcher import Searcher


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("qrels")
    ap.add_argument("--config", default=None)
    ap.add_argument("--z", type=float, nargs="+", default=[2.0, 2.2, 2.5, 2.8, 3.0, 3.5])
    args = ap.parse_args()
    cfg = load_config(args.config)
    searcher = Searcher(cfg)
    qrels = load_qrels(args.qrels)
    files = {i.id: i.file for i in searcher.catalog}

    z_of_relevant: list[float] = []
    for q in qrels:
        qvec = searcher.embedder.embed_query(q.query[: cfg.search.max_embed_chars])
        sims = searcher.indexes.dense.scores(qvec)
        z = (sims - sims.mean()) / sims.std()
        for row in np.argsort(-sims)[:10]:
            p = searcher.passages[row]
            r = Retrieved(files[p.doc_id], p.text)
            if any(satisfies(r, a) for a in q.answers):
                z_of_relevant.append(float(z[row]))
    print(f"{searcher.embedder.model_id}: {len(z_of_relevant)} relevant passages in dense top 10")
    print(f"{'z':>5}{'kept':>7}{'hybrid MRR':>12}{'Hit':>7}{'dense MRR':>11}{'Hit':>7}{'median total':>14}")
    for zbar in args.z:
        searcher.cfg = dataclasses.replace(cfg, search=dataclasses.replace(cfg.search, semantic_bar_z=zbar))
        kept = sum(v >= zbar for v in z_of_relevant) / max(len(z_of_relevant), 1)
        row = [f"{zbar:>5.1f}", f"{kept:>7.1%}"]
        totals: list[int] = []
        for mode in ("hybrid", "dense"):
            def run(query: str, mode: str = mode, totals: list[int] = totals) -> list[Retrieved]:
                resp = searcher.search(query, mode=mode, k=10)
                totals.append(resp.total)
                return [Retrieved(h.info.file, h.passage.text) for h in resp.hits]

            table = evaluate(qrels, run)["table"]["all"]
            row += [f"{table['mrr']:>12.3f}" if mode == "hybrid" else f"{table['mrr']:>11.3f}", f"{table['hit']:>7.3f}"]
        row.append(f"{statistics.median(totals):>14.0f}")
        print("".join(row))


if __name__ == "__main__":
    main()
