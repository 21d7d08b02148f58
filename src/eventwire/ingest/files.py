"""Finding input files and reading the plain formats: .txt, .jsonl, .json, .csv (and stdin).

The web formats (HTML, RSS/Atom, WARC) are in web.py; `read_inputs` dispatches on the file suffix.
"""
from __future__ import annotations

import csv
import datetime as dt
import errno
import gzip
import io
import json
import os
import re
import stat
import sys
import zlib
from pathlib import Path
from typing import IO, Iterable, Iterator, Optional, Union

from eventwire.ingest import json_stream, warc, web
from eventwire.ingest.documents import (
    Item, document_from_object, invalid_utf8, junk_reason, make_document, normalize_text, parse_date,
    reader_error, scalar_str, short_list, too_large,
)
from eventwire.ingest.streams import (
    CsvLines, RowTooLarge, over_limit, over_record_limit, read_limited, record_limit, skip_blank_lines,
    skip_to_line_end,
)
from eventwire.ingest.language import language_problem
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


def read_inputs(paths: Iterable[Union[str, Path]], *, max_bytes: int = 10_000_000,
                english_only: bool = True) -> Iterator[Item]:
    """Yield a `Document` or a `Skipped` for every input document, in input order.

    With `english_only`, documents confidently detected as another language become
    ``Skipped(origin, "not English (detected: fr)")`` (see eventwire.ingest.language).
    """
    for item in _read_paths(paths, max_bytes):
        if english_only and isinstance(item, Document):
            try:
                problem = language_problem(item)
            except Exception as e:  # one odd document must not end the run
                problem = reader_error(e)
            if problem:
                item = Skipped(item.origin or item.id, problem, item.id)
        yield item


def _read_paths(paths: Iterable[Union[str, Path]], max_bytes: int) -> Iterator[Item]:
    for p in paths:
        try:
            yield from _read_path(p, max_bytes)
        except Exception as e:  # whatever goes wrong stays with this input; the run goes on
            yield Skipped(str(p), reader_error(e))


def _read_path(p: Union[str, Path], max_bytes: int) -> Iterator[Item]:
    if str(p) == "-":
        yield from _read_stdin(max_bytes)
        return
    path = Path(p)
    try:
        is_dir = path.is_dir()
    except OSError as e:  # e.g. permission denied on a parent directory
        yield Skipped(str(path), f"cannot read: {os_error(e)}")
        return
    if is_dir:
        yield from _read_directory(path, max_bytes)
    else:
        yield from _read_file(path, path.name, max_bytes)


# --------------------------------------------------------------------------- files

def _read_directory(root: Path, max_bytes: int) -> Iterator[Item]:
    found, ignored = _walk(root)
    if not found:
        ignored_note = f"; {ignored} other files ignored" if ignored else " (empty directory)"
        yield Skipped(str(root), f"no readable files ({SUPPORTED}) in directory{ignored_note}")
        return
    for parts, entry in sorted(found, key=lambda x: x[0]):
        if isinstance(entry, Skipped):
            yield entry
        else:
            yield from _read_file(entry, "/".join(parts), max_bytes)


