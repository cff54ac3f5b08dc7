"""``plansearch backup`` and ``restore``: the corpus (catalog and originals) and the serving build
as one snapshot, checked against the build's recorded sums on the way out and on the way back.

A snapshot is a folder: ``corpus/`` (catalog.yaml and the originals the build was made from)
and ``build/`` (the build folder as it is). It is written under a temp name and renamed into
place, under the build lock, so no ``add``/``remove``/``index`` runs between reading the corpus
and reading the build; a server may go on serving, since it only reads.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from indexer.build.lock import BuildLock
from indexer.build.pipeline import switch_to
from indexer.build.store import CURRENT, builds_dir, current_build, original_sums, read_manifest
from indexer.build.verify import Verification, verify_folder
from indexer.config import Config
from indexer.errors import BackupError

CORPUS = "corpus"
BUILD = "build"


@dataclass(frozen=True)
class Snapshot:
    """What a backup wrote or a restore brought back."""

    path: Path
    build_id: str
    check: Verification
    moved_aside: Path | None = None


def _taken(path: Path) -> bool:
    """A destination that holds something: a file, or a folder that is not empty."""
    return path.exists() and (not path.is_dir() or any(path.iterdir()))


def backup(cfg: Config, dest: Path) -> Snapshot:
    """Copy the serving build and its corpus into ``dest`` (absent or empty), checked in full."""
    dest = Path(os.path.abspath(dest))
    if _taken(dest):
        raise BackupError(f"{dest} is not empty; back up into a new or empty folder")
    tmp = dest.parent / f".{dest.name}.tmp-{os.getpid()}"
    with BuildLock(cfg.index_dir, cfg.cache_dir):
        build = current_build(cfg)
        originals = original_sums(build, read_manifest(build))
        if originals is None:
            raise BackupError(f"index {build.name} was made before its corpus files were recorded, so a backup "
                              "of it could not be checked; rebuild with: plansearch index, then back up")
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp.mkdir()
            shutil.copytree(build, tmp / BUILD)
            for name in originals:
                target = tmp / CORPUS / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(cfg.corpus_dir / name, target)
            check = verify_folder(tmp / BUILD, tmp / CORPUS)
            if not check.clean:
                raise BackupError(f"nothing backed up: {check.lines()[0]}")
            if dest.is_dir():
                dest.rmdir()
            os.replace(tmp, dest)
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise BackupError(f"backup to {dest} failed ({exc}); nothing written") from exc
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return Snapshot(dest, check.build_id, check)


def check_snapshot(src: Path) -> Verification:
    """A backup's build and corpus against the build's manifest, in full."""
    if not (src / BUILD / "manifest.json").is_file() or not (src / CORPUS).is_dir():
        raise BackupError(f"{src} is not a plansearch backup (it has no {BUILD}/manifest.json and {CORPUS}/)")
    check = verify_folder(src / BUILD, src / CORPUS)
    if not check.clean:
        raise BackupError(f"backup {src} is damaged, nothing restored: {check.lines()[0]}")
    if check.originals is None:
        raise BackupError(f"backup {src} does not record its corpus files; nothing restored")
    return check


def restore(src: Path, cfg: Config, force: bool = False) -> Snapshot:
    """Bring a backup back as ``cfg``'s corpus and serving build. A corpus folder that is not
    empty, or an index that serves, is replaced only with ``force``: the corpus is then moved
    aside (its name + ``.before-restore-<time>``), the old builds stay in the index's history."""
    src = Path(os.path.abspath(src))
    check = check_snapshot(src)
    manifest = read_manifest(src / BUILD)
    _check_config(cfg, manifest)
    corpus, index_taken = cfg.corpus_dir, (cfg.index_dir / CURRENT).is_symlink()
    if not force and (_taken(corpus) or index_taken):
        which = corpus if _taken(corpus) else cfg.index_dir
        raise BackupError(f"{which} already holds a {'corpus' if which == corpus else 'serving index'}; "
                          "restore into empty folders, or add --force to replace it (the corpus is moved aside)")
    with BuildLock(cfg.index_dir, cfg.cache_dir):
        final = builds_dir(cfg) / check.build_id
        if final.exists() and not verify_folder(final, src / CORPUS).clean:
            raise BackupError(f"{final} exists and differs from the backup's build; remove it, then restore")
        corpus.parent.mkdir(parents=True, exist_ok=True)
        tmp_corpus = corpus.parent / f".{corpus.name}.restore-{os.getpid()}"
        tmp_build = builds_dir(cfg) / f".tmp-restore-{check.build_id}"
        aside: Path | None = None
        swapped = False
        try:
            shutil.copytree(src / CORPUS, tmp_corpus)
            if not final.exists():
                shutil.copytree(src / BUILD, tmp_build)
                os.replace(tmp_build, final)
            if corpus.is_dir() and not any(corpus.iterdir()):
                corpus.rmdir()
            elif corpus.exists():
                aside = corpus.with_name(f"{corpus.name}.before-restore-{time.strftime('%Y%m%d-%H%M%S')}")
                os.replace(corpus, aside)
            os.replace(tmp_corpus, corpus)
            swapped = True
            switch_to(cfg, final)
        except BaseException as exc:
            if swapped:
                shutil.rmtree(corpus, ignore_errors=True)
            if aside is not None:
                os.replace(aside, corpus)
            shutil.rmtree(tmp_corpus, ignore_errors=True)
            shutil.rmtree(tmp_build, ignore_errors=True)
            if isinstance(exc, OSError):
                raise BackupError(f"restore from {src} failed ({exc}); the corpus and index are as they were") \
                    from exc
            raise
    return Snapshot(src, check.build_id, check, aside)


def _check_config(cfg: Config, manifest: dict) -> None:
    """A restored build must be one this config serves: same backend, same embedding."""
    backend = manifest.get("backend", "local")
    if backend != "local" or cfg.backend != "local":
        raise BackupError(f"the backup's build is for the {backend} backend and the config's is {cfg.backend}; "
                          "restore works on local builds (a Milvus collection is not in a backup: restore with "
                          "a local config, then plansearch index)")
    built, wanted = manifest["embedding"], cfg.embedding.identity()
    diffs = [f"{k}={built.get(k)!r}" for k, v in wanted.items() if built.get(k) != v]
    if diffs:
        raise BackupError(f"the backup was built with {', '.join(diffs)}; set the config's embedding to match, "
                          "then restore")
