"""``python -m indexer.cli``: the same command line, for subprocesses and tests."""

from indexer.cli import main

main()
