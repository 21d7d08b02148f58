"""Finding input files and reading the plain formats: .txt, .jsonl, .json, .csv (and stdin).

The web formats (HTML, RSS/Atom, WARC) are in web.py; `read_inputs` dispatches on the file suffix.
"""
from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import os
import re
import sys
import zlib
from pathlib import Path
from typing import IO, Iterable, Iterator, Optional, Union

from eventwire.ingest import web
from eventwire.ingest.documents import (
    Item, document_from_object, invalid_utf8, junk_reason, make_document, normalize_text, parse_date,
    scalar_str, too_large,
)
from eventwire.language import language_problem
from eventwire.records import Document, Skipped

FORMATS = {
    ".txt": "txt", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".rss": "feed", ".atom": "feed", ".xml": "feed",
    ".warc": "warc",
}
SUPPORTED = ".txt, .json, .jsonl, .ndjson, .csv, .html, .htm, .rss, .atom, .xml or .warc, optionally .gz"
OPTIONAL_FIELDS = ("title", "date", "source", "url")

_SNIFF_BYTES = 8192
_READ_CHUNK = 1 << 20


def read_inputs(paths: Iterable[Union[str, Path]], *, max_bytes: int = 10_000_000,
                english_only: bool = True) -> Iterator[Item]:
    """Yield a `Document` or a `Skipped` for every input document, in input order.

    With `english_only`, documents confidently detected as another language become
    ``Skipped(origin, "not English (detected: fr)")`` (see eventwire.language).
    """
    for item in _read_paths(paths, max_bytes):
        if english_only and isinstance(item, Document):
            problem = language_problem(item)
            if problem:
                item = Skipped(item.origin or item.id, problem, item.id)
        yield item


def _read_paths(paths: Iterable[Union[str, Path]], max_bytes: int) -> Iterator[Item]:
    for p in paths:
        if str(p) == "-":
            yield from _read_stdin(max_bytes)
            continue
        path = Path(p)
        try:
            is_dir = path.is_dir()
        except OSError as e:  # e.g. permission denied on a parent directory
            yield Skipped(str(path), f"cannot read: {os_error(e)}")
            continue
        if is_dir:
            yield from _read_directory(path, max_bytes)
        else:
            yield from _read_file(path, path.name, max_bytes)


# --------------------------------------------------------------------------- files

def _read_directory(root: Path, max_bytes: int) -> Iterator[Item]:
    found, ignored = [], 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if name.startswith("."):
                continue
            path = Path(dirpath, name)
            if _format_of(path):
                found.append(path)
            else:
                ignored += 1
    if not found:
        ignored_note = f"; {ignored} other files ignored" if ignored else " (empty directory)"
        yield Skipped(str(root), f"no readable files ({SUPPORTED}) in directory{ignored_note}")
        return
    for path in sorted(found, key=lambda p: p.relative_to(root).parts):
        yield from _read_file(path, path.relative_to(root).as_posix(), max_bytes)


def _format_of(path: Path) -> Optional[str]:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    return FORMATS.get(suffixes[-1]) if suffixes else None


def _read_file(path: Path, label: str, max_bytes: int) -> Iterator[Item]:
    """`label` is the file's name in document ids; the origin is the path as given."""
    origin = str(path)
    try:
        exists = path.exists()
    except OSError as e:
        yield Skipped(origin, f"cannot read: {os_error(e)}")
        return
    if not exists:
        yield Skipped(origin, "no such file")
        return
    fmt = _format_of(path)
    if fmt is None:
        suffix = "".join(path.suffixes) or "(none)"
        yield Skipped(origin, f"unknown file type {suffix} (expected {SUPPORTED})")
        return
    # warcio reads per-record gzip (how .warc.gz files are made) itself.
    gzipped = path.suffix.lower() == ".gz" and fmt != "warc"
    try:
        with gzip.open(path, "rb") if gzipped else open(path, "rb") as f:
            yield from _READERS[fmt](f, origin, label, max_bytes)
    except (OSError, EOFError, zlib.error) as e:  # includes gzip.BadGzipFile and truncated .gz files
        yield Skipped(origin, f"cannot read: {os_error(e)}")


def os_error(e: BaseException) -> str:
    """The message without the path, which is already the origin."""
    return getattr(e, "strerror", None) or str(e)


def _read_stdin(max_bytes: int) -> Iterator[Item]:
    stream = getattr(sys.stdin, "buffer", None) if sys.stdin is not None else None
    if stream is None:
        yield Skipped("<stdin>", "cannot read: no standard input")
        return
    try:
        yield from _read_jsonl(stream, "<stdin>", "stdin", max_bytes)
    except OSError as e:
        yield Skipped("<stdin>", f"cannot read: {os_error(e)}")


