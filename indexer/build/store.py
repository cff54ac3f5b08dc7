"""A build on disk: the folder layout, the manifest and its checksums, and the files
read back with every check a server needs before it answers from them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from indexer.build.checksums import FileSum, Problem, check_folder, folder_sums, read_sums
from indexer.config import Config
from indexer.errors import IndexCorruptError, IndexMismatchError, IndexMissingError
from indexer.parse.model import Passage

# Bumped whenever a build gains or changes a file that search reads.
FORMAT_VERSION = 3
CURRENT = "current"
BUILDS = "builds"
MANIFEST_FILE = "manifest.json"
PASSAGES_FILE = "passages.jsonl"
OUTLINE_FILE = "outline.json"
LEXICON_FILE = "lexicon.txt"
ALIASES_FILE = "aliases.json"
# The manifest's key for the sums of the corpus files the build was made from.
ORIGINALS = "originals"

MANIFEST_FIELDS = {"format": int, "build_id": str, "embedding": dict, "passages": int, "corpus_hash": str,
                   "files": dict}


def builds_dir(cfg: Config) -> Path:
    return cfg.index_dir / BUILDS


def current_build(cfg: Config) -> Path:
    link = cfg.index_dir / CURRENT
    if not link.exists():
        raise IndexMissingError(f"no index at {cfg.index_dir}", verb="build one with")
    return link.resolve()


def checksums(build_path: Path) -> dict[str, dict]:
    """The manifest's ``files``: sha256 and size of every file of a build (the manifest aside)."""
    return folder_sums(build_path, skip=(MANIFEST_FILE,))


def build_sums(path: Path, manifest: dict) -> dict[str, FileSum]:
    return read_sums(manifest["files"], f"{path / MANIFEST_FILE}")


def original_sums(path: Path, manifest: dict) -> dict[str, FileSum] | None:
    """The corpus files a build was made from (catalog.yaml and each document's original);
    None for builds made before they were recorded."""
    section = manifest.get(ORIGINALS)
    return None if section is None else read_sums(section, f"{path / MANIFEST_FILE} '{ORIGINALS}'")


def check_build(path: Path, manifest: dict, quick: bool) -> list[Problem]:
    """The build's files against its manifest: presence and sizes (``quick``), or contents too."""
    return check_folder(path, build_sums(path, manifest), quick, skip=(MANIFEST_FILE,))


def recorded_before_sizes(manifest: dict) -> bool:
    """A build made before sizes and originals were recorded: checked by sha256 alone."""
    return ORIGINALS not in manifest or any(isinstance(v, str) for v in manifest["files"].values())


@dataclass(frozen=True)
class StoredBuild:
    """What a build holds besides its search indexes."""

    path: Path
    manifest: dict
    passages: list[Passage]
    outlines: dict[str, list[dict]]
    aliases: dict[str, list[str]]

    @property
    def build_id(self) -> str:
        return self.manifest["build_id"]

    @classmethod
    def open(cls, path: Path, doc_ids: list[str]) -> StoredBuild:
        """Checked: the manifest and its format, every file's checksum, and one outline per document."""
        manifest = read_manifest(path)
        verify_checksums(path, manifest)
        passages = read_passages(path / PASSAGES_FILE, manifest["passages"])
        outlines = _read_json(path / OUTLINE_FILE)
        if not isinstance(outlines, dict) or set(outlines) != set(doc_ids):
            raise IndexCorruptError(f"{OUTLINE_FILE} in {path} does not hold one outline per document")
        return cls(path, manifest, passages, outlines, read_aliases(path / ALIASES_FILE))


def read_manifest(path: Path) -> dict:
    mf = path / MANIFEST_FILE
    if not mf.is_file():
        raise IndexMissingError(f"{path} has no {MANIFEST_FILE} (an unfinished build?)", verb="run")
    manifest = _read_json(mf)
    if not isinstance(manifest, dict):
        raise IndexCorruptError(f"{mf} is not a JSON object", verb="run")
    if manifest.get("format") != FORMAT_VERSION:
        raise IndexMismatchError(f"index {path.name} is format {manifest.get('format')!r}; this plansearch reads "
                                 f"format {FORMAT_VERSION}")
    for key, kind in MANIFEST_FIELDS.items():
        if not isinstance(manifest.get(key), kind) or isinstance(manifest.get(key), bool):
            raise IndexCorruptError(f"{mf}: '{key}' is missing or not {kind.__name__}", verb="run")
    emb = manifest["embedding"]
    if not isinstance(emb.get("model_id"), str) or not isinstance(emb.get("dim"), int):
        raise IndexCorruptError(f"{mf}: 'embedding' lacks model_id or dim", verb="run")
    return manifest


def verify_checksums(path: Path, manifest: dict) -> None:
    """Every file the manifest lists is there with its size and checksum, and nothing else is:
    the quick check first, so a missing or cut file is named without hashing the rest."""
    for quick in (True, False):
        problems = check_build(path, manifest, quick)
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise IndexCorruptError(f"index {path.name} is damaged: {problems[0].describe()}{more}")


def read_aliases(path: Path) -> dict[str, list[str]]:
    if not path.exists():
        return {}
    aliases = _read_json(path)
    if not isinstance(aliases, dict) or not all(isinstance(v, list) and len(v) == 2 for v in aliases.values()):
        raise IndexCorruptError(f"{path} is not a map of old ids to [id, how]", verb="run")
    return aliases


def read_passages(path: Path, expected: int) -> list[Passage]:
    try:
        with path.open(encoding="utf-8") as f:
            out = [Passage.from_json(json.loads(line)) for line in f]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise IndexCorruptError(f"{path} cannot be read ({exc})", verb="run") from exc
    if len(out) != expected:
        raise IndexCorruptError(f"{path} holds {len(out)} passages, the manifest says {expected}",
                                verb="run")
    return out


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"{path} cannot be read ({exc})", verb="run") from exc
