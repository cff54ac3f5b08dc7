"""A build's passages in a Milvus collection: the schema, writes by document version, the
alias that names the serving collection, and the searches the engine answers (BM25 over the
terms our analysers made, cosine over the same vectors as the local backend, substring filters).

Rows are keyed by passage id and document version, so a collection can hold two versions
of a document while ``add`` replaces it: each searcher accepts only the versions its own
build lists, and a half-written or rolled-back document is invisible to it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from indexer.analysis.fields import TEXT_FIELDS
from indexer.backends.terms import K1, B
from indexer.config import MilvusConfig
from indexer.documents.corpus import Document
from indexer.errors import SearchEngineError

# The engine's most results per call (Milvus' topk and query limit).
MAX_LIMIT = 16384
# VARCHAR fields hold at most this many bytes.
MAX_VARCHAR = 65535
# Tried in order when a collection is made: a cluster splits on whitespace; milvus-lite
# offers "standard" (\w+), which splits space-joined terms the same way.
TOKENIZERS = ("whitespace", "standard")
# LIKE wildcards; milvus-lite offers no escape for them, so a needle holding one is matched
# loosely by the engine and exactly by the caller.
LIKE_WILDCARDS = "%_"


def document_version(doc: Document, embedding: dict) -> str:
    """What a document's rows depend on: its bytes, its description and the embedding."""
    payload = json.dumps([doc.sha256, asdict(doc.info), embedding], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:12]


def row_key(passage_id: str, version: str) -> str:
    return f"{passage_id}@{version}"


def collection_name(alias: str, build_id: str) -> str:
    """A build's collection, named after the alias that will serve it."""
    return f"{alias}_{re.sub(r'[^A-Za-z0-9_]', '_', build_id)}"


def literal(value: str) -> str:
    """A filter string literal; control characters cannot be written in one and are dropped."""
    clean = "".join(ch for ch in value if ch >= " ")
    return '"' + clean.replace("\\", "\\\\").replace('"', '\\"') + '"'


def docs_filter(docs: Collection[str] | None) -> str:
    return "" if docs is None else f"doc in [{', '.join(literal(d) for d in sorted(docs))}]"


def contains_filter(needle: str) -> str:
    return f"squashed like {literal('%' + needle + '%')}"


def version_filter(doc: str, version: str) -> str:
    return all_of(f"doc == {literal(doc)}", f"version == {literal(version)}")


def all_of(*clauses: str) -> str:
    parts = [c for c in clauses if c]
    return " and ".join(f"({c})" for c in parts)


def text_filter(phrases: Sequence[str], excluded: Sequence[str]) -> str:
    """Rows holding every phrase and none of the excluded terms (all squashed). An excluded
    term with a LIKE wildcard cannot be said exactly and is left to the caller's check."""
    return all_of(*(contains_filter(p) for p in phrases),
                  *(f"not ({contains_filter(x)})" for x in excluded if not any(c in x for c in LIKE_WILDCARDS)))


# Open MilvusIndex objects per embedded database in this process, which share its server.
_EMBEDDED_USERS: Counter[str] = Counter()
_EMBEDDED_LOCK = threading.Lock()


