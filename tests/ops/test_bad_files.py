"""`plansearch add` on bad and hostile files and names: one line, exit 2, and not a byte written.

Every case snapshots the whole project folder (corpus/ with catalog.yaml, the index folder, the
embedding cache, the sources) by path, bytes and mtime before and after the command."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from indexer.config import load_config
from indexer.documents.corpus import Catalog
from tests.conftest import CORPUS, REPORT, ROOT
from tests.unit.test_formats import BAD, BAD_FILES, FIXTURES
from tests.unit.test_hostile_files import HOSTILE, _hostile_html, deflate_bomb_pdf

JILIN = ROOT / "collections" / "provinces" / "jilin-2026-government-work-report.txt"


def _config(root: Path, **more) -> dict:
    return {"corpus_dir": str(root / "corpus"), "index_dir": str(root / "index"),
            "embedding": {"backend": "fake", "model": "bigram-hash"}, **more}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The one-document corpus with a built index (fake embedder), built once for the module."""
    root = tmp_path_factory.mktemp("built")
    (root / "corpus").mkdir()
    shutil.copy(CORPUS / f"{REPORT}.txt", root / "corpus")
    raw = yaml.safe_load((CORPUS / "catalog.yaml").read_text(encoding="utf-8"))
    raw["documents"] = [d for d in raw["documents"] if d["id"] == REPORT]
    (root / "corpus" / "catalog.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    cfg = root / "config.yaml"
    cfg.write_text(yaml.safe_dump(_config(root)), encoding="utf-8")
    assert run(cfg, "index").exit_code == 0
    return root


@pytest.fixture()
def project(tmp_path, built) -> Path:
    """A copy of the built project (``current`` is a relative link), and a second config over the
    same folders with small limits."""
    for part in ("corpus", "index"):
        shutil.copytree(built / part, tmp_path / part, symlinks=True)
    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump(_config(tmp_path)), encoding="utf-8")
    small = _config(tmp_path, max_document_mb_by_format={"pdf": 0.3}, extract_memory_mb=100, extract_seconds=20)
    (tmp_path / "small-limits.yaml").write_text(yaml.safe_dump(small), encoding="utf-8")
    return cfg


def run(cfg: Path, *args: str):
    return CliRunner().invoke(__import__("indexer.cli").cli.main, ["--config", str(cfg), *args, "--quiet"])


