"""WARC crawl archives (as in Common Crawl's CC-News): one document per HTML page.

Each HTTP response (or resource) record with an HTML payload and a 2xx status goes through the HTML
path (web.py). url and id are the WARC-Target-URI; the WARC-Date (the crawl time) is the date only
when the page states none. Other records (requests, metadata, images, redirects) are not documents
and are passed over. Origins are ``<path>:<record number>``.

warcio trusts what it reads, so a damaged or hostile archive is read through guards:
- a record's headers may take up to `MAX_HEADER_BYTES` (a header line that never ends, or endless
  blank lines, would otherwise be gathered in memory); past that the file is given up with a reason;
- a page is read up to --max-bytes once de-chunked and decompressed, and a chunk larger than that is
  not gathered (`_BoundedChunks`);
- a response without WARC-Target-URI is skipped (warcio itself fails on one), and a record without
  Content-Length ends the file, since its end can't be found (a file cut inside a record header
  looks like that);
- anything else that goes wrong inside one record skips that record; the records before it are kept.
"""
from __future__ import annotations

import functools
import io
import os
from typing import IO, Any, Iterator, Optional

from eventwire.ingest import web
from eventwire.ingest.documents import Item, over_the_limit, reader_error, too_large
from eventwire.records import Skipped

MAX_HEADER_BYTES = 1_000_000  # WARC and HTTP headers of one record; real ones take a few kB
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_CUT_SHORT = "not a valid WARC file: the record is cut short (truncated file?)"
_HEADERS_TOO_LARGE = f"not a valid WARC file: record headers over {MAX_HEADER_BYTES:,} bytes"


class _HeaderTooLarge(Exception):
    pass


class _PageTooLarge(Exception):
    pass


def warc_documents(f: IO[bytes], *, origin: str, label: str, max_bytes: int) -> Iterator[Item]:
    """One document per HTML response record; `label` is unused: the URL is the id."""
    from warcio.exceptions import ArchiveLoadFailed

    records = _archive_iterator(f)
    n = pages = 0
    while True:
        records.reader.header_bytes = 0
        try:
            record = next(records)
        except StopIteration:
            break
        except _HeaderTooLarge:
            yield Skipped(f"{origin}:{n + 1}", _HEADERS_TOO_LARGE)
            return
        except Exception as e:  # warcio's own ArchiveLoadFailed, or whatever a damaged record makes it raise
            where = f"{origin}:{n + 1}" if n else origin
            if n and _nothing_left(records, f):
                yield Skipped(where, _CUT_SHORT)
            elif isinstance(e, ArchiveLoadFailed):
                yield Skipped(where, f"not a valid WARC file: {web.first_line(e)}")
            else:
                yield Skipped(where, f"not a valid WARC file: {reader_error(e)}")
            return
        n += 1
        where = f"{origin}:{n}"
        if record.format == "arc":  # warcio's reading of any line that isn't a WARC header
            cut = n > 1 and _nothing_left(records, f)
            reason = _CUT_SHORT if cut else "not a valid WARC file: no WARC/1.x header"
            yield Skipped(where if n > 1 else origin, reason)
            return
        if record.rec_headers.get_header("Content-Length") is None:
            yield Skipped(where, "not a valid WARC file: the record is cut short (no Content-Length)")
            return
        try:
            page = _html_payload(record)
        except _NoTargetUri:
            yield Skipped(where, "not a valid WARC record: no WARC-Target-URI")
            continue
        if page is None:
            if _cut_short(record):  # not a page, but it says the file ends early
                yield Skipped(where, _CUT_SHORT)
                return
            continue
        pages += 1
        url, charset = page
        try:
            yield _page_document(record, url, charset, where, max_bytes)
        except _HeaderTooLarge:
            yield Skipped(where, _HEADERS_TOO_LARGE, url)
            return
        except Exception as e:
            yield Skipped(where, reader_error(e), url)
    if n == 0:
        yield Skipped(origin, "empty file")
    elif _unread_tail(f, records.offset):
        # warcio stops quietly at a gzip member that ends early: the last record was lost.
        yield Skipped(f"{origin}:{n + 1}", _CUT_SHORT)
    elif pages == 0:
        yield Skipped(origin, f"no HTML pages in WARC file ({n} record{'' if n == 1 else 's'})")


def _page_document(record: Any, url: str, charset: Optional[str], where: str, max_bytes: int) -> Item:
    stream, decoded = _content_stream(record, max_bytes)  # undoes chunked and gzip transfer encodings
    try:
        data = stream.read(max_bytes + 1)
    except _PageTooLarge:
        return Skipped(where, over_the_limit(max_bytes), url)
    if len(data) > max_bytes:
        size = record.payload_length if record.payload_length >= 0 else record.length
        exact = not decoded and isinstance(size, int) and size > max_bytes
        return Skipped(where, too_large(size, max_bytes) if exact else over_the_limit(max_bytes), url)
    if _cut_short(record):
        return Skipped(where, _CUT_SHORT, url)
    return web.html_document(data, id=url, origin=where, max_bytes=max_bytes, url=url, charset=charset,
                             fallback_date=record.rec_headers.get_header("WARC-Date"))


