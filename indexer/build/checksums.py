"""Checksums of a build's files and of the corpus originals it was made from: the one JSON
shape ({"sha256", "size"}), how a folder's files are summed, and the pure comparison that
names each file that is missing, extra, of another size or another content."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from indexer.errors import IndexCorruptError

# Whatever a file was, these are what a comparison can say of it.
MISSING, EXTRA, SIZE, CONTENT = "missing", "extra", "size", "checksum"


@dataclass(frozen=True)
class FileSum:
    """What the manifest records of one file. ``size`` is None in builds made before sizes
    were recorded (their manifests map a name to its sha256 alone)."""

    sha256: str
    size: int | None

    def to_json(self) -> dict:
        return {"sha256": self.sha256, "size": self.size}

    @classmethod
    def from_json(cls, value: object, where: str = "") -> FileSum:
        if isinstance(value, str):
            return cls(value, None)
        if isinstance(value, dict) and isinstance(value.get("sha256"), str) \
                and isinstance(value.get("size"), int) and not isinstance(value.get("size"), bool):
            return cls(value["sha256"], value["size"])
        raise IndexCorruptError(f"{where}: a checksum entry is {value!r}, not {{sha256, size}}", verb="run")


@dataclass(frozen=True)
class Problem:
    """One file that differs from the manifest. ``expected``/``actual``: sizes, for SIZE."""

    name: str
    kind: str
    expected: int | None = None
    actual: int | None = None

    def describe(self) -> str:
        if self.kind == MISSING:
            return f"{self.name} is missing"
        if self.kind == EXTRA:
            return f"{self.name} is not one of the files recorded"
        if self.kind == SIZE:
            return f"{self.name} is {self.actual} bytes, the manifest says {self.expected}"
        return f"{self.name} has another checksum than the manifest's (its content changed)"


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def sum_of(path: Path) -> FileSum:
    return FileSum(sha256_of(path), path.stat().st_size)


def sum_of_bytes(data: bytes) -> FileSum:
    return FileSum(hashlib.sha256(data).hexdigest(), len(data))


def folder_files(root: Path, skip: Iterable[str] = ()) -> dict[str, Path]:
    """Every file under ``root`` by its path relative to it, ``skip`` (top-level names) aside."""
    skipped = set(skip)
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*"))
            if p.is_file() and p.relative_to(root).as_posix() not in skipped}


def folder_sums(root: Path, skip: Iterable[str] = ()) -> dict[str, dict]:
    """The manifest's ``files``: the sum of every file under ``root`` as JSON."""
    return {name: sum_of(path).to_json() for name, path in folder_files(root, skip).items()}


def read_sums(section: object, where: str) -> dict[str, FileSum]:
    """The sums of a manifest section; a name that leaves its folder (absolute, ``..``) is damage,
    so verify, backup and restore never read or write outside the build and the corpus."""
    if not isinstance(section, dict):
        raise IndexCorruptError(f"{where}: the checksums are not a JSON object", verb="run")
    for name in section:
        parts = Path(str(name)).parts
        if not parts or Path(str(name)).is_absolute() or ".." in parts or "\0" in str(name):
            raise IndexCorruptError(f"{where}: {name!r} is not a file name inside its folder", verb="run")
    return {str(name): FileSum.from_json(value, where) for name, value in section.items()}


def compare(expected: dict[str, FileSum], sizes: dict[str, int], sha256: Callable[[str], str] | None,
            extra_allowed: bool = False) -> list[Problem]:
    """What differs between the recorded sums and the files there (``sizes``: name → bytes of
    the files present). ``sha256`` None: the quick check, presence and sizes only; else the
    content of every file whose size agrees is hashed with it (by name)."""
    problems = []
    for name in sorted(set(expected) | set(sizes)):
        want = expected.get(name)
        if want is None:
            if not extra_allowed:
                problems.append(Problem(name, EXTRA))
        elif name not in sizes:
            problems.append(Problem(name, MISSING))
        elif want.size is not None and want.size != sizes[name]:
            problems.append(Problem(name, SIZE, want.size, sizes[name]))
        elif sha256 is not None and sha256(name) != want.sha256:
            problems.append(Problem(name, CONTENT))
    return problems


def check_folder(root: Path, expected: dict[str, FileSum], quick: bool, skip: Iterable[str] = (),
                 extra_allowed: bool = False) -> list[Problem]:
    """``compare`` over the files under ``root`` (only the expected ones, when extras are allowed)."""
    if extra_allowed:
        files = {name: root / name for name in expected if (root / name).is_file()}
    else:
        files = folder_files(root, skip)
    sizes = {name: path.stat().st_size for name, path in files.items()}
    return compare(expected, sizes, None if quick else (lambda name: sha256_of(files[name])), extra_allowed)


def corpus_sums(corpus_dir: Path, files: Iterable[str], catalog_file: str,
                written: dict[str, bytes] | None = None) -> dict[str, dict]:
    """The manifest's ``originals``: the catalog and each document's original, by name in the
    corpus folder. ``written``: files (the catalog among them) that ``add``/``remove`` are about
    to write, summed from their bytes; the rest are summed on disk."""
    written = written or {}
    names = sorted({catalog_file, *files, *written})
    return {name: (sum_of_bytes(written[name]) if name in written else sum_of(corpus_dir / name)).to_json()
            for name in names}
