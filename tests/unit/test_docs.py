"""The README's module map is the code's: every module is listed with its docstring's sentence,
and every module says in a docstring what its job is."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _module_map():
    spec = importlib.util.spec_from_file_location("module_map", ROOT / "docs" / "module_map.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_the_readme_module_map_is_made_from_the_code():
    mm = _module_map()
    assert mm.readme_block(mm.README.read_text(encoding="utf-8")) == mm.module_map(), \
        "README's module map is stale: run python docs/module_map.py --write"


def test_every_module_states_its_job():
    mm = _module_map()
    silent = [str(p.relative_to(ROOT)) for p in mm.modules() if not mm.first_sentence(p)]
    assert silent == []


def test_every_command_is_in_the_readme_command_list():
    from indexer.cli import main

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = readme[readme.index("## Command line"):readme.index("## Adding documents")]
    missing = [name for name in main.commands if f".venv/bin/plansearch {name}" not in listed]
    assert missing == []
