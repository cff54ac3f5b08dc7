"""One build at a time per index folder.

``index/.build.lock`` holds the pid of the process that builds. A second build
is refused with that pid; a lock whose process is gone (a killed build) is
taken over, and whatever that build left behind is removed.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from indexer.errors import BuildLockedError

LOCK_FILE = ".build.lock"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class BuildLock:
    def __init__(self, index_dir: Path, cache_dir: Path | None = None) -> None:
        self.index_dir = index_dir
        self.cache_dir = cache_dir
        self.path = index_dir / LOCK_FILE
        self.took_over: int | None = None

    def __enter__(self) -> BuildLock:
        self.index_dir.mkdir(parents=True, exist_ok=True)
        # The pid is written first and the lock appears with it in one link(), so a
        # competitor never reads an empty lock and mistakes it for a dead one.
        mine = self.index_dir / f".build.lock.{os.getpid()}"
        mine.write_text(str(os.getpid()))
        try:
            for _ in range(3):
                try:
                    os.link(mine, self.path)
                except FileExistsError:
                    holder = self._holder()
                    if holder is None or (holder != os.getpid() and _alive(holder)):
                        raise BuildLockedError(f"another build is running (pid {holder or '?'}) on "
                                               f"{self.index_dir}; wait for it to finish") from None
                    self.took_over = holder
                    self.path.unlink(missing_ok=True)
                    continue
                remove_leftovers(self.index_dir, self.cache_dir)
                return self
        finally:
            mine.unlink(missing_ok=True)
        raise BuildLockedError(f"cannot take the build lock {self.path}; another build keeps taking it")

    def _holder(self) -> int | None:
        try:
            return int(self.path.read_text().strip() or 0) or None
        except (OSError, ValueError):
            return None

    def __exit__(self, *exc: object) -> None:
        if self._holder() == os.getpid():
            self.path.unlink(missing_ok=True)


def remove_leftovers(index_dir: Path, cache_dir: Path | None = None) -> list[Path]:
    """Temp folders, links and cache files of builds that died; safe only while holding the lock."""
    found = list(index_dir.glob(".current.*")) + [
        p for p in index_dir.glob(".build.lock.*") if p.suffix.lstrip(".").isdigit() and not _alive(int(p.suffix[1:]))]
    builds = index_dir / "builds"
    if builds.is_dir():
        found += list(builds.glob(".tmp-*"))
    if cache_dir is not None and cache_dir.is_dir():
        found += list(cache_dir.glob("*/.cache.npz.*.tmp"))
    for p in found:
        if p.is_symlink() or p.is_file():
            p.unlink(missing_ok=True)
        else:
            shutil.rmtree(p, ignore_errors=True)
    return found
