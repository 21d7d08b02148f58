"""Web formats: HTML pages and RSS/Atom feeds.

- HTML: trafilatura removes boilerplate (navigation, cookie banners, footers, comments, tables)
  and reads the title, site name, canonical URL and publication date from the page's metadata
  (meta tags, JSON-LD, <time>, the URL; not guessed from running text). When that finds no
  date, ``<meta property="article:published_time">`` and similar tags are read directly.
  The document id is the file's label, like a .txt file.
- RSS/Atom: one document per item: title, link -> url, pubDate/published/updated -> date,
  content (else description/summary, HTML turned into text) -> text, the feed's title -> source.
  The id is the item's guid/id when it is a URI (so the same item in two snapshots of a feed
  is the same document), else its link, else ``<file>:<n>``. Origins are ``<path>:<n>``.
WARC archives are in warc.py; their pages go through `html_document` here.

The parsers (trafilatura, feedparser, and warcio in warc.py) are imported on first use: reading
.txt or .jsonl doesn't pay for them.
"""
from __future__ import annotations

import datetime as dt
import functools
import io
import re
from typing import Any, Iterator, Optional

from eventwire.ingest.documents import Item, make_document, one_line, parse_date, reader_error, too_large
from eventwire.records import Skipped

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")  # http://..., urn:..., tag:...
# Publication-date meta tags, most specific first (htmldate reads these too; this is the fallback).
_DATE_META = (
    "//meta[@property='article:published_time']/@content",
    "//meta[@name='article:published_time']/@content",
    "//meta[@itemprop='datePublished']/@content",
    "//meta[@name='pubdate' or @name='publishdate' or @name='publish-date' or @name='date']/@content",
    "//meta[@name='DC.date.issued' or @name='dc.date' or @name='DC.date']/@content",
    "//time[@pubdate]/@datetime",
)
# Characters XML can't hold: control characters go (vertical tab and form feed become newlines, as
# normalize_text makes them), lone surrogates and U+FFFE/U+FFFF become U+FFFD.
_NOT_XML = {**{c: None for c in [*range(0x00, 0x09), *range(0x0E, 0x20)]}, 0x0B: "\n", 0x0C: "\n",
            **{c: "\ufffd" for c in [*range(0xD800, 0xE000), 0xFFFE, 0xFFFF]}}
