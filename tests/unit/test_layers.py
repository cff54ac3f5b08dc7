"""The rules of the house, read from the source: which room may import which.

Every import is found by walking each module's syntax tree (imports inside functions too),
so a rule breaks here the moment a line crosses a wall, before anything runs."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

from indexer.backends.factory import IMPLEMENTATIONS
from indexer.config import SEARCH_BACKENDS

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("indexer", "search_app")


@dataclass(frozen=True)
class Import:
    path: str        # the importing module, relative to the repository
    line: int
    module: str      # what it imports, absolute (indexer.embed.cache, whoosh.fields)
    function: str    # the function it is imported in ("" at module level)


def imports_of(path: Path) -> list[Import]:
    rel = path.relative_to(ROOT).as_posix()
    package = rel.removesuffix(".py").replace("/", ".").rsplit(".", 1)[0]
    out: list[Import] = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                out.extend(Import(rel, child.lineno, a.name, function) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    parent = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join([*parent, base] if base else parent)
                out.append(Import(rel, child.lineno, base, function))
            visit(child, child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else function)

    visit(ast.parse(path.read_text(encoding="utf-8"), rel), "")
    return out


def all_imports() -> list[Import]:
    return [imp for pkg in PACKAGES for path in sorted((ROOT / pkg).rglob("*.py")) for imp in imports_of(path)]


def within(module: str, *prefixes: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def under(path: str, *folders: str) -> bool:
    return any(path.startswith(f.rstrip("/") + "/") for f in folders)


# (rule, the importing modules it covers, what they may not import, the exception)
RULES = [
    ("the parser imports no backend, build, search, model or app",
     lambda imp: under(imp.path, "indexer/parse"),
     ("indexer.backends", "indexer.build", "indexer.search", "indexer.embed", "search_app", "whoosh", "pymilvus")),
    ("analysis imports no whoosh", lambda imp: under(imp.path, "indexer/analysis"), ("whoosh",)),
    ("the embedders import no analysis", lambda imp: under(imp.path, "indexer/embed"), ("indexer.analysis",)),
    ("whoosh is imported only under backends/local/",
     lambda imp: not under(imp.path, "indexer/backends/local"), ("whoosh",)),
    ("pymilvus is imported only under backends/milvus/",
     lambda imp: not under(imp.path, "indexer/backends/milvus"), ("pymilvus", "milvus_lite")),
    ("the backends import no build, app or cli", lambda imp: under(imp.path, "indexer/backends"),
     ("indexer.build", "search_app", "indexer.cli")),
    ("the Milvus backend imports nothing of the local one", lambda imp: under(imp.path, "indexer/backends/milvus"),
     ("indexer.backends.local",)),
    ("nothing in indexer/ imports search_app but the serve command",
     lambda imp: under(imp.path, "indexer")
     and not (imp.path == "indexer/cli/serving.py" and imp.function == "serve"),
     ("search_app",)),
]


def broken(rule: tuple, imports: list[Import]) -> list[str]:
    _, covers, banned = rule
    return [f"{i.path}:{i.line} imports {i.module}" for i in imports if covers(i) and within(i.module, *banned)]


@pytest.fixture(scope="module")
def imports() -> list[Import]:
    found = all_imports()
    assert len({i.path for i in found}) > 50, "the scan found too few modules to mean anything"
    return found


@pytest.mark.parametrize("rule", RULES, ids=[r[0] for r in RULES])
def test_the_rule_holds(rule, imports):
    crossings = broken(rule, imports)
    assert not crossings, f"{rule[0]}: " + "; ".join(crossings)


def test_each_rule_would_catch_a_crossing():
    """Each rule flags one made-up import that breaks it, and lets its allowed twin through."""
    cases = [
        (Import("indexer/parse/segment.py", 1, "indexer.embed.embedders", ""),
         Import("indexer/parse/segment.py", 1, "indexer.documents.corpus", "")),
        (Import("indexer/analysis/text.py", 1, "whoosh.analysis", ""),
         Import("indexer/analysis/text.py", 1, "indexer.errors", "")),
        (Import("indexer/embed/embedders.py", 1, "indexer.analysis.text", ""),
         Import("indexer/embed/embedders.py", 1, "indexer.config", "")),
        (Import("indexer/search/searcher.py", 1, "whoosh", ""),
         Import("indexer/backends/local/lexical.py", 1, "whoosh", "")),
        (Import("indexer/build/pipeline.py", 1, "pymilvus", "f"),
         Import("indexer/backends/milvus/engine.py", 1, "pymilvus", "f")),
        (Import("indexer/backends/base.py", 1, "indexer.build.store", ""),
         Import("indexer/backends/base.py", 1, "indexer.query.request", "")),
        (Import("indexer/backends/milvus/writer.py", 1, "indexer.backends.local.lexical", ""),
         Import("indexer/backends/milvus/writer.py", 1, "indexer.backends.terms", "")),
        (Import("indexer/cli/serving.py", 1, "search_app", "index"),
         Import("indexer/cli/serving.py", 1, "search_app", "serve")),
    ]
    for rule, (bad, good) in zip(RULES, cases, strict=True):
        assert broken(rule, [bad]) and not broken(rule, [good]), rule[0]


def test_the_scan_sees_imports_inside_functions():
    found = imports_of(ROOT / "indexer" / "cli" / "serving.py")
    assert any(i.module == "search_app" and i.function == "serve" for i in found)


def test_the_backend_names_are_the_ones_the_config_accepts():
    assert set(IMPLEMENTATIONS) == set(SEARCH_BACKENDS)
