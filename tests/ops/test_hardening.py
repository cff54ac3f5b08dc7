"""Hardening: one build at a time, a cache that cannot mix, verify before switching, every damaged
index a clear exit 4 / 503, malformed Host headers, reload lifetimes, SIGTERM cleanup."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from indexer.build.lock import LOCK_FILE, BuildLock
from indexer.build.pipeline import build_index
from indexer.build.store import checksums, current_build
from indexer.cli import main
from indexer.embed.cache import CACHE_FILE, EmbeddingCache, ModelIdentity, model_identity
from indexer.embed.embedders import FAKE_DELAY_ENV, FakeEmbedder
from indexer.errors import BuildError, BuildLockedError, EmbedderError, IndexCorruptError, UnservableIndexError
from indexer.search.searcher import Searcher
from tests.conftest import ROOT, make_config, quiet
from tests.ops.test_faults import write_config


def built(tmp_path, corpus):
    cfg = make_config(tmp_path, corpus)
    build_index(cfg, embedder=FakeEmbedder(cfg.embedding), progress=False, log=quiet)
    return cfg


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


# --- one build at a time ----------------------------------------------------------------------

def test_a_second_build_is_told_which_process_builds(tmp_path, small_corpus):
    cfg = make_config(tmp_path, small_corpus)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        cfg.index_dir.mkdir(parents=True)
        (cfg.index_dir / LOCK_FILE).write_text(str(sleeper.pid))
        with pytest.raises(BuildLockedError, match=f"another build is running \\(pid {sleeper.pid}\\)"):
            build_index(cfg, embedder=FakeEmbedder(cfg.embedding), progress=False, log=quiet)
        config = write_config(tmp_path, small_corpus)
        result = CliRunner().invoke(main, ["--config", str(config), "index", "--quiet"])
        assert result.exit_code == 5 and f"another build is running (pid {sleeper.pid})" in result.output
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_stale_lock_and_the_leftovers_of_a_killed_build_are_taken_over(tmp_path, small_corpus):
    cfg = built(tmp_path, small_corpus)
    (cfg.index_dir / LOCK_FILE).write_text(str(dead_pid()))
    (cfg.index_dir / "builds" / ".tmp-killed").mkdir()
    (cfg.index_dir / ".current.99999").symlink_to("builds/nowhere")
    build_index(cfg, embedder=FakeEmbedder(cfg.embedding), progress=False, log=quiet)
    assert not (cfg.index_dir / LOCK_FILE).exists()
    assert not list((cfg.index_dir / "builds").glob(".tmp-*"))
    assert not list(cfg.index_dir.glob(".current.*"))


@pytest.mark.slow
def test_two_concurrent_builds_one_builds_the_other_is_refused(tmp_path, small_corpus):
    config = write_config(tmp_path, small_corpus)
    env = {**os.environ, FAKE_DELAY_ENV: "0.01"}
    procs = [subprocess.Popen([sys.executable, "-m", "indexer.cli", "--config", str(config), "index", "--quiet"],
                              stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env)
             for _ in range(2)]
    results = [(p.wait(timeout=120), p.communicate()[1]) for p in procs]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 5], results
    refused = next(err for code, err in results if code == 5)
    assert "another build is running (pid" in refused and "Traceback" not in refused
    cfg = make_config(tmp_path, small_corpus)
    assert Searcher(cfg, embedder=FakeEmbedder(cfg.embedding)).search("产业园区").hits


# --- the embedding cache ----------------------------------------------------------------------

def test_cache_writers_racing_never_give_a_reader_mixed_keys_and_vectors(tmp_path):
    """Two writers save different key sets with different vectors, over and over; every load
    sees one writer's complete pair (the bug: 7,227 mixed pairs in the old two-file cache)."""
    errors: list[str] = []
    stop = threading.Event()
    identity = ModelIdentity("fp", np.ones(4))

    def writer(tag: str, value: float) -> None:
        cache = EmbeddingCache(tmp_path, "m", identity, 4)
        cache._vectors = {f"{tag}{i:031d}": np.full(4, value, np.float32) for i in range(50)}
        while not stop.is_set():
            cache.save()

    def reader() -> None:
        for _ in range(300):
            cache = EmbeddingCache(tmp_path, "m", identity, 4)
            if cache.rejected:
                errors.append(cache.rejected)
            for key, vec in cache._vectors.items():
                if float(vec[0]) != {"a": 1.0, "b": 2.0}[key[0]]:
                    errors.append(key)

    writers = [threading.Thread(target=writer, args=a) for a in (("a", 1.0), ("b", 2.0))]
    for t in writers:
        t.start()
    try:
        reader()
    finally:
        stop.set()
        for t in writers:
            t.join()
    assert errors == []


