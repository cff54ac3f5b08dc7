"""What bounds the server's work: the search gate (503 + Retry-After when full), the
Host-header guard, and the security headers every response carries."""

from __future__ import annotations

import re
import threading
from contextlib import contextmanager

from flask import current_app, jsonify, render_template, request

from indexer.search.responses import error_json

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


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


def search_slot():
    """A slot of the app's SearchGate, for the endpoints that run a search."""
    return current_app.config["GATE"].slot()


RETRY_AFTER_S = "1"


def overloaded_response(_exc: Overloaded | None = None):
    """503 with Retry-After: JSON for the API, the error page for people."""
    if request.path.startswith("/api/"):
        resp = jsonify(error_json("overloaded", "too many searches at once; retry shortly"))
    else:
        resp = current_app.make_response(render_template("error.html", code=503, message="检索繁忙，请稍后再试。"))
    resp.status_code = 503
    resp.headers["Retry-After"] = RETRY_AFTER_S
    return resp
