"""Query-embedding latency under each OpenMP thread policy, on an idle machine and with one
core kept busy by another process (a build, a second server, a neighbour). Each policy runs in
a fresh process, since OpenMP reads its settings once, when the model loads.

Prints numbers; asserts nothing. Usage:
    .venv/bin/python bench/threads.py [--queries 60]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLICIES = {
    "2 threads, default wait (before)": {"OMP_NUM_THREADS": "2", "OMP_WAIT_POLICY": ""},
    "2 threads, active wait": {"OMP_NUM_THREADS": "2", "OMP_WAIT_POLICY": "ACTIVE"},
    "1 thread, passive wait (serve now)": {"OMP_NUM_THREADS": "1", "OMP_WAIT_POLICY": "PASSIVE"},
}
TEXTS = ("老人以后谁来照顾？", "城陵矶新港区", "地区生产总值增长目标", "冷链物流", "乡村振兴有哪些举措")


def measure(n: int) -> None:
    sys.path.insert(0, str(ROOT))
    from indexer.config import load_config
    from indexer.embed.embedders import make_embedder
    from indexer.evaluate import percentile

    embedder = make_embedder(load_config().embedding)
    embedder.embed_query("预热")
    times = []
    for i in range(n):
        t = time.perf_counter()
        embedder.embed_query(TEXTS[i % len(TEXTS)])
        times.append(1000 * (time.perf_counter() - t))
    print(json.dumps([percentile(times, 50), percentile(times, 95)]))


def run(policy: dict[str, str], n: int) -> tuple[float, float]:
    env = {**os.environ, **policy}
    out = subprocess.run([sys.executable, __file__, "--measure", str(n)], env=env, capture_output=True,
                         text=True, check=True).stdout
    return tuple(json.loads(out.strip().splitlines()[-1]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--queries", type=int, default=60)
    ap.add_argument("--measure", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        measure(args.measure)
        return
    print(f"query embedding, {args.queries} queries (ms)")
    print(f"{'policy':<38}{'idle p50':>10}{'p95':>8}{'busy core p50':>15}{'p95':>8}")
    for name, policy in POLICIES.items():
        idle = run(policy, args.queries)
        spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        try:
            busy = run(policy, args.queries)
        finally:
            spinner.kill()
            spinner.wait()
        print(f"{name:<38}{idle[0]:>10.1f}{idle[1]:>8.1f}{busy[0]:>15.1f}{busy[1]:>8.1f}")


if __name__ == "__main__":
    main()
