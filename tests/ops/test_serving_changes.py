"""A running server follows the corpus by itself: while clients search, documents are added and
removed, and every answer is whole (one build's passage, text and document), never an error."""

from __future__ import annotations

import threading
import time

import pytest

from indexer.build.collection import NewDocument, add_documents, remove_document
from indexer.build.lock import BuildLock
from indexer.build.pipeline import build, build_index, switch_to
from indexer.documents.corpus import Catalog
from indexer.embed.embedders import FakeEmbedder
from indexer.search.searcher import Searcher
from tests.conftest import CORPUS, REPORT, ROOT, make_config, quiet

JILIN = ROOT / "collections" / "provinces" / "jilin-2026-government-work-report.txt"
ADDED = "jilin-2026-government-work-report"
QUERIES = ["吉林", "产业园区", "冷链物流", "老人以后谁来照顾？"]
TEXTS = {REPORT: (CORPUS / f"{REPORT}.txt").read_text(encoding="utf-8"),
         ADDED: JILIN.read_text(encoding="utf-8")}


def _serving(tmp_path, small_corpus):
    from search_app import create_app

    cfg = make_config(tmp_path, small_corpus)
    embedder = FakeEmbedder(cfg.embedding)
    build_index(cfg, embedder=embedder, progress=False, log=quiet)
    app = create_app(cfg, searcher=Searcher(cfg, embedder=embedder))
    return cfg, embedder, app


def _whole(hit: dict) -> bool:
    """A hit of one build: its id names its document, and its offsets hold its text."""
    raw = TEXTS[hit["doc_id"]]
    return hit["passage_id"].startswith(hit["doc_id"] + "-") and \
        "".join(raw[hit["start"]:hit["end"]].split()) == "".join(hit["text"].split())


def _until(predicate, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_an_added_and_a_removed_document_are_served_by_themselves(tmp_path, small_corpus):
    cfg, embedder, app = _serving(tmp_path, small_corpus)
    stop = app.config["HOLDER"].follow(0.05, log=quiet)
    client = app.test_client()

    def docs_for(q: str) -> set[str]:
        return {h["doc_id"] for h in client.get("/api/search", query_string={"q": q}).get_json()["results"]}
    try:
        add_documents(cfg, [NewDocument(JILIN)], embedder=embedder, log=quiet, progress=False)
        assert _until(lambda: ADDED in docs_for("吉林"))
        remove_document(cfg, ADDED, embedder=embedder, log=quiet, progress=False)
        assert _until(lambda: ADDED not in docs_for("吉林"))
    finally:
        stop.set()


@pytest.mark.slow
def test_clients_see_no_error_and_no_mixed_hit_through_ten_add_remove_cycles(tmp_path, small_corpus):
    cfg, embedder, app = _serving(tmp_path, small_corpus)
    stop = app.config["HOLDER"].follow(0.05, log=quiet)
    done = threading.Event()
    # Each answer is checked as it comes and only its verdict kept: holding every hit's JSON made
    # the heap, and the collector's passes over it, grow with the test's length.
    answers: list[tuple[int, bool, bool]] = []

    def client_loop(n: int) -> None:
        client = app.test_client()
        i = n
        while not done.is_set():
            r = client.get("/api/search", query_string={"q": QUERIES[i % len(QUERIES)], "k": 20})
            results = r.get_json().get("results", [])
            answers.append((r.status_code, any(h["doc_id"] == ADDED for h in results),
                            all(_whole(h) for h in results)))
            i += 1
            done.wait(0.01)  # clients that pause, so the builds are not starved of the interpreter

    clients = [threading.Thread(target=client_loop, args=(n,)) for n in range(3)]
    for t in clients:
        t.start()
    try:
        for _ in range(10):
            add_documents(cfg, [NewDocument(JILIN)], embedder=embedder, log=quiet, progress=False)
            remove_document(cfg, ADDED, embedder=embedder, log=quiet, progress=False)
    finally:
        done.set()
        for t in clients:
            t.join()
        stop.set()
    statuses = {status for status, _, _ in answers}
    assert statuses == {200}, statuses
    assert len(answers) > 30 and any(added for _, added, _ in answers)
    assert all(whole for _, _, whole in answers)


def test_a_build_that_cannot_load_is_reported_once_and_the_old_one_keeps_serving(tmp_path, small_corpus):
    cfg, embedder, app = _serving(tmp_path, small_corpus)
    holder = app.config["HOLDER"]
    serving = holder.current.build_id
    lines: list[str] = []
    stop = holder.follow(0.05, log=lines.append)
    try:
        with BuildLock(cfg.index_dir, cfg.cache_dir):
            docs = Catalog.load(cfg.corpus_dir, cfg.limits).documents()
            report = build(cfg, docs, embedder, quiet, progress=False)
            (report.path / "vectors.npy").write_bytes(b"damaged")
            switch_to(cfg, report.path)
        assert _until(lambda: len(lines) >= 1)
        time.sleep(0.3)
        assert len(lines) == 1 and lines[0].startswith(f"reload failed, still serving {serving}")
        assert holder.current.build_id == serving
        assert app.test_client().get("/api/search", query_string={"q": "产业园区"}).status_code == 200
    finally:
        stop.set()
