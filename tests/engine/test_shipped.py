"""Shipped vectors: a fresh clone embeds nothing, yet a changed text or another model never
gets an old vector."""

from __future__ import annotations

import numpy as np
import pytest

from indexer.build.pipeline import build_index, embedding_text
from indexer.build.store import current_build
from indexer.documents.corpus import Catalog
from indexer.embed import shipped
from indexer.embed.cache import ModelIdentity, model_identity
from indexer.embed.embedders import FakeEmbedder, make_embedder
from indexer.parse.parser import parse
from tests.conftest import CORPUS, REPORT, make_config, quiet


def _shipped_from(small_corpus, tmp_path):
    cfg = make_config(tmp_path / "maker", small_corpus)
    build_index(cfg, embedder=FakeEmbedder(cfg.embedding), progress=False, log=quiet, ship_vectors=True)
    files = list((small_corpus / shipped.DIR).glob("*.npz"))
    assert len(files) == 1
    return files[0]


def _vectors(cfg) -> np.ndarray:
    return np.load(current_build(cfg) / "vectors.npy")


def test_a_fresh_clone_embeds_nothing_and_gets_the_same_vectors(small_corpus, tmp_path):
    _shipped_from(small_corpus, tmp_path)
    cfg = make_config(tmp_path / "fresh", small_corpus)
    lines: list[str] = []
    report = build_index(cfg, embedder=FakeEmbedder(cfg.embedding), progress=False, log=lines.append)
    assert report.embedded == 0 and report.cached == report.passages
    assert any("shipped vectors:" in line and "taken from" in line for line in lines)
    maker = make_config(tmp_path / "maker", small_corpus)
    np.testing.assert_array_equal(_vectors(cfg), _vectors(maker))


def test_an_edited_text_is_embedded_again(small_corpus, tmp_path):
    _shipped_from(small_corpus, tmp_path)
    doc = small_corpus / f"{REPORT}.txt"
    text = doc.read_text(encoding="utf-8")
    first = next(line for line in text.splitlines() if len(line) > 60)
    doc.write_text(text.replace(first, first[:-1] + "，并持续推进绿色低碳转型。"), encoding="utf-8")
    cfg = make_config(tmp_path / "fresh", small_corpus)
    embedder = FakeEmbedder(cfg.embedding)
    report = build_index(cfg, embedder=embedder, progress=False, log=quiet)
    assert report.embedded >= 1 and report.cached >= report.passages - 5
    scratch = make_config(tmp_path / "scratch", small_corpus)
    (small_corpus / shipped.DIR).rename(tmp_path / "set-aside")
    build_index(scratch, embedder=FakeEmbedder(scratch.embedding), progress=False, log=quiet)
    np.testing.assert_array_equal(_vectors(cfg), _vectors(scratch))


def test_another_models_file_is_not_used(small_corpus, tmp_path):
    _shipped_from(small_corpus, tmp_path)
    cfg = make_config(tmp_path / "other", small_corpus, model="another-model")
    report = build_index(cfg, embedder=FakeEmbedder(cfg.embedding), progress=False, log=quiet)
    assert report.embedded > 0 and report.cached == 0


class _Flipped(FakeEmbedder):
    """Another model behind the same name."""

    def embed_passages(self, texts):
        return -super().embed_passages(texts)


class _OtherCpu(FakeEmbedder):
    """The same model on a CPU whose arithmetic differs in the last bits."""

    def embed_passages(self, texts):
        vecs = super().embed_passages(texts)
        return vecs + np.random.default_rng(1).uniform(-1e-3, 1e-3, vecs.shape).astype(vecs.dtype)


@pytest.mark.parametrize(("embedder", "used"), [(_OtherCpu, True), (_Flipped, False)])
def test_the_file_is_used_on_another_cpu_but_never_by_another_model_of_the_same_name(
        small_corpus, tmp_path, embedder, used):
    _shipped_from(small_corpus, tmp_path)
    cfg = make_config(tmp_path / "fresh", small_corpus)
    lines: list[str] = []
    report = build_index(cfg, embedder=embedder(cfg.embedding), progress=False, log=lines.append)
    if used:
        assert report.embedded == 0 and report.cached == report.passages
    else:
        assert report.cached == 0 and report.embedded == report.passages
        assert any("ignored" in line and "another model" in line for line in lines), lines


def test_a_damaged_file_is_reported_and_ignored(small_corpus, tmp_path):
    path = _shipped_from(small_corpus, tmp_path)
    with np.load(path) as data:
        keys, vectors = data["keys"], data["vectors"]
    np.savez(path, keys=keys, vectors=vectors[:, :8])
    cfg = make_config(tmp_path / "fresh", small_corpus)
    lines: list[str] = []
    report = build_index(cfg, embedder=FakeEmbedder(cfg.embedding), progress=False, log=lines.append)
    assert report.cached == 0 and report.embedded > 0
    assert any("shipped vectors:" in line and "ignored" in line for line in lines)


def test_a_file_that_is_not_an_archive_is_ignored(tmp_path):
    path = tmp_path / "x.npz"
    path.write_bytes(b"PK\x03\x04 not really")
    held, rejected = shipped.load(path, ModelIdentity("x", np.ones(64)), 64)
    assert held == {} and rejected and "ignored" in rejected


@pytest.mark.slow
def test_the_committed_file_covers_the_shipped_corpus_for_the_default_model():
    """Fails when a corpus text or the default model changed without `make vectors`."""
    from indexer.config import load_config
    from indexer.embed.cache import text_key

    cfg = load_config()
    embedder = make_embedder(cfg.embedding)
    identity = model_identity(embedder)
    path = shipped.shipped_path(CORPUS, identity)
    held, rejected = shipped.load(path, identity, embedder.dim)
    assert rejected is None and held, f"{path} is missing; run: make vectors"
    docs = Catalog.load(CORPUS).documents()
    short = {d.id: d.info.short_title for d in docs}
    texts = [embedding_text(p, short[p.doc_id]) for d in docs for p in parse(d).passages]
    missing = {text_key(t) for t in texts} - set(held)
    assert not missing, f"{len(missing)} passages lack shipped vectors; run: make vectors"
