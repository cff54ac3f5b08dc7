"""Memory of a server across reloads: RSS of a fresh app over the fake-embedder index of the
corpus, then after N rebuild + reload cycles with searches in between. As in production, each
build runs in its own process (`plansearch index`); only the reloads happen in the server.

Prints numbers; the fault test reads them. Usage:
    .venv/bin/python bench/reload_memory.py [--reloads 10] [--work DIR] [--corpus DIR]
"""

from __future__ import annotations

import argparse
import gc
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from indexer.config import config_from_dict  # noqa: E402
from indexer.embed.embedders import FakeEmbedder  # noqa: E402
from indexer.search.searcher import Searcher  # noqa: E402
from search_app import create_app  # noqa: E402

QUERIES = ("城陵矶新港区", "老人以后谁来照顾？", "地区生产总值", "冷链物流")


def rss_mb(field: str = "VmRSS", pid: int | str = "self") -> float:
    """A memory line of /proc/PID/status: VmRSS (all resident pages), RssAnon (the heap:
    the process's own), RssFile (mapped files: page cache, shared, dropped under pressure)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
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
    work.mkdir(parents=True, exist_ok=True)
    raw = {"corpus_dir": args.corpus, "index_dir": str(work / "index"),
           "embedding": {"backend": "fake", "model": "bigram-hash"}}
    config_file = work / "config.yaml"
    config_file.write_text(yaml.safe_dump(raw), encoding="utf-8")
    cfg = config_from_dict(raw, base=work)
    embedder = FakeEmbedder(cfg.embedding)

    def build() -> None:
        subprocess.run([sys.executable, "-m", "indexer.cli", "--config", str(config_file), "index", "--quiet"],
                       check=True, capture_output=True, cwd=ROOT)

    build()
    app = create_app(cfg, searcher=Searcher(cfg, embedder=embedder))
    client = app.test_client()
    exercise(client)
    gc.collect()
    fresh = rss_mb()
    for _ in range(args.reloads):
        build()
        _, changed = app.config["HOLDER"].reload()
        assert changed
        exercise(client)
    time.sleep(1.0)  # at rest: the holder hands a dropped index's heap back shortly after
    gc.collect()
    print(f"fresh MB: {fresh:.1f}")
    print(f"after reloads MB: {rss_mb():.1f}")
    print(f"reloads: {args.reloads}")


if __name__ == "__main__":
    main()
