"""Flask app: a JSON API and server-rendered pages over one loaded index."""

from __future__ import annotations

from flask import Flask, abort, g, request

from indexer.config import Config, load_config
from indexer.embed.embedders import Embedder, make_embedder
from indexer.embed.query_pool import EmbedderPool
from indexer.search.searcher import Searcher
from search_app.holder import SearcherHolder
from search_app.limits import SECURITY_HEADERS, Overloaded, SearchGate, overloaded_response, reject_bad_hosts

__all__ = ["create_app", "current_searcher"]


def current_searcher() -> Searcher:
    """The searcher this request leased (see SearcherHolder)."""
    return g.searcher


def query_embedder(cfg: Config) -> Embedder:
    """The server's embedder: ``server.query_embedders`` instances, so concurrent queries embed
    in parallel."""
    n = cfg.server.query_embedders
    return make_embedder(cfg.embedding) if n == 1 else EmbedderPool(lambda: make_embedder(cfg.embedding), n)


def create_app(config: Config | None = None, searcher: Searcher | None = None) -> Flask:
    """Load config and the index once; every request shares them."""
    cfg = config or load_config()
    app = Flask(__name__)
    if searcher is None:
        searcher = Searcher(cfg, embedder=query_embedder(cfg))
        searcher.warm_up()
    holder = SearcherHolder(cfg, searcher)
    app.config["HOLDER"] = holder
    app.config["GATE"] = SearchGate(cfg.server.max_concurrent_searches, cfg.server.queue_timeout_s)
    app.config["PLANSEARCH"] = cfg
    app.wsgi_app = reject_bad_hosts(app.wsgi_app)
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    from search_app import api, indicators, views

    app.register_blueprint(api.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(indicators.bp)

    @app.before_request
    def lease_searcher():
        if (request.content_length or 0) > app.config["MAX_CONTENT_LENGTH"]:
            abort(413)
        g.searcher = holder.acquire()

    @app.context_processor
    def corpus_size():
        s = g.get("searcher")
        return {"n_documents": len(s.catalog) if s is not None else 0}

    @app.teardown_request
    def return_searcher(_exc):
        s = g.pop("searcher", None)
        if s is not None:
            holder.release(s)

    app.register_error_handler(Overloaded, overloaded_response)

    @app.after_request
    def security_headers(resp):
        for name, value in SECURITY_HEADERS.items():
            resp.headers.setdefault(name, value)
        return resp

    return app
