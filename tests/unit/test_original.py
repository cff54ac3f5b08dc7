"""The original-file rules (indexer/documents/original.py): the file by id inside the corpus
folder only, its type told by its bytes, a text's charset as stored, and the filename header."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.documents.corpus import Catalog, DocumentInfo
from indexer.documents.original import content_disposition, original
from indexer.errors import OriginalUnavailableError, UnknownDocumentError

TEXT = "常德市国民经济和社会发展第十四个五年规划纲要\n\n第一章 发展环境\n"


def catalog_of(folder: Path, *files: str) -> Catalog:
    entries = [DocumentInfo(id=Path(f).stem, file=f, title="某市规划", short_title="某市", city="某市",
                            kind="规划纲要", period="十四五", year=2021) for f in files]
    return Catalog(folder, entries)


@pytest.mark.parametrize(("data", "media_type", "inline"), [
    (TEXT.encode("utf-8"), "text/plain; charset=utf-8", True),
    (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "text/plain; charset=utf-8", True),
    (TEXT.encode("gb18030"), "text/plain; charset=gb18030", True),
    (TEXT.encode("utf-16"), "text/plain; charset=utf-16", True),
    (b"\x00\x01binary", "application/octet-stream", False),
    (b"%PDF-1.7\n...", "application/pdf", True),
    (b"<!DOCTYPE html><html><body><p>" + TEXT.encode() + b"</p>", "text/html", False),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "application/msword", False),
])
def test_the_type_is_told_by_the_bytes_not_the_name(tmp_path, data, media_type, inline):
    (tmp_path / "p.txt").write_bytes(data)  # every one named .txt: the name decides nothing
    src = original(catalog_of(tmp_path, "p.txt"), "p")
    assert (src.media_type, src.inline) == (media_type, inline)
    assert src.disposition.startswith("inline; " if inline else "attachment; ")


def test_a_filename_outside_ascii_has_a_fallback_and_the_exact_name():
    assert content_disposition("attachment", "常德规划.pdf") == (
        "attachment; filename=\"____.pdf\"; filename*=UTF-8''%E5%B8%B8%E5%BE%B7%E8%A7%84%E5%88%92.pdf")
    assert content_disposition("inline", 'a"b;c.pdf') == (
        "inline; filename=\"a_b_c.pdf\"; filename*=UTF-8''a%22b%3Bc.pdf")


def test_only_a_plain_file_directly_in_the_corpus_is_served(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (tmp_path / "secret.txt").write_text(TEXT, encoding="utf-8")
    (corpus / "link.txt").symlink_to(tmp_path / "secret.txt")
    (corpus / "folder.txt").mkdir()
    cat = catalog_of(corpus, "../secret.txt", "link.txt", "folder.txt", "gone.txt")
    for doc_id in ("secret", "link", "folder", "gone"):
        with pytest.raises(OriginalUnavailableError) as err:
            original(cat, doc_id)
        assert err.value.notice == f"没有这份文件的原文：{doc_id}" and "tmp" not in str(err.value)
    with pytest.raises(UnknownDocumentError):
        original(cat, "nope")
