"""The ``plansearch`` command line: index, search, outline, passages, eval, serve."""

from __future__ import annotations

import functools
import json
import os
import signal
import sys
import threading
from pathlib import Path

import click

from indexer.config import SEARCH_BACKENDS, load_config
from indexer.errors import PlansearchError, UnservableIndexError
from indexer.query.request import GROUPS, MODES, bounds


def _friendly(fn):
    """Library errors become one clear line on stderr and the error's exit code."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except PlansearchError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)

    return wrapper


class _Stopped(SystemExit):
    """A signal that stopped a command, unwinding it like an error."""


def _stop_cleanly(signum, frame) -> None:
    """SIGTERM unwinds like an error, so a build removes its temp folder and its lock."""
    raise _Stopped(128 + signum)


# What a command stopped by SIGTERM has kept: its unwinding puts everything back.
_KEPT = {
    "index": "the new build was discarded; the previous index, if any, is still serving",
    "add": "nothing changed: the corpus, catalog.yaml and the index are as they were",
    "remove": "nothing changed: the corpus, catalog.yaml and the index are as they were",
}


def _cleanup_on_signals(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _stop_cleanly)
        try:
            return fn(*args, **kwargs)
        except _Stopped:
            click.echo(f"stopped by SIGTERM: {_KEPT[fn.__name__]}", err=True)
            raise

    return wrapper


@click.group()
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="config file (default: the project's config.yaml or $PLANSEARCH_CONFIG)")
@click.option("--backend", type=click.Choice(SEARCH_BACKENDS), default=None,
              help="override the config's backend (local or milvus)")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, backend: str | None) -> None:
    """Search Chinese government plan documents by keyword and meaning, with citations."""
    ctx.obj = {"config_path": config_path, "backend": backend}


def _config(ctx: click.Context):
    return load_config(ctx.obj["config_path"], backend=ctx.obj["backend"])


def _catalog(ctx: click.Context):
    from indexer.documents.corpus import Catalog

    cfg = _config(ctx)
    return Catalog.load(cfg.corpus_dir, cfg.limits)


@main.command()
@click.option("--quiet", is_flag=True, help="no progress bar")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="embedding processes (they share the cores)")
@click.option("--ship-vectors", is_flag=True,
              help="also write the vectors as corpus/vectors/<model fingerprint>.npz, for fresh clones")
@click.pass_context
@_friendly
@_cleanup_on_signals
def index(ctx: click.Context, quiet: bool, workers: int, ship_vectors: bool) -> None:
    """Build the BM25 and embedding indexes and switch them in atomically."""
    from indexer.build.pipeline import build_index
    from indexer.embed.threads import cores, set_threads

    set_threads(cores())
    report = build_index(_config(ctx), progress=not quiet, workers=workers, ship_vectors=ship_vectors)
    click.echo(f"built {report.build_id}: {report.passages} passages, {report.embedded} embedded, "
               f"{report.cached} from cache, {report.seconds:.1f} s → {report.path}")


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
@_friendly
def search(ctx, query, mode, k, offset, docs, city, kind, period, group, as_json) -> None:
    """Search the index."""
    from indexer.search.searcher import Searcher

    cfg = _config(ctx)
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
@_friendly
def outline(ctx, doc_id: str, as_json: bool) -> None:
    """Print a document's heading tree."""
    from indexer.parse.parser import parse

    parsed = parse(_catalog(ctx).read(doc_id))
    if as_json:
        click.echo(json.dumps([s.to_json() for s in parsed.sections], ensure_ascii=False, indent=1))
        return
    for line in _outline_lines(parsed.sections):
        click.echo(line)


@main.command()
@click.argument("doc_id")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@_friendly
def passages(ctx, doc_id: str, as_json: bool) -> None:
    """Print a document's passages."""
    from indexer.parse.parser import parse

    parsed = parse(_catalog(ctx).read(doc_id))
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
@click.pass_context
@_friendly
def indicators(ctx, name: str, docs, city, period, role, as_json: bool) -> None:
    """Indicator records of the current build, side by side (NAME: 地区生产总值, GDP, …)."""
    from indexer.build.store import current_build
    from indexer.indicators.store import IndicatorQuery, comparison_lines, read_records, select

    found = select(read_records(current_build(_config(ctx))),
                   IndicatorQuery(name=name, doc=docs, city=city, period=period, role=role or ""))
    if as_json:
        click.echo(json.dumps([r.to_json() for r in found], ensure_ascii=False, indent=1))
        return
    for line in comparison_lines(found):
        click.echo(line)
    click.echo(f"{len(found)} records", err=True)


def _outline_lines(sections: list, depth: int = 0):
    """The heading tree as indented lines, lead sentences left out."""
    from indexer.parse.heading_rules import LEVEL_NAMES

    for s in sections:
        if s.level != "lead":
            yield f"{'  ' * depth}{s.title}  [{LEVEL_NAMES[s.level]} @{s.start}]"
        yield from _outline_lines(s.children, depth + 1)


@main.command(name="parse")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True,
              help="title, format, extractor, pages, detected metadata, outline and passages")
