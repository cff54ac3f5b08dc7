"""The same search on both backends (local files; Milvus through milvus-lite), on the real
corpus and the fake embedder: modes, phrases, exclusions, filters, citations, reload,
add/remove, and what Milvus alone promises (the alias, rows by document version, one line
when the engine cannot be opened)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from indexer.analysis.text import squash
from indexer.build.collection import NewDocument, add_documents, remove_document
from indexer.build.pipeline import build_index
from indexer.build.store import current_build
from indexer.config import Config
from indexer.embed.embedders import FakeEmbedder
from indexer.errors import EmbedderError
from indexer.search.searcher import Searcher
from tests.conftest import ROOT, FailingEmbedder, make_config, quiet

BACKENDS = ["local", "milvus"]
HEBEI = ROOT / "collections" / "provinces" / "hebei-2026-government-work-report.txt"
HEBEI_ID = "hebei-2026-government-work-report"


def backend_config(tmp: Path, backend: str, corpus: Path | None = None) -> Config:
    from dataclasses import replace

    cfg = make_config(tmp, corpus) if corpus else make_config(tmp)
    return replace(cfg, backend=backend, milvus=replace(cfg.milvus, uri=str(tmp / "index" / "plans.db")))


@pytest.fixture(scope="module", params=BACKENDS)
def on(request, tmp_path_factory) -> Searcher:
    cfg = backend_config(tmp_path_factory.mktemp(f"backend-{request.param}"), request.param)
    build_index(cfg, embedder=FakeEmbedder(cfg.embedding), progress=False, log=quiet)
    s = Searcher(cfg, embedder=FakeEmbedder(cfg.embedding))
    yield s
    s.close()


def holding(s: Searcher, needle: str) -> set[str]:
    return {p.passage_id for p in s.passages if needle in squash(p.search_text)}


@pytest.mark.parametrize("name", ["城陵矶新港区", "冷链物流"])
def test_a_keyword_finds_every_passage_that_holds_it(on, name):
    res = on.search(name, mode="bm25", k=100)
    assert {h.passage.passage_id for h in res.hits} >= holding(on, name)
    assert res.hits[0].passage.passage_id in holding(on, name)


def test_a_quoted_phrase_returns_exactly_its_passages(on):
    res = on.search('"五溪人才行动计划"', k=50)
    assert {h.passage.passage_id for h in res.hits} == holding(on, "五溪人才行动计划")
    assert res.total == 3


def test_an_excluded_word_is_in_no_hit(on):
    res = on.search("物流 -冷链", k=50)
    assert res.hits and not any("冷链" in squash(h.passage.search_text) for h in res.hits)


@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid"])
def test_every_mode_answers_within_the_filtered_city(on, mode):
    res = on.search("养老服务体系", mode=mode, k=10, city=["怀化"])
    assert res.hits and {h.info.city for h in res.hits} == {"怀化"}


def test_hits_carry_citations_that_open_their_passage(on):
    hit = on.search("城陵矶新港区", k=1).hits[0]
    assert on.passage(hit.passage.passage_id).text == hit.passage.text
    assert hit.passage.passage_id in hit.to_json()["url"]
    assert "岳阳" in hit.to_json()["citation"]


def test_section_queries_bring_headings_and_their_lead(on):
    res = on.search("交通的章节", mode="bm25", k=10)
    assert any(h.passage.kind == "heading" and "交通" in h.passage.text for h in res.hits)


def test_a_reloaded_searcher_answers_the_same(on):
    again = Searcher(on.cfg, embedder=FakeEmbedder(on.cfg.embedding))
    try:
        for q in ("城陵矶新港区", "老人以后谁来照顾？", "数字经济发展目标"):
            assert [h.passage.passage_id for h in again.search(q, k=10).hits] == \
                   [h.passage.passage_id for h in on.search(q, k=10).hits]
    finally:
        again.close()


@pytest.fixture(params=BACKENDS)
def small(request, tmp_path, small_corpus) -> Config:
    cfg = backend_config(tmp_path, request.param, small_corpus)
    build_index(cfg, embedder=FakeEmbedder(cfg.embedding), progress=False, log=quiet)
    return cfg


def search_once(cfg: Config, q: str, **kw) -> list[str]:
    s = Searcher(cfg, embedder=FakeEmbedder(cfg.embedding))
    try:
        return [h.passage.doc_id for h in s.search(q, k=10, **kw).hits]
    finally:
        s.close()


def test_add_then_remove_a_document(small):
    assert HEBEI_ID not in search_once(small, "雄安新区")
    add_documents(small, [NewDocument(HEBEI)], embedder=FakeEmbedder(small.embedding), progress=False, log=quiet)
    assert search_once(small, "雄安新区")[0] == HEBEI_ID
    remove_document(small, HEBEI_ID, embedder=FakeEmbedder(small.embedding), progress=False, log=quiet)
    assert HEBEI_ID not in search_once(small, "雄安新区")


def test_a_failed_add_changes_nothing(small):
    before = current_build(small).name, search_once(small, "政府工作报告", mode="bm25")
    with pytest.raises(EmbedderError):
        add_documents(small, [NewDocument(HEBEI)], embedder=FailingEmbedder(small.embedding), progress=False,
                      log=quiet)
    assert (current_build(small).name, search_once(small, "政府工作报告", mode="bm25")) == before


@pytest.mark.parametrize(("raw", "message"), [
    ({"backend": "elastic"}, "backend must be one of local, milvus"),
    ({"milvus": {"uri": "plans.sqlite"}}, "must end in .db"),
    ({"milvus": {"alias": "plan-search"}}, "milvus.alias"),
    ({"milvus": {"host": "x"}}, "unknown key(s) in 'milvus': host"),
])
def test_a_bad_backend_setting_is_one_config_error(tmp_path, raw, message):
    from indexer.config import config_from_dict
    from indexer.errors import ConfigError

    with pytest.raises(ConfigError, match=re.escape(message)):
        config_from_dict(raw, base=tmp_path)


def test_a_milvus_lite_file_is_relative_to_the_config_and_a_url_is_kept(tmp_path):
    from indexer.config import config_from_dict

    assert config_from_dict({"milvus": {"uri": "index/x.db"}}, base=tmp_path).milvus.uri == str(tmp_path / "index/x.db")
    remote = config_from_dict({"milvus": {"uri": "http://milvus:19530"}}, base=tmp_path).milvus
    assert remote.uri == "http://milvus:19530" and not remote.embedded


# --- Milvus only ----------------------------------------------------------------------------------
@pytest.fixture()
def milvus_small(tmp_path, small_corpus) -> Config:
    cfg = backend_config(tmp_path, "milvus", small_corpus)
    build_index(cfg, embedder=FakeEmbedder(cfg.embedding), progress=False, log=quiet)
    return cfg


def engine_state(cfg: Config) -> tuple[str | None, list[str], int]:
    from indexer.backends.milvus.engine import MilvusIndex

    section = json.loads((current_build(cfg) / "manifest.json").read_text(encoding="utf-8"))["milvus"]
    engine = MilvusIndex(cfg.milvus)
    try:
        engine.load(section["collection"])
        names = sorted(n for n in engine.client.list_collections() if n.startswith(cfg.milvus.alias))
        return engine.aliased(), names, engine.count(section["collection"])
    finally:
        engine.close()


def test_the_alias_names_the_serving_build_and_old_collections_go(milvus_small):
    cfg = milvus_small
    first = json.loads((current_build(cfg) / "manifest.json").read_text(encoding="utf-8"))["milvus"]["collection"]
    assert engine_state(cfg)[0] == first
    from indexer.backends.milvus.engine import MilvusIndex

    engine = MilvusIndex(cfg.milvus)
    engine.create(f"{cfg.milvus.alias}_left_by_a_killed_build", 8)
    engine.close()
    for _ in range(2):
        build_index(cfg, embedder=FakeEmbedder(cfg.embedding), progress=False, log=quiet)
    alias, names, _ = engine_state(cfg)
    serving = json.loads((current_build(cfg) / "manifest.json").read_text(encoding="utf-8"))["milvus"]["collection"]
    assert alias == serving != first
    assert first not in names and len(names) == 2  # the serving build's and the previous one's
    assert f"{cfg.milvus.alias}_left_by_a_killed_build" not in names


def test_a_failed_add_on_milvus_writes_nothing_that_stays(milvus_small):
    before = engine_state(milvus_small)
    with pytest.raises(EmbedderError):
        add_documents(milvus_small, [NewDocument(HEBEI)], embedder=FailingEmbedder(milvus_small.embedding),
                      progress=False, log=quiet)
    assert engine_state(milvus_small) == before


def test_an_add_writes_only_the_new_document_into_the_serving_collection(milvus_small):
    _, names, rows = engine_state(milvus_small)
    add_documents(milvus_small, [NewDocument(HEBEI)], embedder=FakeEmbedder(milvus_small.embedding),
                  progress=False, log=quiet)
    _, after, more = engine_state(milvus_small)
    hebei = json.loads((current_build(milvus_small) / "manifest.json").read_text())["documents"][HEBEI_ID]
    assert after == names and more == rows + hebei["passages"]


def test_a_locked_milvus_lite_file_is_one_clear_line(milvus_small, tmp_path):
    """milvus-lite lets one process open a .db: a second gets the reason and the way out."""
    holder = Searcher(milvus_small, embedder=FakeEmbedder(milvus_small.embedding))
    try:
        cfg_file = tmp_path / "config.yaml"
        cfg_file.write_text(yaml.safe_dump({
            "corpus_dir": str(milvus_small.corpus_dir), "index_dir": str(milvus_small.index_dir),
            "backend": "milvus", "milvus": {"uri": milvus_small.milvus.uri},
            "embedding": {"backend": "fake", "model": "bigram-hash"}}), encoding="utf-8")
        def cli(*args: str) -> subprocess.CompletedProcess:
            return subprocess.run([sys.executable, "-m", "indexer.cli", "--config", str(cfg_file), *args],
                                  capture_output=True, text=True, cwd=ROOT, timeout=120)

        searched, added = cli("search", "政府"), cli("add", str(HEBEI), "--quiet")
    finally:
        holder.close()
    for out in (searched, added):
        assert out.returncode == 6
        assert "milvus-lite server" in out.stderr and "Traceback" not in out.stderr
    assert "parsed" not in added.stderr  # refused before any parsing or embedding
    assert not (milvus_small.corpus_dir / HEBEI.name).exists()


def test_health_names_the_backend(on):
    from search_app import create_app

    client = create_app(on.cfg, searcher=on).test_client()
    assert client.get("/api/health").get_json()["backend"] == on.cfg.backend


def test_an_engine_that_stops_answering_is_a_503_with_one_line(milvus_small):
    """Milvus down mid-service: the API says so (503, JSON), the CLI in one line; never a 500."""
    from search_app import create_app

    s = Searcher(milvus_small, embedder=FakeEmbedder(milvus_small.embedding))
    client = create_app(milvus_small, searcher=s).test_client()
    assert client.get("/api/search?q=政府").status_code == 200
    s.indexes.engine.client.close()
    resp = client.get("/api/search?q=政府")
    assert resp.status_code == 503
    assert resp.get_json()["error"]["code"] == "unavailable" and "\n" not in resp.get_json()["error"]["message"]
    s.close()


def test_a_question_with_feedback_answers_on_both_backends(on):
    from dataclasses import replace

    cfg = replace(on.cfg, search=replace(on.cfg.search, feedback_passages=3))
    fed = Searcher(cfg, embedder=FakeEmbedder(cfg.embedding))
    try:
        question = "老人以后谁来照顾？"
        plain = on.search(question, k=10).hits
        hits = fed.search(question, k=10).hits
        assert hits and {h.passage.passage_id for h in hits[:3]} & {h.passage.passage_id for h in plain[:5]}
        assert [h.passage.passage_id for h in fed.search("城陵矶新港区", k=10).hits] == \
               [h.passage.passage_id for h in on.search("城陵矶新港区", k=10).hits]
    finally:
        fed.close()
