"""Read input files into `Document`s; report every input that can't be read as a `Skipped`.

`read_inputs` never raises on bad input. Supported inputs:

- a directory: read recursively, files in sorted path order. Hidden files and directories are
  ignored, and so are files of unsupported types (a directory with no readable file at all is
  reported). Document ids of files found in a directory are their path relative to it.
- ``.txt``: the first non-blank line is the title, the rest is the text. If the next non-blank
  line after the title is just a date (``2023-05-14``, ``Date: 2023-05-14``, ``May 14, 2023``)
  it is the publication date. A file with a single line is text without a title.
  The document id is the file name, e.g. ``article1.txt``.
- ``.jsonl`` / ``.ndjson``: one JSON object per line with ``text`` and optional ``id``, ``title``,
  ``date``, ``source``, ``url``. Blank lines are ignored. A missing id becomes ``<file>:<line>``.
- ``.json``: one such object or a list of them (id default ``<file>`` or ``<file>:<n>``, n from 1).
  A ``.json`` file that is really JSONL is read as JSONL.
- ``.csv``: a header row with a ``text`` column (names are matched case-insensitively) and optional
  id/title/date/source/url columns. Rows are numbered like a spreadsheet, the header being row 1;
  a missing id becomes ``<file>:<row>``.
- ``-``: JSONL on standard input (ids default to ``stdin:<line>``).
- any of the above with a ``.gz`` suffix is decompressed on the fly.

Input must be UTF-8 (a BOM is allowed). `Skipped.origin` and `Document.origin` are the path, plus
``:<line>`` / ``:<row>`` / ``:<item>`` for records inside a multi-document file, so reasons don't
repeat the location. Use `ReadStats` to count what was read and why things were skipped.
"""
from __future__ import annotations

import csv
import datetime as dt
import email.utils
import gzip
import io
import json
import os
import re
import sys
import unicodedata
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Iterable, Iterator, Optional, Union

from eventwire.records import Document, Skipped

Item = Union[Document, Skipped]