@click.pass_context
@_friendly
def parse_cmd(ctx, file: Path, as_json: bool) -> None:
    """Parse a file that is not in the catalog, to review it before adding it."""
    from indexer.build.collection import parse_file

    p = parse_file(file, _config(ctx).limits)
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
    from indexer.parse.heading_rules import RANKS
    from indexer.parse.segment import LEVEL_NAMES

    shown = sorted((lvl for lvl in counts if lvl != "title"), key=lambda lvl: RANKS.get(lvl, 99))
    return " · ".join(f"{LEVEL_NAMES[lvl]} {counts[lvl]}" for lvl in shown) or "none"


# Levels whose headings carry no marker of their own, so the review names them.
_UNMARKED = ("title", "part", "box", "toc")


def _review_lines(sections: list, text: str, depth: int = 0):
    """The heading tree as a person checks it against the file: the line number, then each
    heading as written (its own 二、 or 三是), unmarked ones named; lead sentences left out."""
    from indexer.parse.segment import LEVEL_NAMES

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
@_friendly
@_cleanup_on_signals
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
    _report_change(add_documents(_config(ctx), batch, replace=replace, progress=not quiet))


@main.command()
@click.argument("doc_id")
@click.option("--quiet", is_flag=True, help="no progress bar")
@click.pass_context
@_friendly
@_cleanup_on_signals
def remove(ctx, doc_id: str, quiet: bool) -> None:
    """Remove a document from the corpus, the catalog and the index."""
    from indexer.build.collection import remove_document

    _report_change(remove_document(_config(ctx), doc_id, progress=not quiet))


@main.command(name="eval")
@click.argument("qrels", type=click.Path(exists=True, dir_okay=False))
@click.option("--mode", type=click.Choice([*MODES, "all"]), default="all")
@click.option("--json", "as_json", is_flag=True)
@click.option("--failures", is_flag=True, help="list the queries with no relevant hit in the top 10")
@click.pass_context
@_friendly
def eval_cmd(ctx, qrels: str, mode: str, as_json: bool, failures: bool) -> None:
    """Score a qrels file (MRR@10, Hit@10, answer recall@10 per kind and mode)."""
    from indexer.evaluate import Retrieved, evaluate, format_table, load_qrels
    from indexer.search.searcher import Searcher

    searcher = Searcher(_config(ctx))
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


def _remove_leftovers_if_idle(cfg) -> None:
    """At start, what killed builds left behind goes, unless a build is running now."""
    from indexer.build.lock import BuildLock
    from indexer.errors import BuildLockedError

    try:
        with BuildLock(cfg.index_dir, cfg.cache_dir):
            pass
    except BuildLockedError:
        pass


def _index_in_a_process(config_path: str | None, backend: str | None, env: dict[str, str]) -> None:
    """``plansearch index`` as a child process with the environment serve started with, so the
    build embeds on every core while this process keeps the serving thread policy."""
    import subprocess

    cmd = [sys.executable, "-m", "indexer.cli", *(["--config", config_path] if config_path else []),
           *(["--backend", backend] if backend else []), "index"]
    previous = signal.signal(signal.SIGTERM, _stop_cleanly)
    proc = subprocess.Popen(cmd, env=env)
    try:
        code = proc.wait()
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait()
        signal.signal(signal.SIGTERM, previous)
    if code:
        sys.exit(code)


@main.command()
@click.option("--host", default=None, help="default from config.yaml (127.0.0.1)")
@click.option("--port", type=int, default=None, help="default from config.yaml (8000)")
@click.option("--build-if-needed", is_flag=True,
              help="build the index first when there is none, or it is stale, damaged or from another model")
@click.pass_context
@_friendly
def serve(ctx, host: str | None, port: int | None, build_if_needed: bool) -> None:
    """Serve the web app and JSON API with waitress."""
    import waitress

    from indexer.embed.threads import set_threads
    from search_app import create_app

    cfg = _config(ctx)
    inherited = dict(os.environ)
    set_threads(cfg.server.embed_threads)
    _remove_leftovers_if_idle(cfg)
    try:
        app = create_app(cfg)
    except UnservableIndexError as exc:
        if not build_if_needed:
            raise
        click.echo(f"{exc.reason}: building the index now…", err=True)
        _index_in_a_process(ctx.obj["config_path"], ctx.obj["backend"], inherited)
        app = create_app(cfg)
    holder = app.config["HOLDER"]
    host = host or cfg.server.host
    port = port or cfg.server.port

    def reload_in_background(signum, frame):
        def run():
            try:
                fresh, changed = holder.reload()
            except PlansearchError as exc:
                click.echo(f"reload failed, still serving {holder.current.build_id}: {exc}", err=True)
            else:
                state = "now serving" if changed else "unchanged, still serving"
                click.echo(f"reload: {state} index {fresh.build_id}", err=True)

        threading.Thread(target=run, name="reload", daemon=True).start()

    signal.signal(signal.SIGHUP, reload_in_background)
    if cfg.server.follow_current_s > 0:
        holder.follow(cfg.server.follow_current_s, lambda line: click.echo(line, err=True))
        how = f"new builds are served within {cfg.server.follow_current_s:g} s"
    else:
        how = f"kill -HUP {os.getpid()} reloads the newest build"
    click.echo(f"plansearch serving index {holder.current.build_id} on http://{host}:{port}/ ({how})",
               err=True)
    s = cfg.server
    waitress.serve(app, host=host, port=port, threads=s.threads, connection_limit=s.connection_limit,
                   channel_timeout=s.channel_timeout, cleanup_interval=max(1, s.channel_timeout // 2),
                   ident="plansearch")


if __name__ == "__main__":
    main()