def _cut_short(record: Any) -> bool:
    """True if the record's block ends before its Content-Length (an uncompressed file cut off)."""
    raw = record.raw_stream
    while raw.read(1 << 16):  # whatever the payload reader left, e.g. a chunked trailer
        pass
    return getattr(raw, "limit", 0) > 0


def _unread_tail(f: IO[bytes], offset: int) -> bool:
    try:
        return offset < os.fstat(f.fileno()).st_size
    except (AttributeError, OSError, io.UnsupportedOperation):  # not a plain file: can't tell
        return False


def _nothing_left(records: Any, f: IO[bytes]) -> bool:
    """After a record failed to load: was it the last thing in the file (so the file was cut inside it)?"""
    reader = records.reader
    if reader is None:  # warcio closed it: it got to the end
        return True
    if reader.buff is not None and reader.buff.tell() < reader.buff_size:
        return False
    if getattr(reader.decompressor, "unused_data", b""):
        return False
    try:
        return not f.read(1)
    except (OSError, ValueError):
        return False


class _NoTargetUri(Exception):
    pass


def _html_payload(record: Any) -> Optional[tuple[str, Optional[str]]]:
    """(url, charset) for a record that holds an HTML page, else None."""
    if record.rec_type not in ("response", "resource"):
        return None
    url = record.rec_headers.get_header("WARC-Target-URI")
    if not url:
        raise _NoTargetUri()
    if record.http_headers is not None:
        status = record.http_headers.get_statuscode() or ""
        if not status.startswith("2"):  # redirects and errors are not pages
            return None
        content_type = record.http_headers.get_header("Content-Type") or ""
    else:
        content_type = record.rec_headers.get_header("Content-Type") or ""
    media_type, *params = [p.strip() for p in content_type.split(";")]
    if media_type.lower() not in _HTML_TYPES:
        return None
    charset = next((p.split("=", 1)[1].strip("\"' ") for p in params if p.lower().startswith("charset=")), None)
    return url, charset


# --------------------------------------------------------------------------- guarded warcio

def _archive_iterator(f: IO[bytes]) -> Any:
    """warcio's ArchiveIterator, reading through `_GuardedReader` and `_TolerantLoader`."""
    from warcio.archiveiterator import ArchiveIterator

    records = ArchiveIterator(f)
    # Swapped in before the first record is read; ArchiveIterator builds both the same way.
    records.reader = _guarded_reader_class()(records.fh)
    records.loader = _tolerant_loader_class()(verify_http=False, arc2warc=False)  # ArchiveIterator's defaults
    return records


@functools.lru_cache(maxsize=None)
def _guarded_reader_class() -> type:
    from warcio.bufferedreaders import DecompressingBufferedReader

    class _GuardedReader(DecompressingBufferedReader):
        """Counts the bytes read as lines since the last block read; a record's headers are lines."""
        header_bytes = 0

        def readline(self, length=None):
            room = MAX_HEADER_BYTES - self.header_bytes + 1
            line = super().readline(room if length is None else min(length, room))
            self.header_bytes += len(line)
            if self.header_bytes > MAX_HEADER_BYTES:
                raise _HeaderTooLarge()
            return line

        def read(self, length=None):
            self.header_bytes = 0
            return super().read(length)

    return _GuardedReader


@functools.lru_cache(maxsize=None)
def _tolerant_loader_class() -> type:
    from warcio.recordloader import ArcWarcRecordLoader

    class _TolerantLoader(ArcWarcRecordLoader):
        """Loads a record that has no WARC-Target-URI (warcio raises AttributeError on one)."""

        def load_http_headers(self, rec_type, uri, stream, length):
            return super().load_http_headers(rec_type, uri or "", stream, length)

    return _TolerantLoader


@functools.lru_cache(maxsize=None)
def _chunks_class() -> type:
    from warcio.bufferedreaders import ChunkedDataReader

    class _BoundedChunks(ChunkedDataReader):
        """De-chunks like warcio, but refuses a chunk larger than the page may be (warcio gathers one whole)."""
        max_chunk = 0

        def _try_decode(self, length_header):
            try:
                size = int(length_header[:-2].split(b";")[0], 16)
            except ValueError:
                size = 0  # warcio decides what a bad chunk header means
            if size > self.max_chunk:
                raise _PageTooLarge()
            return super()._try_decode(length_header)

    return _BoundedChunks


def _content_stream(record: Any, max_bytes: int) -> tuple[Any, bool]:
    """(the payload stream, whether it is decoded), as warcio's record.content_stream() but bounded."""
    from warcio.bufferedreaders import BufferedReader

    if not record.http_headers:
        return record.raw_stream, False
    encoding = record.http_headers.get_header("content-encoding")
    if encoding:
        encoding = encoding.lower()
        if encoding not in BufferedReader.get_supported_decompressors():
            encoding = None
    if record.http_headers.get_header("transfer-encoding") == "chunked":
        stream = _chunks_class()(record.raw_stream, decomp_type=encoding)
        stream.max_chunk = max_bytes + 1
        return stream, True
    if encoding:
        return BufferedReader(record.raw_stream, decomp_type=encoding), True
    return record.raw_stream, False