def sniff(f: IO[bytes]) -> tuple[IO[bytes], Optional[str]]:
    """Look at the start of a stream for binary content or a UTF-16 file before parsing it."""
    if not hasattr(f, "peek"):  # e.g. a BytesIO standing in for stdin; wrapping it would close it
        f = io.BufferedReader(io.BytesIO(f.read()))  # type: ignore[arg-type]
    head = f.peek(_SNIFF_BYTES)[:_SNIFF_BYTES]  # type: ignore[attr-defined]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return f, "invalid UTF-8: the file is UTF-16 (convert it with iconv -f UTF-16 -t UTF-8)"
    if b"\x00" in head:
        return f, "binary content (NUL bytes)"
    return f, None


def read_limited(f: IO[bytes], max_bytes: int) -> tuple[bytes, Optional[int]]:
    """(data, None), or (b"", full size) when the stream holds more than `max_bytes`."""
    data = f.read(max_bytes + 1)
    if len(data) <= max_bytes:
        return data, None
    return b"", len(data) + sum(len(chunk) for chunk in iter(lambda: f.read(_READ_CHUNK), b""))


def _decode(data: bytes) -> tuple[Optional[str], Optional[str]]:
    """(text, None) or (None, reason)."""
    if b"\x00" in data:
        return None, "binary content (NUL bytes)"
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as e:
        return None, invalid_utf8(data, e)


# --------------------------------------------------------------------------- formats

def _read_whole(f: IO[bytes], origin: str, label: str, max_bytes: int) -> "bytes | Skipped":
    """The whole file, or why it cannot be read (binary junk, over the size limit)."""
    f, problem = sniff(f)
    if problem:
        return Skipped(origin, problem, label)
    data, size = read_limited(f, max_bytes)
    if size is not None:
        return Skipped(origin, too_large(size, max_bytes), label)
    return data


def _read_txt(f: IO[bytes], origin: str, label: str, max_bytes: int) -> Iterator[Item]:
    data = _read_whole(f, origin, label, max_bytes)
    if isinstance(data, Skipped):
        yield data
        return
    text, problem = _decode(data)
    problem = problem or junk_reason(text)
    if problem:
        yield Skipped(origin, problem, label)
        return
    title, date, body = _split_txt(normalize_text(text))
    yield make_document(id=label, text=body, title=title, date=date, origin=origin, max_bytes=max_bytes)


def _split_txt(text: str) -> tuple[Optional[str], Optional[dt.date], str]:
    """Title line, optional date line, body. A lone line is the text, not a title."""
    lines = text.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        return None, None, ""
    title, rest = lines[0], lines[1:]
    i = 0
    while i < len(rest) and not rest[i].strip():
        i += 1
    date = None
    if i < len(rest) and len(rest[i]) <= 64:
        date = parse_date(_DATE_LINE.sub("", rest[i]))
        if date:
            rest = rest[i + 1:]
    body = "\n".join(rest).strip()
    if not body:
        return None, date, title
    return title, date, body


def _read_jsonl(f: IO[bytes], origin: str, label: str, max_bytes: int) -> Iterator[Item]:
    f, problem = sniff(f)
    if problem:
        yield Skipped(origin, problem)
        return
    offset, seen = 0, False
    for lineno, raw in enumerate(f, 1):
        start, offset = offset, offset + len(raw)
        line = raw.rstrip(b"\r\n")
        if lineno == 1 and line.startswith(_UTF8_BOM):
            line, start = line[len(_UTF8_BOM):], start + len(_UTF8_BOM)
        if not line.strip():
            continue
        seen = True
        where = f"{origin}:{lineno}"
        if len(line) > max_bytes:
            yield Skipped(where, too_large(len(line), max_bytes))
            continue
        try:
            obj = json.loads(line.decode("utf-8"))
        except UnicodeDecodeError as e:
            yield Skipped(where, invalid_utf8(line, e, start))
            continue
        except json.JSONDecodeError as e:
            yield Skipped(where, f"not valid JSON: {e.msg} (column {e.colno})")
            continue
        yield document_from_object(obj, where, f"{label}:{lineno}", max_bytes)
    if not seen:
        yield Skipped(origin, "empty file")


