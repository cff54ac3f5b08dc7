"""Benchmark: parse time per document, and the time to add the 13 provincial reports
to a built index with ``add --catalog`` (only their passages are embedded).

Prints numbers; asserts nothing. Usage:
    .venv/bin/python bench/ingest.py [--fake] [--repeat 5]
``--fake`` uses the test embedder, to time everything but the model.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.build.collection import add_documents, read_batch  # noqa: E402
from indexer.build.pipeline import build_index  # noqa: E402
from indexer.config import EmbeddingConfig, load_config  # noqa: E402
from indexer.documents import textfile  # noqa: E402
from indexer.documents.corpus import Catalog, Document  # noqa: E402
from indexer.embed.embedders import FakeEmbedder, make_embedder  # noqa: E402
from indexer.parse.parser import parse  # noqa: E402

PROVINCES = ROOT / "collections" / "provinces" / "catalog.yaml"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--fake", action="store_true", help="time with the fake embedder (no model)")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    cfg = load_config()

    print(f"{'document':<44}{'chars':>8}{'passages':>10}{'headings':>10}{'decode+parse ms':>17}")
    for folder in (cfg.corpus_dir, PROVINCES.parent):
        catalog = Catalog.load(folder)
        for info in catalog:
            times = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                decoded = textfile.read(folder / info.file)
                pd = parse(Document(info, decoded.text, decoded.encoding))
                times.append(1000 * (time.perf_counter() - t))
            headings = sum(1 for s in pd.walk() if s.level != "lead")
            print(f"{info.id:<44}{len(decoded.text):>8}{len(pd.passages):>10}{headings:>10}"
                  f"{statistics.median(times):>17.1f}")

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        shutil.copytree(cfg.corpus_dir, corpus)
        bench_cfg = replace(cfg, corpus_dir=corpus, index_dir=Path(tmp) / "index")
        if args.fake:
            bench_cfg = replace(bench_cfg, embedding=EmbeddingConfig(backend="fake", model="bigram-hash"),
                                cache_dir=Path(tmp) / "cache")
            embedder = FakeEmbedder(bench_cfg.embedding)
        else:
            embedder = make_embedder(bench_cfg.embedding)
        base = build_index(bench_cfg, embedder=embedder, progress=False, log=lambda s: None)
        print(f"\nbase index: {base.passages} passages in {base.seconds:.1f} s ({base.embedded} embedded)")
        t = time.perf_counter()
        change = add_documents(bench_cfg, read_batch(PROVINCES), embedder=embedder, progress=False,
                               log=lambda s: None)
        r = change.report
        print(f"add --catalog (13 provincial reports, {embedder.model_id}): {time.perf_counter() - t:.1f} s; "
              f"{r.passages} passages, {r.embedded} embedded, {r.cached} from cache")


if __name__ == "__main__":
    main()
