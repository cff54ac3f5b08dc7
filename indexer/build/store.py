"""A build on disk: the folder layout, the manifest and its checksums, and the files
read back with every check a server needs before it answers from them."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

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

MANIFEST_FIELDS = {"format": int, "build_id": str, "embedding": dict, "passages": int, "corpus_hash": str,
                   "files": dict}


def builds_dir(cfg: Config) -> Path:
    return cfg.index_dir / BUILDS


def current_build(cfg: Config) -> Path:
    link = cfg.index_dir / CURRENT
    if not link.exists():
        raise IndexMissingError(f"no index at {cfg.index_dir}", verb="build one with")
    return link.resolve()


def checksums(build_path: Path) -> dict[str, str]:
    """sha256 of every file of a build (the manifest aside), by path relative to the build."""
    out = {}
    for path in sorted(p for p in build_path.rglob("*") if p.is_file() and p.name != MANIFEST_FILE):
        h = hashlib.sha256()
        with path.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        out[path.relative_to(build_path).as_posix()] = h.hexdigest()
    return out


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
        verify_checksums(path, manifest["files"])
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


def verify_checksums(path: Path, files: dict) -> None:
    """Every file the manifest lists is there with its checksum, and nothing else is."""
    actual = checksums(path)
    damaged = sorted(name for name in set(files) | set(actual) if files.get(name) != actual.get(name))
    if damaged:
        raise IndexCorruptError(f"index {path.name} is damaged: {', '.join(damaged[:3])}"
                                f"{' …' if len(damaged) > 3 else ''} differ from the manifest's checksums")


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
