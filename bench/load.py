"""Load test: N concurrent clients query a running plansearch server on
loopback for T seconds (bounded in count and time), cycling through the dev
queries in all three modes. Prints QPS, p50/p95/p99 per mode and errors.

    .venv/bin/plansearch serve &                      # in another shell
    .venv/bin/python bench/load.py --clients 8 --seconds 60 [--reload-after 20 --pid PID]

With --reload-after, SIGHUP is sent to the server (--pid) that many seconds
in, to show that switching to a new build fails no request.

    .venv/bin/python bench/load.py --scenario half-open      # 150 half-open sockets held
    .venv/bin/python bench/load.py --scenario long-queries   # 6 clients sending 500-character queries

A scenario runs the hostile load for --seconds while one ordinary client sends hybrid queries,
and prints the ordinary client's latency (targets: median under 1 s, max under 2.5 s).
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import signal
import socket
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.evaluate import percentile  # noqa: E402

MODES = ("hybrid", "bm25", "dense")
ORDINARY = ("城陵矶新港区", "老人以后谁来照顾？", "冷链物流", "地区生产总值", "乡村振兴", "产业园区")
LONG_QUERY = {"q": "的" * 500, "mode": "dense", "k": 100}


def get(url: str, timeout: float = 10.0) -> tuple[int, float, bytes]:
    """(status, seconds, body); a refused or timed-out request is status 0."""
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            body = resp.read()
            status = resp.status
    except urllib.error.HTTPError as exc:
        body, status = exc.read(), exc.code
    except (urllib.error.URLError, OSError):
        body, status = b"", 0
    return status, time.perf_counter() - t, body


@contextlib.contextmanager
def half_open(url: str, n: int = 150):
    """Hold n connections that each sent half a request header."""
    parts = urllib.parse.urlsplit(url)
    socks = []
    try:
        for _ in range(n):
            s = socket.create_connection((parts.hostname, parts.port or 80), timeout=5)
            s.sendall(b"GET /api/search?q=x HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
            socks.append(s)
        yield socks
    finally:
        for s in socks:
            s.close()


@contextlib.contextmanager
def long_query_clients(url: str, n: int = 6):
    """n clients sending 500-character dense queries with k=100 in a loop; yields their statuses."""
    stop = threading.Event()
    statuses: list[int] = []
    target = f"{url}/api/search?" + urllib.parse.urlencode(LONG_QUERY)

    def loop() -> None:
        while not stop.is_set():
            statuses.append(get(target, timeout=30)[0])

    threads = [threading.Thread(target=loop, daemon=True) for _ in range(n)]
    for t in threads:
        t.start()
    try:
        yield statuses
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=35)


def ordinary_client(url: str, seconds: float) -> list[tuple[int, float]]:
    """Hybrid queries one after another for ``seconds``: (status, seconds) each."""
    out = []
    deadline = time.monotonic() + seconds
    for q in itertools.cycle(ORDINARY):
        if time.monotonic() >= deadline:
            return out
        status, dt, _ = get(f"{url}/api/search?" + urllib.parse.urlencode({"q": q, "mode": "hybrid"}))
        out.append((status, dt))
    return out


def run_scenario(url: str, scenario: str, seconds: float) -> None:
    hostile = half_open(url) if scenario == "half-open" else long_query_clients(url)
    with hostile as held:
        time.sleep(0.5)
        results = ordinary_client(url, seconds)
        health = get(f"{url}/api/health")
    times = [1000 * dt for status, dt in results if status == 200]
    failed = [status for status, _ in results if status != 200]
    print(f"scenario {scenario}: ordinary client {len(results)} queries, {len(failed)} not answered 200 "
          f"{sorted(set(failed))}; ms p50 {percentile(times, 50):.0f} max {max(times, default=0):.0f}; "
          f"health {health[0]} in {1000 * health[1]:.0f} ms")
    if scenario == "long-queries":
        print(f"long-query clients: {len(held)} requests, statuses {sorted(set(held))} "
              f"({held.count(503)} shed with 503)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="http://127.0.0.1:8000")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--max-requests", type=int, default=200_000)
    ap.add_argument("--queries", default=str(ROOT.parent / "shared" / "eval" / "dev.jsonl"))
    ap.add_argument("--reload-after", type=float, default=None)
    ap.add_argument("--pid", type=int, default=None, help="server pid to SIGHUP for --reload-after")
    ap.add_argument("--scenario", choices=["half-open", "long-queries"], default=None)
    args = ap.parse_args()
    host = urllib.parse.urlsplit(args.url).hostname or ""
    if not (host == "localhost" or host.startswith("127.") or host == "::1"):
        raise SystemExit("load tests only target loopback addresses")
    if args.scenario:
        run_scenario(args.url, args.scenario, args.seconds)
        return

    with open(args.queries, encoding="utf-8") as f:
        queries = [json.loads(line)["query"] for line in f if line.strip()]
    work = itertools.cycle([(m, q) for q in queries for m in MODES])
    lock = threading.Lock()
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    sent = 0
    deadline = time.monotonic() + args.seconds
    build_ids: set[str] = set()

    def client() -> None:
        nonlocal sent
        while time.monotonic() < deadline:
            with lock:
                if sent >= args.max_requests:
                    return
                sent += 1
                mode, q = next(work)
            url = f"{args.url}/api/search?" + urllib.parse.urlencode({"q": q, "mode": mode, "k": 10})
            t = time.perf_counter()
            try:
                with urllib.request.urlopen(url, timeout=30) as resp:
                    resp.read()
                    ok = resp.status == 200
            except (urllib.error.URLError, OSError):
                ok = False
            dt = 1000 * (time.perf_counter() - t)
            with lock:
                if ok:
                    latencies[mode].append(dt)
                else:
                    errors[mode] += 1

    def health() -> str:
        with urllib.request.urlopen(f"{args.url}/api/health", timeout=10) as resp:
            return json.loads(resp.read())["build_id"]

    build_ids.add(health())
    threads = [threading.Thread(target=client) for _ in range(args.clients)]
    start = time.monotonic()
    for t in threads:
        t.start()
    if args.reload_after is not None and args.pid:
        time.sleep(args.reload_after)
        os.kill(args.pid, signal.SIGHUP)
        print(f"sent SIGHUP to {args.pid} at {args.reload_after:.0f} s")
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    build_ids.add(health())

    total = sum(len(v) for v in latencies.values())
    print(f"{args.clients} clients, {elapsed:.1f} s, {total} ok, {sum(errors.values())} errors, "
          f"{total / elapsed:.1f} QPS; builds seen: {', '.join(sorted(build_ids))}")
    print(f"{'mode':<8}{'n':>7}{'QPS':>8}{'p50':>9}{'p95':>9}{'p99':>9}{'errors':>8}")
    for mode in MODES:
        v = latencies[mode]
        print(f"{mode:<8}{len(v):>7}{len(v) / elapsed:>8.1f}{percentile(v, 50):>9.1f}{percentile(v, 95):>9.1f}"
              f"{percentile(v, 99):>9.1f}{errors[mode]:>8}")


if __name__ == "__main__":
    main()
