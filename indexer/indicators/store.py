"""A build's indicator records on disk (one JSON line each) and the one way they are
queried: by indicator key, document, city, period and role, for the CLI and the API alike."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from indexer.documents.corpus import DocumentInfo
from indexer.errors import IndexCorruptError, IndexMissingError
from indexer.indicators.names import indicator_key
from indexer.indicators.records import Record, document_records
from indexer.parse.model import ParsedDocument

INDICATORS_FILE = "indicators.jsonl"


def write_records(build_dir: Path, parsed: Iterable[ParsedDocument], infos: dict[str, DocumentInfo]) -> int:
    """Write every document's records into a build folder; the number written."""
    n = 0
    with (build_dir / INDICATORS_FILE).open("w", encoding="utf-8") as f:
        for pd in parsed:
            for r in document_records(pd, infos[pd.doc_id]):
                f.write(json.dumps(r.to_json(), ensure_ascii=False) + "\n")
                n += 1
    return n


def read_records(build_path: Path) -> list[Record]:
    """A build's records. A build made before records existed has none, and says so."""
    path = build_path / INDICATORS_FILE
    if not path.exists():
        raise IndexMissingError(f"build {build_path.name} has no indicator records; rebuild with: plansearch index")
    try:
        with path.open(encoding="utf-8") as f:
            return [Record.from_json(json.loads(line)) for line in f if line.strip()]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexCorruptError(f"{path} cannot be read ({exc}); rebuild with: plansearch index") from exc


@dataclass(frozen=True)
class IndicatorQuery:
    """A filter over records; empty fields filter nothing. ``name`` matches by indicator
    key (地区生产总值 = GDP), ``q`` by a part of the printed name."""

    name: str = ""
    q: str = ""
    doc: tuple[str, ...] = ()
    city: tuple[str, ...] = ()
    period: tuple[str, ...] = ()
    role: str = ""
    source: str = ""


def select(records: Iterable[Record], query: IndicatorQuery) -> list[Record]:
    """The records that match, each keeping only the values of the asked role."""
    key = indicator_key(query.name) if query.name else ""
    out = []
    for r in records:
        if key and r.key != key:
            continue
        if query.q and query.q not in r.name and query.q not in r.key:
            continue
        if (query.doc and r.doc_id not in query.doc) or (query.city and r.city not in query.city) \
                or (query.period and r.period not in query.period) or (query.source and r.source != query.source):
            continue
        if query.role:
            values = tuple(v for v in r.values if query.role in (v.role, v.measure))
            if not values:
                continue
            r = Record(**{**{k: getattr(r, k) for k in r.__dataclass_fields__}, "values": values})
        out.append(r)
    return out


def comparison_lines(records: list[Record]) -> list[str]:
    """One line per record, side by side: document, table, name as printed, and each value
    as ``role: text`` with the number read from it."""
    lines = []
    for r in records:
        where = r.table or "预期目标（正文）"
        cells = "；".join(f"{v.role}{'·增速' if v.measure == 'growth' and v.role != 'growth' else ''} "
                         f"{v.quantity.text}" + (f" (={v.quantity.number:g}{v.quantity.unit})"
                                                  if v.quantity.number is not None else "")
                         for v in r.values)
        attr = f" [{r.attribute}]" if r.attribute else ""
        lines.append(f"{r.city} {r.period} | {where} | {r.name}{attr} | {cells} | {r.passage_id}")
    return lines
