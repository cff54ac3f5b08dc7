"""Memory of a server across reloads: RSS of a fresh app over the fake-embedder index of the
corpus, then after N rebuild + reload cycles with searches in between.

Prints numbers; the fault test reads them. Usage:
    .venv/bin/python bench/reload_memory.py [--reloads 10] [--work DIR] [--corpus DIR]
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.build import build_index  # noqa: E402
from indexer.config import config_from_dict  # noqa: E402
from indexer.embed import FakeEmbedder  # noqa: E402
from indexer.search import Searcher  # noqa: E402
from search_app import create_app  # noqa: E402

QUERIES = ("城陵矶新港区", "老人以后谁来照顾？", "地区生产总值", "冷链物流")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def exercise(client) -> None:
    for q in QUERIES:
        for mode in ("hybrid", "bm25", "dense"):
            assert client.get("/api/search", query_string={"q": q, "mode": mode}).status_code == 200


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reloads", type=int, default=10)
    ap.add_argument("--work", default=None)
    ap.add_argument("--corpus", default=str(ROOT / "corpus"))
    args = ap.parse_args()
    work = Path(args.work or tempfile.mkdtemp())
    cfg = config_from_dict({"corpus_dir": args.corpus, "index_dir": str(work / "index"),
                            "embedding": {"backend": "fake", "model": "bigram-hash"}}, base=work)
    embedder = FakeEmbedder(cfg.embedding)
    build_index(cfg, embedder=embedder, progress=False, log=lambda s: None)
    app = create_app(cfg, searcher=Searcher(cfg, embedder=embedder))
    client = app.test_client()
    exercise(client)
    gc.collect()
    fresh = rss_mb()
    for _ in range(args.reloads):
        build_index(cfg, embedder=embedder, progress=False, log=lambda s: None)
        _, changed = app.config["HOLDER"].reload()
        assert changed
        exercise(client)
    gc.collect()
    print(f"fresh MB: {fresh:.1f}")
    print(f"after reloads MB: {rss_mb():.1f}")
    print(f"reloads: {args.reloads}")


if __name__ == "__main__":
    main()
