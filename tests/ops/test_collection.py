"""plansearch parse / add / remove on real files: corpus, catalog and index change together or not at all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from indexer.build.collection import NewDocument, add_documents
from indexer.build.store import current_build
from indexer.config import load_config
from indexer.documents.corpus import Catalog
from indexer.errors import EmbedderError
from tests.conftest import ROOT, FailingEmbedder

PROVINCES = ROOT / "collections" / "provinces"
HEBEI = PROVINCES / "hebei-2026-government-work-report.txt"
JILIN = PROVINCES / "jilin-2026-government-work-report.txt"


@pytest.fixture()
def project(tmp_path, small_corpus) -> Path:
    """A config over the one-document corpus, with a built index (fake embedder)."""
    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump({"corpus_dir": str(small_corpus), "index_dir": str(tmp_path / "index"),
                                   "embedding": {"backend": "fake", "model": "bigram-hash"}}), encoding="utf-8")
    assert run(cfg, "index", "--quiet").exit_code == 0
    return cfg


def run(cfg: Path, *args: str):
    return CliRunner().invoke(__import__("indexer.cli").cli.main, ["--config", str(cfg), *args])


def state(cfg: Path) -> tuple:
    """Everything an add or remove may change: corpus files, catalog bytes, the current build."""
    c = load_config(cfg)
    files = {p.name: p.read_bytes() for p in sorted(c.corpus_dir.iterdir())}
    return files, current_build(c).name


def manifest(cfg: Path) -> dict:
    return json.loads((current_build(load_config(cfg)) / "manifest.json").read_text(encoding="utf-8"))


def test_parse_json_gives_title_encoding_metadata_outline_and_passages(tmp_path):
    gbk = tmp_path / "河北.txt"
    text = HEBEI.read_text(encoding="utf-8")
    gbk.write_bytes(text.replace("\n", "\r\n").encode("gbk"))
    result = CliRunner().invoke(__import__("indexer.cli").cli.main, ["parse", str(gbk), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert set(out) == {"title", "format", "encoding", "pages", "page_starts", "metadata", "outline", "passages"}
    assert out["format"] == "text" and out["pages"] == 0
    assert out["title"] == "2026年河北省政府工作报告" and out["encoding"] == "gb18030"
    assert out["metadata"] == {"title": "2026年河北省政府工作报告", "short_title": "河北2026年政府工作报告",
                               "city": "河北省", "kind": "政府工作报告", "period": "十五五", "year": 2026}
    assert [n["title"] for n in out["outline"]][:2] == ["2026年河北省政府工作报告", "一、“十四五”时期经济社会发展回顾"]
    decoded = gbk.read_bytes().decode("gb18030")
    for p in out["passages"]:
        assert decoded[p["start"]:p["end"]] == p["text"]


def test_parse_without_json_prints_what_was_detected_and_the_tree():
    result = CliRunner().invoke(__import__("indexer.cli").cli.main, ["parse", str(JILIN)])
    assert result.exit_code == 0
    assert "city         吉林省" in result.output
    lines = result.output.splitlines()
    counts = next(line for line in lines if line.startswith("headings: "))
    assert "一、" in counts and "_item" not in counts and "lead" not in counts
    text = JILIN.read_text(encoding="utf-8").splitlines()
    review = [line for line in lines if "工作回顾" in line and not line.startswith(" " * 12)]
    number, title = review[0].split(maxsplit=1)
    assert title == "一、工作回顾" and text[int(number) - 1].strip().startswith(title)
    assert not any("@" in line for line in lines)


def test_add_copies_the_original_bytes_detects_metadata_and_embeds_only_new_passages(project):
    before = manifest(project)
    result = run(project, "add", str(HEBEI), "--quiet")
    assert result.exit_code == 0, result.output
    assert ("added hebei-2026-government-work-report: 2026年河北省政府工作报告 "
            "(政府工作报告, 河北省, 十五五, 2026)") in result.output
    c = load_config(project)
    assert (c.corpus_dir / HEBEI.name).read_bytes() == HEBEI.read_bytes()
    info = Catalog.load(c.corpus_dir).info("hebei-2026-government-work-report")
    assert (info.city, info.kind, info.year, info.short_title) == (
        "河北省", "政府工作报告", 2026, "河北2026年政府工作报告")
    after = manifest(project)
    new = after["documents"]["hebei-2026-government-work-report"]["passages"]
    assert after["passages"] == before["passages"] + new
    assert f", {new} embedded, {before['passages']} from cache" in result.output


def test_given_fields_override_detection(project):
    result = run(project, "add", str(JILIN), "--id", "jl-2026", "--city", "吉林", "--quiet")
    assert result.exit_code == 0, result.output
    info = Catalog.load(load_config(project).corpus_dir).info("jl-2026")
    assert (info.city, info.file, info.kind) == ("吉林", "jl-2026.txt", "政府工作报告")
    assert "detected: title, short_title, kind, period, year" in result.output


@pytest.mark.parametrize(("args", "message"), [
    (["add", str(HEBEI)], "already exists; add --replace"),
    (["add", str(HEBEI), "--id", "other"], "same text is already in the corpus as hebei-2026-government-work-report"),
])
def test_the_same_document_twice_is_refused_and_changes_nothing(project, args, message):
    assert run(project, "add", str(HEBEI), "--quiet").exit_code == 0
    before = state(project)
    result = run(project, *args, "--quiet")
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output
    assert state(project) == before


def test_replace_swaps_the_document(project, tmp_path):
    assert run(project, "add", str(HEBEI), "--quiet").exit_code == 0
    changed = tmp_path / HEBEI.name
    changed.write_bytes(HEBEI.read_bytes().replace("雄安新区".encode(), "雄安新城".encode()))
    result = run(project, "add", str(changed), "--replace", "--quiet")
    assert result.exit_code == 0, result.output
    assert (load_config(project).corpus_dir / HEBEI.name).read_bytes() == changed.read_bytes()
    assert len(Catalog.load(load_config(project).corpus_dir)) == 2


def bad_inputs(tmp: Path) -> dict[str, tuple[list[str], str]]:
    big = tmp / "big.txt"
    big.write_bytes(("各位代表：" + "推动高质量发展。" * 40 + "\n").encode() * 51_300)
    furniture = tmp / "furniture.txt"
    furniture.write_text("下载\n打印\n全屏\n收藏\n【字号：\n加大\n还原\n减小\n】\n相关报道：\n", encoding="utf-8")
    binary = tmp / "scan.txt"
    binary.write_bytes(b"%PDF-1.4\x00\x01\x02" * 100)
    empty = tmp / "empty.txt"
    empty.write_bytes(b"")
    batch = tmp / "batch.yaml"
    (tmp / JILIN.name).write_bytes(JILIN.read_bytes())
    batch.write_text(yaml.safe_dump({"documents": [{"file": JILIN.name}, {"file": "missing.txt"}]}), encoding="utf-8")
    return {
        "50 MB text": (["add", str(big)], "big.txt: 50.1 MB is over the limit of 5 MB"),
        "all boilerplate": (["add", str(furniture)], "furniture.txt: no text left once page furniture is set aside"),
        "binary": (["add", str(binary)], "scan.txt: a damaged PDF"),
        "empty": (["add", str(empty)], "empty.txt: file is empty"),
        "catalog with a missing file": (["add", "--catalog", str(batch)], "entry 1: missing.txt not found"),
        "no such file": (["add", str(tmp / "nope.txt")], "nope.txt: file not found"),
        "neither file nor catalog": (["add"], "give a FILE or --catalog"),
        "bad id": (["add", str(JILIN), "--id", "Bad Id"], "id 'Bad Id' must be lower-case"),
        "unknown removal": (["remove", "nope"], "unknown document 'nope'"),
        "last document": (["remove", "changde-2021-government-work-report"], "is the only document"),
    }


BAD_CASES = ("50 MB text", "all boilerplate", "binary", "empty", "catalog with a missing file", "no such file",
             "neither file nor catalog", "bad id", "unknown removal", "last document")


@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_input_gets_one_line_and_changes_nothing(project, tmp_path, case):
    args, message = bad_inputs(tmp_path)[case]
    before = state(project)
    result = run(project, *args, "--quiet")
    assert result.exit_code == 2, result.output
    assert message in result.output, result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert state(project) == before


def test_a_document_with_no_headings_is_added_with_passages(project, tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_text("\n".join(["我们要坚持稳中求进工作总基调，推动经济社会高质量发展，持续改善人民生活。"] * 12),
                     encoding="utf-8")
    result = run(project, "add", str(plain), "--quiet")
    assert result.exit_code == 0, result.output
    assert manifest(project)["documents"]["plain"]["passages"] >= 1


def test_add_catalog_adds_many_at_once_with_files_relative_to_the_yaml(project, tmp_path):
    batch = tmp_path / "more" / "batch.yaml"
    batch.parent.mkdir()
    for src in (HEBEI, JILIN):
        (batch.parent / src.name).write_bytes(src.read_bytes())
    batch.write_text(yaml.safe_dump({"documents": [{"file": HEBEI.name}, {"file": JILIN.name, "city": "吉林"}]},
                                    allow_unicode=True), encoding="utf-8")
    result = run(project, "add", "--catalog", str(batch), "--quiet")
    assert result.exit_code == 0, result.output
    cat = Catalog.load(load_config(project).corpus_dir)
    assert len(cat) == 3 and cat.info("jilin-2026-government-work-report").city == "吉林"


def test_remove_takes_the_document_out_of_corpus_catalog_and_index(project):
    assert run(project, "add", str(HEBEI), "--quiet").exit_code == 0
    result = run(project, "remove", "hebei-2026-government-work-report", "--quiet")
    assert result.exit_code == 0, result.output
    assert "0 embedded" in result.output
    c = load_config(project)
    assert not (c.corpus_dir / HEBEI.name).exists()
    assert "hebei-2026-government-work-report" not in manifest(project)["documents"]


def test_a_failed_add_leaves_catalog_corpus_and_index_exactly_as_they_were(project):
    before = state(project)
    builds = sorted(p.name for p in (load_config(project).index_dir / "builds").iterdir())
    c = load_config(project)
    with pytest.raises(EmbedderError):
        add_documents(c, [NewDocument(HEBEI)], embedder=FailingEmbedder(c.embedding), progress=False,
                      log=lambda _: None)
    assert state(project) == before
    assert sorted(p.name for p in (c.index_dir / "builds").iterdir()) == builds


def test_add_then_remove_leaves_the_catalog_byte_identical(project):
    """The catalog as people write it (comments, indented items, a trailing comment) keeps its form."""
    c = load_config(project)
    real = (ROOT / "corpus" / "catalog.yaml").read_text(encoding="utf-8")
    head, _, items = real.partition("documents:\n")
    block = next(b for b in items.split("  - ")[1:] if b.startswith("id: changde-2021-government-work-report"))
    written = f"{head}documents:\n  # the one work report\n  - {block.rstrip()}\n\n# end of list\n"
    (c.corpus_dir / "catalog.yaml").write_text(written, encoding="utf-8")
    before = (c.corpus_dir / "catalog.yaml").read_bytes()
    assert run(project, "add", str(HEBEI), "--quiet").exit_code == 0
    after_add = (c.corpus_dir / "catalog.yaml").read_text(encoding="utf-8")
    assert after_add.startswith(before.decode("utf-8").removesuffix("\n# end of list\n"))
    assert "  - id: hebei-2026-government-work-report\n    file: hebei-2026-government-work-report.txt\n" in after_add
    assert run(project, "remove", "hebei-2026-government-work-report", "--quiet").exit_code == 0
    assert (c.corpus_dir / "catalog.yaml").read_bytes() == before


def test_a_remove_stopped_by_sigterm_says_nothing_changed_and_nothing_did(project):
    import os
    import shutil
    import signal
    import subprocess
    import sys

    from indexer.embed.embedders import FAKE_DELAY_ENV

    assert run(project, "add", str(HEBEI), "--quiet").exit_code == 0
    shutil.rmtree(load_config(project).cache_dir)  # so the remove's build embeds, slowly
    before = state(project)
    proc = subprocess.Popen([sys.executable, "-m", "indexer.cli", "--config", str(project), "remove",
                             "hebei-2026-government-work-report", "--quiet"], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, FAKE_DELAY_ENV: "0.05"})
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if "embedding with" in line:
            break
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM, seen
    last = err.strip().splitlines()[-1]
    assert last == "stopped by SIGTERM: nothing changed: the corpus, catalog.yaml and the index are as they were"
    assert "Traceback" not in err and not out
    assert state(project) == before
