"""Commands that check and keep the data: verify, backup and restore."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from indexer.cli.app import config_of, friendly, main


@main.command()
@click.option("--quick", is_flag=True, help="presence and sizes only, no reading of the files' contents")
@click.pass_context
@friendly
def verify(ctx, quick: bool) -> None:
    """Check every file of the serving build, and the corpus it was made from, against the
    checksums written at build time. Exit 0: clean; 4: the build is damaged (rebuild);
    7: the corpus changed since the build."""
    from indexer.build.verify import verify as check

    result = check(config_of(ctx), quick=quick)
    for line in [*result.lines(), *result.notes]:
        click.echo(line)
    click.echo(result.summary())
    error = result.error()
    if error is not None:
        raise error


@main.command()
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.pass_context
@friendly
def backup(ctx, dest: Path) -> None:
    """Write the corpus (catalog and originals) and the serving build into DEST (new or empty),
    as one checked snapshot; a server may go on serving meanwhile."""
    from indexer.build.backup import backup as write_backup

    snap = write_backup(config_of(ctx), dest)
    click.echo(f"backed up index {snap.build_id} and {snap.check.originals} corpus files "
               f"({snap.check.size:,} bytes of build) → {snap.path}")


@main.command()
@click.argument("src", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--corpus", "corpus_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="restore the corpus here (default: the config's corpus_dir)")
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="restore the index here (default: the config's index_dir)")
@click.option("--force", is_flag=True,
              help="replace a corpus or index that is there (the corpus is moved aside, not deleted)")
@click.pass_context
@friendly
def restore(ctx, src: Path, corpus_dir: Path | None, index_dir: Path | None, force: bool) -> None:
    """Bring back a backup made by `plansearch backup`, its checksums verified first."""
    from indexer.build.backup import restore as bring_back

    cfg = config_of(ctx)
    if corpus_dir is not None:
        cfg = dataclasses.replace(cfg, corpus_dir=corpus_dir.absolute())
    if index_dir is not None:
        cache = index_dir.absolute() / "cache" if cfg.cache_dir == cfg.index_dir / "cache" else cfg.cache_dir
        cfg = dataclasses.replace(cfg, index_dir=index_dir.absolute(), cache_dir=cache)
    snap = bring_back(src, cfg, force=force)
    click.echo(f"restored index {snap.build_id} → {cfg.index_dir} and {snap.check.originals} corpus files → "
               f"{cfg.corpus_dir}" + (f"; the previous corpus is in {snap.moved_aside}" if snap.moved_aside else ""))