# Blocks that end a paragraph when an HTML fragment (a feed item) becomes text.
_BLOCKS = ("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "section", "article")


# --------------------------------------------------------------------------- HTML

def html_document(data: bytes, *, id: str, origin: str, max_bytes: int, url: Optional[str] = None,
                  fallback_date: Any = None, charset: Optional[str] = None) -> Item:
    """A document from an HTML page's main text, or a Skipped when the page has none."""
    html = decode_html(data, charset)
    # fast: no second opinion from readability/justext (a third of the time, little gain on news
    # pages). Dates only from metadata and the URL: a date guessed from running text ("Copyright
    # 2019") would be a wrong base for resolving "on Tuesday".
    result = _trafilatura().bare_extraction(
        html, url=url, fast=True, with_metadata=True, include_comments=False, include_tables=False,
        date_extraction_params={"original_date": True, "extensive_search": False},
    )
    text = (result.text or "") if result is not None else ""
    if not text.strip():
        return Skipped(origin, "no article text found in the HTML page", id)
    title = one_line(result.title)
    return make_document(
        id=id,
        text=_drop_title_line(text, title),
        title=title,
        date=parse_date(result.date) or _meta_date(html) or parse_date(fallback_date),
        source=one_line(result.sitename) or one_line(result.hostname),
        url=url or result.url,
        origin=origin,
        max_bytes=max_bytes,
    )


def decode_html(data: bytes, declared: Optional[str] = None) -> str:
    """Decode with the declared charset (HTTP header, else <meta charset>), else UTF-8, else a guess.

    Web pages are often not UTF-8, so unlike the other formats a wrong byte is not a reason to skip.
    """
    if not declared:
        m = _META_CHARSET.search(data[:4096])
        declared = m.group(1).decode("ascii") if m else None
    for encoding in (declared, "utf-8"):
        if encoding:
            try:
                return data.decode(encoding)
            except (LookupError, UnicodeDecodeError):
                continue
    return _trafilatura().utils.decode_file(data)  # charset detection, else UTF-8 with replacements


def _meta_date(html: str):
    """The first clear date in a publication-date meta tag, for pages where htmldate found none."""
    import lxml.etree
    import lxml.html

    try:
        tree = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return None
    for xpath in _DATE_META:
        for value in tree.xpath(xpath):
            date = parse_date(str(value))
            if date:
                return date
    return None


def _drop_title_line(text: str, title: Optional[str]) -> str:
    """trafilatura keeps the page's <h1>; the title is already Document.title, so don't repeat it."""
    if not title:
        return text
    first, _, rest = text.lstrip().partition("\n")
    if " ".join(first.split()).casefold() == title.casefold() and rest.strip():
        return rest
    return text


def html_fragment_text(fragment: str) -> str:
    """Text of an HTML fragment (a feed item's content), with paragraph breaks kept."""
    if "<" not in fragment:
        return fragment
    import lxml.etree
    import lxml.html

    # lxml keeps control characters it parses but refuses them when a tail is set (ValueError), and
    # stops at a lone surrogate. Text normalisation would drop them later anyway (documents.py).
    fragment = fragment.translate(_NOT_XML)
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return fragment
    for el in list(root.iter("script", "style")):
        el.drop_tree()
    for el in root.iter(*_BLOCKS):
        el.tail = "\n\n" + (el.tail or "")
    for el in root.iter("br"):
        el.tail = "\n" + (el.tail or "")
    return root.text_content()


@functools.lru_cache(maxsize=1)
def _trafilatura():
    import trafilatura  # its loggers have a NullHandler: pages it can't use aren't printed
    import trafilatura.utils

    return trafilatura


# --------------------------------------------------------------------------- RSS / Atom

def feed_documents(data: bytes, *, origin: str, label: str, max_bytes: int) -> Iterator[Item]:
    """One document per feed item."""
    import feedparser

    if not data.strip():
        yield Skipped(origin, "empty file")
        return
    try:  # a stream: a str could be taken for a URL and fetched
        parsed = feedparser.parse(io.BytesIO(_CHARREF.sub(_valid_charref, data)))
    except Exception as e:  # e.g. an encoding declaration that isn't text
        yield Skipped(origin, f"not an RSS or Atom feed ({type(e).__name__}: {first_line(e)})")
        return
    if not parsed.version and not parsed.entries:
        problem = parsed.get("bozo_exception")
        detail = f" ({first_line(problem)})" if problem else ""
        yield Skipped(origin, f"not an RSS or Atom feed{detail}")
        return
    if not parsed.entries:
        yield Skipped(origin, "no items in feed")
        return
    source = one_line(parsed.feed.get("title"))
    for n, entry in enumerate(parsed.entries, 1):
        where = f"{origin}:{n}"
        doc_id = None
        try:  # one odd item loses only itself
            doc_id = _item_id(entry) or f"{label}:{n}"
            yield _item_document(entry, doc_id, source, where, max_bytes)
        except Exception as e:
            yield Skipped(where, reader_error(e), doc_id)


def _item_document(entry: Any, doc_id: str, source: Optional[str], where: str, max_bytes: int) -> Item:
    text, size = _entry_text(entry)
    if size > max_bytes:
        return Skipped(where, too_large(size, max_bytes), doc_id)
    return make_document(
        id=doc_id,
        text=text,
        title=one_line(html_fragment_text(entry.get("title") or "")),
        date=_entry_date(entry),
        source=source,
        url=_web_link(entry.get("link")),
        origin=where,
        max_bytes=max_bytes,
    )


def _item_id(entry: Any) -> Optional[str]:
    for candidate in (entry.get("id"), entry.get("link")):
        candidate = (candidate or "").strip()
        if _URI.match(candidate):
            return candidate
    return None


def _web_link(link: Optional[str]) -> Optional[str]:
    # feedparser fills a missing link from the entry's id, which may be a tag: or urn: URI.
    link = (link or "").strip()
    return link if link.lower().startswith(("http://", "https://")) else None


def _entry_text(entry: Any) -> tuple[str, int]:
    """The fullest text an item has: content:encoded / Atom content, else description / summary."""
    parts = [c for c in entry.get("content") or [] if c.get("value")]
    if parts:
        detail = max(parts, key=lambda c: len(c["value"]))
    else:
        detail = entry.get("summary_detail") or {"value": entry.get("summary") or "", "type": "text/html"}
    value = detail.get("value") or ""
    size = len(value.encode("utf-8", "surrogatepass"))
    if "html" in (detail.get("type") or "text/html"):
        value = html_fragment_text(value)
    return value, size


def _entry_date(entry: Any):
    # The raw strings keep the calendar date the feed states; the *_parsed forms are shifted to UTC.
    for key in ("published", "updated", "created"):
        date = parse_date(entry.get(key))
        if date:
            return date
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            try:
                return dt.date(*parsed[:3])
            except (TypeError, ValueError):  # e.g. year -1
                continue
    return None


def _valid_charref(m: "re.Match[bytes]") -> bytes:
    """A numeric character reference, or U+FFFD for one that names no character (feedparser's
    fallback parser fails on ``&#x110000;`` and on surrogates)."""
    digits = m.group(1) or m.group(2)
    if len(digits) <= 8:
        code = int(digits, 16) if m.group(1) else int(digits)
        if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
            return m.group()
    return b"&#xFFFD;"


_CHARREF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));")


def first_line(problem: Any) -> str:
    return str(problem).strip().split("\n", 1)[0][:200]
