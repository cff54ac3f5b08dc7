"""catalog.yaml edited entry by entry: unchanged entries keep their bytes."""

from __future__ import annotations

import yaml

from indexer.documents.catalog_text import edit
from tests.conftest import CORPUS

REAL = (CORPUS / "catalog.yaml").read_text(encoding="utf-8")
ENTRIES = yaml.safe_load(REAL)["documents"]
NEW = {"id": "x", "file": "x.txt", "title": "某市2026年政府工作报告", "short_title": "某市2026年政府工作报告",
       "city": "某市", "kind": "政府工作报告", "period": "十五五", "year": 2026}


def test_the_same_entries_give_the_same_bytes():
    assert edit(REAL, ENTRIES) == REAL


def test_an_added_entry_goes_last_in_the_files_own_indentation_and_removing_it_restores_the_file():
    added = edit(REAL, [*ENTRIES, NEW])
    assert added.startswith(REAL) and added[len(REAL):].startswith("  - id: x\n    file: x.txt\n")
    assert yaml.safe_load(added)["documents"][-1] == NEW
    assert edit(added, ENTRIES) == REAL


def test_a_changed_entry_is_rewritten_in_place_and_the_others_keep_their_lines():
    changed = [dict(e, title="新标题") if i == 1 else e for i, e in enumerate(ENTRIES)]
    out = edit(REAL, changed)
    assert yaml.safe_load(out)["documents"] == changed
    assert out.startswith(REAL.split("  - id: changde-2021")[0]) and "# One entry per source text" in out


def test_a_layout_it_cannot_read_is_left_to_a_fresh_write():
    assert edit("documents: [{id: a}]\n", [NEW]) is None
    assert edit("other: 1\n", [NEW]) is None


def test_a_catalog_written_by_yaml_dump_keeps_its_unindented_items():
    dumped = yaml.safe_dump({"documents": ENTRIES[:1]}, allow_unicode=True, sort_keys=False)
    added = edit(dumped, [ENTRIES[0], NEW])
    assert added == dumped + yaml.safe_dump([NEW], allow_unicode=True, sort_keys=False)
    assert edit(added, ENTRIES[:1]) == dumped
