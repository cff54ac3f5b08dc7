"""The thread policy: passive OpenMP waiting, the count asked for, the operator's settings kept."""

from __future__ import annotations

import pytest
from threadpoolctl import threadpool_info

from indexer.config import ConfigError, config_from_dict
from indexer.embed.threads import embed_threads, set_threads


@pytest.fixture
def clean_env(monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    return monkeypatch


def test_serving_waits_passively_on_the_threads_asked_for(clean_env):
    assert set_threads(1) == {"OMP_WAIT_POLICY": "PASSIVE", "OMP_NUM_THREADS": "1"}
    assert embed_threads() == 1
    assert all(p["num_threads"] == 1 for p in threadpool_info() if p["user_api"] == "blas")


def test_the_operators_environment_wins(clean_env):
    clean_env.setenv("OMP_NUM_THREADS", "3")
    clean_env.setenv("OMP_WAIT_POLICY", "ACTIVE")
    assert set_threads(1) == {"OMP_WAIT_POLICY": "ACTIVE", "OMP_NUM_THREADS": "3"}
    assert embed_threads() == 3


@pytest.mark.parametrize("bad", [0, -1, "two"])
def test_embed_threads_must_be_a_positive_integer(tmp_path, bad):
    with pytest.raises(ConfigError, match=r"server\.embed_threads"):
        config_from_dict({"server": {"embed_threads": bad}}, base=tmp_path)
