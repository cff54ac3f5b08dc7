"""One file's extraction in a child process, under its time and memory limits (Limits.seconds, .memory_mb).

pdfminer, python-docx and lxml run in-process C and Python code over bytes from the outside
world: a deflate bomb swells memory, a pathological page loops for hours. In a forked child the
limit is enforced from outside (the parent waits ``seconds``, then kills it) and from inside
(RLIMIT_AS: an allocation past the limit raises MemoryError), and a crash takes only the child.
A fork costs milliseconds and inherits the imported libraries (docs/NOTES.md measures it).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
from collections.abc import Callable
from typing import Any

from indexer.errors import ExtractionError, ExtractionLimitError, PlansearchError
from indexer.extract.formats import Limits

try:
    import resource
except ImportError:  # not on Windows: the time limit still holds
    resource = None  # type: ignore[assignment]


def run(fn: Callable[..., Any], args: tuple, name: str, limits: Limits) -> Any:
    """``fn(*args)`` in a forked child: its value, the PlansearchError it raised, or an
    ExtractionLimitError / ExtractionError in one line when it ran too long, ran out of memory or died."""
    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, fn, args, name, limits.memory_mb), daemon=True)
    proc.start()
    send.close()
    try:
        if not recv.poll(limits.seconds):
            raise ExtractionLimitError(f"{name}: extraction took more than {limits.seconds:g} s "
                                       "(the limit per file); refused")
        try:
            ok, value = recv.recv()
        except (EOFError, OSError):
            proc.join(5)
            raise ExtractionError(f"{name}: the extractor died on this file ({_how(proc.exitcode)}); "
                                  "it cannot be read") from None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
        recv.close()
    if ok:
        return value
    raise value


def _how(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        with contextlib.suppress(ValueError):
            return f"signal {signal.Signals(-exitcode).name}"
    return f"exit status {exitcode}"


def _child(conn, fn: Callable[..., Any], args: tuple, name: str, memory_mb: int) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    _die_with_parent()
    before = _limit_memory(memory_mb)
    try:
        result: tuple[bool, Any] = (True, fn(*args))
    except PlansearchError as exc:
        result = (False, exc)
    except MemoryError:
        result = (False, ExtractionLimitError(f"{name}: extraction needs more than {memory_mb} MB of memory "
                                              "(the limit per file; a decompression bomb?); refused"))
    except RecursionError:
        result = (False, ExtractionError(f"{name}: nests without end (RecursionError); it cannot be read"))
    except Exception as exc:  # a library's bug on a strange file: one line, never a traceback
        result = (False, ExtractionError(f"{name}: the extractor failed on this file ({type(exc).__name__}); "
                                         "it cannot be read"))
    if before is not None:
        resource.setrlimit(resource.RLIMIT_AS, before)  # room to send the answer
    conn.send(result)
    conn.close()


def _limit_memory(memory_mb: int) -> tuple[int, int] | None:
    """Cap the child's address space at what it inherited plus ``memory_mb``; the old limit."""
    if resource is None:
        return None
    try:
        with open("/proc/self/statm") as f:
            size = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return None
    before = resource.getrlimit(resource.RLIMIT_AS)
    cap = size + memory_mb * 1024 * 1024
    if before[1] != resource.RLIM_INFINITY:
        cap = min(cap, before[1])
    resource.setrlimit(resource.RLIMIT_AS, (cap, before[1]))
    return before


def _die_with_parent() -> None:
    """A child whose parent is killed (SIGKILL) goes too, rather than extracting on for minutes."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
