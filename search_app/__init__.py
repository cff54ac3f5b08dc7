"""Flask app: a JSON API and server-rendered pages over one loaded index."""

from __future__ import annotations

import threading

from flask import Flask

from indexer.config import Config, load_config
from indexer.search import Searcher

RETIRE_AFTER_S = 30.0
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class SearcherHolder:
    """The searcher requests use; ``reload`` swaps in a newly built index.

    A request takes the reference once, so a swap mid-request changes
    nothing for it; the old index stays open until no one refers to it.
    """

    def __init__(self, cfg: Config, searcher: Searcher) -> None:
        self.cfg = cfg
        self._searcher = searcher
        self._lock = threading.Lock()

    @property
    def current(self) -> Searcher:
        return self._searcher

    def reload(self) -> Searcher:
        with self._lock:
            old = self._searcher
            fresh = Searcher(self.cfg, embedder=old.embedder)
            self._searcher = fresh
        if fresh is not old:
            # Requests that took the old searcher finish within seconds; then free its files.
            timer = threading.Timer(RETIRE_AFTER_S, old.close)
            timer.daemon = True
            timer.start()
        return fresh


def create_app(config: Config | None = None, searcher: Searcher | None = None) -> Flask:
    """Load config and the index once; every request shares them."""
    cfg = config or load_config()
    app = Flask(__name__)
    holder = SearcherHolder(cfg, searcher or Searcher(cfg))
    app.config["HOLDER"] = holder
    app.config["PLANSEARCH"] = cfg
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    from search_app import api, views

    app.register_blueprint(api.bp)
    app.register_blueprint(views.bp)

    @app.after_request
    def security_headers(resp):
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        return resp

    return app
