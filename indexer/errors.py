"""Exceptions raised by the library: one class per kind of failure.

The CLI and the web app turn each into a clear message and an exit code or
HTTP status; library code never prints or exits.
"""

from __future__ import annotations


class PlansearchError(Exception):
    """Base class; ``exit_code`` is what the CLI exits with."""

    exit_code = 1


class ConfigError(PlansearchError):
    """config.yaml is missing, malformed or has an invalid value."""

    exit_code = 2


class CatalogError(PlansearchError):
    """corpus/catalog.yaml disagrees with the files in corpus/."""

    exit_code = 2


class CorpusError(PlansearchError):
    """A source file cannot be read as a plan text (missing, empty, binary, too large, no supported encoding)."""

    exit_code = 2


class DuplicateDocumentError(PlansearchError):
    """An added document whose id or text is already in the corpus (without --replace)."""

    exit_code = 2


class NotFoundError(PlansearchError):
    """An id that names nothing here. The one "not found": the CLI prints the message, the API
    answers 404 ``not_found`` and the pages a 404, both with ``notice``, the Chinese line."""

    exit_code = 2
    what = "条目"

    def __init__(self, message: str, key: str) -> None:
        super().__init__(message)
        self.key = key

    @property
    def notice(self) -> str:
        return f"没有这{self.what}：{self.key}"


class UnknownDocumentError(NotFoundError):
    """A document id that the catalog does not list."""

    what = "份文件"


class UnknownPassageError(NotFoundError):
    """A passage id that the serving build does not hold and no old id of it names."""

    what = "个段落"


class UnknownPageError(NotFoundError):
    """A page number that a document does not have (or a document without pages); ``key``
    names the page and how many the document has."""

    what = "一页"


class OriginalUnavailableError(NotFoundError):
    """A listed document whose original file is not a plain file inside the corpus folder
    (gone, a link, or named outside it): nothing is served, and no path is told."""

    what = "份文件的原文"


class EmbedderError(PlansearchError):
    """The embedding backend cannot be loaded or fails to embed."""

    exit_code = 3


class UnservableIndexError(PlansearchError):
    """An index that cannot serve. The message always ends with the command that fixes it,
    added here and nowhere else; ``verb`` says how to run it ("rebuild with", "run")."""

    exit_code = 4
    FIX = "plansearch index"

    def __init__(self, message: str, *, verb: str = "rebuild with") -> None:
        super().__init__(message)
        self.verb = verb

    def __str__(self) -> str:
        message = super().__str__()
        return message if self.FIX in message else f"{message}; {self.verb}: {self.FIX}"

    @property
    def reason(self) -> str:
        """What is wrong, without the fix: for a caller that is about to apply the fix itself."""
        message = super().__str__()
        head, sep, _ = message.rpartition(f": {self.FIX}")
        return head.rpartition("; ")[0] if sep and "; " in head else message


class IndexMissingError(UnservableIndexError):
    """No built index where the config says it should be."""


class IndexCorruptError(UnservableIndexError):
    """An index directory exists but is truncated or unreadable."""


class IndexMismatchError(UnservableIndexError):
    """The index was built with another model, config or corpus."""


class CorpusChangedError(PlansearchError):
    """The corpus's files differ from the ones the serving build was made from (``verify``)."""

    exit_code = 7


class BackupError(PlansearchError):
    """A backup or restore that cannot be made: its destination is taken, its source incomplete."""

    exit_code = 8


class BuildError(PlansearchError):
    """An index build failed; the previous index is left serving."""

    exit_code = 5


class BuildLockedError(BuildError):
    """Another build holds the index's build lock."""


class QueryError(PlansearchError):
    """A query or search parameter that cannot be searched (empty, too long, bad filter).

    ``code`` is stable for API clients; the message is for people, in Chinese."""

    exit_code = 2

    def __init__(self, message: str, code: str = "bad_request") -> None:
        super().__init__(message)
        self.code = code


class SearchEngineError(PlansearchError):
    """The Milvus backend cannot be reached, is locked by another process, or refuses a call."""

    exit_code = 6


class ExtractionError(CorpusError):
    """A PDF, Word or HTML file whose text cannot be extracted (encrypted, damaged, scanned, no main text)."""


class ExtractionLimitError(ExtractionError):
    """A file whose extraction passes one of the per-file limits (indexer.extract.formats: time,
    memory, pages, decompressed bytes): a bomb, or a file far larger inside than plans are."""