def test_a_cache_with_wrong_dimensions_is_ignored_not_built_into_an_index(tmp_path, small_corpus):
    cfg = make_config(tmp_path, small_corpus)
    embedder = FakeEmbedder(cfg.embedding)
    identity = model_identity(embedder)
    cache_dir = cfg.cache_dir / identity.key
    cache_dir.mkdir(parents=True)
    keys = np.array([f"{i:032d}" for i in range(3)], dtype="<U32")
    np.savez(cache_dir / CACHE_FILE, keys=keys, vectors=np.ones((3, 8), np.float32), probe=identity.probe)
    lines: list[str] = []
    report = build_index(cfg, embedder=embedder, progress=False, log=lines.append)
    assert any("8 dimensions" in line and "ignored" in line for line in lines), lines
    assert Searcher(cfg, embedder=embedder).search("产业园区").hits
    assert report.embedded == report.passages


def test_the_cache_is_keyed_by_what_the_model_does_not_only_its_name(tmp_path):
    class Flipped(FakeEmbedder):
        def embed_passages(self, texts):
            return -super().embed_passages(texts)

    class OtherCpu(FakeEmbedder):
        """The same model where another CPU's arithmetic differs in the last bits."""

        def embed_passages(self, texts):
            vecs = super().embed_passages(texts)
            return vecs + np.random.default_rng(0).uniform(-1e-3, 1e-3, vecs.shape).astype(vecs.dtype)

    cfg = make_config(tmp_path)
    model, flipped, other_cpu = FakeEmbedder(cfg.embedding), Flipped(cfg.embedding), OtherCpu(cfg.embedding)
    assert model.model_id == flipped.model_id == other_cpu.model_id
    identity = model_identity(model)
    assert not identity.accepts(model_identity(flipped).probe)
    assert identity.accepts(model_identity(other_cpu).probe)
    assert not np.array_equal(identity.probe, model_identity(other_cpu).probe)


def test_a_build_from_a_model_that_returns_nan_is_never_switched_in(tmp_path, small_corpus):
    class Broken(FakeEmbedder):
        def embed_passages(self, texts):
            out = super().embed_passages(texts)
            return np.full_like(out, np.nan) if len(texts) > 1 else out

    cfg = built(tmp_path, small_corpus)
    before = current_build(cfg)
    doc = small_corpus / "changde-2021-government-work-report.txt"
    doc.write_text(doc.read_text(encoding="utf-8") + "\n新增段落一。\n新增段落二。\n", encoding="utf-8")
    with pytest.raises((EmbedderError, BuildError)) as exc:
        build_index(cfg, embedder=Broken(cfg.embedding), progress=False, log=quiet)
    assert "non-finite" in str(exc.value) or "cannot serve" in str(exc.value)
    assert current_build(cfg) == before


# --- damaged indexes --------------------------------------------------------------------------

