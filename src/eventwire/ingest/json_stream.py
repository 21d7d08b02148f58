"""A .json list read one element at a time, so that a list larger than --max-bytes reads like a JSONL
file, an oversized element is passed over without being held, and a broken element loses only itself.

`list_elements` does not parse JSON: it finds where each top-level element of the list ends by
following strings (with their escapes) and brackets, and hands each element's bytes to `json.loads`.
Positions (line, column) are counted in bytes, as in the file.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import IO, Iterator, Optional, Union

_CHUNK = 1 << 16
_SPACE = b" \t\r\n"
_UTF8_BOM = b"\xef\xbb\xbf"
_OUTSIDE = re.compile(rb'[\[\]{}",]')  # what matters outside strings
_STRING_BODY = re.compile(rb'(?:[^"\\]++|\\.)*+', re.DOTALL)  # up to the closing quote, escapes skipped


@dataclass
class Element:
    n: int  # from 1
    data: Optional[bytes]  # None when it is over the limit (it was read past, not kept)
    size: int
    line: int  # where its bytes start (just after "[" or ","), for error positions
    column: int
    offset: int  # byte offset in the file
    last: bool = False  # the file ended inside or just after it (a ListEnd saying so follows)


@dataclass
class ListEnd:
    problem: Optional[str] = None  # e.g. "Extra data after the list (line 3, column 1)"


def leading_space(f: IO[bytes], limit: int) -> tuple[bytes, Optional[int], bool]:
    """Read a BOM and whitespace: (what was read, the next byte or None at the end, over the limit).

    The next byte is not consumed. Reading stops once more than `limit` bytes of space were read.
    """
    read = bytearray()
    while True:
        ahead = f.peek(_CHUNK)[:_CHUNK]  # type: ignore[attr-defined]
        if not ahead:
            return bytes(read), None, False
        start = len(_UTF8_BOM) if not read and ahead.startswith(_UTF8_BOM) else 0
        rest = ahead[start:].lstrip(_SPACE)
        n = len(ahead) - len(rest)
        read += f.read(n)
        if len(read) > limit:
            return bytes(read), None, True
        if rest:
            return bytes(read), rest[0], False


def position(prefix: bytes) -> tuple[int, int]:
    """(line, column) just after `prefix`, both from 1; a BOM takes no column."""
    prefix = prefix.removeprefix(_UTF8_BOM)
    return prefix.count(b"\n") + 1, len(prefix) - (prefix.rfind(b"\n") + 1) + 1


def list_elements(f: IO[bytes], limit: int, *, line: int, column: int, offset: int
                  ) -> Iterator[Union[Element, ListEnd]]:
    """The elements of a list whose "[" was just read (it ends at line/column/offset), then a `ListEnd`.

    An element over `limit` bytes comes with ``data=None``. When the file ends before the list is
    closed, the element it ends in (if any) has ``last=True``, and the `ListEnd` says the list is not closed.
    """
    depth, in_string, escaped = 0, False, False
    n, pieces, size = 1, [], 0  # the current element
    start = (line, column, offset)
    nl_before, col_before, offset_before = line - 1, column - 1, offset  # at the start of `chunk`

    def where(i: int) -> tuple[int, int, int]:
        nl = chunk.rfind(b"\n", 0, i)
        col = i - nl if nl >= 0 else col_before + i + 1
        return nl_before + chunk.count(b"\n", 0, i) + 1, col, offset_before + i

    def element(data: bytes, last: bool = False) -> Element:
        total = size + len(data)
        kept = b"".join(pieces) + data if pieces is not None and total <= limit else None
        return Element(n, kept, total, *start, last=last)

    while True:
        chunk = f.read(_CHUNK)
        if not chunk:  # the file ends inside the list
            if pieces is None or b"".join(pieces).strip(_SPACE):
                yield element(b"", last=True)
            yield ListEnd(f"the list is not closed (line {nl_before + 1}, column {col_before + 1})")
            return
        begin, i, end = 0, 0, len(chunk)
        if escaped:
            i, escaped = 1, False
        while i < end:
            if in_string:
                j = _STRING_BODY.match(chunk, i).end()
                if j >= end:
                    i = end
                elif chunk[j] == 0x22:  # the closing quote
                    in_string, i = False, j + 1
                else:  # a backslash at the end of the chunk: its escaped byte is in the next one
                    escaped, i = True, end
                continue
            m = _OUTSIDE.search(chunk, i)
            if not m:
                break
            c, i = chunk[m.start()], m.end()
            if c == 0x22:
                in_string = True
            elif c in b"[{":
                depth += 1
            elif c in b"]}" and depth:
                depth -= 1
            elif c == 0x2C and depth == 0:  # ","
                yield element(chunk[begin:m.start()])
                n, pieces, size, begin = n + 1, [], 0, m.end()
                start = where(begin)
            elif c in b"]}":  # the end of the list
                yield element(chunk[begin:m.start()])
                if c == 0x7D:  # "}"
                    yield ListEnd("Expecting ',' delimiter (line {}, column {})".format(*where(m.start())[:2]))
                else:
                    yield ListEnd(_trailing(f, chunk, m.end(), where))
                return
        piece = chunk[begin:]
        if pieces is not None:
            if size + len(piece) <= limit:
                pieces.append(piece)
            else:
                pieces = None
        size += len(piece)
        nl_before += chunk.count(b"\n")
        last_nl = chunk.rfind(b"\n")
        col_before = len(chunk) - last_nl - 1 if last_nl >= 0 else col_before + len(chunk)
        offset_before += len(chunk)


def _trailing(f: IO[bytes], chunk: bytes, i: int, where) -> Optional[str]:
    """A problem if anything but whitespace follows the list."""
    rest = chunk[i:].lstrip(_SPACE)
    if rest:
        return "Extra data after the list (line {}, column {})".format(*where(len(chunk) - len(rest))[:2])
    for block in iter(lambda: f.read(_CHUNK), b""):
        if block.strip(_SPACE):
            return "Extra data after the list"
    return None
