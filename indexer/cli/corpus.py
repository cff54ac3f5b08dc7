"""Commands that review and change the corpus: parse a file, add and remove documents."""

from __future__ import annotations

import json
from pathlib import Path

import click

from indexer.cli.app import cleanup_on_signals, config_of, friendly, main


@main.command(name="parse")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True,
              help="title, format, extractor, pages, detected metadata, outline and passages")
@click.pass_context
@friendly
def parse_cmd(ctx, file: Path, as_json: bool) -> None:
    """Parse a file that is not in the catalog, to review it before adding it."""
    from indexer.build.collection import parse_file

    p = parse_file(file, config_of(ctx).limits)
    if as_json:
        click.echo(json.dumps({
            "title": p.detected.title, "format": p.format, "encoding": p.document.encoding,
            "pages": len(p.document.page_starts), "page_starts": list(p.document.page_starts),
            "metadata": p.detected.to_json(),
            "outline": [s.to_json() for s in p.parsed.sections],
            "passages": [x.to_json() for x in p.parsed.passages],
        }, ensure_ascii=False, indent=1))
        return
    pages = f"{len(p.document.page_starts)} pages, " if p.document.page_starts else ""
    click.echo(f"{file.name}: {p.format}, {p.document.encoding}, {pages}{len(p.document.text)} characters, "
               f"{len(p.parsed.passages)} passages")
    for key, value in p.detected.to_json().items():
        click.echo(f"  {key:<12} {value}")
    click.echo(f"headings: {_level_counts(p.parsed.count_levels())}\n")
    for line in _review_lines(p.parsed.sections, p.document.text):
        click.echo(line)


def _level_counts(counts: dict[str, int]) -> str:
    """Heading counts by their markers (篇 2 · 章 12 · 一、 30 · 段首句 47), outermost first."""
    from indexer.parse.heading_rules import LEVEL_NAMES, RANKS

    shown = sorted((lvl for lvl in counts if lvl != "title"), key=lambda lvl: RANKS.get(lvl, 99))
    return " · ".join(f"{LEVEL_NAMES[lvl]} {counts[lvl]}" for lvl in shown) or "none"


# Levels whose headings carry no marker of their own, so the review names them.
_UNMARKED = ("title", "part", "box", "toc")


def _review_lines(sections: list, text: str, depth: int = 0):
    """The heading tree as a person checks it against the file: the line number, then each
    heading as written (its own 二、 or 三是), unmarked ones named; lead sentences left out."""
    from indexer.parse.heading_rules import LEVEL_NAMES

    for s in sections:
        if s.level != "lead":
            tag = f"  （{LEVEL_NAMES[s.level]}）" if s.level in _UNMARKED else ""
            yield f"{text.count(chr(10), 0, s.start) + 1:>6}  {'  ' * depth}{s.title}{tag}"
        yield from _review_lines(s.children, text, depth + 1)


def _report_change(change) -> None:
    for p in change.added:
        i = p.info
        detected = [k for k in p.detected.to_json() if k not in p.given]
        click.echo(f"added {i.id}: {i.title} ({i.kind}, {i.city}, {i.period}, {i.year}); "
                   f"{len(p.parsed.passages)} passages, {p.document.encoding}; "
                   f"detected: {', '.join(detected) or 'nothing (all given)'}")
    for doc_id in change.removed:
        click.echo(f"removed {doc_id}")
    r = change.report
    click.echo(f"index {r.build_id}: {r.passages} passages, {r.embedded} embedded, {r.cached} from cache, "
               f"{r.seconds:.1f} s")


@main.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--catalog", "batch_file", type=click.Path(dir_okay=False, path_type=Path),
              help="a YAML 'documents:' list (same fields as corpus/catalog.yaml; files relative to it)")
@click.option("--id", "doc_id", default=None, help="default: the file stem")
@click.option("--title", default=None)
@click.option("--short-title", default=None)
@click.option("--city", default=None)
@click.option("--kind", default=None)
@click.option("--period", default=None)
@click.option("--year", type=int, default=None)
@click.option("--replace", is_flag=True, help="replace a document with the same id")
@click.option("--quiet", is_flag=True, help="no progress bar")
@click.pass_context
@friendly
@cleanup_on_signals
def add(ctx, file, batch_file, doc_id, title, short_title, city, kind, period, year, replace, quiet) -> None:
    """Add a document (or a catalog of them): corpus, catalog and index change together or not at all."""
    from indexer.build.collection import NewDocument, add_documents, read_batch
    from indexer.errors import CatalogError

    if (file is None) == (batch_file is None):
        raise CatalogError("give a FILE or --catalog FILE.yaml (one of them)")
    given = {"id": doc_id, "title": title, "short_title": short_title, "city": city, "kind": kind,
             "period": period, "year": year}
    if batch_file is not None:
        if any(v is not None for v in given.values()):
            raise CatalogError("--catalog takes its fields from the YAML; drop --id/--title/… or add one FILE")
        batch = read_batch(batch_file)
    else:
        batch = [NewDocument(file, given)]
    _report_change(add_documents(config_of(ctx), batch, replace=replace, progress=not quiet))


@main.command()
@click.argument("doc_id")
@click.option("--quiet", is_flag=True, help="no progress bar")
@click.pass_context
@friendly
@cleanup_on_signals
def remove(ctx, doc_id: str, quiet: bool) -> None:
    """Remove a document from the corpus, the catalog and the index."""
    from indexer.build.collection import remove_document

    _report_change(remove_document(config_of(ctx), doc_id, progress=not quiet))
