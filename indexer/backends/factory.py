"""The one place a backend is chosen by name; each is imported only when it is used, so a
local install never loads pymilvus."""

from __future__ import annotations

import importlib

from indexer.backends.base import Backend
from indexer.config import SEARCH_BACKENDS, Config
from indexer.errors import ConfigError

# name → "module:class"; config.SEARCH_BACKENDS lists the same names for validation.
IMPLEMENTATIONS = {
    "local": "indexer.backends.local.backend:LocalBackend",
    "milvus": "indexer.backends.milvus.backend:MilvusBackend",
}


def make_backend(cfg: Config, name: str | None = None) -> Backend:
    """The backend ``name`` (by default the config's) for this config."""
    name = name or cfg.backend
    if name not in IMPLEMENTATIONS:
        raise ConfigError(f"backend must be one of {', '.join(SEARCH_BACKENDS)}, not {name!r}")
    module, cls = IMPLEMENTATIONS[name].split(":")
    return getattr(importlib.import_module(module), cls)(cfg)
