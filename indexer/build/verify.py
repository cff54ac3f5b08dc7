"""``plansearch verify``: every file of the serving build, and the corpus originals it was made
from, read against the sums its manifest recorded at build time; each difference is one line
that says what is wrong and how to repair it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from indexer.build.checksums import Problem, check_folder
from indexer.build.store import (
    MANIFEST_FILE,
    build_sums,
    check_build,
    current_build,
    original_sums,
    read_manifest,
    recorded_before_sizes,
)
from indexer.config import Config
from indexer.errors import CorpusChangedError, IndexCorruptError, PlansearchError

REBUILD = "rebuild with: plansearch index"


@dataclass(frozen=True)
class Verification:
    """What a check of one build found: its problems, and the corpus's."""

    build_id: str
    quick: bool
    files: int
    size: int
    originals: int | None
    build_problems: tuple[Problem, ...]
    corpus_problems: tuple[Problem, ...]
    notes: tuple[str, ...] = ()
    sizes_recorded: bool = True

    @property
    def clean(self) -> bool:
        return not self.build_problems and not self.corpus_problems

    def lines(self) -> list[str]:
        """One line per problem, each with its repair."""
        out = [f"build {self.build_id}: {p.describe()}; {REBUILD}" for p in self.build_problems]
        out += [f"corpus: {p.describe()}: the corpus changed since build {self.build_id} was made; put the "
                f"file back from a backup (plansearch restore), or re-index what is there now with: plansearch index"
                for p in self.corpus_problems]
        return out

    def summary(self) -> str:
        how = "present, sizes match" if self.quick else "sizes and sha256 match"
        if not self.sizes_recorded:
            how = "present (sizes not recorded)" if self.quick else "sha256 match"
        build = (f"build {self.build_id}: {self.files} files, {self.size:,} bytes"
                 + (f", {_differ(self.build_problems)}" if self.build_problems else f", {how}"))
        if self.originals is None:
            return build + "; corpus not checked (not recorded)"
        corpus = _differ(self.corpus_problems) if self.corpus_problems else how
        return f"{build}; corpus: {self.originals} files (catalog and originals), {corpus}"

    def error(self) -> PlansearchError | None:
        """The error the command exits with: a damaged build first, then a changed corpus."""
        if self.build_problems:
            return IndexCorruptError(f"index {self.build_id} failed verification: {len(self.build_problems)} of "
                                     f"its files differ from its manifest")
        if self.corpus_problems:
            return CorpusChangedError(f"{len(self.corpus_problems)} corpus files differ from the ones index "
                                      f"{self.build_id} was made from")
        return None


def _differ(problems: tuple[Problem, ...]) -> str:
    return f"{len(problems)} differ{'s' if len(problems) == 1 else ''}"


def verify_folder(path: Path, corpus_dir: Path, quick: bool = False) -> Verification:
    """Check the build in ``path`` and the corpus in ``corpus_dir`` against the build's manifest."""
    manifest = read_manifest(path)
    expected = build_sums(path, manifest)
    build_problems = check_build(path, manifest, quick)
    originals = original_sums(path, manifest)
    corpus_problems = [] if originals is None else check_folder(corpus_dir, originals, quick, extra_allowed=True)
    notes = []
    legacy = recorded_before_sizes(manifest)
    if legacy:
        notes.append(f"note: build {path.name} was made before sizes and originals were recorded: its files are "
                     f"checked by sha256 alone and the corpus not at all; {REBUILD} to record them")
    engine = manifest.get("milvus")
    if isinstance(engine, dict):
        notes.append(f"note: the Milvus collection {engine.get('collection')!r} is not checked here, only "
                     f"the build folder; the server checks its row count when it loads the build")
    size = sum(f.stat().st_size for f in (path / name for name in [*expected, MANIFEST_FILE]) if f.is_file())
    return Verification(str(manifest["build_id"]), quick, len(expected) + 1, size,
                        None if originals is None else len(originals),
                        tuple(build_problems), tuple(corpus_problems), tuple(notes), not legacy)


def verify(cfg: Config, quick: bool = False) -> Verification:
    """The serving build (what ``current`` names) and the config's corpus."""
    return verify_folder(current_build(cfg), cfg.corpus_dir, quick)


def check_serving(cfg: Config) -> Verification:
    """The quick check ``serve`` runs before loading; an unservable build raises."""
    result = verify(cfg, quick=True)
    if result.build_problems:
        first = result.build_problems[0].describe()
        more = f" (and {len(result.build_problems) - 1} more; see plansearch verify)" \
            if len(result.build_problems) > 1 else ""
        raise IndexCorruptError(f"index {result.build_id} fails the quick check: {first}{more}")
    return result