def _walk(root: Path) -> tuple[list[tuple[tuple[str, ...], Union[Path, Skipped]]], int]:
    """Files to read under `root` and problems met on the way, each with its path relative to root;
    and the number of files of other types.

    Hidden files and directories are left out. Links to directories are followed, once per directory:
    one that leads back to a directory it is inside is reported as a symlink loop.
    """
    found: list[tuple[tuple[str, ...], Union[Path, Skipped]]] = []
    ignored = 0
    try:
        top = _dir_key(root)
    except OSError as e:
        return [((), Skipped(str(root), f"cannot read: {os_error(e)}"))], 0
    seen = {top}  # directories walked already: a second link to one is not read twice
    stack: list[tuple[Path, tuple[str, ...], dict]] = [(root, (), {top: root})]
    while stack:
        directory, rel, inside = stack.pop()
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as e:
            found.append((rel, Skipped(str(directory), f"cannot read: {os_error(e)}")))
            continue
        subdirectories = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path, parts = Path(entry.path), rel + (entry.name,)
            try:
                st = entry.stat()  # follows symlinks
            except OSError as e:
                if e.errno == errno.ELOOP:
                    found.append((parts, Skipped(str(path), _SELF_LOOP)))
                elif not _format_of(path):
                    ignored += 1
                elif isinstance(e, FileNotFoundError):
                    found.append((parts, Skipped(str(path), "no such file (a broken symlink)")))
                else:
                    found.append((parts, Skipped(str(path), f"cannot read: {os_error(e)}")))
                continue
            if stat.S_ISDIR(st.st_mode):
                key = (st.st_dev, st.st_ino)
                if key in inside:
                    found.append((parts, Skipped(str(path), f"symlink loop: points back to {inside[key]}")))
                elif key not in seen:
                    seen.add(key)
                    subdirectories.append((path, parts, {**inside, key: path}))
            elif not _format_of(path):
                ignored += 1
            elif stat.S_ISREG(st.st_mode):
                found.append((parts, path))
            else:  # a pipe, socket or device named like an input: reading it could wait forever
                found.append((parts, Skipped(str(path), "not a regular file")))
        stack.extend(reversed(subdirectories))  # walked in name order
    return found, ignored


def _dir_key(path: Path) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_dev, st.st_ino


def _is_symlink_loop(path: Path) -> bool:
    try:
        os.stat(path)
    except OSError as e:
        return e.errno == errno.ELOOP
    return False


_SELF_LOOP = "symlink loop: the link leads back to itself"


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
        yield Skipped(origin, _SELF_LOOP if _is_symlink_loop(path) else "no such file")
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
    except Exception as e:  # whatever else a reader meets stays with this file; the run goes on
        yield Skipped(origin, reader_error(e))


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


def _decode(data: bytes) -> tuple[Optional[str], Optional[str]]:
    """(text, None) or (None, reason)."""
    if b"\x00" in data:
        return None, "binary content (NUL bytes)"
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as e:
        return None, invalid_utf8(data, e)


# --------------------------------------------------------------------------- formats

def _read_whole(f: IO[bytes], origin: str, label: Optional[str], max_bytes: int) -> "bytes | Skipped":
    """The whole file, or why it cannot be read (binary junk, over the size limit)."""
    f, problem = sniff(f)
    if problem:
        return Skipped(origin, problem, label)
    data, over = read_limited(f, max_bytes)
    if over:
        return Skipped(origin, over_limit(f, max_bytes, len(data)), label)
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
    offset, lineno, seen = 0, 0, False
    cap = max_bytes + len(_UTF8_BOM) + 3  # a line at the limit, with a BOM and "\r\n", fits
    while True:
        raw = f.readline(cap)
        if not raw:
            break
        lineno += 1
        start = offset
        if len(raw) == cap and not raw.endswith(b"\n"):  # over the limit: read past it, don't keep it
            size, content = skip_to_line_end(f, raw)
            offset += size
            seen = True
            if lineno == 1 and raw.startswith(_UTF8_BOM):
                content -= len(_UTF8_BOM)
            yield Skipped(f"{origin}:{lineno}", too_large(content, max_bytes))
            continue
        offset += len(raw)
        line = raw.rstrip(b"\r\n")
        if lineno == 1 and line.startswith(_UTF8_BOM):
            line, start = line[len(_UTF8_BOM):], start + len(_UTF8_BOM)
        if not line.strip():
            passed, lines = skip_blank_lines(f)  # a run of blank lines goes in blocks, not line by line
            offset, lineno = offset + passed, lineno + lines
            continue
        seen = True
        where = f"{origin}:{lineno}"
        if len(line) > max_bytes:
            yield Skipped(where, too_large(len(line), max_bytes))
            continue
        try:
            yield _jsonl_document(line, start, where, f"{label}:{lineno}", max_bytes)
        except Exception as e:  # one odd line loses only itself
            yield Skipped(where, reader_error(e))
    if not seen:
        yield Skipped(origin, "empty file")