def snapshot(root: Path) -> dict[str, tuple[str, int] | None]:
    """Every path under ``root``: a file's hash and mtime, a folder as None."""
    out: dict[str, tuple[str, int] | None] = {}
    for dirpath, dirs, files in os.walk(root):
        for d in dirs:
            out[os.path.relpath(os.path.join(dirpath, d), root)] = None
        for f in files:
            p = Path(dirpath) / f
            out[str(p.relative_to(root))] = (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
    return out


def refused(project: Path, args: list[str], message: str, cfg: Path | None = None) -> str:
    """Run ``args``; assert one line holding ``message``, exit 2, and nothing changed anywhere."""
    root = project.parent
    before = snapshot(root)
    result = run(cfg or project, *args)
    assert result.exit_code == 2, result.output
    assert message in result.output, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in result.output
    assert snapshot(root) == before
    return lines[0]


@pytest.mark.parametrize(("name", "message"), BAD_FILES)
def test_a_bad_file_is_one_line_exit_2_and_nothing_changes(project, name, message):
    line = refused(project, ["add", str(BAD / name)], message)
    assert line.startswith(f"error: {name}: ")


def test_a_file_over_its_formats_limit_is_refused_and_the_same_file_passes_a_text_limit(project):
    pdf = FIXTURES / "hebei-report-bold.pdf"
    refused(project, ["add", str(pdf)], "0.4 MB is over the limit of 0.3 MB per pdf document",
            cfg=project.parent / "small-limits.yaml")


@pytest.mark.parametrize(("make", "error", "message"), HOSTILE, ids=[h[0].__name__ for h in HOSTILE])
def test_a_hostile_file_is_refused_and_nothing_is_written(project, tmp_path, make, error, message):
    path = make(tmp_path)
    refused(project, ["add", str(path)], message)


def test_a_deflate_bomb_stops_at_the_configured_memory_limit(project, tmp_path):
    (tmp_path / "sources").mkdir()
    bomb = deflate_bomb_pdf(tmp_path / "sources")
    refused(project, ["add", str(bomb)], "extraction needs more than 100 MB of memory",
            cfg=project.parent / "small-limits.yaml")


@pytest.mark.parametrize("doc_id", ["../../etc/passwd", "/etc/passwd", "..", ".hidden", "a/b", "a\\b", "a\x00b",
                                    "report\u202etxt", "ok\n", "Upper", "x" * 101])
def test_an_id_that_is_not_a_plain_name_is_refused(project, doc_id):
    line = refused(project, ["add", str(JILIN), "--id", doc_id], "must be lower-case letters")
    assert "\x00" not in line and "\u202e" not in line


def test_a_file_named_with_a_right_to_left_mark_gets_a_content_id_and_lands_in_the_corpus(project, tmp_path):
    src = tmp_path / "sources" / "报告\u202etxt.exe.txt"
    src.parent.mkdir()
    src.write_bytes(JILIN.read_bytes())
    before = set(snapshot(tmp_path))
    result = run(project, "add", str(src))
    assert result.exit_code == 0, result.output
    new = sorted(set(snapshot(tmp_path)) - before)
    assert all(p.startswith(("corpus/", "index/")) for p in new), new
    corpus_new = [p for p in new if p.startswith("corpus/")]
    assert len(corpus_new) == 1 and corpus_new[0].startswith("corpus/doc-") and corpus_new[0].endswith(".txt")
    assert "\u202e" not in (tmp_path / "corpus" / "catalog.yaml").read_text(encoding="utf-8")


def _batch(tmp_path: Path, entries: list) -> Path:
    folder = tmp_path / "batch"
    folder.mkdir(exist_ok=True)
    (folder / JILIN.name).write_bytes(JILIN.read_bytes())
    out = folder / "batch.yaml"
    out.write_text(yaml.safe_dump({"documents": entries}, allow_unicode=True), encoding="utf-8")
    return out


def test_a_batch_catalog_entry_with_a_nul_is_refused(project, tmp_path):
    batch = _batch(tmp_path, [{"file": JILIN.name}, {"file": "a\x00b.txt"}])
    line = refused(project, ["add", "--catalog", str(batch)], "entry 1: file 'a\\x00b.txt' must be a path relative")
    assert "\x00" not in line


@pytest.mark.parametrize(("file", "message"), [
    ("../../etc/passwd", "must be a path relative to the catalog's folder"),
    ("/etc/passwd", "must be a path relative to the catalog's folder"),
    ("sub/../../x.txt", "must be a path relative to the catalog's folder"),
    ("link.txt", "leads outside the catalog's folder"),
])
def test_a_batch_catalog_entry_that_points_outside_its_folder_is_refused(project, tmp_path, file, message):
    batch = _batch(tmp_path, [{"file": JILIN.name}, {"file": file}])
    (batch.parent / "link.txt").symlink_to(ROOT / "collections" / "provinces" / "hebei-2026-government-work-report.txt")
    refused(project, ["add", "--catalog", str(batch)], f"batch.yaml: entry 1: file {file!r} {message}")


@pytest.mark.parametrize("entry", [
    {"id": "passwd", "file": "../../etc/passwd"},
    {"id": "passwd", "file": "/etc/passwd"},
    {"id": "../x", "file": "../x.txt"},
    {"id": "x", "file": "x.txt\x00.pdf"},
])
def test_a_corpus_catalog_that_points_outside_the_corpus_is_refused_by_every_command(project, entry):
    c = load_config(project)
    path = c.corpus_dir / "catalog.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["documents"].append({**raw["documents"][0], **entry})
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    for args in (["index"], ["add", str(JILIN)], ["remove", raw["documents"][0]["id"]]):
        refused(project, args, "catalog.yaml: entry ")


def test_a_page_with_scripts_handlers_and_javascript_links_is_added_as_text_and_read_as_text(project, tmp_path):
    from search_app import create_app

    page = tmp_path / "sources" / "hostile.html"
    page.parent.mkdir()
    page.write_bytes(_hostile_html())
    result = run(project, "add", str(page))
    assert result.exit_code == 0, result.output
    c = load_config(project)
    doc = Catalog.load(c.corpus_dir, c.limits).read("hostile")
    assert "alert" not in doc.text and "javascript" not in doc.text and "<" not in doc.text
    app = create_app(c)
    app.config["TESTING"] = True
    html = app.test_client().get("/doc/hostile").get_data(as_text=True)
    assert doc.text.split("\n")[0].strip()[:10] in html
    for bad in ("alert", "javascript:", "onclick", "onerror", "steal()"):
        assert bad not in html


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True


def test_a_kill_during_extraction_takes_the_child_with_it_and_changes_nothing(project, tmp_path):
    """SIGKILL to `add` while its child extracts a slow PDF (~5 s): the child dies too
    (PR_SET_PDEATHSIG), and nothing was written."""
    import subprocess
    import sys
    import time

    bomb = deflate_bomb_pdf(tmp_path)
    before = snapshot(tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "indexer.cli", "--config", str(project), "add", str(bomb),
                             "--quiet"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    children: list[int] = []
    deadline = time.monotonic() + 60
    while not children and proc.poll() is None and time.monotonic() < deadline:
        children = _children(proc.pid)
        time.sleep(0.05)
    assert children, "add never started its extraction child"
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 2  # the child alone would extract for ~5 s more
    while not all(_gone(c) for c in children) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(_gone(c) for c in children)
    assert snapshot(tmp_path) == before
