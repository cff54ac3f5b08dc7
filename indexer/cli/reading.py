"""Commands that read the serving build: search, outline, passages, indicators, eval."""

from __future__ import annotations

import json
from pathlib import Path

import click

from indexer.cli.app import catalog_of, config_of, friendly, main
from indexer.query.request import GROUPS, MODES, bounds


@main.command()
@click.argument("query")
@click.option("--mode", type=click.Choice(MODES), default="hybrid")
@click.option("--k", "k", type=click.IntRange(*bounds("k")), default=10, show_default=True)
@click.option("--offset", type=click.IntRange(*bounds("offset")), default=0)
@click.option("--doc", "docs", multiple=True, help="restrict to a document id (repeatable)")
@click.option("--city", multiple=True)
@click.option("--kind", multiple=True)
@click.option("--period", multiple=True)
@click.option("--group", type=click.Choice(GROUPS), default=None)
@click.option("--json", "as_json", is_flag=True, help="the same JSON as the API")
@click.pass_context
@friendly
def search(ctx, query, mode, k, offset, docs, city, kind, period, group, as_json) -> None:
    """Search the index."""
    from indexer.search.searcher import Searcher

    cfg = config_of(ctx)
    searcher = Searcher(cfg)
    resp = searcher.search(query, mode=mode, k=k, offset=offset, doc_ids=list(docs) or None,
                           city=list(city) or None, kind=list(kind) or None,
                           period=list(period) or None, group=group)
    if as_json:
        click.echo(json.dumps(resp.to_json(cfg.server.base_url), ensure_ascii=False, indent=2))
        return
    if resp.preferred:
        click.echo(f"(preferring {', '.join(resp.preferred['documents'])}: {resp.preferred['reason']})")
    for note in resp.notes:
        click.echo(f"(note: {note})")
    click.echo(f"{resp.total} results in {resp.took_ms:.0f} ms")
    for h in resp.hits:
        ranks = f"{h.match}; bm25 #{h.bm25_rank or '-'} dense #{h.dense_rank or '-'}"
        click.echo(f"\n{h.rank}. [{h.info.short_title}] {' > '.join(h.passage.section_path)}  ({ranks})")
        click.echo("   " + h.passage.text.strip().replace("\n", " ")[:200])
        click.echo(f"   {h.citation(cfg.server.base_url)}")


@main.command()
@click.argument("doc_id")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@friendly
def outline(ctx, doc_id: str, as_json: bool) -> None:
    """Print a document's heading tree."""
    from indexer.parse.parser import parse

    parsed = parse(catalog_of(ctx).read(doc_id))
    if as_json:
        click.echo(json.dumps([s.to_json() for s in parsed.sections], ensure_ascii=False, indent=1))
        return
    for line in _outline_lines(parsed.sections):
        click.echo(line)


@main.command()
@click.argument("doc_id")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@friendly
def passages(ctx, doc_id: str, as_json: bool) -> None:
    """Print a document's passages."""
    from indexer.parse.parser import parse

    parsed = parse(catalog_of(ctx).read(doc_id))
    if as_json:
        click.echo(json.dumps([p.to_json() for p in parsed.passages], ensure_ascii=False, indent=1))
        return
    for p in parsed.passages:
        click.echo(f"{p.passage_id} {p.kind:<12} [{p.start},{p.end}) {' > '.join(p.section_path)[-60:]}")
        click.echo("    " + p.text.replace("\n", " ")[:120])


@main.command()
@click.argument("name", required=False, default="")
@click.option("--doc", "docs", multiple=True, help="restrict to a document id (repeatable)")
@click.option("--city", multiple=True)
@click.option("--period", multiple=True)
@click.option("--role", type=click.Choice(["baseline", "target", "growth", "achieved", "level"]), default=None)
@click.option("--json", "as_json", is_flag=True, help="the records as the API gives them")
@click.option("--csv", "as_csv", is_flag=True, help="the records as CSV, the columns of the /indicators page's export")
@click.option("--unmatched", is_flag=True,
              help="the printed names no synonym rewrites and no other document shares, with their counts")
@click.pass_context
@friendly
def indicators(ctx, name: str, docs, city, period, role, as_json: bool, as_csv: bool, unmatched: bool) -> None:
    """Indicator records of the current build, side by side (NAME: 地区生产总值, GDP, …)."""
    from indexer.build.store import current_build
    from indexer.indicators.names import unmatched_names
    from indexer.indicators.sheet import csv_text
    from indexer.indicators.store import IndicatorQuery, comparison_lines, read_records, select
    from indexer.search.citation import permalink

    cfg = config_of(ctx)
    found = select(read_records(current_build(cfg)),
                   IndicatorQuery(name=name, doc=docs, city=city, period=period, role=role or ""))
    if unmatched:
        names = unmatched_names((r.name, r.key, r.doc_id) for r in found)
        for printed, count in names:
            click.echo(f"{count}\t{printed}")
        click.echo(f"{len(names)} of {len({r.name for r in found})} printed names matched nothing", err=True)
        return
    if as_csv:
        base = cfg.server.base_url.rstrip("/")
        click.echo(csv_text(found, lambda r: base + permalink(r)), nl=False)
        return
    if as_json:
        click.echo(json.dumps([r.to_json() for r in found], ensure_ascii=False, indent=1))
        return
    for line in comparison_lines(found):
        click.echo(line)
    click.echo(f"{len(found)} records", err=True)


@main.command(name="eval")
@click.argument("qrels", type=click.Path(exists=True, dir_okay=False))
@click.option("--mode", type=click.Choice([*MODES, "all"]), default="all")
@click.option("--json", "as_json", is_flag=True)
@click.option("--failures", is_flag=True, help="list the queries with no relevant hit in the top 10")
@click.pass_context
@friendly
def eval_cmd(ctx, qrels: str, mode: str, as_json: bool, failures: bool) -> None:
    """Score a qrels file (MRR@10, Hit@10, answer recall@10 per kind and mode)."""
    from indexer.evaluate import Retrieved, evaluate, format_table, load_qrels
    from indexer.search.searcher import Searcher

    searcher = Searcher(config_of(ctx))
    rows = load_qrels(Path(qrels))
    modes = sorted(MODES) if mode == "all" else [mode]
    results = {}
    for m in modes:
        def run(q: str, m=m):
            resp = searcher.search(q, mode=m, k=10)
            return [Retrieved(h.info.file, h.passage.text) for h in resp.hits]

        results[m] = evaluate(rows, run)
    if as_json:
        click.echo(json.dumps(results, ensure_ascii=False, indent=1))
        return
    click.echo(format_table(results))
    if failures:
        for m, res in results.items():
            missed = [q["id"] for q in res["queries"] if q["hit"] == 0]
            click.echo(f"{m}: no hit in top 10: {', '.join(missed) or 'none'}")


def _outline_lines(sections: list, depth: int = 0):
    """The heading tree as indented lines, lead sentences left out."""
    from indexer.parse.heading_rules import LEVEL_NAMES

    for s in sections:
        if s.level != "lead":
            yield f"{'  ' * depth}{s.title}  [{LEVEL_NAMES[s.level]} @{s.start}]"
        yield from _outline_lines(s.children, depth + 1)