def _jsonl_document(line: bytes, start: int, where: str, default_id: str, max_bytes: int) -> Item:
    try:
        obj = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError as e:
        return Skipped(where, invalid_utf8(line, e, start))
    except json.JSONDecodeError as e:
        return Skipped(where, f"not valid JSON: {e.msg} (column {e.colno})")
    except ValueError:  # Python refuses to convert integers of more than 4300 digits
        return Skipped(where, _LONG_NUMBER)
    except RecursionError:
        return Skipped(where, "not valid JSON: nested too deeply")
    return document_from_object(obj, where, default_id, max_bytes)


def _read_json(f: IO[bytes], origin: str, label: str, max_bytes: int) -> Iterator[Item]:
    f, problem = sniff(f)
    if problem:
        yield Skipped(origin, problem)
        return
    limit = record_limit(max_bytes)
    prefix, first, over = json_stream.leading_space(f, limit)
    if over:
        yield Skipped(origin, over_limit(f, max_bytes, len(prefix)))
    elif first is None:
        yield Skipped(origin, "empty file")
    elif first == ord("["):
        yield from _read_json_list(f, prefix, origin, label, max_bytes)
    else:
        yield from _read_json_value(f, prefix, origin, label, max_bytes)


def _read_json_value(f: IO[bytes], prefix: bytes, origin: str, label: str, max_bytes: int) -> Iterator[Item]:
    """A file holding one object (one document), or JSONL named .json."""
    limit = record_limit(max_bytes)
    data = prefix + f.read(limit + 1 - len(prefix))
    if len(data) > limit:
        if _starts_like_jsonl(data):
            f.seek(0)
            yield from _read_jsonl(f, origin, label, max_bytes)
        else:
            yield Skipped(origin, over_limit(f, max_bytes, len(data)))
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
    except ValueError:
        yield Skipped(origin, _LONG_NUMBER)
        return
    except RecursionError:
        yield Skipped(origin, "not valid JSON: nested too deeply")
        return
    yield document_from_object(obj, origin, label, max_bytes)


def _starts_like_jsonl(data: bytes) -> bool:
    """Is the first line a whole JSON value, with more after it?"""
    first, _, rest = data.partition(b"\n")
    try:
        json.loads(first.decode("utf-8").removeprefix("\ufeff"))
    except (ValueError, RecursionError):
        return False
    return bool(rest.strip())


def _read_json_list(f: IO[bytes], prefix: bytes, origin: str, label: str, max_bytes: int) -> Iterator[Item]:
    """A list of objects, one element at a time: each element is a document like a JSONL line."""
    f.read(1)  # "["
    line, column = json_stream.position(prefix + b"[")
    elements = json_stream.list_elements(f, record_limit(max_bytes), line=line, column=column,
                                         offset=len(prefix) + 1)
    read_any, last_failed, blank_first = False, False, None
    for part in elements:
        if isinstance(part, json_stream.ListEnd):
            if part.problem and not last_failed:
                yield Skipped(origin, f"not valid JSON: {part.problem}")
            elif not read_any and not part.problem:
                yield Skipped(origin, "empty file")  # "[ ]"
            return
        if part.n == 1 and part.data is not None and not part.data.strip() and not part.last:
            blank_first = part  # "[ ]", unless a "," follows
            continue
        if blank_first is not None:
            yield _json_item(blank_first, origin, label, max_bytes)
            blank_first = None
        read_any = True
        item = _json_item(part, origin, label, max_bytes)
        last_failed = part.last and isinstance(item, Skipped) and item.reason.startswith(("not valid JSON",
                                                                                          "invalid UTF-8"))
        yield item


def _json_item(part: json_stream.Element, origin: str, label: str, max_bytes: int) -> Item:
    where = f"{origin}:{part.n}"
    if part.data is None:
        return Skipped(where, too_large(part.size, max_bytes))
    try:
        return _json_element(part, where, f"{label}:{part.n}", max_bytes)
    except Exception as e:  # one odd element loses only itself
        return Skipped(where, reader_error(e))


