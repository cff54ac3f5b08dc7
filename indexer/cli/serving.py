"""Commands that build and serve: index, and serve (the one place that imports search_app)."""

from __future__ import annotations

import os
import signal
import sys
import threading

import click

from indexer.cli.app import cleanup_on_signals, config_of, friendly, main, stop_cleanly
from indexer.errors import PlansearchError, UnservableIndexError


@main.command()
@click.option("--quiet", is_flag=True, help="no progress bar")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="embedding processes (they share the cores)")
@click.option("--ship-vectors", is_flag=True,
              help="also write the vectors as corpus/vectors/<model key>.npz, for fresh clones")
@click.pass_context
@friendly
@cleanup_on_signals
def index(ctx: click.Context, quiet: bool, workers: int, ship_vectors: bool) -> None:
    """Build the BM25 and embedding indexes and switch them in atomically."""
    from indexer.build.pipeline import build_index
    from indexer.embed.threads import cores, set_threads

    set_threads(cores())
    report = build_index(config_of(ctx), progress=not quiet, workers=workers, ship_vectors=ship_vectors)
    click.echo(f"built {report.build_id}: {report.passages} passages, {report.embedded} embedded, "
               f"{report.cached} from cache, {report.seconds:.1f} s → {report.path}")


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
    previous = signal.signal(signal.SIGTERM, stop_cleanly)
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


def _check_before_serving(cfg) -> None:
    """The quick form of ``plansearch verify``: a build with a missing or cut file is refused
    (IndexCorruptError); what it cannot vouch for is said on stderr, and serving goes on."""
    from indexer.build.verify import check_serving

    result = check_serving(cfg)
    for line in [*result.notes, *(f"warning: {line}" for line in result.lines())]:
        click.echo(line, err=True)


@main.command()
@click.option("--host", default=None, help="default from config.yaml (127.0.0.1)")
@click.option("--port", type=int, default=None, help="default from config.yaml (8000)")
@click.option("--build-if-needed", is_flag=True,
              help="build the index first when there is none, or it is stale, damaged or from another model")
@click.pass_context
@friendly
def serve(ctx, host: str | None, port: int | None, build_if_needed: bool) -> None:
    """Serve the web app and JSON API with waitress."""
    import waitress

    from indexer.embed.threads import set_threads
    from search_app import create_app

    cfg = config_of(ctx)
    inherited = dict(os.environ)
    set_threads(cfg.server.embed_threads)
    _remove_leftovers_if_idle(cfg)
    try:
        _check_before_serving(cfg)
        app = create_app(cfg)
    except UnservableIndexError as exc:
        if not build_if_needed:
            raise
        click.echo(f"{exc.reason}: building the index now…", err=True)
        _index_in_a_process(ctx.obj["config_path"], ctx.obj["backend"], inherited)
        _check_before_serving(cfg)
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
