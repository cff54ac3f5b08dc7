"""Synthetic-scale benchmark: the corpus recombined to 1×, 10× and 100× its passages, built with
a fake embedder of the real model's width (384), then served from a fresh process.

Each copy of a document keeps its headings and line shapes, and its body sentences are
shuffled across its body lines (seeded), so vocabulary, lengths and postings look like the
genre's without being duplicates. Per scale it prints build time (the fake embedding kept
apart), index size on disk, the server's memory after loading and after the queries, and query
p50/p95 per mode over the dev queries; the fake query embedding (a hash, well under a
millisecond) is timed and printed too.

``--backend milvus`` builds and serves the same corpora on Milvus: embedded milvus-lite by
default (its memory is the server's), ``--uri http://…`` a running server, and
``--lite-server`` starts ``milvus-lite server`` on a free port for the run and goes through
it by URL (the network path a cluster takes); that server's memory is printed apart.

Prints numbers; asserts nothing. Usage:
    .venv/bin/python bench/scale.py [--scales 1 10 100] [--work DIR] [--queries FILE]
                                    [--backend local|milvus] [--uri URL | --lite-server]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from indexer.config import config_from_dict  # noqa: E402

DIM = 384
MODES = ("bm25", "dense", "hybrid")
SENTENCE = re.compile(r"[^。；！？]*[。；！？]")


def recombine(text: str, rng: random.Random) -> str:
    """Body lines (long, ending a sentence) swap sentences with each other; the rest stays."""
    lines = text.split("\n")
    body = [i for i, line in enumerate(lines) if len(line) > 60 and line.rstrip()[-1:] in "。；！？"]
    pieces = [SENTENCE.findall(lines[i].strip()) for i in body]
    pool = [s for p in pieces for s in p]
    rng.shuffle(pool)
    at = 0
    for i, p in zip(body, pieces, strict=True):
        lines[i] = "".join(pool[at:at + len(p)]) or lines[i]
        at += len(p)
    return "\n".join(lines)


def synthetic_corpus(src: Path, out: Path, scale: int) -> None:
    catalog = yaml.safe_load((src / "catalog.yaml").read_text(encoding="utf-8"))
    out.mkdir(parents=True, exist_ok=True)
    docs = []
    for entry in catalog["documents"]:
        text = (src / entry["file"]).read_text(encoding="utf-8")
        for copy in range(scale):
            doc_id = entry["id"] if copy == 0 else f"{entry['id']}-s{copy:03d}"
            body = text if copy == 0 else recombine(text, random.Random(f"{doc_id}"))
            (out / f"{doc_id}.txt").write_text(body, encoding="utf-8")
            docs.append({**entry, "id": doc_id, "file": f"{doc_id}.txt",
                         "title": entry["title"] if copy == 0 else f"{entry['title']}（样本{copy}）"})
    (out / "catalog.yaml").write_text(yaml.safe_dump({"documents": docs}, allow_unicode=True), encoding="utf-8")


def config(work: Path, backend: str = "local", uri: str | None = None):
    return config_from_dict({"corpus_dir": str(work / "corpus"), "index_dir": str(work / "index"),
                             "backend": backend, "milvus": {"uri": uri or str(work / "index" / "plans.db")},
                             "embedding": {"backend": "fake", "model": f"bigram-hash-{DIM}"}}, base=work)


def build(work: Path, backend: str, uri: str | None) -> dict:
    from indexer.build.pipeline import build_index
    from indexer.embed.embedders import FakeEmbedder

    class TimedEmbedder(FakeEmbedder):
        """The targets are for the build without embedding: its time is kept apart."""

        seconds = 0.0

        def embed_passages(self, texts):
            t = time.perf_counter()
            try:
                return super().embed_passages(texts)
            finally:
                TimedEmbedder.seconds += time.perf_counter() - t

    cfg = config(work, backend, uri)
    r = build_index(cfg, embedder=TimedEmbedder(cfg.embedding, dim=DIM), progress=False, log=lambda s: None)
    size = sum(f.stat().st_size for f in r.path.rglob("*") if f.is_file())
    if backend == "milvus" and cfg.milvus.embedded:
        size += sum(f.stat().st_size for f in Path(cfg.milvus.uri).rglob("*") if f.is_file())
    return {"passages": r.passages, "build_s": r.seconds - TimedEmbedder.seconds, "embed_s": TimedEmbedder.seconds,
            "index_mb": size / 2**20}


def serve_and_query(work: Path, queries_file: Path, backend: str, uri: str | None) -> dict:
    """Run in its own process: a server's memory is what loading and answering leave behind."""
    from reload_memory import rss_mb

    from indexer.embed.embedders import FakeEmbedder
    from indexer.embed.threads import set_threads
    from indexer.evaluate import load_qrels, percentile
    from indexer.search.searcher import Searcher

    set_threads(1)
    cfg = config(work, backend, uri)
    base = rss_mb()
    t = time.perf_counter()
    s = Searcher(cfg, embedder=FakeEmbedder(cfg.embedding, dim=DIM))
    out: dict = {"load_s": time.perf_counter() - t, "rss_loaded_mb": rss_mb(), "rss_python_mb": base}
    queries = [q.query for q in load_qrels(queries_file)]
    embed = []
    for q in queries:
        t = time.perf_counter()
        s.embedder.embed_query(q)
        embed.append(1000 * (time.perf_counter() - t))
    out["fake_embed_p50_ms"] = percentile(embed, 50)
    for mode in MODES:
        s.search(queries[0], mode=mode)
        times = []
        for q in queries:
            t = time.perf_counter()
            s.search(q, mode=mode, k=10)
            times.append(1000 * (time.perf_counter() - t))
        out[mode] = (percentile(times, 50), percentile(times, 95))
    out["rss_after_mb"] = rss_mb()
    out["anon_after_mb"], out["file_after_mb"] = rss_mb("RssAnon"), rss_mb("RssFile")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    ap.add_argument("--work", type=Path, default=None, help="keep corpora and indexes here")
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    ap.add_argument("--queries", type=Path, default=ROOT.parent / "shared" / "eval" / "dev.jsonl")
    ap.add_argument("--backend", choices=("local", "milvus"), default="local")
    ap.add_argument("--uri", default=None, help="a Milvus server (default: milvus-lite in a file per scale)")
    ap.add_argument("--lite-server", action="store_true", help="start `milvus-lite server` and use it by URL")
    ap.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    from reload_memory import rss_mb
    if args.serve:
        print(json.dumps(serve_and_query(args.serve, args.queries, args.backend, args.uri)))
        return

    with tempfile.TemporaryDirectory() as tmp:
        root = args.work or Path(tmp)
        print(f"backend {args.backend}" + (f" at {args.uri}" if args.uri else "")
              + (" through `milvus-lite server` by URL" if args.lite_server else ""), flush=True)
        print(f"{'scale':>5} {'passages':>9} {'build s':>8} {'index MB':>9} {'load s':>7} {'RSS MB':>7} "
              + " ".join(f"{m + ' p50/p95 ms':>20}" for m in MODES), flush=True)
        for scale in args.scales:
            work = root / f"x{scale}"
            synthetic_corpus(args.corpus, work / "corpus", scale)
            server = lite_server(work / "lite") if args.lite_server else None
            uri = server[1] if server else args.uri
            try:
                b = build(work, args.backend, uri)
                proc = subprocess.run([sys.executable, __file__, "--serve", str(work), "--queries", str(args.queries),
                                       "--backend", args.backend, *(["--uri", uri] if uri else [])],
                                      capture_output=True, text=True, check=True)
                server_mb = rss_mb(pid=server[0].pid) if server else None
            finally:
                if server:
                    server[0].terminate()
                    server[0].wait()
            s = json.loads(proc.stdout.strip().splitlines()[-1])
            print(f"{scale:>4}× {b['passages']:>9,} {b['build_s']:>8.1f} {b['index_mb']:>9.1f} {s['load_s']:>7.1f} "
                  f"{s['rss_after_mb']:>7.0f} "
                  + " ".join(f"{s[m][0]:>11.1f} / {s[m][1]:<6.1f}" for m in MODES), flush=True)
            print(f"      (build without the {b['embed_s']:.1f} s of fake embedding; "
                  f"RSS {s['anon_after_mb']:.0f} MB heap + {s['file_after_mb']:.0f} MB mapped index files; "
                  f"loaded {s['rss_loaded_mb']:.0f} MB, Python + libraries {s['rss_python_mb']:.0f} MB; "
                  f"fake query embedding {s['fake_embed_p50_ms']:.2f} ms of the dense and hybrid times"
                  + (f"; milvus-lite server {server_mb:.0f} MB" if server_mb else "") + ")", flush=True)


def lite_server(data: Path) -> tuple[subprocess.Popen, str]:
    """``milvus-lite server`` on a free port, once it answers."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    exe = Path(sys.executable).parent / "milvus-lite"
    proc = subprocess.Popen([str(exe), "server", "--data-dir", str(data), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return proc, f"http://127.0.0.1:{port}"
        time.sleep(0.1)
    proc.terminate()
    raise SystemExit("milvus-lite server did not start")



if __name__ == "__main__":
    main()
