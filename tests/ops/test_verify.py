"""plansearch verify: every file of a real build and its corpus against the checksums written at
build time; each kind of damage is its own line and exit code, and serve refuses what fails."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.build.checksums import folder_files, sha256_of
from indexer.build.collection import NewDocument, add_documents, remove_document
from indexer.build.store import MANIFEST_FILE, current_build
from indexer.build.verify import check_serving, verify
from indexer.cli import main
from indexer.embed.embedders import FakeEmbedder
from indexer.errors import IndexCorruptError
from indexer.search.searcher import Searcher
from tests.conftest import REPORT, ROOT, copy_small_index, quiet

HEBEI = ROOT / "collections" / "provinces" / "hebei-2026-government-work-report.txt"


def cli(config: Path, *args: str):
    return CliRunner().invoke(main, ["--config", str(config), *args])


def test_a_fresh_build_records_sha256_and_size_of_every_file_and_original_and_verifies_clean(small_index, tmp_path):
    cfg, config = copy_small_index(small_index, tmp_path)
    build = current_build(cfg)
    manifest = json.loads((build / MANIFEST_FILE).read_text(encoding="utf-8"))
    files = folder_files(build, skip=(MANIFEST_FILE,))
    assert set(manifest["files"]) == set(files)
    assert {"passages.jsonl", "vectors.npy", "indicators.jsonl", "bm25/impacts/data.npy"} <= set(files)
    assert any(name.startswith("bm25/whoosh/") and name.endswith(".pst") for name in files)
    for name, path in files.items():
        assert manifest["files"][name] == {"sha256": sha256_of(path), "size": path.stat().st_size}
    assert set(manifest["originals"]) == {"catalog.yaml", f"{REPORT}.txt"}
    assert manifest["originals"]["catalog.yaml"]["sha256"] == sha256_of(cfg.corpus_dir / "catalog.yaml")

    result = verify(cfg)
    assert result.clean and result.files == len(files) + 1 and result.originals == 2
    out = cli(config, "verify")
    assert out.exit_code == 0, out.output
    assert out.output.strip() == (f"build {build.name}: {len(files) + 1} files, {result.size:,} bytes, sizes and "
                                  "sha256 match; corpus: 2 files (catalog and originals), sizes and sha256 match")


def flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) - 5] ^= 0x01
    path.write_bytes(bytes(data))


def segment(build: Path) -> Path:
    return sorted((build / "bm25" / "whoosh").glob("MAIN_*.pst"))[0]


# damage → (what it does, the line it gives, whether --quick sees it, the exit code)
DAMAGE = {
    "a byte flipped in vectors.npy": (lambda b, c: flip_a_byte(b / "vectors.npy"),
                                      "vectors.npy has another checksum than the manifest's", False, 4),
    "passages.jsonl cut short": (lambda b, c: (b / "passages.jsonl").write_bytes(
        (b / "passages.jsonl").read_bytes()[:-100]), "passages.jsonl is {size} bytes, the manifest says", True, 4),
    "a whoosh segment deleted": (lambda b, c: segment(b).unlink(), "bm25/whoosh/{segment} is missing", True, 4),
    "a file the build never had": (lambda b, c: (b / "notes.txt").write_text("x"),
                                   "notes.txt is not one of the files recorded", True, 4),
    "the original edited in place": (lambda b, c: flip_a_byte(c / f"{REPORT}.txt"),
                                     f"corpus: {REPORT}.txt has another checksum", False, 7),
    "catalog.yaml grown": (lambda b, c: (c / "catalog.yaml").write_text(
        (c / "catalog.yaml").read_text(encoding="utf-8") + "# note\n", encoding="utf-8"),
        "corpus: catalog.yaml is {catalog} bytes", True, 7),
}


@pytest.mark.parametrize("case", list(DAMAGE))
def test_each_damage_is_one_line_with_its_repair_and_its_exit_code(small_index, tmp_path, case):
    cfg, config = copy_small_index(small_index, tmp_path)
    build = current_build(cfg)
    name = segment(build).name
    damage, line, quick_sees, code = DAMAGE[case]
    damage(build, cfg.corpus_dir)
    size = (build / "passages.jsonl").stat().st_size
    line = line.format(size=size, segment=name, catalog=(cfg.corpus_dir / "catalog.yaml").stat().st_size)

    out = cli(config, "verify")
    assert out.exit_code == code, out.output
    problems = [x for x in out.output.splitlines() if x.startswith(("build ", "corpus:")) and "files," not in x]
    assert len(problems) == 1 and line in problems[0], out.output
    assert problems[0].endswith("plansearch index") and "Traceback" not in out.output
    assert ("failed verification" if code == 4 else "corpus files differ") in out.output

    quick = cli(config, "verify", "--quick")
    assert quick.exit_code == (code if quick_sees else 0), quick.output


def test_serve_refuses_a_build_that_fails_the_quick_check_with_one_line(small_index, tmp_path):
    cfg, config = copy_small_index(small_index, tmp_path)
    build = current_build(cfg)
    (build / "passages.jsonl").write_bytes((build / "passages.jsonl").read_bytes()[:-1])
    with pytest.raises(IndexCorruptError, match=r"fails the quick check: passages\.jsonl is"):
        check_serving(cfg)
    proc = subprocess.run([sys.executable, "-m", "indexer.cli", "--config", str(config), "serve", "--port", "0"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 4, proc.stderr
    size = (build / "passages.jsonl").stat().st_size
    assert proc.stderr.strip().splitlines() == [
        f"error: index {build.name} fails the quick check: passages.jsonl is {size} bytes, the manifest says "
        f"{size + 1}; rebuild with: plansearch index"]


def test_a_build_from_before_sizes_serves_with_a_note_and_verifies_by_sha256(small_index, tmp_path):
    """Builds made before this change map each file to its sha256 alone and record no originals:
    they are served (their checksums are still read in full at load) and verify says what it lacks."""
    cfg, config = copy_small_index(small_index, tmp_path)
    build = current_build(cfg)
    mf = build / MANIFEST_FILE
    manifest = json.loads(mf.read_text(encoding="utf-8"))
    manifest["files"] = {k: v["sha256"] for k, v in manifest["files"].items()}
    del manifest["originals"]
    mf.write_text(json.dumps(manifest), encoding="utf-8")

    served = check_serving(cfg)
    assert served.notes and "made before sizes and originals were recorded" in served.notes[0]
    Searcher(cfg, embedder=FakeEmbedder(cfg.embedding)).close()
    out = cli(config, "verify")
    assert out.exit_code == 0 and "corpus not checked (not recorded)" in out.output, out.output
    flip_a_byte(build / "vectors.npy")
    assert cli(config, "verify").exit_code == 4
    assert cli(config, "verify", "--quick").exit_code == 0  # no sizes to compare: the full check finds it


def test_add_and_remove_record_the_originals_as_they_write_them(small_index, tmp_path):
    cfg, _ = copy_small_index(small_index, tmp_path)
    embedder = FakeEmbedder(cfg.embedding)
    add_documents(cfg, [NewDocument(HEBEI)], embedder=embedder, log=quiet, progress=False)
    result = verify(cfg)
    assert result.clean and result.originals == 3, result.lines()
    remove_document(cfg, HEBEI.stem, embedder=embedder, log=quiet, progress=False)
    result = verify(cfg)
    assert result.clean and result.originals == 2, result.lines()
