"""What extracting in a child process (indexer/extract/sandbox.py) costs on the format fixtures:
each PDF, .docx and .html extracted in-process and through the sandbox, best of N runs, and the
fork round trip alone. Run: ``.venv/bin/python bench/extract_sandbox.py [N]``."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from indexer.extract import _extract_in_child, extract, sandbox
from indexer.extract.formats import DEFAULT_LIMITS, detect

FIXTURES = Path(__file__).resolve().parents[1] / "tests/data/formats"


def best(fn, n: int) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(n: int = 3) -> None:
    names = sorted(p.name for p in FIXTURES.iterdir() if p.suffix in (".pdf", ".docx", ".html"))
    print(f"{'file':<28} {'in-process s':>12} {'sandboxed s':>12} {'overhead ms':>12}")
    total_in = total_out = 0.0
    for name in names:
        data = (FIXTURES / name).read_bytes()
        fmt = detect(data, name)
        inside = best(lambda data=data, fmt=fmt, name=name: _extract_in_child(data, name, fmt, DEFAULT_LIMITS, ""), n)
        outside = best(lambda data=data, name=name: extract(data, name), n)
        total_in, total_out = total_in + inside, total_out + outside
        print(f"{name:<28} {inside:>12.3f} {outside:>12.3f} {1000 * (outside - inside):>12.1f}")
    print(f"{'all':<28} {total_in:>12.3f} {total_out:>12.3f} {1000 * (total_out - total_in):>12.1f}")
    trip = best(lambda: sandbox.run(len, (b"x" * 1_000_000,), "x", DEFAULT_LIMITS), 20)
    print(f"fork round trip alone (1 MB argument, nothing extracted): {1000 * trip:.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
