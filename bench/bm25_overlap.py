"""Top-10 overlap between whoosh's own BM25F ranking and the impact-matrix scorer
(indexer.backends.local.bm25), on the same analysed query over the same index: the check that the
fast scorer ranks as whoosh does. Also prints what each costs per query.

    .venv/bin/python bench/bm25_overlap.py [--queries ../shared/eval/dev.jsonl]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from whoosh import query as Q
from whoosh.scoring import BM25F

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.backends.terms import K1, TOGETHER_BOOST, B, LexicalQuery  # noqa: E402
from indexer.config import load_config  # noqa: E402
from indexer.evaluate import load_qrels  # noqa: E402
from indexer.query.intent import analyse  # noqa: E402
from indexer.query.syntax import parse_query  # noqa: E402
from indexer.search.searcher import Searcher  # noqa: E402


def whoosh_query(lq: LexicalQuery) -> Q.Query:
    """The same query as whoosh objects: an Or of boosted terms and the words together."""
    should: list[Q.Query] = [Q.Term(f, t, boost=w) for f, t, w in lq.terms]
    if lq.together:
        should.append(Q.And([Q.Term("words", w) for w in lq.together], boost=TOGETHER_BOOST))
    return Q.Or(should)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--queries", default=str(ROOT.parent / "shared" / "eval" / "dev.jsonl"))
    ap.add_argument("--k", type=int, default=10)
    args = ap.parse_args()
    s = Searcher(load_config())
    lexical = s.indexes.lexical
    ids = [p.passage_id for p in s.passages]
    overlaps, t_whoosh, t_numpy = [], [], []
    with lexical._ix.searcher(weighting=BM25F(B=B, K1=K1)) as ws:
        for q in load_qrels(Path(args.queries)):
            pq = parse_query(q.query)
            from dataclasses import replace
            pq = replace(pq, terms=analyse(pq.terms, s.catalog, False).lexical_text)
            lq = lexical.query(pq)
            if lq.is_empty:
                continue
            t = time.perf_counter()
            res = ws.search(whoosh_query(lq), limit=args.k)
            theirs = [r["pid"] for r in res]
            t_whoosh.append(time.perf_counter() - t)
            t = time.perf_counter()
            scores = lexical.impacts.scores(lq)
            top = np.argsort(-scores, kind="stable")[: args.k]
            ours = [ids[i] for i in top if scores[i] > 0]
            t_numpy.append(time.perf_counter() - t)
            if theirs:
                overlaps.append(len(set(theirs) & set(ours)) / len(theirs))
    print(f"queries: {len(overlaps)}; top-{args.k} overlap with whoosh: mean {statistics.mean(overlaps):.3f}, "
          f"min {min(overlaps):.2f}, all equal in {sum(o == 1 for o in overlaps)}")
    print(f"per query: whoosh {1000 * statistics.median(t_whoosh):.2f} ms, "
          f"impacts {1000 * statistics.median(t_numpy):.2f} ms (medians)")


if __name__ == "__main__":
    main()