def _read_json(f: IO[bytes], origin: str, label: str, max_bytes: int) -> Iterator[Item]:
    f, problem = sniff(f)
    if problem:
        yield Skipped(origin, problem)
        return
    data = f.read()
    if not data.strip():
        yield Skipped(origin, "empty file")
        return
    text, problem = _decode(data)
    if problem:
        yield Skipped(origin, problem)
        return
    try:
        obj = json.loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as e:
        if e.msg == "Extra data":  # several objects, one per line: it is JSONL named .json
            yield from _read_jsonl(io.BytesIO(data), origin, label, max_bytes)
        else:
            yield Skipped(origin, f"not valid JSON: {e.msg} (line {e.lineno}, column {e.colno})")
        return
    if isinstance(obj, list):
        if not obj:
            yield Skipped(origin, "empty file")
        for n, item in enumerate(obj, 1):
            yield document_from_object(item, f"{origin}:{n}", f"{label}:{n}", max_bytes)
    else:
        yield document_from_object(obj, origin, label, max_bytes)


def _read_csv(f: IO[bytes], origin: str, label: str, max_bytes: int) -> Iterator[Item]:
    f, problem = sniff(f)
    if problem:
        yield Skipped(origin, problem)
        return
    # Articles can exceed csv's default 128 kB field limit. Raising the limit is process-wide
    # but only ever widens what parses, so it can't break other csv users.
    if csv.field_size_limit() < max_bytes + 1:
        csv.field_size_limit(max_bytes + 1)
    # surrogateescape keeps invalid bytes so one bad row is reported without losing the file.
    stream = io.TextIOWrapper(f, encoding="utf-8-sig", errors="surrogateescape", newline="")
    rows = csv.reader(stream)
    try:
        header = next(rows, None)
    except csv.Error as e:
        yield Skipped(origin, f"not valid CSV: {e}")
        return
    if not header:
        yield Skipped(origin, "empty file")
        return
    columns = [h.strip().lower() for h in header]
    if "text" not in columns:
        shown = ", ".join(h.strip() for h in header[:10] if h.strip()) or "none"
        yield Skipped(origin, f"no 'text' column (columns: {shown})")
        return
    index = {name: columns.index(name) for name in ("id", "text", *OPTIONAL_FIELDS) if name in columns}
    rownum = 1
    while True:
        rownum += 1
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as e:
            yield Skipped(f"{origin}:{rownum}", f"not valid CSV: {e}")
            continue
        if not any(cell.strip() for cell in row):
            continue
        record = {name: row[i] if i < len(row) else None for name, i in index.items()}
        problem = _surrogate_problem(record)
        if problem:
            doc_id = scalar_str(record.get("id"))
            yield Skipped(f"{origin}:{rownum}", problem, None if doc_id and _SURROGATE.search(doc_id) else doc_id)
            continue
        yield document_from_object(record, f"{origin}:{rownum}", f"{label}:{rownum}", max_bytes)


def _surrogate_problem(record: dict[str, Optional[str]]) -> Optional[str]:
    """Invalid UTF-8 decoded with surrogateescape shows up as lone surrogates."""
    for name, value in record.items():
        m = _SURROGATE.search(value or "")
        if m:
            pos = len(value[: m.start()].encode("utf-8", "surrogateescape"))
            byte = ord(m.group()) - 0xDC00
            return f"invalid UTF-8 at byte {pos} of column '{name}' (0x{byte:02x})"
    return None


def _read_html(f: IO[bytes], origin: str, label: str, max_bytes: int) -> Iterator[Item]:
    data = _read_whole(f, origin, label, max_bytes)
    if isinstance(data, Skipped):
        yield data
        return
    yield web.html_document(data, id=label, origin=origin, max_bytes=max_bytes)


def _read_feed(f: IO[bytes], origin: str, label: str, max_bytes: int) -> Iterator[Item]:
    f, problem = sniff(f)
    if problem:
        yield Skipped(origin, problem)
        return
    yield from web.feed_documents(f.read(), origin=origin, label=label, max_bytes=max_bytes)


def _read_warc(f: IO[bytes], origin: str, label: str, max_bytes: int) -> Iterator[Item]:
    yield from web.warc_documents(f, origin=origin, label=label, max_bytes=max_bytes)


_READERS = {"txt": _read_txt, "jsonl": _read_jsonl, "json": _read_json, "csv": _read_csv,
            "html": _read_html, "feed": _read_feed, "warc": _read_warc}

_UTF8_BOM = b"\xef\xbb\xbf"
_DATE_LINE = re.compile(r"^\s*(?:date|published|dated)\s*:\s*", re.IGNORECASE)
_SURROGATE = re.compile(r"[\udc80-\udcff]")
