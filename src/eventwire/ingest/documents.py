"""Building `Document`s: text normalisation, publication dates, and the checks every document passes.

Every reader (files.py, web.py) ends in `make_document`, so size, junk and empty-text checks and
text normalisation are the same whatever the input format.
"""
from __future__ import annotations

import datetime as dt
import email.utils
import logging
import re
import unicodedata
from typing import Any, Optional, Union

from eventwire.records import Document, Skipped

Item = Union[Document, Skipped]
_log = logging.getLogger("eventwire.ingest")

_JUNK_SHARE = 0.10  # more than this share of control/unprintable characters means binary junk


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
    text = _LONE_SURROGATE.sub("\ufffd", text)  # JSON can escape half a UTF-16 pair: "\ud800"
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").translate(_NEWLINES)
    text = _CONTROL.sub("", text)
    text = _SPACES.sub(" ", text)
    text = _SPACE_AROUND_NEWLINE.sub("\n", text)
    text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def one_line(text: Optional[str]) -> Optional[str]:
    """A title or name on a single line, or None if there is nothing left."""
    if not text:
        return None
    return " ".join(normalize_text(text).split()) or None


def make_document(*, id: str, text: str, origin: str, max_bytes: int, **fields: Any) -> Item:
    """The checks every document passes, whatever format it came from."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        return Skipped(origin, too_large(size, max_bytes), id)
    problem = junk_reason(text)
    if problem:
        return Skipped(origin, problem, id)
    text = normalize_text(text)
    if not text:
        return Skipped(origin, "empty text", id)
    return Document(id=id, text=text, origin=origin, **fields)


def document_from_object(obj: Any, where: str, default_id: str, max_bytes: int) -> Item:
    """A JSON object or CSV row with ``text`` and optional ``id``, ``title``, ``date``, ``source``, ``url``."""
    if not isinstance(obj, dict):
        return Skipped(where, f"not a JSON object (got {type_name(obj)})")
    doc_id = scalar_str(obj.get("id")) or default_id
    text = obj.get("text")
    if text is None:
        return Skipped(where, f"no 'text' field (fields: {short_list(obj)})", doc_id)
    if not isinstance(text, str):
        return Skipped(where, f"'text' is not a string (got {type_name(text)})", doc_id)
    return make_document(
        id=doc_id,
        text=text,
        title=one_line(scalar_str(obj.get("title"))),
        date=parse_date(obj.get("date")),
        source=scalar_str(obj.get("source")),
        url=scalar_str(obj.get("url")),
        origin=where,
        max_bytes=max_bytes,
    )


def short_list(names: Any, most: int = 10, width: int = 30) -> str:
    """Up to `most` names, each cut to `width` characters, for a reason: ``id, body``."""
    shown = []
    for name in list(names)[:most]:
        name = " ".join(str(name).split())
        if name:
            shown.append(name if len(name) <= width else name[: width - 1] + "…")
    return ", ".join(shown) or "none"


def junk_reason(text: str) -> Optional[str]:
    if "\x00" in text:
        return "binary content (NUL bytes)"
    if not text:
        return None
    bad = _UNPRINTABLE.subn("", text)[1]  # a count without a list of every match
    if bad and bad / len(text) > _JUNK_SHARE:
        return f"binary content ({bad / len(text):.0%} control or unprintable characters)"
    return None


def too_large(size: int, max_bytes: int) -> str:
    return f"document is {human_size(size)}, over the {human_size(max_bytes)} limit (--max-bytes)"


def over_the_limit(max_bytes: int) -> str:
    """For a document whose full size is not worth reading on to learn (it is being decoded or inflated)."""
    return f"document is over the {human_size(max_bytes)} limit (--max-bytes)"


def reader_error(e: BaseException) -> str:
    """An unexpected failure, kept to one line: ``reader error (ValueError: bad value)``.

    The traceback goes to the "eventwire.ingest" logger at DEBUG level, for a bug report.
    """
    _log.debug("unexpected %s while reading", type(e).__name__, exc_info=e)
    message = str(e).strip().split("\n", 1)[0][:200]
    return f"reader error ({type(e).__name__}: {message})" if message else f"reader error ({type(e).__name__})"


def human_size(n: int) -> str:
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if n >= scale:
            return f"{n / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} byte{'' if n == 1 else 's'}"


def invalid_utf8(data: bytes, err: UnicodeDecodeError, base: int = 0) -> str:
    return f"invalid UTF-8 at byte {base + err.start} (0x{data[err.start]:02x})"


def type_name(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
            int: "a number", float: "a number", type(None): "null"}.get(type(value), type(value).__name__)


def scalar_str(value: Any) -> Optional[str]:
    """A string, number or None from a JSON/CSV field; empty and structured values become None."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    return _LONE_SURROGATE.sub("\ufffd", str(value)).strip() or None


# --------------------------------------------------------------------------- patterns

_ISO_PREFIX = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ]|$)")
_ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b")
_ABBREV_DOT = re.compile(r"\b([A-Za-z]{3,4})\.")
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
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd\ue000-\uf8ff]")
_SPACES = re.compile(r"[^\S\n]+")
_SPACE_AROUND_NEWLINE = re.compile(r" ?\n ?")
_BLANK_LINES = re.compile(r"\n{3,}")
