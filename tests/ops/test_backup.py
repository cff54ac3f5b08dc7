"""plansearch backup and restore: one checked snapshot of the corpus and the serving build, taken
while a searcher answers, brought back under another config so that search answers the same."""

from __future__ import annotations

import dataclasses
import os
import threading

import pytest
import yaml

from indexer.build.backup import backup, restore
from indexer.build.lock import BuildLock
from indexer.build.store import current_build
from indexer.config import load_config
from indexer.embed.embedders import FakeEmbedder
from indexer.errors import BackupError, BuildLockedError
from indexer.search.searcher import Searcher
from tests.conftest import REPORT, copy_small_index
from tests.ops.test_verify import cli, flip_a_byte

QUERIES = ("产业园区", "如何推进养老服务体系建设", "常德 2021 地区生产总值")


def answers(cfg) -> list[list[tuple[str, float]]]:
    searcher = Searcher(cfg, embedder=FakeEmbedder(cfg.embedding))
    try:
        return [[(h.passage.passage_id, round(h.score, 9)) for h in searcher.search(q, mode="hybrid", k=10).hits]
                for q in QUERIES]
    finally:
        searcher.close()


def other_config(tmp_path):
    """Another machine's config: other folders, another batch size, the same model."""
    path = tmp_path / "elsewhere" / "config.yaml"
    path.parent.mkdir()
    path.write_text(yaml.safe_dump({"corpus_dir": "plans", "index_dir": "search-index",
                                    "embedding": {"backend": "fake", "model": "bigram-hash", "batch_size": 4}}),
                    encoding="utf-8")
    return path


def test_a_backup_taken_while_searching_restores_elsewhere_with_the_same_answers(small_index, tmp_path):
    cfg, config = copy_small_index(small_index, tmp_path)
    before = answers(cfg)
    assert all(before), before
    searcher = Searcher(cfg, embedder=FakeEmbedder(cfg.embedding))
    errors: list[BaseException] = []
    answered = []
    done = threading.Event()

    def search_meanwhile():
        while not done.is_set():
            try:
                assert searcher.search(QUERIES[0], mode="bm25", k=5).hits
                answered.append(1)
            except BaseException as exc:
                errors.append(exc)
                return

    worker = threading.Thread(target=search_meanwhile)
    worker.start()
    try:
        out = cli(config, "backup", str(tmp_path / "snap"))
    finally:
        done.set()
        worker.join()
        searcher.close()
    assert out.exit_code == 0 and out.output.startswith(f"backed up index {current_build(cfg).name}"), out.output
    assert errors == [] and answered
    assert sorted(p.name for p in (tmp_path / "snap").iterdir()) == ["build", "corpus"]
    assert not list(tmp_path.glob(".snap.tmp-*"))

    elsewhere = other_config(tmp_path)
    out = cli(elsewhere, "restore", str(tmp_path / "snap"))
    assert out.exit_code == 0, out.output
    there = load_config(elsewhere)
    assert there.corpus_dir != cfg.corpus_dir and current_build(there).name == current_build(cfg).name
    assert answers(there) == before
    check = cli(elsewhere, "verify")
    assert check.exit_code == 0 and "sizes and sha256 match" in check.output, check.output


def test_backup_refuses_a_folder_that_is_not_empty_and_writes_nothing(small_index, tmp_path):
    _, config = copy_small_index(small_index, tmp_path)
    dest = tmp_path / "taken"
    dest.mkdir()
    (dest / "old.txt").write_text("keep me")
    out = cli(config, "backup", str(dest))
    assert out.exit_code == 8 and out.output == f"error: {dest} is not empty; back up into a new or empty folder\n"
    assert [p.name for p in dest.iterdir()] == ["old.txt"]
    (dest / "old.txt").unlink()
    assert cli(config, "backup", str(dest)).exit_code == 0  # an empty folder is taken


def test_backup_waits_for_no_build_it_is_refused_while_one_holds_the_lock(small_index, tmp_path):
    """The snapshot is consistent because no add/remove/index runs while it is copied."""
    cfg, _ = copy_small_index(small_index, tmp_path)
    lock = BuildLock(cfg.index_dir, cfg.cache_dir)
    lock.path.parent.mkdir(parents=True, exist_ok=True)
    lock.path.write_text(str(os.getppid()))  # a live process that is not this one
    with pytest.raises(BuildLockedError):
        backup(cfg, tmp_path / "snap")
    assert not (tmp_path / "snap").exists()


def test_a_damaged_build_is_not_backed_up(small_index, tmp_path):
    cfg, config = copy_small_index(small_index, tmp_path)
    flip_a_byte(current_build(cfg) / "vectors.npy")
    out = cli(config, "backup", str(tmp_path / "snap"))
    assert out.exit_code == 8 and "nothing backed up: build" in out.output and "vectors.npy" in out.output
    assert not (tmp_path / "snap").exists() and not list(tmp_path.glob(".snap.tmp-*"))


def test_a_damaged_backup_restores_nothing(small_index, tmp_path):
    cfg, _ = copy_small_index(small_index, tmp_path)
    backup(cfg, tmp_path / "snap")
    flip_a_byte(tmp_path / "snap" / "corpus" / f"{REPORT}.txt")
    elsewhere = other_config(tmp_path)
    out = cli(elsewhere, "restore", str(tmp_path / "snap"))
    assert out.exit_code == 8 and "is damaged, nothing restored" in out.output and f"{REPORT}.txt" in out.output
    assert sorted(p.name for p in elsewhere.parent.iterdir()) == ["config.yaml"]


def test_restore_replaces_a_corpus_only_with_force_and_moves_the_old_one_aside(small_index, tmp_path):
    cfg, config = copy_small_index(small_index, tmp_path)
    backup(cfg, tmp_path / "snap")
    out = cli(config, "restore", str(tmp_path / "snap"))
    assert out.exit_code == 8 and "already holds a corpus" in out.output and "--force" in out.output
    with pytest.raises(BackupError, match="already holds a serving index"):
        restore(tmp_path / "snap", dataclasses.replace(cfg, corpus_dir=tmp_path / "empty"))
    assert not (tmp_path / "empty").exists()

    (cfg.corpus_dir / "catalog.yaml").write_text("documents: []\n", encoding="utf-8")  # a corpus gone wrong
    snap = restore(tmp_path / "snap", cfg, force=True)
    assert snap.moved_aside is not None and (snap.moved_aside / "catalog.yaml").read_text() == "documents: []\n"
    assert cli(config, "verify").exit_code == 0
