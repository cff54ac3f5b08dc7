"""The load script runs against a live server and counts no errors (a short,
bounded run: the 60-second measurement is for bench/, not for CI)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def test_load_script_reports_per_mode_latency_and_no_errors(live_url, tmp_path):
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"query": "城陵矶新港区"}\n{"query": "老人以后谁来照顾？"}\n', encoding="utf-8")
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "load.py"), "--url", live_url, "--clients", "4",
                          "--seconds", "3", "--queries", str(queries)],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    assert " 0 errors" in out
    for mode in ("hybrid", "bm25", "dense"):
        line = next(x for x in out.splitlines() if x.startswith(mode))
        assert int(line.split()[1]) > 0 and line.split()[-1] == "0"


def test_load_script_refuses_non_loopback_targets():
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "load.py"), "--url", "http://10.0.0.1:8000",
                           "--seconds", "1"], capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and "loopback" in proc.stderr
