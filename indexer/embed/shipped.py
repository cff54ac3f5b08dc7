"""Vectors shipped with the corpus, so that a fresh clone embeds nothing at its first build.

``corpus/vectors/<model key>.npz`` holds the keys (text hashes) and vectors of one model, the
same pair the embedding cache keeps, and the model's probe vector. A build seeds its cache from
the file named by its model's key when the probe agrees (indexer.embed.cache.ModelIdentity: the
same model on another CPU does, another model behind the same name does not); texts the file does
not hold (edited, added) are embedded as usual. Written by ``plansearch index --ship-vectors``.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np

from indexer.embed.cache import EmbeddingCache, ModelIdentity, text_key
from indexer.errors import BuildError

DIR = "vectors"


def shipped_path(corpus_dir: Path, identity: ModelIdentity) -> Path:
    return corpus_dir / DIR / f"{identity.key}.npz"


def load(path: Path, identity: ModelIdentity, dim: int) -> tuple[dict[str, np.ndarray], str | None]:
    """The file's vectors by key, and why it was ignored (None when it was used or is absent).
    A damaged file only costs embedding, so it is reported and skipped, never half used."""
    if not path.is_file():
        return {}, None
    try:
        with path.open("rb") as f, np.load(f, allow_pickle=False) as data:
            keys, vecs = data["keys"], data["vectors"]
            identity.check(data["probe"])
            if keys.ndim != 1 or vecs.ndim != 2 or len(keys) != len(vecs) or vecs.shape[1] != dim:
                raise ValueError(f"keys {keys.shape} and vectors {vecs.shape} do not fit a {dim}-d model")
            if not np.isfinite(vecs).all():
                raise ValueError("vectors hold NaN or infinity")
            return dict(zip(keys.tolist(), vecs.astype(np.float32), strict=True)), None
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        return {}, f"{path} ignored: {exc}"


def seed(cache: EmbeddingCache, path: Path, texts: Sequence[str], batch_size: int) -> tuple[int, str | None]:
    """Put the shipped vectors of ``texts`` that the cache lacks into it; how many, and why the
    file was ignored if it was. Texts the file does not hold are left for the embedder."""
    shipped, rejected = load(path, cache.identity, cache.dim)
    known = [t for t in texts if text_key(t) in shipped]
    if not known:
        return 0, rejected

    def from_file(batches: Iterable[list[str]]) -> Iterator[np.ndarray]:
        return (np.stack([shipped[text_key(t)] for t in batch]) for batch in batches)

    _, added = cache.embed(from_file, known, batch_size)
    return added, rejected


def write(path: Path, identity: ModelIdentity, texts: Sequence[str], vectors: np.ndarray) -> int:
    """Write the vectors of ``texts`` (one row each, in order) as the shipped file; how many
    distinct texts it holds (keys sorted, so the same corpus gives the same arrays)."""
    if len(texts) != len(vectors):
        raise BuildError(f"{len(texts)} texts and {len(vectors)} vectors cannot be shipped together")
    rows = {text_key(t): i for i, t in enumerate(texts)}
    keys = sorted(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as f:
            np.savez_compressed(f, keys=np.array(keys, dtype="<U32"),
                                vectors=np.asarray(vectors, dtype=np.float32)[[rows[k] for k in keys]],
                                probe=identity.probe)
        os.replace(tmp, path)
    except OSError as exc:
        raise BuildError(f"cannot write {path}: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return len(keys)
