"""Decoding a plan file's bytes into the one text that every offset indexes.

The rule, written once: the text is the file's bytes decoded in the detected
encoding, with a byte-order mark (if any) not counted and line endings kept as
they are in the file (CRLF stays CRLF). Plans arrive as UTF-8, UTF-8 with a
BOM, GBK/GB18030 (older government sites) or UTF-16 with a BOM (Word's
"Unicode text"); anything else is refused rather than turned into mojibake.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from indexer.errors import CorpusError

DEFAULT_MAX_BYTES = 5_000_000

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# A plan text is mostly Han characters; a decoding that yields few of them
# (random bytes that happen to be valid GB18030) is not a plan text.
_MIN_HAN_SHARE = 0.2
_MAX_CONTROL_SHARE = 0.01


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str


def decode(data: bytes, name: str) -> DecodedText:
    """Decode ``data`` (the bytes of file ``name``) or raise CorpusError naming the problem."""
    if not data.strip():
        raise CorpusError(f"{name}: file is empty")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(encoding), encoding, name)
            except UnicodeDecodeError as exc:
                raise CorpusError(f"{name}: starts with a {encoding} byte-order mark but is not "
                                  f"valid {encoding} (byte {exc.start})") from None
    if b"\0" in data:
        raise CorpusError(f"{name}: binary file (NUL bytes), not a text")
    for encoding in ("utf-8", "gb18030"):
        try:
            return _checked(data.decode(encoding), encoding, name)
        except UnicodeDecodeError:
            continue
    raise CorpusError(f"{name}: not a text in a supported encoding (UTF-8, GB18030/GBK, UTF-16 with BOM)")


def _checked(text: str, encoding: str, name: str) -> DecodedText:
    visible = [c for c in text if not c.isspace()]
    if not visible:
        raise CorpusError(f"{name}: file is empty")
    controls = sum(1 for c in visible if ord(c) < 32 or 0x7F <= ord(c) < 0xA0)
    if controls > _MAX_CONTROL_SHARE * len(visible):
        raise CorpusError(f"{name}: binary file (control characters), not a text")
    han = sum(1 for c in visible if "\u4e00" <= c <= "\u9fff")
    if han < _MIN_HAN_SHARE * len(visible):
        raise CorpusError(f"{name}: decodes as {encoding} but holds almost no Chinese text; "
                          "not a plan text in a supported encoding")
    return DecodedText(text, encoding)


def read(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> DecodedText:
    """Read and decode a file, refusing one over ``max_bytes`` before decoding it."""
    return decode(read_bytes(path, max_bytes), path.name)


def read_bytes(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """A file's bytes, or CorpusError naming it (missing, a folder, unreadable, over ``max_bytes``)."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise CorpusError(f"{path.name}: {size / 1e6:.1f} MB is over the limit of {max_bytes / 1e6:g} MB "
                              "per document (config: max_document_mb, max_document_mb_by_format)")
        return path.read_bytes()
    except FileNotFoundError:
        raise CorpusError(f"{path.name}: file not found in {path.parent}") from None
    except IsADirectoryError:
        raise CorpusError(f"{path.name}: is a directory, not a text file") from None
    except OSError as exc:
        raise CorpusError(f"{path.name}: cannot read: {exc.strerror}") from exc
    except ValueError:  # a NUL in the name: no such file can exist
        raise CorpusError(f"{path.name!a}: not a usable file name (NUL byte)") from None
