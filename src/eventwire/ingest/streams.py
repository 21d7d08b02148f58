"""Reading an input within --max-bytes, whether its bytes come from a plain file or out of a .gz.

The limit applies to what is read, after decompression, and is enforced while reading: no reader
holds much more than --max-bytes of one input at a time, so a small .gz that expands to gigabytes
costs time in proportion to what is read but never the memory.

- Whole-file formats (.txt, .html, feeds, a .json object) stop at the limit (`read_limited`). A .gz
  is then skipped without being read further ("gzip expands beyond --max-bytes (10,000,000)"); a
  plain file's size is known from the file system.
- Multi-document formats apply the limit to each line, row, list element or WARC record and read
  past an oversized one in blocks, so the documents after it are still read (`read_line`,
  `CsvLines`, json_stream.py, warc.py). Runs of blank lines are passed over in blocks, not a line
  at a time.
"""
from __future__ import annotations

import gzip
import os
import re
import stat
from typing import IO, Optional

from eventwire.ingest.documents import human_size, too_large

READ_CHUNK = 1 << 20
RECORD_ALLOWANCE = 1_000_000  # a CSV row or JSON element holds other fields, quotes and escapes too


def record_limit(max_bytes: int) -> int:
    """How much of one CSV row or JSON list element is read before it is skipped unparsed."""
    return max_bytes + RECORD_ALLOWANCE


def read_limited(f: IO[bytes], limit: int) -> tuple[bytes, bool]:
    """(data, False) if the stream holds at most `limit` bytes, else (the first limit + 1 bytes, True)."""
    data = f.read(limit + 1)
    return data, len(data) > limit


def over_limit(f: IO[bytes], max_bytes: int, already: int) -> str:
    """The skip reason for a file found to hold more than `max_bytes` after reading `already` bytes.

    A plain file's size comes from the file system; a .gz is not read on to find out how far it expands.
    """
    if isinstance(f, gzip.GzipFile):
        return gzip_over_limit(max_bytes)
    size = regular_file_size(f)
    if size is None:  # a pipe or similar: count what is left, in blocks
        size = already + sum(len(chunk) for chunk in iter(lambda: f.read(READ_CHUNK), b""))
    return too_large(size, max_bytes)


def gzip_over_limit(max_bytes: int) -> str:
    return f"gzip expands beyond --max-bytes ({max_bytes:,})"


def over_record_limit(what: str, max_bytes: int) -> str:
    """E.g. ``row is over the 11 MB limit (--max-bytes + 1 MB for the other fields)``."""
    return (f"{what} is over the {human_size(record_limit(max_bytes))} limit "
            f"(--max-bytes + {human_size(RECORD_ALLOWANCE)} for the other fields)")


def regular_file_size(f: IO[bytes]) -> Optional[int]:
    if isinstance(f, gzip.GzipFile):
        return None
    try:
        st = os.fstat(f.fileno())
    except (AttributeError, OSError, ValueError):
        return None
    return st.st_size if stat.S_ISREG(st.st_mode) else None


def skip_to_line_end(f: IO[bytes], line: bytes) -> tuple[int, int]:
    """Read past the rest of a line that was cut at a limit: (its length with, and without, its line end)."""
    size = len(line)
    while line and not line.endswith(b"\n"):
        line = f.readline(READ_CHUNK)
        size += len(line)
    return size, size - (len(line) - len(line.rstrip(b"\r\n")))


def skip_blank_lines(f: IO[bytes]) -> tuple[int, int]:
    """Pass over whitespace-only lines ahead in a peekable stream: (bytes, lines) passed over.

    Whole blank lines only: what is left starts a line with something on it (or the stream is at its end).
    """
    skipped = lines = 0
    while True:
        ahead = f.peek(READ_CHUNK)[:READ_CHUNK]  # type: ignore[attr-defined]
        space = len(ahead) - len(ahead.lstrip(_SPACE))
        n = ahead.rfind(b"\n", 0, space) + 1  # up to the end of the last whole blank line
        if n:
            f.read(n)
            skipped += n
            lines += ahead.count(b"\n", 0, n)
        if n < len(ahead) or not ahead:
            return skipped, lines


_SPACE = b" \t\r\n\f\v"  # what bytes.strip() strips


class RowTooLarge(Exception):
    """Raised by `CsvLines` when one row grows past its limit; the reader can go on with the next line."""


class CsvLines:
    """Lines of a text stream for `csv.reader`, as ``open(newline="")`` gives them (``\\r\\n``, ``\\r``
    and ``\\n`` end a line and are kept), read in blocks so that no row holds more than `limit`
    characters.

    Call `start_row()` before asking csv for each row. A row that grows past the limit raises
    `RowTooLarge` after the rest of its line is read past (csv starts afresh on the next line). With
    `pass_blank_lines`, runs of empty lines at the start of a row are passed over in bulk and counted
    in `blank_rows` (csv would have returned each one as an empty row).
    """

    def __init__(self, stream: IO[str], limit: int, block: int = 1 << 16) -> None:
        self.stream, self.limit, self.block = stream, limit, block
        self.buf, self.pos, self.eof = "", 0, False
        self.row_chars = 0
        self.blank_rows = 0
        self.pass_blank_lines = False

    def start_row(self) -> None:
        self.row_chars = 0
        self.blank_rows = 0

    def __iter__(self) -> "CsvLines":
        return self

    def __next__(self) -> str:
        if self.row_chars == 0 and self.pass_blank_lines:
            self._pass_blank_lines()
        line = self._line(self.limit - self.row_chars + 1)
        if not line:
            raise StopIteration
        self.row_chars += len(line)
        if self.row_chars > self.limit:
            while line and not line.endswith(("\n", "\r")):
                line = self._line(self.block)
            raise RowTooLarge()
        return line

    def _fill(self) -> bool:
        """Append a block to what is left of the buffer; False at the end of the stream."""
        chunk = self.stream.read(self.block)
        if not chunk:
            self.eof = True
            return False
        self.buf, self.pos = self.buf[self.pos:] + chunk, 0
        return True

    def _line(self, max_chars: int) -> str:
        """The next line with its ending, or its first `max_chars` or more characters if it is longer."""
        pieces, n = [], 0
        while n < max_chars:
            m = _EOL.search(self.buf, self.pos)
            # a "\r" at the end of the buffer may be the first half of "\r\n"
            if m and not (m.end() == len(self.buf) and m.group() == "\r" and not self.eof):
                pieces.append(self.buf[self.pos:m.end()])
                self.pos = m.end()
                break
            end = m.start() if m else len(self.buf)
            pieces.append(self.buf[self.pos:end])
            n += end - self.pos
            self.pos = end
            if not self._fill() and self.pos >= len(self.buf):
                break
        return "".join(pieces)

    def _pass_blank_lines(self) -> None:
        while True:
            m = _BLANK_RUN.match(self.buf, self.pos)
            if m:
                end = m.end()
                if end == len(self.buf) and self.buf[end - 1] == "\r" and not self.eof:
                    end -= 1  # it may be "\r\n" across blocks
                run = self.buf[self.pos:end]
                self.blank_rows += len(run) - run.count("\r\n")
                self.pos = end
            if self.pos < len(self.buf) and not (self.pos == len(self.buf) - 1 and self.buf[-1] == "\r"
                                                 and not self.eof):
                return
            if not self._fill():
                if self.pos < len(self.buf):  # a last lone "\r"
                    continue
                return


_EOL = re.compile(r"\r\n|\r|\n")
_BLANK_RUN = re.compile(r"[\r\n]+")
