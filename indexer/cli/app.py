"""The click group and what every command shares: config from the global options, one clear
line and an exit code for every PlansearchError, and SIGTERM/Ctrl-C unwound like an error."""

import functools
import signal
import sys
import threading
import unicodedata

import click

from indexer.config import SEARCH_BACKENDS, load_config
from indexer.errors import PlansearchError


def friendly(fn):
    """Library errors become one clear line on stderr and the error's exit code."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except PlansearchError as exc:
            click.echo(f"error: {one_line(str(exc))}", err=True)
            sys.exit(exc.exit_code)

    return wrapper


def one_line(message: str) -> str:
    """A message as one line that shows what it says: control and format characters (a newline
    or NUL in a file name, a U+202E right-to-left override) written as escapes."""
    return "".join(c if unicodedata.category(c) not in ("Cc", "Cf") else ascii(c)[1:-1] for c in message)


class _Stopped(SystemExit):
    """A signal that stopped a command, unwinding it like an error."""


def stop_cleanly(signum, frame) -> None:
    """SIGTERM unwinds like an error, so a build removes its temp folder and its lock."""
    raise _Stopped(128 + signum)


# What a command stopped by SIGTERM has kept: its unwinding puts everything back.
_KEPT = {
    "index": "the new build was discarded; the previous index, if any, is still serving",
    "add": "nothing changed: the corpus, catalog.yaml and the index are as they were",
    "remove": "nothing changed: the corpus, catalog.yaml and the index are as they were",
}


def cleanup_on_signals(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, stop_cleanly)
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


def config_of(ctx: click.Context):
    return load_config(ctx.obj["config_path"], backend=ctx.obj["backend"])


def catalog_of(ctx: click.Context):
    from indexer.documents.corpus import Catalog

    cfg = config_of(ctx)
    return Catalog.load(cfg.corpus_dir, cfg.limits)
