"""Flask app: a JSON API and server-rendered pages over one loaded index."""

from __future__ import annotations

import re
import threading
from contextlib import contextmanager

from flask import Flask, abort, current_app, g, jsonify, render_template, request

from indexer.build import current_build
from indexer.config import Config, load_config
from indexer.search import Searcher

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class SearcherHolder:
    """The searcher requests use; ``reload`` swaps in a newly built index.

    A request leases the searcher for its whole life (``acquire``/``release``), so a swap
    mid-request changes nothing for it. A replaced searcher is closed when its last lease
    ends, not after a fixed delay, so reloads do not pile up loaded indexes.
    """

    def __init__(self, cfg: Config, searcher: Searcher) -> None:
        self.cfg = cfg
        self._searcher = searcher
        self._leases: dict[int, int] = {}
        self._lock = threading.Lock()
        self._reloading = threading.Lock()

    @property
    def current(self) -> Searcher:
        return self._searcher

    def acquire(self) -> Searcher:
        with self._lock:
            s = self._searcher
            self._leases[id(s)] = self._leases.get(id(s), 0) + 1
            return s

    def release(self, s: Searcher) -> None:
        with self._lock:
            left = self._leases.get(id(s), 1) - 1
            if left > 0:
                self._leases[id(s)] = left
                return
            self._leases.pop(id(s), None)
            retired = s is not self._searcher
        if retired:
            s.close()

    def reload(self) -> tuple[Searcher, bool]:
        """The newest build, and whether it is new; the same build is not loaded again."""
        with self._reloading:
            old = self._searcher
            if current_build(self.cfg) == old.path.resolve():
                return old, False
            fresh = Searcher(self.cfg, embedder=old.embedder)
            with self._lock:
                self._searcher = fresh
                idle = id(old) not in self._leases
            if idle:
                old.close()
            return fresh, True


class Overloaded(Exception):
    """Every search slot stayed busy for the whole queue timeout."""


class SearchGate:
    """At most N searches at once; a request that cannot get a slot in time is shed."""

    def __init__(self, slots: int, timeout_s: float) -> None:
        self._slots = threading.BoundedSemaphore(slots)
        self.timeout_s = timeout_s

    @contextmanager
    def slot(self):
        if not self._slots.acquire(timeout=self.timeout_s):
            raise Overloaded
        try:
            yield
        finally:
            self._slots.release()


HOST_RE = re.compile(
    r"^(?:\[[0-9a-fA-F:.]+\]|(?=.{1,253}(?::|$))(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?)(?::\d{1,5})?$"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def reject_bad_hosts(wsgi_app):
    """A malformed Host header (``.``, ``a..b``, a 64-character label) is answered 400 before
    Flask sees it: building any URL for such a request would fail."""

    def app(environ, start_response):
        host = environ.get("HTTP_HOST")
        if host is not None and not HOST_RE.match(host):
            body = b"400 Bad Request: malformed Host header\n"
            start_response("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8"),
                                               ("Content-Length", str(len(body))),
                                               *SECURITY_HEADERS.items()])
            return [body]
        return wsgi_app(environ, start_response)

    return app


def current_searcher() -> Searcher:
    """The searcher this request leased (see SearcherHolder)."""
    return g.searcher


def search_slot():
    """A slot of the app's SearchGate, for the endpoints that run a search."""
    return current_app.config["GATE"].slot()


RETRY_AFTER_S = "1"


def overloaded_response(_exc: Overloaded | None = None):
    """503 with Retry-After: JSON for the API, the error page for people."""
    if request.path.startswith("/api/"):
        resp = jsonify({"error": {"code": "overloaded", "message": "too many searches at once; retry shortly"}})
    else:
        resp = current_app.make_response(render_template("error.html", code=503, message="检索繁忙，请稍后再试。"))
    resp.status_code = 503
    resp.headers["Retry-After"] = RETRY_AFTER_S
    return resp


def create_app(config: Config | None = None, searcher: Searcher | None = None) -> Flask:
    """Load config and the index once; every request shares them."""
    cfg = config or load_config()
    app = Flask(__name__)
    holder = SearcherHolder(cfg, searcher or Searcher(cfg))
    app.config["HOLDER"] = holder
    app.config["GATE"] = SearchGate(cfg.server.max_concurrent_searches, cfg.server.queue_timeout_s)
    app.config["PLANSEARCH"] = cfg
    app.wsgi_app = reject_bad_hosts(app.wsgi_app)
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    from search_app import api, views

    app.register_blueprint(api.bp)
    app.register_blueprint(views.bp)

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
