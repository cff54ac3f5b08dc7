"""Fixtures: the real corpus, a fake-embedder index over it (built once per
session), small corpora for build tests, the Flask app and its client."""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
from pathlib import Path

import pytest
import waitress
import yaml

from indexer.build.pipeline import build_index
from indexer.config import Config, config_from_dict
from indexer.documents.corpus import Catalog
from indexer.embed.embedders import FakeEmbedder
from indexer.errors import EmbedderError
from indexer.parse.parser import parse
from indexer.search.searcher import Searcher

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
REPORT = "changde-2021-government-work-report"
TIERS = ("unit", "engine", "app", "ops", "browser")


def pytest_collection_modifyitems(items) -> None:
    """Each test carries its folder's tier as a marker (tests/README.md), so `-m` picks tiers."""
    for item in items:
        tier = Path(str(item.fspath)).relative_to(ROOT / "tests").parts[0]
        if tier in TIERS:
            item.add_marker(tier)


def make_config(tmp: Path, corpus: Path = CORPUS, **embedding) -> Config:
    return config_from_dict(
        {"corpus_dir": str(corpus), "index_dir": str(tmp / "index"),
         "embedding": {"backend": "fake", "model": "bigram-hash", **embedding}},
        base=tmp,
    )


def quiet(_: str) -> None:
    return None


class FailingEmbedder(FakeEmbedder):
    """An embedder that fails mid-build: what a failed add must survive."""

    def embed_passages(self, texts):
        raise EmbedderError("the model fell over")


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog.load(CORPUS)


@pytest.fixture(scope="session")
def parsed(catalog):
    """doc id → ParsedDocument, for every document of the real corpus."""
    return {d.id: parse(d) for d in catalog.documents()}


@pytest.fixture(scope="session")
def fake_cfg(tmp_path_factory) -> Config:
    """Built once per run: pytest-xdist workers share the first one's build (the rest wait)."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    cfg = make_config(shared / "fake-index")
    with (shared / "fake-index.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (cfg.index_dir / "current").exists():
            build_index(cfg, embedder=FakeEmbedder(cfg.embedding), progress=False, log=quiet)
    return cfg


@pytest.fixture(scope="session")
def searcher(fake_cfg):
    s = Searcher(fake_cfg, embedder=FakeEmbedder(fake_cfg.embedding))
    yield s
    s.close()


@pytest.fixture(scope="session")
def reparsed(tmp_path_factory):
    """An index built with an older chunking rule (paragraphs cut at 120 characters), then
    re-built with today's: (config, the old build's passages, a Searcher on the new build)."""
    from indexer.parse import chunks

    cfg = make_config(tmp_path_factory.mktemp("reparsed"))
    embedder = FakeEmbedder(cfg.embedding)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(chunks, "TARGET_CHARS", 120)
        build_index(cfg, embedder=embedder, progress=False, log=quiet)
        old = Searcher(cfg, embedder=embedder)
        old_passages = old.passages
        old.close()
    build_index(cfg, embedder=embedder, progress=False, log=quiet)
    new = Searcher(cfg, embedder=embedder)
    yield cfg, old_passages, new
    new.close()


def write_small_corpus(corpus: Path) -> Path:
    """The one short document (the work report) and its catalog entry, in ``corpus``."""
    corpus.mkdir()
    shutil.copy(CORPUS / f"{REPORT}.txt", corpus)
    raw = yaml.safe_load((CORPUS / "catalog.yaml").read_text(encoding="utf-8"))
    raw["documents"] = [d for d in raw["documents"] if d["id"] == REPORT]
    (corpus / "catalog.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return corpus


@pytest.fixture()
def small_corpus(tmp_path) -> Path:
    """A corpus of the one short document (the work report), for build tests."""
    return write_small_corpus(tmp_path / "corpus")


@pytest.fixture(scope="session")
def small_index(tmp_path_factory) -> Path:
    """A folder with ``corpus/`` (small_corpus) and its built ``index/``, made once per run for
    the tests that damage, back up or restore a build: each works on a copy (copy_small_index)."""
    root = tmp_path_factory.mktemp("small-index")
    cfg = make_config(root, write_small_corpus(root / "corpus"))
    build_index(cfg, embedder=FakeEmbedder(cfg.embedding), progress=False, log=quiet)
    return root


def copy_small_index(small_index: Path, tmp: Path) -> tuple[Config, Path]:
    """A copy of small_index's corpus and index in ``tmp``: its config, and a config file for the CLI."""
    shutil.copytree(small_index / "corpus", tmp / "corpus")
    shutil.copytree(small_index / "index", tmp / "index", symlinks=True)
    path = tmp / "config.yaml"
    path.write_text(yaml.safe_dump({"corpus_dir": str(tmp / "corpus"), "index_dir": str(tmp / "index"),
                                    "embedding": {"backend": "fake", "model": "bigram-hash"}}), encoding="utf-8")
    return make_config(tmp, tmp / "corpus"), path


@pytest.fixture(scope="session")
def app(searcher, fake_cfg):
    from search_app import create_app

    application = create_app(fake_cfg, searcher=searcher)
    application.config["TESTING"] = True
    return application


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def live_url(app):
    """The app served by waitress on a free loopback port, for browser and load tests."""
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=8)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    thread.join(timeout=5)
