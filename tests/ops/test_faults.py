"""Faults: a build killed at any point leaves the previous index serving and
the next build succeeding; a new build switches in under load with no failed
request; a broken index stops `serve` with a message that says what to run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

from indexer.build.pipeline import build_index
from indexer.build.store import current_build
from indexer.embed.embedders import FAKE_DELAY_ENV, FakeEmbedder
from indexer.search.searcher import Searcher
from tests.conftest import CORPUS, make_config, quiet

pytestmark = pytest.mark.slow


def write_config(tmp: Path, corpus: Path, model: str = "bigram-hash") -> Path:
    path = tmp / "config.yaml"
    path.write_text(yaml.safe_dump({"corpus_dir": str(corpus), "index_dir": str(tmp / "index"),
                                    "embedding": {"backend": "fake", "model": model, "batch_size": 8}}),
                    encoding="utf-8")
    return path


def start_build(config: Path) -> subprocess.Popen:
    """`plansearch index` in a child process whose fake embedder takes 20 ms a passage."""
    return subprocess.Popen([sys.executable, "-m", "indexer.cli", "--config", str(config), "index", "--quiet"],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                            cwd=Path(__file__).resolve().parents[2],
                            env={**os.environ, FAKE_DELAY_ENV: "0.02"})


def kill_when(proc: subprocess.Popen, marker: str, after: float) -> None:
    """SIGKILL the build `after` seconds past the log line containing `marker`."""
    assert proc.stderr is not None
    for line in proc.stderr:
        if marker in line:
            time.sleep(after)
            break
    else:
        pytest.fail(f"build ended before {marker!r}")
    assert proc.poll() is None, "build finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stderr.close()


@pytest.mark.parametrize(("marker", "after"), [
    ("building BM25", 0.3),   # while whoosh writes and commits its segment
    ("building BM25", 2.0),
    ("embedding with", 1.0),  # mid-embedding
])
def test_sigkill_during_a_build_keeps_the_previous_index(tmp_path, marker, after):
    config = write_config(tmp_path, CORPUS)
    cfg = make_config(tmp_path, CORPUS)
    before = build_index(cfg, embedder=FakeEmbedder(cfg.embedding), progress=False, log=quiet)
    # The corpus is unchanged, so make the killed build re-embed by clearing the cache.
    for f in cfg.cache_dir.rglob("*"):
        if f.is_file():
            f.unlink()
    kill_when(start_build(config), marker, after)
    assert current_build(cfg).name == before.build_id
    s = Searcher(cfg, embedder=FakeEmbedder(cfg.embedding))
    assert s.search("城陵矶新港区", k=3).hits
    after_build = build_index(cfg, embedder=FakeEmbedder(cfg.embedding), progress=False, log=quiet)
    assert current_build(cfg).name == after_build.build_id != before.build_id


def test_a_new_build_switches_in_under_load_without_failed_requests(tmp_path, small_corpus):
    from search_app import create_app

    config = write_config(tmp_path, small_corpus)
    cfg = make_config(tmp_path, small_corpus)
    build_index(cfg, embedder=FakeEmbedder(cfg.embedding), progress=False, log=quiet)
    app = create_app(cfg, searcher=Searcher(cfg, embedder=FakeEmbedder(cfg.embedding)))
    holder = app.config["HOLDER"]
    statuses: list[int] = []
    builds: set[str] = set()
    reloaded = threading.Event()
    lock = threading.Lock()

    def client(mode: str) -> None:
        c = app.test_client()
        while not reloaded.is_set() or len(statuses) < 40:
            r = c.get("/api/search", query_string={"q": "产业园区", "mode": mode})
            h = c.get("/api/health").get_json()
            with lock:
                statuses.append(r.status_code)
                builds.add(h["build_id"])

    threads = [threading.Thread(target=client, args=(m,)) for m in ("hybrid", "bm25", "dense", "hybrid")]
    for t in threads:
        t.start()
    for _ in range(2):
        time.sleep(0.5)
        # As in production: `plansearch index` runs in its own process, then the server reloads.
        subprocess.run([sys.executable, "-m", "indexer.cli", "--config", str(config), "index", "--quiet"],
                       check=True, capture_output=True, cwd=Path(__file__).resolve().parents[2])
        holder.reload()
    time.sleep(0.5)
    reloaded.set()
    for t in threads:
        t.join()
    assert statuses and set(statuses) == {200}
    assert len(builds) >= 2


@pytest.mark.parametrize("damage", ["missing", "truncated", "mismatched"])
def test_serve_refuses_a_broken_index_with_the_fix(tmp_path, small_corpus, damage):
    config = write_config(tmp_path, small_corpus)
    cfg = make_config(tmp_path, small_corpus)
    if damage != "missing":
        build_index(cfg, embedder=FakeEmbedder(cfg.embedding), progress=False, log=quiet)
    if damage == "truncated":
        vec = current_build(cfg) / "vectors.npy"
        vec.write_bytes(vec.read_bytes()[:100])
    if damage == "mismatched":
        config = write_config(tmp_path, small_corpus, "another-model")
    proc = subprocess.run([sys.executable, "-m", "indexer.cli", "--config", str(config), "serve", "--port", "0"],
                          capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[2], env={**os.environ})
    assert proc.returncode == 4
    assert "plansearch index" in proc.stderr and "Traceback" not in proc.stderr


def serve_until_serving(config: Path) -> list[str]:
    """Start ``serve --build-if-needed`` on a free port, read its log until it serves, stop it."""
    proc = subprocess.Popen([sys.executable, "-m", "indexer.cli", "--config", str(config), "serve", "--port", "0",
                             "--build-if-needed"], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                            cwd=Path(__file__).resolve().parents[2])
    lines: list[str] = []
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            if "serving index" in line:
                break
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        proc.stderr.close()
    return lines


def test_serve_build_if_needed_replaces_a_stale_index(tmp_path, small_corpus):
    cfg = make_config(tmp_path, small_corpus, model="old-model")
    old = build_index(cfg, embedder=FakeEmbedder(cfg.embedding), progress=False, log=quiet)
    lines = serve_until_serving(write_config(tmp_path, small_corpus, "new-model"))
    assert any("built with a different embedding config" in x for x in lines), lines
    new = current_build(cfg)
    assert new.name != old.build_id
    assert '"model_id": "fake:new-model"' in (new / "manifest.json").read_text(encoding="utf-8")


def test_serve_build_if_needed_says_it_builds_without_telling_the_user_to_build(tmp_path, small_corpus):
    lines = serve_until_serving(write_config(tmp_path, small_corpus))
    assert lines[0] == f"no index at {tmp_path / 'index'}: building the index now…\n", lines
    assert not any("build one with" in x or "rebuild with" in x for x in lines), lines
