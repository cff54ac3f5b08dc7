"""Index builds: manifest, embedding cache, atomic switch, and clear errors
for missing, corrupt or mismatched indexes."""

from __future__ import annotations

import json

import numpy as np
import pytest

from indexer.build.pipeline import build_index
from indexer.build.store import current_build
from indexer.embed.embedders import FakeEmbedder
from indexer.errors import BuildError, IndexCorruptError, IndexMismatchError, IndexMissingError
from indexer.search.searcher import Searcher
from tests.conftest import make_config, quiet


def build(cfg, embedder=None, **kw):
    return build_index(cfg, embedder=embedder or FakeEmbedder(cfg.embedding), progress=False, log=quiet, **kw)


def test_manifest_describes_the_build(tmp_path, small_corpus):
    cfg = make_config(tmp_path, small_corpus)
    report = build(cfg)
    manifest = json.loads((current_build(cfg) / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["build_id"] == report.build_id
    assert manifest["embedding"]["model_id"] == "fake:bigram-hash"
    assert manifest["embedding"]["dim"] == 64 and manifest["passages"] == report.passages
    vectors = np.load(current_build(cfg) / "vectors.npy")
    assert vectors.shape == (report.passages, 64) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert not list(current_build(cfg).rglob("*.pkl"))


def test_rebuild_embeds_only_what_changed(tmp_path, small_corpus):
    cfg = make_config(tmp_path, small_corpus)
    first = build(cfg)
    assert first.embedded > 0
    again = FakeEmbedder(cfg.embedding)
    second = build(cfg, embedder=again)
    assert second.embedded == 0 and again.calls == 1  # the model-fingerprint probe only
    doc = small_corpus / "changde-2021-government-work-report.txt"
    doc.write_text(doc.read_text(encoding="utf-8") + "\n新增一段测试文字，用来检查增量嵌入。\n", encoding="utf-8")
    third_embedder = FakeEmbedder(cfg.embedding)
    third = build(cfg, embedder=third_embedder)
    assert third.embedded == 1 and third_embedder.calls == 2  # probe + one batch
    assert third.build_id != second.build_id


def test_a_failed_build_leaves_the_previous_index_serving(tmp_path, small_corpus, monkeypatch):
    cfg = make_config(tmp_path, small_corpus)
    good = build(cfg)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("indexer.backends.local.backend.DenseIndex.save", disk_full)
    with pytest.raises(BuildError, match=r"No space left on device.*still serving"):
        build(cfg)
    assert current_build(cfg).name == good.build_id
    assert not list((cfg.index_dir / "builds").glob(".tmp-*"))
    s = Searcher(cfg, embedder=FakeEmbedder(cfg.embedding))
    assert s.build_id == good.build_id and s.search("产业", k=1).hits


def test_old_builds_are_pruned(tmp_path, small_corpus):
    cfg = make_config(tmp_path, small_corpus)
    for _ in range(4):
        build(cfg)
    builds = [p for p in (cfg.index_dir / "builds").iterdir() if not p.name.startswith(".")]
    assert len(builds) == 2 and current_build(cfg) in builds


def test_missing_index_is_a_clear_error(tmp_path, small_corpus):
    cfg = make_config(tmp_path, small_corpus)
    with pytest.raises(IndexMissingError, match="plansearch index"):
        Searcher(cfg, embedder=FakeEmbedder(cfg.embedding))


def test_index_built_with_another_model_is_refused(tmp_path, small_corpus):
    cfg = make_config(tmp_path, small_corpus)
    build(cfg)
    other = make_config(tmp_path, small_corpus, model="another-model")
    with pytest.raises(IndexMismatchError, match="rebuild"):
        Searcher(other, embedder=FakeEmbedder(other.embedding))
    with pytest.raises(IndexMismatchError):
        Searcher(cfg, embedder=FakeEmbedder(cfg.embedding, dim=32))


def test_changed_corpus_is_reported_as_stale(tmp_path, small_corpus):
    cfg = make_config(tmp_path, small_corpus)
    build(cfg)
    doc = small_corpus / "changde-2021-government-work-report.txt"
    doc.write_text(doc.read_text(encoding="utf-8").replace("各位代表", "各位委员", 1), encoding="utf-8")
    with pytest.raises(IndexMismatchError, match="corpus changed"):
        Searcher(cfg, embedder=FakeEmbedder(cfg.embedding))


@pytest.mark.parametrize("damage", ["vectors", "passages", "manifest"])
def test_truncated_index_is_reported_as_corrupt(tmp_path, small_corpus, damage):
    cfg = make_config(tmp_path, small_corpus)
    build(cfg)
    path = current_build(cfg)
    target = {"vectors": "vectors.npy", "passages": "passages.jsonl", "manifest": "manifest.json"}[damage]
    data = (path / target).read_bytes()
    (path / target).write_bytes(data[: len(data) // 2])
    with pytest.raises(IndexCorruptError, match=r"plansearch index|cannot be read|holds"):
        Searcher(cfg, embedder=FakeEmbedder(cfg.embedding))


def test_a_loaded_index_keeps_serving_after_its_build_is_pruned(tmp_path, small_corpus):
    import threading

    cfg = make_config(tmp_path, small_corpus)
    build(cfg)
    s = Searcher(cfg, embedder=FakeEmbedder(cfg.embedding))
    build(cfg)
    build(cfg)
    assert not (cfg.index_dir / "builds" / s.build_id).exists()
    errors: list[BaseException] = []

    def query() -> None:
        try:
            assert s.search("产业园区", mode="hybrid", k=3).hits
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=query) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_embedding_in_worker_processes_gives_the_same_vectors(tmp_path, small_corpus):
    """index --workers N: the same vectors as one process, with the cache filled the same way."""
    from indexer.backends.local.dense import DenseIndex

    vectors = []
    for workers in (1, 2):
        cfg = make_config(tmp_path / f"w{workers}", small_corpus)
        report = build_index(cfg, embedder=FakeEmbedder(cfg.embedding), progress=False, log=quiet, workers=workers)
        assert report.embedded == report.passages
        vectors.append(np.load(current_build(cfg) / DenseIndex.FILE))
    assert np.array_equal(vectors[0], vectors[1])
