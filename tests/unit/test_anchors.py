"""Stable passage ids: a re-parse of unchanged text keeps them; a changed parser rule
leaves old links landing on the nearest surviving passage, never on nothing."""

from __future__ import annotations

import json

from indexer.build.store import ALIASES_FILE, current_build
from indexer.parse.anchors import MOVED, AnchorResolver, IdAllocator, carry_aliases, section_hash, text_hash
from indexer.parse.parser import parse
from tests.conftest import REPORT


def test_ids_depend_on_section_and_text_not_on_position(catalog):
    doc = catalog.read(REPORT)
    first = parse(doc).passages
    ids = {p.passage_id for p in first}
    assert len(ids) == len(first)
    # A paragraph added in the middle: every later seq moves, no id does.
    later = next(p for p in first[50:] if p.kind == "paragraph" and doc.text[p.start - 1] == "\n")
    text = doc.text[: later.start] + "新增的一段文字。\n" + doc.text[later.start:]
    shifted = parse(type(doc)(doc.info, text, doc.encoding)).passages
    assert ids <= {p.passage_id for p in shifted}
    assert [p.seq for p in shifted if p.passage_id == later.passage_id] == [later.seq + 1]


def test_repeated_text_in_one_section_is_numbered():
    ids = IdAllocator("d")
    a, b = ids.next_id(["一"], "同样的话。"), ids.next_id(["一"], "同样的话。")
    assert b == f"{a}-2" and ids.next_id(["二"], "同样的话。") != a


def test_a_reparse_keeps_unchanged_passages_and_redirects_the_rest(reparsed):
    cfg, old, new = reparsed
    kept = [p for p in old if p.passage_id in new.store.by_id]
    gone = [p for p in old if p.passage_id not in new.store.by_id]
    assert len(kept) > len(old) // 3 and gone
    aliases = json.loads((current_build(cfg) / ALIASES_FILE).read_text(encoding="utf-8"))
    for p in gone:
        landing = new.landing(p.passage_id)
        assert landing is not None and landing.passage_id in new.store.by_id
        assert aliases[p.passage_id][0] == landing.passage_id
        target = new.passage(landing.passage_id)
        assert target.doc_id == p.doc_id
        # A cut-up paragraph lands inside the section it was in, at its place.
        assert target.section_path == p.section_path, (p.passage_id, landing)
        assert landing.how in ("changed", "moved")
    assert all(new.landing(p.passage_id) is None for p in kept)


def test_an_id_from_builds_ago_lands_by_its_section_hash(reparsed):
    _, _, new = reparsed
    p = next(x for x in new.passages if x.kind == "paragraph" and len(x.section_path) > 1)
    forged = f"{p.doc_id}-{section_hash(p.section_path)}-{text_hash('一段早已删去的文字')}"
    landing = new.landing(forged)
    assert landing is not None and landing.how == "section"
    assert new.passage(landing.passage_id).section_path[: len(p.section_path)] == p.section_path
    assert new.landing("no-such-document-0001") is None


def test_resolver_prefers_moved_text():
    class P:
        def __init__(self, pid, text, path, seq):
            self.passage_id, self.doc_id, self.text, self.section_path, self.seq = pid, "d", text, path, seq

    old = [P("d-0001", "甲。", ("一",), 1)]
    new = [P("d-x", "乙。", ("一",), 0), P("d-y", "甲。", ("二",), 1)]
    aliases = carry_aliases(old, {"d-very-old": ["d-0001", MOVED]}, new)
    assert aliases == {"d-0001": ["d-y", MOVED], "d-very-old": ["d-y", MOVED]}
    assert AnchorResolver(new, aliases).resolve("d", "d-very-old").passage_id == "d-y"