def _rewrite_checksums(build: Path) -> None:
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"] = checksums(build)
    (build / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _segment(build: Path) -> Path:
    return max((build / "bm25" / "whoosh").glob("MAIN_*.*"), key=lambda p: p.stat().st_size)


DAMAGE = {
    "manifest is []": lambda b: (b / "manifest.json").write_text("[]"),
    "manifest field of the wrong type": lambda b: (b / "manifest.json").write_text(
        json.dumps({**json.loads((b / "manifest.json").read_text()), "passages": "many"})),
    "manifest without checksums": lambda b: (b / "manifest.json").write_text(
        json.dumps({k: v for k, v in json.loads((b / "manifest.json").read_text()).items() if k != "files"})),
    "a passages line that is []": lambda b: (b / "passages.jsonl").write_text(
        "[]\n" + "".join((b / "passages.jsonl").read_text().splitlines(True)[1:])),
    "lexicon.txt missing": lambda b: (b / "lexicon.txt").unlink(),
    "lexicon.txt not UTF-8": lambda b: (b / "lexicon.txt").write_bytes(b"\xff\xfe\x00bad"),
    "zero-byte vectors.npy": lambda b: (b / "vectors.npy").write_bytes(b""),
    "scribbled whoosh segment": lambda b: _segment(b).write_bytes(
        _segment(b).read_bytes()[:64] + os.urandom(256) + _segment(b).read_bytes()[320:]),
    # Damage with matching checksums (written by a buggy tool, not by bit rot) is still caught:
    "outline.json is [] (checksums updated)": lambda b: ((b / "outline.json").write_text("[]"),
                                                         _rewrite_checksums(b)),
    "all-NaN vectors (checksums updated)": lambda b: (
        np.save(b / "vectors.npy", np.full(np.load(b / "vectors.npy").shape, np.nan, np.float32)),
        _rewrite_checksums(b)),
    "BM25 impacts pointing past the last passage (checksums updated)": lambda b: (
        np.save(b / "bm25" / "impacts" / "rows.npy", np.load(b / "bm25" / "impacts" / "rows.npy") + 10**6),
        _rewrite_checksums(b)),
    "substring postings cut short (checksums updated)": lambda b: (
        np.save(b / "substrings" / "rows.npy", np.load(b / "substrings" / "rows.npy")[:-5]),
        _rewrite_checksums(b)),
    "a build of an older format": lambda b: (b / "manifest.json").write_text(
        json.dumps({**json.loads((b / "manifest.json").read_text()), "format": 1})),
    "a passages line that is [] (checksums updated)": lambda b: (
        (b / "passages.jsonl").write_text("[]\n" + "".join((b / "passages.jsonl").read_text().splitlines(True)[1:])),
        _rewrite_checksums(b)),
}


@pytest.mark.parametrize("case", list(DAMAGE))
def test_every_damaged_index_is_exit_4_with_the_fix_and_503_on_reload(tmp_path, small_corpus, case,
                                                                       monkeypatch):
    from search_app import create_app

    cfg = built(tmp_path, small_corpus)
    app = create_app(cfg, searcher=Searcher(cfg, embedder=FakeEmbedder(cfg.embedding)))
    # A second build, damaged, is what `current` points to now.
    build_index(cfg, embedder=FakeEmbedder(cfg.embedding), progress=False, log=quiet)
    DAMAGE[case](current_build(cfg))

    config = write_config(tmp_path, small_corpus)
    result = CliRunner().invoke(main, ["--config", str(config), "search", "产业园区"])
    assert result.exit_code == 4, (result.exit_code, result.output)
    assert "plansearch index" in result.output and "Traceback" not in result.output

    monkeypatch.setenv("PLANSEARCH_ADMIN_TOKEN", "t")
    r = app.test_client().post("/api/admin/reload", headers={"Authorization": "Bearer t"})
    assert r.status_code == 503 and r.get_json()["error"]["code"] == "unavailable"
    assert app.test_client().get("/api/search", query_string={"q": "产业园区"}).status_code == 200


@pytest.mark.slow
def test_serve_build_if_needed_rebuilds_a_damaged_index(tmp_path, small_corpus):
    cfg = built(tmp_path, small_corpus)
    DAMAGE["lexicon.txt missing"](current_build(cfg))
    config = write_config(tmp_path, small_corpus)
    proc = subprocess.Popen([sys.executable, "-m", "indexer.cli", "--config", str(config), "serve", "--port", "0",
                             "--build-if-needed"], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                            cwd=ROOT)
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            if "serving index" in line:
                break
        assert proc.poll() is None
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        proc.stderr.close()
    Searcher(cfg, embedder=FakeEmbedder(cfg.embedding))


# --- the web server ---------------------------------------------------------------------------

@pytest.mark.parametrize("host", [".", "a..b", "x" * 64 + ".example", "-bad.com", "a b"])
@pytest.mark.parametrize("path", ["/", "/?q=产业", "/doc/changde-2021-government-work-report", "/static/style.css",
                                  "/api/health", "/nope"])
def test_a_malformed_host_is_400_with_security_headers_never_500(app, host, path):
    r = app.test_client().get(path, environ_overrides={"HTTP_HOST": host})
    assert r.status_code == 400
    assert r.headers["X-Content-Type-Options"] == "nosniff" and "Content-Security-Policy" in r.headers


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1:8000", "[::1]:8000", "plans.example.org"])
def test_ordinary_hosts_are_served(app, host):
    assert app.test_client().get("/api/health", environ_overrides={"HTTP_HOST": host}).status_code == 200


def test_a_long_query_embeds_only_its_first_characters_and_says_so(app):
    r = app.test_client().get("/api/search", query_string={"q": "的" * 500, "mode": "dense", "k": 100})
    assert r.status_code == 200
    assert any("前 64 个字" in n for n in r.get_json()["notes"])


def test_searches_beyond_the_gate_are_shed_with_503_and_retry_after(tmp_path, small_corpus):
    from search_app import create_app

    cfg = built(tmp_path, small_corpus)
    app = create_app(cfg, searcher=Searcher(cfg, embedder=FakeEmbedder(cfg.embedding)))
    gate = app.config["GATE"]
    held = [gate._slots.acquire(timeout=1) for _ in range(cfg.server.max_concurrent_searches)]
    assert all(held)
    try:
        c = app.test_client()
        r = c.get("/api/search", query_string={"q": "产业园区"})
        assert r.status_code == 503 and r.headers["Retry-After"] == "1"
        assert r.get_json()["error"]["code"] == "overloaded"
        page = c.get("/", query_string={"q": "产业园区"})
        assert page.status_code == 503 and "检索繁忙" in page.get_data(as_text=True)
        assert c.get("/api/health").status_code == 200
    finally:
        for _ in held:
            gate._slots.release()
    assert app.test_client().get("/api/search", query_string={"q": "产业园区"}).status_code == 200


def test_reload_onto_the_same_build_loads_nothing(tmp_path, small_corpus):
    from search_app import create_app

    cfg = built(tmp_path, small_corpus)
    app = create_app(cfg, searcher=Searcher(cfg, embedder=FakeEmbedder(cfg.embedding)))
    holder = app.config["HOLDER"]
    before = holder.current
    fresh, changed = holder.reload()
    assert fresh is before and not changed


def test_a_replaced_searcher_closes_when_its_last_request_ends(tmp_path, small_corpus):
    from search_app import create_app

    cfg = built(tmp_path, small_corpus)
    app = create_app(cfg, searcher=Searcher(cfg, embedder=FakeEmbedder(cfg.embedding)))
    holder = app.config["HOLDER"]
    old = holder.acquire()
    closed = threading.Event()
    real_close = old.close
    old.close = lambda: (closed.set(), real_close())
    build_index(cfg, embedder=FakeEmbedder(cfg.embedding), progress=False, log=quiet)
    fresh, changed = holder.reload()
    assert changed and fresh is not old
    assert not closed.is_set() and old.search("产业园区").hits  # still usable by its request
    holder.release(old)
    assert closed.is_set()


@pytest.mark.slow
def test_memory_after_ten_reloads_stays_within_one_and_a_half_of_a_fresh_server(tmp_path, small_corpus):
    script = ROOT / "bench" / "reload_memory.py"
    out = subprocess.run([sys.executable, str(script), "--reloads", "10", "--work", str(tmp_path),
                          "--corpus", str(small_corpus)],
                         capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    numbers = dict(line.split(": ") for line in out.stdout.strip().splitlines() if ": " in line)
    assert float(numbers["after reloads MB"]) <= 1.5 * float(numbers["fresh MB"]), out.stdout


@pytest.mark.slow
def test_sigterm_mid_build_leaves_no_temp_folder_lock_or_link(tmp_path, small_corpus):
    cfg = built(tmp_path, small_corpus)
    before = current_build(cfg)
    for f in cfg.cache_dir.rglob("*"):
        if f.is_file():
            f.unlink()
    config = write_config(tmp_path, small_corpus)
    proc = subprocess.Popen([sys.executable, "-m", "indexer.cli", "--config", str(config), "index", "--quiet"],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=ROOT,
                            env={**os.environ, FAKE_DELAY_ENV: "0.05"})
    assert proc.stderr is not None
    for line in proc.stderr:
        if "embedding with" in line:
            break
    time.sleep(0.5)
    assert list((cfg.index_dir / "builds").glob(".tmp-*")), "no build in progress to stop"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 128 + signal.SIGTERM
    proc.stderr.close()
    assert not list((cfg.index_dir / "builds").glob(".tmp-*"))
    assert not (cfg.index_dir / LOCK_FILE).exists() and not list(cfg.index_dir.glob(".current.*"))
    assert current_build(cfg) == before
    with BuildLock(cfg.index_dir):
        pass


def test_errors_are_the_right_classes():
    assert issubclass(BuildLockedError, BuildError) and issubclass(IndexCorruptError, UnservableIndexError)


# --- hostile load through a real `serve` on loopback ----------------------------------------------

def _load_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_load", ROOT / "bench" / "load.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


@pytest.fixture()
def served(tmp_path, small_corpus):
    """`plansearch serve` in its own process on a free loopback port, over a fake-embedder index."""
    import socket

    built(tmp_path, small_corpus)
    config = write_config(tmp_path, small_corpus)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "indexer.cli", "--config", str(config), "serve",
                             "--port", str(port)], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                            cwd=ROOT)
    assert proc.stderr is not None
    for line in proc.stderr:
        if "serving index" in line:
            break
    url = f"http://127.0.0.1:{port}"
    load = _load_module()
    deadline = time.monotonic() + 30
    while load.get(url + "/api/health", timeout=2)[0] != 200 and time.monotonic() < deadline:
        time.sleep(0.1)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        proc.stderr.close()


@pytest.mark.slow
def test_150_half_open_sockets_do_not_lock_out_a_normal_client(served):
    load = _load_module()
    with load.half_open(served, 150):
        status, _, _ = load.get(served + "/api/health", timeout=5)
        assert status == 200
        results = load.ordinary_client(served, 2.0)
    assert results and all(status == 200 for status, _ in results)


@pytest.mark.slow
def test_long_query_clients_are_capped_or_shed_and_ordinary_queries_answered(served):
    load = _load_module()
    with load.long_query_clients(served, 6) as long_statuses:
        time.sleep(0.5)
        results = load.ordinary_client(served, 3.0)
        health = load.get(served + "/api/health", timeout=5)
    assert results and all(status == 200 for status, _ in results), results
    assert health[0] == 200
    assert long_statuses and set(long_statuses) <= {200, 503}
    import urllib.parse

    status, _, body = load.get(served + "/api/search?" + urllib.parse.urlencode(load.LONG_QUERY))
    assert status in (200, 503)
    if status == 200:
        assert "前 64 个字" in json.loads(body)["notes"][-1]