def _json_element(part: json_stream.Element, where: str, default_id: str, max_bytes: int) -> Item:
    data = part.data or b""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        return Skipped(where, invalid_utf8(data, e, part.offset))
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        line = part.line + e.lineno - 1
        column = part.column + e.colno - 1 if e.lineno == 1 else e.colno
        return Skipped(where, f"not valid JSON: {e.msg} (line {line}, column {column})")
    except ValueError:
        return Skipped(where, _LONG_NUMBER)
    except RecursionError:
        line = part.line + data[: len(data) - len(data.lstrip())].count(b"\n")  # where the value starts
        return Skipped(where, f"not valid JSON: nested too deeply (line {line})")
    return document_from_object(obj, where, default_id, max_bytes)


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
    lines = CsvLines(stream, record_limit(max_bytes))
    rows = csv.reader(lines)
    try:
        header = next(rows, None)
    except csv.Error as e:
        yield Skipped(origin, f"not valid CSV: {e}")
        return
    except RowTooLarge:
        yield Skipped(origin, over_record_limit("header row", max_bytes))
        return
    if not header:
        yield Skipped(origin, "empty file")
        return
    columns = [h.strip().lower() for h in header]
    if "text" not in columns:
        yield Skipped(origin, f"no 'text' column (columns: {short_list(header)})")
        return
    index = {name: columns.index(name) for name in ("id", "text", *OPTIONAL_FIELDS) if name in columns}
    lines.pass_blank_lines = True  # runs of empty rows go in blocks; they still count in row numbers
    rownum, read_any = 1, False
    while True:
        lines.start_row()
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as e:
            rownum, read_any = rownum + lines.blank_rows + 1, True
            yield Skipped(f"{origin}:{rownum}", f"not valid CSV: {e}")
            continue
        except RowTooLarge:
            rownum, read_any = rownum + lines.blank_rows + 1, True
            yield Skipped(f"{origin}:{rownum}", over_record_limit("row", max_bytes))
            continue
        rownum += lines.blank_rows + 1
        if not any(cell.strip() for cell in row):
            continue
        read_any = True
        try:
            yield _csv_document(row, index, f"{origin}:{rownum}", f"{label}:{rownum}", max_bytes)
        except Exception as e:  # one odd row loses only itself
            yield Skipped(f"{origin}:{rownum}", reader_error(e))
    if not read_any:
        yield Skipped(origin, "empty file (no rows under the header)")


def _csv_document(row: list[str], index: dict[str, int], where: str, default_id: str, max_bytes: int) -> Item:
    record = {name: row[i] if i < len(row) else None for name, i in index.items()}
    problem = _surrogate_problem(record)
    if problem:
        raw_id = record.get("id")
        return Skipped(where, problem, None if raw_id and _SURROGATE.search(raw_id) else scalar_str(raw_id))
    return document_from_object(record, where, default_id, max_bytes)


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
    try:
        yield web.html_document(data, id=label, origin=origin, max_bytes=max_bytes)
    except Exception as e:  # a page the HTML parsers can't take
        yield Skipped(origin, reader_error(e), label)


def _read_feed(f: IO[bytes], origin: str, label: str, max_bytes: int) -> Iterator[Item]:
    data = _read_whole(f, origin, None, max_bytes)
    if isinstance(data, Skipped):
        yield data
        return
    yield from web.feed_documents(data, origin=origin, label=label, max_bytes=max_bytes)


def _read_warc(f: IO[bytes], origin: str, label: str, max_bytes: int) -> Iterator[Item]:
    yield from warc.warc_documents(f, origin=origin, label=label, max_bytes=max_bytes)


_READERS = {"txt": _read_txt, "jsonl": _read_jsonl, "json": _read_json, "csv": _read_csv,
            "html": _read_html, "feed": _read_feed, "warc": _read_warc}

_UTF8_BOM = b"\xef\xbb\xbf"
_LONG_NUMBER = "not valid JSON: a number has too many digits (over 4300)"
_DATE_LINE = re.compile(r"^\s*(?:date|published|dated)\s*:\s*", re.IGNORECASE)
_SURROGATE = re.compile(r"[\udc80-\udcff]")
