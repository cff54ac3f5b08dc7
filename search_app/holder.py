"""Which loaded index a request uses, and when a replaced one is closed."""

from __future__ import annotations

import ctypes
import gc
import threading
from collections.abc import Callable
from pathlib import Path

from indexer.build.store import current_build
from indexer.config import Config
from indexer.errors import PlansearchError
from indexer.search.searcher import Searcher


class SearcherHolder:
    """The searcher requests use; ``reload`` swaps in a newly built index.

    A request leases the searcher for its whole life (``acquire``/``release``), so a swap
    mid-request changes nothing for it. A replaced searcher is closed when its last lease
    ends, not after a fixed delay, so reloads do not pile up loaded indexes.
    """

    def __init__(self, cfg: Config, searcher: Searcher) -> None:
        self.cfg = cfg
        self._searcher = searcher
        self._leases: dict[int, int] = {}
        self._lock = threading.Lock()
        self._reloading = threading.Lock()

    @property
    def current(self) -> Searcher:
        return self._searcher

    def acquire(self) -> Searcher:
        with self._lock:
            s = self._searcher
            self._leases[id(s)] = self._leases.get(id(s), 0) + 1
            return s

    def release(self, s: Searcher) -> None:
        with self._lock:
            left = self._leases.get(id(s), 1) - 1
            if left > 0:
                self._leases[id(s)] = left
                return
            self._leases.pop(id(s), None)
            retired = s is not self._searcher
        if retired:
            s.close()
            _trim_soon()

    def reload(self) -> tuple[Searcher, bool]:
        """The newest build, and whether it is new; the same build is not loaded again."""
        with self._reloading:
            old = self._searcher
            if current_build(self.cfg) == old.path.resolve():
                return old, False
            fresh = Searcher(self.cfg, embedder=old.embedder)
            fresh.warm_up()
            with self._lock:
                self._searcher = fresh
                idle = id(old) not in self._leases
            if idle:
                old.close()
                _trim_soon()
            return fresh, True


    def follow(self, interval_s: float, log: Callable[[str], None]) -> threading.Event:
        """Reload by itself whenever ``current`` moves (``add``, ``remove``, ``index`` in another
        process), so a user who adds a report finds it without a signal. A build that cannot be
        loaded is reported once and not retried until ``current`` moves again; the old build
        keeps serving. Set the returned event to stop."""
        stop = threading.Event()
        refused: list[Path | None] = [None]

        def run() -> None:
            while not stop.wait(interval_s):
                try:
                    target = current_build(self.cfg)
                except PlansearchError:
                    continue  # no current build at this instant: keep serving the loaded one
                if target == self.current.path.resolve() or target == refused[0]:
                    continue
                try:
                    fresh, changed = self.reload()
                except PlansearchError as exc:
                    refused[0] = target
                    log(f"reload failed, still serving {self.current.build_id}: {exc}")
                else:
                    refused[0] = None
                    if changed:
                        log(f"reload: now serving index {fresh.build_id}")

        threading.Thread(target=run, name="follow-current", daemon=True).start()
        return stop


def _trim_soon() -> None:
    """Once the last reference to a dropped index is gone, hand its freed heap back to the OS:
    glibc keeps it otherwise, and ten reloads grew a server by half."""
    timer = threading.Timer(0.5, _trim)
    timer.daemon = True
    timer.start()


def _trim() -> None:
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        return  # not glibc: nothing to hand back this way
