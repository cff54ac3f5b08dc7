"""The ``plansearch`` command line: a thin click layer over the library, one module per command
family (reading the build, changing the corpus, building and serving, checking and keeping).

May import every room of indexer/; only the serve command imports search_app.
"""

from indexer.cli import corpus, reading, serving, upkeep  # noqa: F401 -- registers the commands
from indexer.cli.app import main

__all__ = ["main"]
