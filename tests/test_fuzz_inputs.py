"""Generated inputs for every reader, through the public entry point: whatever the bytes, `read_inputs`
ends each input as Documents or Skipped records with a short reason of a known kind; it never raises.

Hypothesis builds raw bytes, JSON (deeply nested too), CSV, HTML, RSS/Atom feeds and WARC-like
archives, then damages some of them (truncation, flipped and inserted bytes) and writes them to files in
a temporary folder, plain or gzipped. CI runs 100 examples per test, the same ones every time
(derandomized, no example database); EVENTWIRE_FUZZ_EXAMPLES=2000 runs more. bench/fuzz.py runs 100,000
inputs the same way, with its own generator.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventwire.ingest import read_inputs, skip_kind
from eventwire.ingest.files import FORMATS
from eventwire.ingest.skips import KINDS
from eventwire.records import Document, Skipped

FUZZ = settings(max_examples=int(os.environ.get("EVENTWIRE_FUZZ_EXAMPLES", "100")), deadline=None, derandomize=True,
                database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SUFFIXES = sorted(FORMATS)
WORDS = ["Kenya", "and", "Uganda", "signed", "a", "trade", "deal", "on", "Monday", "the", "minister", "said",
         "<", ">", "&amp;", "&", '"', "'", "\\", ",", "\n", "\r\n", "\r", "\t", "\x00", "\x0b", "é", "中国",
         "الرئيس", "\ufeff", "\u2028", "\ud7ff", "]]>", "<![CDATA[", "-->", "<!--", "{", "}", "[", "]", ":", "WARC/1.0"]

text = st.one_of(st.text(max_size=80), st.lists(st.sampled_from(WORDS), max_size=40).map(" ".join))


def check(items: list, paths: list[Path]) -> None:
    """The contract every input is held to."""
    assert items or not paths
    for item in items:
        assert isinstance(item, (Document, Skipped)), item
        if isinstance(item, Document):
            assert isinstance(item.id, str) and item.id
            assert isinstance(item.text, str) and item.text.strip()
            assert "\x00" not in item.text
            for value in (item.id, item.text, item.title, item.source, item.url):
                (value or "").encode("utf-8")  # no lone surrogates: it can be stored and printed
        else:
            assert isinstance(item.reason, str) and item.reason.strip(), item
            assert "\n" not in item.reason and len(item.reason) <= 400, item.reason
            assert skip_kind(item.reason) in KINDS, item.reason


def read_files(files: dict[str, bytes], **kw) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for name, data in files.items():
            path = Path(tmp, name)
            path.write_bytes(data)
            paths.append(path)
        items = list(read_inputs([str(p) for p in paths], max_bytes=kw.pop("max_bytes", 20_000), **kw))
        check(items, paths)
        items = list(read_inputs([tmp], max_bytes=20_000))  # the same files as a folder
        check(items, [Path(tmp)])


@st.composite
def damaged(draw, data: bytes) -> bytes:
    """The bytes as they are, or truncated, with bytes flipped or inserted."""
    how = draw(st.sampled_from(["as is", "as is", "truncate", "flip", "insert"]))
    if not data or how == "as is":
        return data
    at = draw(st.integers(0, len(data)))
    if how == "truncate":
        return data[:at]
    if how == "flip":
        at = min(at, len(data) - 1)
        return data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1:]
    return data[:at] + draw(st.binary(min_size=1, max_size=20)) + data[at:]


@st.composite
def stored(draw, data: bytes, suffix: str) -> tuple[str, bytes]:
    """A file name and its bytes, gzipped (and maybe damaged after that) or not."""
    data = draw(damaged(data))
    if draw(st.booleans()):
        return f"f{suffix}", data
    return f"f{suffix}.gz", draw(damaged(gzip.compress(data, compresslevel=1, mtime=0)))


# --------------------------------------------------------------------------- raw bytes

@FUZZ
@given(st.binary(max_size=3000), st.sampled_from(SUFFIXES + [".gz", ".md", ""]), st.booleans())
def test_any_bytes_under_any_name(data, suffix, gz):
    read_files({f"x{suffix}{'.gz' if gz else ''}": gzip.compress(data, mtime=0) if gz else data})


# --------------------------------------------------------------------------- JSON and JSONL

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(
        ["id", "text", "title", "date", "source", "url", "x"]), children, max_size=5),
    max_leaves=20)
documents = st.fixed_dictionaries({"text": text}, optional={
    "id": st.one_of(text, st.integers()), "title": text, "date": st.one_of(text, st.just("2024-02-29")),
    "source": text, "url": text})


@FUZZ
@given(st.lists(st.one_of(documents, json_values), max_size=6), st.integers(0, 3000), st.sampled_from([None, 0, 2]),
       st.data())
def test_json_and_jsonl(values, depth, indent, data):
    nested = "[" * depth + "]" * depth
    as_list = json.dumps(values, indent=indent, ensure_ascii=data.draw(st.booleans()))
    if depth:
        as_list = as_list[:-1] + (", " if values else "") + nested + "]"
    lines = "\n".join([json.dumps(v) for v in values] + ([nested] if depth else [])) + "\n"
    files = dict([data.draw(stored(as_list.encode("utf-8", "surrogatepass"), ".json")),
                  data.draw(stored(lines.encode("utf-8", "surrogatepass"), ".jsonl"))])
    read_files(files, max_bytes=data.draw(st.sampled_from([50, 500, 20_000])))


# --------------------------------------------------------------------------- CSV

@FUZZ
@given(st.lists(st.lists(text, max_size=5), max_size=8), st.sampled_from(["\n", "\r\n", "\r"]), st.data())
def test_csv(rows, newline, data):
    header = data.draw(st.lists(st.sampled_from(["id", "text", "Text", "title", "date", "url", "x", ""]),
                                min_size=1, max_size=5))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=newline, quoting=data.draw(st.sampled_from([csv.QUOTE_MINIMAL,
                                                                                       csv.QUOTE_ALL])))
    writer.writerows([header, *rows])
    raw = buf.getvalue().encode("utf-8", "surrogatepass")
    raw += data.draw(st.sampled_from([b"", b'"unclosed,quote\n', b"\n\n\n", b"a,b\x00c\n", b"\xff\xfe,x\n"]))
    read_files(dict([data.draw(stored(raw, ".csv"))]), max_bytes=data.draw(st.sampled_from([30, 20_000])))


# --------------------------------------------------------------------------- HTML

TAGS = ["p", "div", "article", "main", "span", "h1", "title", "script", "style", "nav", "footer", "table", "td",
        "br", "meta", "time", "a", "body", "html", "head", "section", "li", "ul", "svg", "math", "template"]
html_nodes = st.recursive(
    text.map(lambda t: t.replace("<", "&lt;")),
    lambda children: st.builds(lambda tag, attrs, kids: f"<{tag}{attrs}>{''.join(kids)}</{tag}>",
                               st.sampled_from(TAGS), st.sampled_from(
                                   ["", ' charset="utf-8"', ' charset="latin-1"', ' charset="x-nonsense"',
                                    ' property="article:published_time" content="2023-06-14"', ' class="content"',
                                    ' datetime="2031-13-45"', ' name="date" content="not a date"']),
                               st.lists(children, max_size=4)),
    max_leaves=25)


@FUZZ
@given(st.lists(html_nodes, max_size=5), st.integers(0, 3000), st.sampled_from(["utf-8", "cp1252", "utf-16"]),
       st.data())
def test_html(nodes, depth, encoding, data):
    page = "<!DOCTYPE html><html><head><title>T</title></head><body>" + "".join(nodes) + \
           "<div>" * depth + "Deep text." + "</div>" * depth + "</body></html>"
    raw = page.encode(encoding, "replace")
    read_files(dict([data.draw(stored(raw, data.draw(st.sampled_from([".html", ".htm", ".xhtml"]))))]))


# --------------------------------------------------------------------------- RSS and Atom

def rss(items: list[dict], title: str) -> str:
    body = "".join(
        "<item>" + "".join(f"<{k}>{v}</{k}>" for k, v in item.items()) + "</item>" for item in items)
    return f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>{title}</title>{body}" \
           "</channel></rss>"


def atom(items: list[dict], title: str) -> str:
    names = {"description": "summary", "pubDate": "published", "guid": "id", "link": "link"}
    body = "".join("<entry>" + "".join(f"<{names.get(k, k)}>{v}</{names.get(k, k)}>" for k, v in item.items())
                   + "</entry>" for item in items)
    return f"<feed xmlns='http://www.w3.org/2005/Atom'><title>{title}</title>{body}</feed>"


feed_items = st.lists(st.fixed_dictionaries({}, optional={
    "title": text, "description": st.one_of(text, text.map(lambda t: f"<![CDATA[<p>{t}</p>]]>")),
    "pubDate": st.sampled_from(["Tue, 07 Mar 2023 10:00:00 +0200", "2023-04-01T08:00:00Z", "yesterday", ""]),
    "guid": st.sampled_from(["4711", "tag:x,2023:1", "https://x.example/a", ""]), "link": text,
}), max_size=5)


@FUZZ
@given(feed_items, text, st.sampled_from([rss, atom]), st.sampled_from(["", "laughs", "external"]), st.data())
def test_feeds(items, title, shape, dtd, data):
    doc = shape(items, title)
    if dtd == "laughs":  # entities within entities (a milder "billion laughs"; the full one is in bench/fuzz.py)
        entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
            f'<!ENTITY {c} "{("&" + p + ";") * 10}">' for p, c in zip("abcd", "bcde"))
        doc = doc.replace("?>", f"?><!DOCTYPE rss [{entities}]>", 1).replace(f"<title>{title}</title>",
                                                                               "<title>&e;</title>", 1)
    elif dtd == "external":  # nothing may be fetched
        doc = doc.replace("?>", '?><!DOCTYPE rss [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]>', 1)
    suffix = data.draw(st.sampled_from([".rss", ".atom", ".xml"]))
    read_files(dict([data.draw(stored(doc.encode("utf-8", "surrogatepass"), suffix))]))


# --------------------------------------------------------------------------- WARC

def warc(records: list[tuple], gz: bool) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gz)
    for rec_type, url, status, content_type, body, chunked in records:
        fields = [("Content-Type", content_type)]
        if chunked:
            fields.append(("Transfer-Encoding", "chunked"))
            body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
        if rec_type == "response":
            headers = StatusAndHeaders(status, fields, protocol="HTTP/1.1")
        elif rec_type == "request":
            headers = StatusAndHeaders("GET / HTTP/1.1", [("Host", "x.example")], is_http_request=True)
        else:
            headers = None
        fixed = {"WARC-Record-ID": "<urn:uuid:00000000-0000-0000-0000-000000000000>",
                 "WARC-Date": "2024-01-02T00:00:00Z"}  # the same bytes each time Hypothesis asks
        record = writer.create_warc_record(url, rec_type, payload=io.BytesIO(body), http_headers=headers,
                                           warc_headers_dict=fixed)
        writer.write_record(record)
    return out.getvalue()


warc_records = st.lists(st.tuples(
    st.sampled_from(["response", "response", "resource", "request", "metadata"]),
    st.sampled_from(["https://x.example/a", "https://x.example/b", "urn:x", "not a url"]),
    st.sampled_from(["200 OK", "301 Moved", "404 Not Found", "999", "OK"]),
    st.sampled_from(["text/html", "text/html; charset=latin-1", "image/png", "application/xhtml+xml", ""]),
    st.one_of(html_nodes.map(lambda s: f"<html><body><p>{s}</p></body></html>".encode("utf-8", "surrogatepass")),
              st.binary(max_size=200)),
    st.booleans(),
), max_size=4)


@FUZZ
@given(warc_records, st.booleans(), st.data())
def test_warc(records, gz, data):
    raw = data.draw(damaged(warc(records, gz)))
    name = "f.warc.gz" if gz else "f.warc"
    read_files({name: raw}, max_bytes=data.draw(st.sampled_from([100, 20_000])))


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(["WARC-Type", "WARC-Target-URI", "Content-Length", "Content-Type",
                                           "WARC-Date", "X"]), text), max_size=6), st.binary(max_size=300))
def test_warc_like_text(headers, block):
    record = "WARC/1.0\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    raw = record.encode("utf-8", "surrogatepass") + block
    read_files({"f.warc": raw, "g.warc.gz": gzip.compress(raw, mtime=0)})


# --------------------------------------------------------------------------- folders

@pytest.mark.skipif(os.name != "posix", reason="needs POSIX symlinks")
@FUZZ
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "a/c", "a/c/d", "b/e"]),
                          st.sampled_from(["x.txt", "y.jsonl", "z.csv.gz", "link", "link.txt", ".hidden.txt"]),
                          st.sampled_from(["file", "up", "self", "root", "sibling", "dangling"])),
                max_size=8))
def test_folders_with_symlinks(entries):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp, "corpus")
        root.mkdir()
        for folder, name, kind in entries:
            path = root / folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.exists() or path.is_symlink():
                continue
            if kind == "file":
                path.write_bytes(gzip.compress(b"T\nBody.") if name.endswith(".gz") else b"T\nBody.\n")
            else:
                target = {"up": "..", "self": name, "root": str(root), "sibling": str(root / "b"),
                          "dangling": "nowhere"}[kind]
                os.symlink(target, path)
        items = list(read_inputs([root]))
        check(items, [root])