class MilvusIndex:
    """One Milvus connection and the collections of plansearch builds in it."""

    def __init__(self, cfg: MilvusConfig) -> None:
        self.cfg = cfg
        try:
            from pymilvus import MilvusClient
        except ImportError as exc:
            raise SearchEngineError("backend: milvus needs pymilvus and milvus-lite: "
                                    "pip install -e '.[milvus]'") from exc
        kwargs: dict[str, Any] = {"uri": cfg.uri}
        if cfg.token:
            kwargs["token"] = cfg.token
        if cfg.db_name:
            kwargs["db_name"] = cfg.db_name
        quiet_engine_logs(cfg.embedded)
        if cfg.embedded:
            Path(cfg.uri).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.client = engine_call(f"cannot open Milvus at {cfg.uri}", lambda: MilvusClient(**kwargs))
            if cfg.embedded:
                with _EMBEDDED_LOCK:
                    _EMBEDDED_USERS[cfg.uri] += 1
        except SearchEngineError as exc:
            if cfg.embedded and locked_elsewhere(cfg.uri):
                raise SearchEngineError(
                    f"the milvus-lite database {cfg.uri} is open in another process (a running serve?); "
                    "milvus-lite allows one process per .db: stop that one, or run `milvus-lite server` "
                    "and set milvus.uri to its http:// address") from exc
            raise

    def close(self) -> None:
        """Close the connection; the last one to an embedded database stops its server, so
        the file's lock passes to whichever process opens it next (a build, a serve)."""
        engine_call("closing Milvus", self.client.close)
        if self.cfg.embedded:
            with _EMBEDDED_LOCK:
                _EMBEDDED_USERS[self.cfg.uri] -= 1
                last = _EMBEDDED_USERS[self.cfg.uri] <= 0
            if last:
                from milvus_lite.server_manager import server_manager_instance

                engine_call("stopping milvus-lite", lambda: server_manager_instance.release_server(self.cfg.uri))

    # --- collections --------------------------------------------------------------------------
    def create(self, name: str, dim: int) -> str:
        """A collection for one build. Each BM25 field holds terms our analysers made (jieba with
        the corpus lexicon, character grams), space-separated, for the engine's BM25 function to
        split on spaces again: the local backend's fields, terms and weights. Returns the
        tokenizer used (whitespace; milvus-lite has only standard, which splits the same)."""
        last: SearchEngineError | None = None
        for tokenizer in TOKENIZERS:
            try:
                self._create(name, dim, tokenizer)
                return tokenizer
            except SearchEngineError as exc:
                if "tokenizer" not in str(exc):
                    raise
                last = exc
        raise SearchEngineError(f"no tokenizer of {', '.join(TOKENIZERS)} is offered: {last}")

    def _create(self, name: str, dim: int, tokenizer: str) -> None:
        from pymilvus import DataType, Function, FunctionType

        c = self.client
        schema = c.create_schema(auto_id=False)
        schema.add_field("key", DataType.VARCHAR, max_length=256, is_primary=True)
        for field in ("pid", "doc", "version", "city", "kind", "period", "part"):
            schema.add_field(field, DataType.VARCHAR, max_length=256)
        schema.add_field("year", DataType.INT64)
        schema.add_field("squashed", DataType.VARCHAR, max_length=MAX_VARCHAR)
        for field in TEXT_FIELDS:
            schema.add_field(field, DataType.VARCHAR, max_length=MAX_VARCHAR, enable_analyzer=True,
                             analyzer_params={"tokenizer": tokenizer})
            schema.add_field(f"{field}_bm25", DataType.SPARSE_FLOAT_VECTOR)
            schema.add_function(Function(name=f"{field}_bm25", function_type=FunctionType.BM25,
                                         input_field_names=[field], output_field_names=[f"{field}_bm25"]))
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
        index = c.prepare_index_params()
        for field in TEXT_FIELDS:
            index.add_index(f"{field}_bm25", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                            params={"bm25_k1": K1, "bm25_b": B})
        index.add_index("vector", index_type="FLAT" if self.cfg.embedded else "HNSW", metric_type="COSINE")
        engine_call(f"cannot create collection {name}",
                    lambda: c.create_collection(name, schema=schema, index_params=index))

    def exists(self, name: str) -> bool:
        return bool(engine_call("listing collections", lambda: self.client.has_collection(name)))

    def collections(self, prefix: str) -> list[str]:
        names = engine_call("listing collections", self.client.list_collections)
        return sorted(n for n in names if n.startswith(prefix))

    def drop(self, name: str) -> None:
        engine_call(f"cannot drop collection {name}", lambda: self.client.drop_collection(name))

    def insert(self, name: str, rows: list[dict]) -> None:
        for row in rows:
            if any(len(row[f].encode()) > MAX_VARCHAR for f in ("squashed", *TEXT_FIELDS)):
                raise SearchEngineError(f"passage {row['pid']} is longer than Milvus' {MAX_VARCHAR}-byte text field")
        engine_call(f"cannot write to collection {name}", lambda: self.client.insert(name, rows))

    def flush(self, name: str) -> None:
        """Seal what was written into indexed segments (a server otherwise answers from
        unindexed growing segments by brute force: 50× slower in milvus-lite's server)."""
        engine_call(f"cannot flush collection {name}", lambda: self.client.flush(name))

    def delete_version(self, name: str, doc: str, version: str) -> None:
        engine_call(f"cannot delete {doc} from {name}",
                    lambda: self.client.delete(name, filter=version_filter(doc, version)))

    def has_version(self, name: str, doc: str, version: str) -> bool:
        rows = engine_call(f"cannot read {name}", lambda: self.client.query(
            name, filter=version_filter(doc, version), output_fields=["key"], limit=1))
        return bool(rows)

    def count(self, name: str) -> int:
        rows = engine_call(f"cannot read {name}", lambda: self.client.query(name, filter="",
                                                                             output_fields=["count(*)"]))
        return int(rows[0]["count(*)"])

    def switch_alias(self, name: str) -> None:
        """Point the serving alias at ``name`` in one call, creating it the first time."""
        alias = self.cfg.alias
        current = self.aliased()

        def move() -> None:
            if current is None:
                self.client.create_alias(name, alias)
            elif current != name:
                self.client.alter_alias(name, alias)

        engine_call(f"cannot point alias {alias} at {name}", move)

    def aliased(self) -> str | None:
        """The collection the serving alias names, or None before the first build."""
        for name in engine_call("listing collections", self.client.list_collections):
            aliases = engine_call("listing aliases", lambda n=name: self.client.list_aliases(n)).get("aliases", [])
            if self.cfg.alias in aliases:
                return name
        return None

    def load(self, name: str) -> None:
        """Make a collection searchable (a reopened one starts released)."""
        engine_call(f"cannot load collection {name}", lambda: self.client.load_collection(name))

    # --- searches ------------------------------------------------------------------------------
    def bm25(self, name: str, requests: Sequence[tuple[str, str, float, str]], n: int) -> list[tuple[str, float]]:
        """Weighted BM25 over fields: ``requests`` are (field, space-separated terms, weight,
        filter); a row's score is the weighted sum of its field scores (candidates: each
        field's top ``n``). milvus-lite reports BM25 negated, a cluster as it is: the magnitude
        is the score either way, and the order is the engine's."""
        from pymilvus import AnnSearchRequest, WeightedRanker

        if not requests:
            return []
        limit = min(n, MAX_LIMIT)
        if len(requests) == 1:
            field, terms, weight, where = requests[0]
            hits = engine_call("BM25 search failed", lambda: self.client.search(
                name, data=[terms], anns_field=f"{field}_bm25", limit=limit, filter=where,
                search_params={"metric_type": "BM25"}, output_fields=["key"]))
            return [(h["key"], weight * abs(float(h["distance"]))) for h in hits[0]]
        reqs = [AnnSearchRequest([terms], f"{field}_bm25", {"metric_type": "BM25"}, limit, expr=where or None)
                for field, terms, _, where in requests]
        ranker = WeightedRanker(*(w for *_, w, _ in requests), norm_score=False)
        hits = engine_call("BM25 search failed", lambda: self.client.hybrid_search(
            name, reqs, ranker, limit=limit, output_fields=["key"]))
        return [(h["key"], abs(float(h["distance"]))) for h in hits[0]]

    def dense(self, name: str, vector: Sequence[float], where: str, n: int) -> list[tuple[str, float]]:
        hits = engine_call("vector search failed", lambda: self.client.search(
            name, data=[list(map(float, vector))], anns_field="vector", limit=min(n, MAX_LIMIT), filter=where,
            search_params={"metric_type": "COSINE"}, output_fields=["key"]))
        return [(h["key"], float(h["distance"])) for h in hits[0]]

    def vectors(self, name: str, keys: Sequence[str]) -> np.ndarray:
        """The stored vectors of these rows, in the order of ``keys``."""
        where = f"key in [{', '.join(literal(k) for k in keys)}]"
        rows = engine_call("vector fetch failed", lambda: self.client.query(
            name, filter=where, output_fields=["key", "vector"], limit=len(keys)))
        by_key = {r["key"]: r["vector"] for r in rows}
        return np.asarray([by_key[k] for k in keys if k in by_key], dtype=np.float32)

    def matching(self, name: str, where: str, limit: int) -> list[str]:
        """Keys of the rows a filter selects (at most ``limit``), in no particular order."""
        rows = engine_call("filter query failed", lambda: self.client.query(
            name, filter=where, output_fields=["key"], limit=min(limit, MAX_LIMIT)))
        return [r["key"] for r in rows]


def locked_elsewhere(uri: str) -> bool:
    """Whether another process holds milvus-lite's lock on this database."""
    import fcntl

    lock = Path(uri) / "LOCK"
    if not lock.exists():
        return False
    with lock.open("a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.flock(f, fcntl.LOCK_UN)
    return False


def quiet_engine_logs(embedded: bool) -> None:
    """pymilvus logs, with a traceback, every error it then raises (and an embedded milvus-lite
    server logs failed starts and calls it does not implement): the raised error, made one
    line by engine_call, is what the user sees."""
    names = ["pymilvus.decorators", *(["milvus_lite.server_manager", "grpc._server"] if embedded else [])]
    for name in names:
        logging.getLogger(name).setLevel(logging.CRITICAL)


def engine_call(what: str, call):
    """Run a client call; whatever the engine raises becomes one SearchEngineError line."""
    try:
        return call()
    except SearchEngineError:
        raise
    except Exception as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SearchEngineError(f"{what}: {message}") from exc
