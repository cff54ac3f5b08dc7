"""The corpus and its catalog: real files load; broken ones are clear errors naming the file."""

from __future__ import annotations

import shutil

import pytest
import yaml
from click.testing import CliRunner

from indexer.cli import main
from indexer.documents.corpus import REQUIRED_FIELDS, Catalog, DocumentInfo
from indexer.errors import CatalogError, CorpusError, UnknownDocumentError
from indexer.extract.formats import Limits
from tests.conftest import CORPUS

REPORT = "changde-2021-government-work-report"


def test_catalog_lists_the_five_documents_with_their_titles(catalog):
    assert len(catalog) == 5
    plan = catalog.info("changde-14th-five-year-plan")
    assert plan.title == "常德市国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要"
    assert (plan.city, plan.kind, plan.period) == ("常德", "规划纲要", "十四五")
    assert catalog.info(REPORT).kind == "政府工作报告"
    assert catalog.info("jinshi-13th-five-year-plan").period == "十三五"
    for info in catalog:
        assert info.id == info.file.removesuffix(".txt")


def test_corpus_texts_are_the_originals_unmodified(catalog):
    shared = CORPUS.parent.parent / "shared" / "corpus"
    if not shared.is_dir():
        pytest.skip("../shared/corpus is not beside this checkout")
    for info in catalog:
        assert (CORPUS / info.file).read_bytes() == (shared / info.file).read_bytes(), info.file


def test_unknown_document_is_a_clear_error(catalog):
    with pytest.raises(UnknownDocumentError, match="unknown document 'nope'"):
        catalog.read("nope")


@pytest.mark.parametrize(("content", "message"), [
    (b"\x00\x01\x02\x03 PK binary", "binary file"),
    (bytes(range(256)) * 4, "binary file"),
    (b"plain ASCII notes, no Chinese at all", "almost no Chinese"),
    (b"\xef\xbb\xbf\xff\xfe", "not valid utf-8-sig"),
    (b"", "is empty"),
    (b"  \n\t\n", "is empty"),
    (b"\xef\xbb\xbf  \r\n", "is empty"),
])
def test_unreadable_files_are_named(small_corpus, content, message):
    (small_corpus / f"{REPORT}.txt").write_bytes(content)
    with pytest.raises(CorpusError, match=message) as exc:
        Catalog.load(small_corpus).read(REPORT)
    assert f"{REPORT}.txt" in str(exc.value)


def test_a_file_missing_from_the_catalog_and_the_reverse(small_corpus):
    shutil.copy(small_corpus / f"{REPORT}.txt", small_corpus / "stray.txt")
    with pytest.raises(CatalogError, match=r"stray\.txt: in .* but not in catalog\.yaml"):
        Catalog.load(small_corpus)
    (small_corpus / "stray.txt").unlink()
    (small_corpus / f"{REPORT}.txt").unlink()
    with pytest.raises(CatalogError, match=f"{REPORT}.txt: listed in catalog.yaml but not in"):
        Catalog.load(small_corpus)


def test_a_malformed_catalog_is_a_clear_error(small_corpus):
    (small_corpus / "catalog.yaml").write_text("documents: [{id: x}]\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="lacks"):
        Catalog.load(small_corpus)
    (small_corpus / "catalog.yaml").write_text("{{{", encoding="utf-8")
    with pytest.raises(CatalogError, match="not valid YAML"):
        Catalog.load(small_corpus)


@pytest.mark.parametrize(("encode", "encoding"), [
    (lambda t: t.encode("utf-8"), "utf-8"),
    (lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"), "utf-8-sig"),
    (lambda t: t.encode("gbk"), "gb18030"),
    (lambda t: t.encode("gb18030"), "gb18030"),
    (lambda t: t.encode("utf-16"), "utf-16"),
    (lambda t: t.replace("\n", "\r\n").encode("gbk"), "gb18030"),
])
def test_a_real_report_reads_the_same_in_every_supported_encoding(small_corpus, encode, encoding):
    """The text (and so every offset) is the decoded file, BOM not counted, line endings as in the file."""
    original = (small_corpus / f"{REPORT}.txt").read_text(encoding="utf-8")
    data = encode(original)
    (small_corpus / f"{REPORT}.txt").write_bytes(data)
    doc = Catalog.load(small_corpus).read(REPORT)
    assert doc.encoding == encoding
    expected = original.replace("\n", "\r\n") if b"\r\n" in data else original
    assert doc.text == expected


def test_a_document_over_the_size_limit_is_refused_before_it_is_read(small_corpus):
    with pytest.raises(CorpusError, match=r"over the limit of 0\.001 MB"):
        Catalog.load(small_corpus, Limits(text=1000)).read(REPORT)


def test_the_cli_reports_a_broken_file_without_a_traceback(tmp_path, small_corpus):
    (small_corpus / f"{REPORT}.txt").write_bytes(b"\x00\xff\xfe broken")
    cfg = tmp_path / "c.yaml"
    cfg.write_text(yaml.safe_dump({"corpus_dir": str(small_corpus), "embedding": {"backend": "fake"}}),
                   encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(cfg), "outline", REPORT])
    assert result.exit_code == 2
    assert f"{REPORT}.txt: binary file" in result.output and "Traceback" not in result.output


def test_a_saved_catalog_keeps_its_lines_and_writes_a_new_entry_id_and_file_first(small_corpus):
    path = small_corpus / "catalog.yaml"
    written = path.read_text(encoding="utf-8")
    before = Catalog.load(small_corpus)
    before.save()
    assert path.read_text(encoding="utf-8") == written
    extra = DocumentInfo(**{**{k: getattr(before.info(REPORT), k) for k in REQUIRED_FIELDS},
                            "id": "copy-of-report", "file": "copy-of-report.txt"})
    before.with_entries([extra]).save()
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert list(raw["documents"][-1])[:2] == ["id", "file"]
    assert path.read_text(encoding="utf-8").startswith(written.rstrip("\n"))
