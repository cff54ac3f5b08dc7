"""One way to say "not found": a document or passage id that names nothing is a 404 with the same
Chinese line on the API and the pages, and the library's permalink is the app's own route."""

from __future__ import annotations

import pytest
from flask import url_for

from indexer.search.citation import permalink


@pytest.mark.parametrize(("path", "line"), [
    ("/api/documents/nope", "没有这份文件：nope"),
    ("/api/passages/nope-0001", "没有这个段落：nope-0001"),
    ("/api/resolve/nope-0001", "没有这个段落：nope-0001"),
    ("/api/cite?ids=nope-0001", "没有这个段落：nope-0001"),
])
def test_an_unknown_id_is_one_404_on_the_api(client, path, line):
    r = client.get(path)
    assert r.status_code == 404
    assert r.get_json()["error"] == {"code": "not_found", "message": line}


def test_an_unknown_document_is_a_404_page_with_the_same_line(client):
    r = client.get("/doc/nope")
    assert r.status_code == 404 and "没有这份文件：nope" in r.get_data(as_text=True)


def test_the_library_permalink_is_the_readers_route(app, searcher):
    p = searcher.passages[0]
    with app.test_request_context():
        assert permalink(p) == url_for("views.document", doc_id=p.doc_id, _anchor=p.passage_id)
