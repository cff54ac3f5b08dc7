"""Thread counts and the OpenMP wait policy, set on purpose for the machine.

With both cores busy, OpenMP threads that spin-wait between parallel regions steal the
core another request needs (one query embedding went from 18 ms to 456 ms). So: passive
waiting always; while serving, ``server.embed_threads`` OpenMP threads for the query
embedding (one request embeds at a time) and one BLAS thread for the dense scores (two
halve a 274k-passage product, 33 → 17 ms, for one client, but concurrent requests would
fight over them); while building, every core for the batch embedding.
Settings already in the environment win, so an operator can still override them.
"""

from __future__ import annotations

import os

WAIT_POLICY = "PASSIVE"


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def embed_threads() -> int:
    """What set_threads put in force (or the operator set), for backends that take a count."""
    return int(os.environ.get("OMP_NUM_THREADS", "0") or 0) or cores()


def set_threads(omp_threads: int, blas_threads: int = 1) -> dict[str, str]:
    """Call before the embedder loads (OpenMP reads its environment when it starts);
    BLAS, loaded with numpy already, is limited in place. Returns what is in force."""
    os.environ.setdefault("OMP_WAIT_POLICY", WAIT_POLICY)
    os.environ.setdefault("OMP_NUM_THREADS", str(max(1, omp_threads)))
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=max(1, blas_threads), user_api="blas")
    return {k: os.environ[k] for k in ("OMP_WAIT_POLICY", "OMP_NUM_THREADS")}
