"""The police transfer file's encoding, detected in the same streamed pass that hashes it.

UTF-8 (with or without a byte-order mark) or Windows-1252; a file that looks like any other encoding is
refused rather than read garbled.
"""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from typing import IO

from charset_normalizer import from_bytes

from onedoor.core.errors import DomainError

ENCODING_LABELS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "cp1252": "Windows-1252"}
# Guesses that mean "not a Western European single-byte file": reject rather than garble it.
_NON_LATIN = (
    "koi8",
    "cp1251",
    "iso8859_5",
    "cp866",
    "mac_cyrillic",
    "cp855",
    "cp1253",
    "iso8859_7",
    "cp1255",
    "iso8859_8",
    "cp1256",
    "iso8859_6",
    "cp874",
    "tis_620",
    "big5",
    "gb",
    "hz",
    "shift_jis",
    "euc",
    "cp932",
    "cp949",
    "cp950",
    "iso2022",
    "utf_16",
    "utf_32",
    "johab",
)


class FileRejected(DomainError, ValueError):
    """The whole file cannot be read (encoding, or a missing required column)."""


@dataclass(frozen=True)
class FileFacts:
    sha256: str
    size: int
    encoding: str  # a Python codec name: utf-8, utf-8-sig or cp1252


def sniff(f: IO[bytes], block: int = 1 << 20) -> FileFacts:
    """Hash the file and detect its encoding in one streamed pass. UTF-8 (with or without a BOM) wins
    whenever the file holds valid UTF-8 text; a file with no valid UTF-8 beyond ASCII is checked with
    charset-normalizer and read as Windows-1252. Lines in another encoding inside a UTF-8 file are
    reported as row errors."""
    f.seek(0)
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    size = 0
    bom = False
    invalid = False
    utf8_text = False
    sample = b""
    first = True
    while chunk := f.read(block):
        if first:
            bom = chunk.startswith(codecs.BOM_UTF8)
            first = False
        if len(sample) < block:
            sample += chunk[: block - len(sample)]
        digest.update(chunk)
        size += len(chunk)
        text = decoder.decode(chunk)
        if "\ufffd" in text:
            invalid = True
        if not utf8_text and not text.isascii() and text.replace("\ufffd", "").replace("\ufeff", "") != "":
            utf8_text = any(ord(ch) > 127 and ch not in "\ufffd\ufeff" for ch in text)
    f.seek(0)
    if bom:
        return FileFacts(digest.hexdigest(), size, "utf-8-sig")
    if not invalid or utf8_text:
        return FileFacts(digest.hexdigest(), size, "utf-8")
    guess = from_bytes(sample).best()
    name = (guess.encoding if guess else "").lower()
    if name.startswith(_NON_LATIN):
        raise FileRejected(f"The file looks like {name}. Send it as UTF-8 (preferred) or Windows-1252.")
    return FileFacts(digest.hexdigest(), size, "cp1252")