FORMATS = {".txt": "txt", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
SUPPORTED = ".txt, .json, .jsonl, .ndjson or .csv, optionally .gz"
OPTIONAL_FIELDS = ("title", "date", "source", "url")

_SNIFF_BYTES = 8192
_JUNK_SHARE = 0.10  # more than this share of control/unprintable characters means binary junk
_READ_CHUNK = 1 << 20


# --------------------------------------------------------------------------- public API

def read_inputs(paths: Iterable[Union[str, Path]], *, max_bytes: int = 10_000_000) -> Iterator[Item]:
    """Yield a `Document` or a `Skipped` for every input document, in input order."""
    for p in paths:
        if str(p) == "-":
            yield from _read_stdin(max_bytes)
            continue
        path = Path(p)
        try:
            is_dir = path.is_dir()
        except OSError as e:  # e.g. permission denied on a parent directory
            yield Skipped(str(path), f"cannot read: {_os_error(e)}")
            continue
        if is_dir:
            yield from _read_directory(path, max_bytes)
        else:
            yield from _read_file(path, path.name, max_bytes)


def parse_date(value: Any) -> Optional[dt.date]:
    """A publication date from ISO 8601, RFC 2822 or month-name formats; None if not a clear date.

    Timestamps keep the calendar date they state (``2021-03-08T23:30:00-05:00`` -> 2021-03-08).
    Numeric day/month orders other than ISO (``08/03/2021``) are ambiguous and give None, as do
    words like "today".
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    s = " ".join(value.split())
    if not s or len(s) > 64:
        return None
    m = _ISO_PREFIX.match(s)
    if m:
        return _safe_date(*map(int, m.groups()))
    try:
        return dt.date.fromisoformat(s)  # compact forms: 20210308, 2021-W10-1
    except ValueError:
        pass
    plain = _ORDINAL.sub(r"\1", s)  # "March 8th" -> "March 8"
    plain = _ABBREV_DOT.sub(r"\1", plain).replace("Sept ", "Sep ")  # "Sept. 8" -> "Sep 8"
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(plain, fmt).date()
        except ValueError:
            continue
    try:
        return email.utils.parsedate_to_datetime(s).date()  # "Mon, 08 Mar 2021 10:00:00 +0000"
    except (TypeError, ValueError, IndexError):
        return None


def normalize_text(text: str) -> str:
    """Unify newlines, drop BOMs and control characters, collapse spaces, keep paragraph breaks.

    Single newlines are kept (they may separate paragraphs in files without blank lines);
    runs of blank lines become one blank line.
    """
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").translate(_NEWLINES)
    text = _CONTROL.sub("", text)
    text = _SPACES.sub(" ", text)
    text = _SPACE_AROUND_NEWLINE.sub("\n", text)
    text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


@dataclass
class ReadStats:
    """Counts for the run summary: documents read, and skipped inputs by kind of reason."""
    documents: int = 0
    skipped: Counter = field(default_factory=Counter)

    def add(self, item: Item) -> None:
        if isinstance(item, Skipped):
            self.skipped[skip_kind(item.reason)] += 1
        else:
            self.documents += 1

    def track(self, items: Iterable[Item]) -> Iterator[Item]:
        """Pass items through unchanged, counting them: ``for x in stats.track(read_inputs(...))``."""
        for item in items:
            self.add(item)
            yield item

    @property
    def total_skipped(self) -> int:
        return sum(self.skipped.values())

    def summary(self) -> str:
        """E.g. ``read 7 documents, skipped 3 (invalid UTF-8: 2, empty text: 1)``."""
        docs = f"read {self.documents} document{'' if self.documents == 1 else 's'}"
        if not self.skipped:
            return docs + ", skipped 0"
        kinds = ", ".join(f"{kind}: {n}" for kind, n in self.skipped.most_common())
        return f"{docs}, skipped {self.total_skipped} ({kinds})"


def skip_kind(reason: str) -> str:
    """A short, countable kind for a skip reason ("invalid UTF-8 at byte 17" -> "invalid UTF-8")."""
    for pattern, kind in _SKIP_KINDS:
        if pattern.search(reason):
            return kind
    return reason.split(":", 1)[0].strip() or "other"


# --------------------------------------------------------------------------- skip reasons

# Every reason ingest produces matches one of these, so the summary groups them.
_SKIP_KINDS = [
    (re.compile(p), kind)
    for p, kind in [
        (r"^no such file", "missing file"),
        (r"^unknown file type", "unknown file type"),
        (r"^no readable files", "no readable files"),
        (r"^cannot read", "unreadable file"),
        (r"^empty file", "empty file"),
        (r"^empty text", "empty text"),
        (r"^binary content", "binary content"),
        (r"^invalid UTF-8", "invalid UTF-8"),
        (r"^document is .* over the .* limit", "too large"),
        (r"^not valid JSON", "not valid JSON"),
        (r"^not a JSON object", "not a JSON object"),
        (r"^no 'text' field", "no text field"),
        (r"^'text' is not a string", "text is not a string"),
        (r"^no 'text' column", "no text column"),
        (r"^not valid CSV", "not valid CSV"),
    ]
]


def _too_large(size: int, max_bytes: int) -> str:
    return f"document is {_human_size(size)}, over the {_human_size(max_bytes)} limit (--max-bytes)"


def _human_size(n: int) -> str:
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if n >= scale:
            return f"{n / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} byte{'' if n == 1 else 's'}"


def _invalid_utf8(data: bytes, err: UnicodeDecodeError, base: int = 0) -> str:
    return f"invalid UTF-8 at byte {base + err.start} (0x{data[err.start]:02x})"


def _type_name(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
            int: "a number", float: "a number", type(None): "null"}.get(type(value), type(value).__name__)


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
        yield Skipped(origin, f"cannot read: {_os_error(e)}")
        return
    if not exists:
        yield Skipped(origin, "no such file")
        return
    fmt = _format_of(path)
    if fmt is None:
        suffix = "".join(path.suffixes) or "(none)"
        yield Skipped(origin, f"unknown file type {suffix} (expected {SUPPORTED})")
        return
    try:
        with gzip.open(path, "rb") if path.suffix.lower() == ".gz" else open(path, "rb") as f:
            yield from _READERS[fmt](f, origin, label, max_bytes)
    except (OSError, EOFError, zlib.error) as e:  # includes gzip.BadGzipFile and truncated .gz files
        yield Skipped(origin, f"cannot read: {_os_error(e)}")


def _os_error(e: BaseException) -> str:
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
        yield Skipped("<stdin>", f"cannot read: {_os_error(e)}")


def _sniff(f: IO[bytes]) -> tuple[IO[bytes], Optional[str]]:
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
        return None, _invalid_utf8(data, e)


# --------------------------------------------------------------------------- formats

def _read_txt(f: IO[bytes], origin: str, label: str, max_bytes: int) -> Iterator[Item]:
    f, problem = _sniff(f)
    if problem:
        yield Skipped(origin, problem, label)
        return
    data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        size = len(data) + sum(len(chunk) for chunk in iter(lambda: f.read(_READ_CHUNK), b""))
        yield Skipped(origin, _too_large(size, max_bytes), label)
        return
    text, problem = _decode(data)
    problem = problem or _junk_reason(text)
    if problem:
        yield Skipped(origin, problem, label)
        return
    title, date, body = _split_txt(normalize_text(text))
    yield _make_document(id=label, text=body, title=title, date=date, origin=origin, max_bytes=max_bytes)


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
    f, problem = _sniff(f)
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
            yield Skipped(where, _too_large(len(line), max_bytes))
            continue
        try:
            obj = json.loads(line.decode("utf-8"))
        except UnicodeDecodeError as e:
            yield Skipped(where, _invalid_utf8(line, e, start))
            continue
        except json.JSONDecodeError as e:
            yield Skipped(where, f"not valid JSON: {e.msg} (column {e.colno})")
            continue
        yield _document_from_object(obj, where, f"{label}:{lineno}", max_bytes)
    if not seen:
        yield Skipped(origin, "empty file")


def _read_json(f: IO[bytes], origin: str, label: str, max_bytes: int) -> Iterator[Item]:
    f, problem = _sniff(f)
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
            yield _document_from_object(item, f"{origin}:{n}", f"{label}:{n}", max_bytes)
    else:
        yield _document_from_object(obj, origin, label, max_bytes)


def _read_csv(f: IO[bytes], origin: str, label: str, max_bytes: int) -> Iterator[Item]:
    f, problem = _sniff(f)
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
            doc_id = _scalar_str(record.get("id"))
            yield Skipped(f"{origin}:{rownum}", problem, None if doc_id and _SURROGATE.search(doc_id) else doc_id)
            continue
        yield _document_from_object(record, f"{origin}:{rownum}", f"{label}:{rownum}", max_bytes)


def _surrogate_problem(record: dict[str, Optional[str]]) -> Optional[str]:
    """Invalid UTF-8 decoded with surrogateescape shows up as lone surrogates."""
    for name, value in record.items():
        m = _SURROGATE.search(value or "")
        if m:
            pos = len(value[: m.start()].encode("utf-8", "surrogateescape"))
            byte = ord(m.group()) - 0xDC00
            return f"invalid UTF-8 at byte {pos} of column '{name}' (0x{byte:02x})"
    return None


_READERS = {"txt": _read_txt, "jsonl": _read_jsonl, "json": _read_json, "csv": _read_csv}


# --------------------------------------------------------------------------- documents

def _document_from_object(obj: Any, where: str, default_id: str, max_bytes: int) -> Item:
    if not isinstance(obj, dict):
        return Skipped(where, f"not a JSON object (got {_type_name(obj)})")
    doc_id = _scalar_str(obj.get("id")) or default_id
    text = obj.get("text")
    if text is None:
        keys = ", ".join(str(k) for k in list(obj)[:10]) or "none"
        return Skipped(where, f"no 'text' field (fields: {keys})", doc_id)
    if not isinstance(text, str):
        return Skipped(where, f"'text' is not a string (got {_type_name(text)})", doc_id)
    title = _scalar_str(obj.get("title"))
    if title:
        title = " ".join(normalize_text(title).split()) or None  # on one line
    return _make_document(
        id=doc_id,
        text=text,
        title=title,
        date=parse_date(obj.get("date")),
        source=_scalar_str(obj.get("source")),
        url=_scalar_str(obj.get("url")),
        origin=where,
        max_bytes=max_bytes,
    )


def _make_document(*, id: str, text: str, origin: str, max_bytes: int, **fields: Any) -> Item:
    """The checks every document passes, whatever format it came from."""
    size = len(text.encode("utf-8", "surrogateescape"))
    if size > max_bytes:
        return Skipped(origin, _too_large(size, max_bytes), id)
    problem = _junk_reason(text)
    if problem:
        return Skipped(origin, problem, id)
    text = normalize_text(text)
    if not text:
        return Skipped(origin, "empty text", id)
    return Document(id=id, text=text, origin=origin, **fields)


def _junk_reason(text: str) -> Optional[str]:
    if "\x00" in text:
        return "binary content (NUL bytes)"
    if not text:
        return None
    bad = len(_UNPRINTABLE.findall(text))
    if bad and bad / len(text) > _JUNK_SHARE:
        return f"binary content ({bad / len(text):.0%} control or unprintable characters)"
    return None


def _scalar_str(value: Any) -> Optional[str]:
    """A string, number or None from a JSON/CSV field; empty and structured values become None."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    return str(value).strip() or None


# --------------------------------------------------------------------------- patterns

_UTF8_BOM = b"\xef\xbb\xbf"
_ISO_PREFIX = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ]|$)")
_ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b")
_ABBREV_DOT = re.compile(r"\b([A-Za-z]{3,4})\.")
_DATE_LINE = re.compile(r"^\s*(?:date|published|dated)\s*:\s*", re.IGNORECASE)
_DATE_FORMATS = (
    "%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%b %d %Y",  # March 8, 2021 / Mar 8 2021
    "%d %B %Y", "%d %b %Y", "%d %B, %Y",  # 8 March 2021
    "%A, %B %d, %Y", "%a, %b %d, %Y", "%A, %d %B %Y", "%A %d %B %Y",  # with a weekday
    "%Y/%m/%d",
)


def _safe_date(year: int, month: int, day: int) -> Optional[dt.date]:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


_NEWLINES = str.maketrans({"\r": "\n", "\x0b": "\n", "\x0c": "\n", "\x85": "\n",
                           "\u2028": "\n", "\u2029": "\n\n", "\ufeff": None, "\u200b": None})
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd\ue000-\uf8ff]")
_SURROGATE = re.compile(r"[\udc80-\udcff]")
_SPACES = re.compile(r"[^\S\n]+")
_SPACE_AROUND_NEWLINE = re.compile(r" ?\n ?")
_BLANK_LINES = re.compile(r"\n{3,}")
