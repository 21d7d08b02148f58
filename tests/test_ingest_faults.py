"""ingest under hostile input: faults stay with the input that caused them, decompression is bounded,
symlink loops are reported. Every test here names the input it would once have crashed or hung on."""
from __future__ import annotations

import gzip
import io
import json
import os
import tracemalloc
from pathlib import Path

import pytest

from eventwire.ingest import read_inputs, skip_kind
from eventwire.records import Document, Skipped

ARTICLE = ("Bolivia and Paraguay agreed on Friday to build a new road across the Chaco, the two foreign "
           "ministries said. The presidents of both countries met in Asuncion and praised the engineers.")


def read(*paths, **kw) -> list:
    return list(read_inputs([str(p) for p in paths], **kw))


def docs(items) -> list[Document]:
    return [x for x in items if isinstance(x, Document)]


def skips(items) -> list[Skipped]:
    return [x for x in items if isinstance(x, Skipped)]


def page(paragraphs=(ARTICLE,)) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"<html><head><title>Chaco road</title></head><body><article>{body}</article></body></html>"


DEEP = "[" * 100_000 + "]" * 100_000


# --------------------------------------------------------------------------- deeply nested JSON

def test_deeply_nested_json_file_is_skipped_and_the_next_file_read(tmp_path):
    deep = tmp_path / "a.json"
    deep.write_text('{"text": "x", "more": ' + DEEP + "}", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Title\n" + ARTICLE, encoding="utf-8")
    items = read(tmp_path)
    [s] = skips(items)
    assert s.origin == str(deep) and s.reason.startswith("not valid JSON") and "nested too deeply" in s.reason
    assert skip_kind(s.reason) == "not valid JSON"
    assert [d.id for d in docs(items)] == ["b.txt"]


def test_deeply_nested_jsonl_line_is_skipped_and_the_other_lines_read(tmp_path):
    p = tmp_path / "n.jsonl"
    p.write_text(json.dumps({"id": "a", "text": ARTICLE}) + "\n" + DEEP + "\n"
                 + json.dumps({"id": "c", "text": ARTICLE}) + "\n", encoding="utf-8")
    a, bad, c = read(p)
    assert (a.id, c.id) == ("a", "c")
    assert bad == Skipped(f"{p}:2", "not valid JSON: nested too deeply")


def test_deeply_nested_element_of_a_json_list(tmp_path):
    p = tmp_path / "l.json"
    p.write_text(f'[{{"id": "a", "text": "{ARTICLE}"}},\n {DEEP},\n {{"id": "c", "text": "{ARTICLE}"}}]',
                 encoding="utf-8")
    a, bad, c = read(p)
    assert (a.id, c.id) == ("a", "c")
    assert bad.origin == f"{p}:2" and bad.reason == "not valid JSON: nested too deeply (line 2)"


# --------------------------------------------------------------------------- broken WARC records

def warc_records(path: Path, pages: list[tuple[str, bytes]], *, gz: bool = True, chunked: bool = False) -> list[int]:
    """Write one response per (url, html); return the byte offset where each record starts."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    starts = []
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=gz)
        for url, body in pages:
            fields = [("Content-Type", "text/html")]
            if chunked:
                fields.append(("Transfer-Encoding", "chunked"))
                body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
            headers = StatusAndHeaders("200 OK", fields, protocol="HTTP/1.1")
            starts.append(fh.tell())
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=headers))
    return starts


PAGES = [(f"https://chaco.example/{n}", page().encode()) for n in range(1, 4)]


@pytest.mark.parametrize("gz", [True, False])
def test_warc_cut_inside_a_record_header_keeps_the_pages_before(tmp_path, gz):
    whole = tmp_path / "whole.warc"
    starts = warc_records(whole, PAGES, gz=gz)
    data = whole.read_bytes()
    third = starts[2]
    # uncompressed: cut inside the WARC header; gzip: anywhere in the last record's gzip member
    end = len(data) if gz else data.index(b"\r\n\r\n", third)
    for cut in range(third + 1, end, 5 if gz else 11):
        path = tmp_path / ("cut.warc.gz" if gz else "cut.warc")
        path.write_bytes(data[:cut])
        items = read(path)
        if gz and len(items) == 3 and not skips(items):
            continue  # cut in the member's last few bytes, after all of the record was inflated
        assert [d.id for d in docs(items)] == ["https://chaco.example/1", "https://chaco.example/2"], cut
        [s] = skips(items)
        assert skip_kind(s.reason) == "not valid WARC" and "cut short" in s.reason, (cut, s.reason)


@pytest.mark.parametrize("gz", [True, False])
def test_warc_record_without_target_uri_is_skipped_and_the_next_read(tmp_path, gz):
    plain = tmp_path / "plain.warc"
    starts = warc_records(plain, PAGES, gz=False) + [plain.stat().st_size]
    data = plain.read_bytes()
    records = [data[a:b] for a, b in zip(starts, starts[1:])]
    records[1] = records[1].replace(b"WARC-Target-URI: https://chaco.example/2\r\n", b"")  # not in Content-Length
    path = tmp_path / ("nouri.warc.gz" if gz else "nouri.warc")
    path.write_bytes(b"".join(gzip.compress(r) if gz else r for r in records))
    items = read(path)
    assert [d.id for d in docs(items)] == ["https://chaco.example/1", "https://chaco.example/3"]
    [s] = skips(items)
    assert s.origin == f"{path}:2" and s.reason == "not a valid WARC record: no WARC-Target-URI"
    assert skip_kind(s.reason) == "not valid WARC"


# --------------------------------------------------------------------------- any other failure

def test_an_unexpected_error_in_one_file_does_not_stop_the_run(tmp_path, monkeypatch):
    from eventwire.ingest import web

    real = web.html_document

    def flaky(data, *, id, **kw):
        if id == "b.html":
            raise ValueError("parser fell over\nsecond line")
        return real(data, id=id, **kw)

    monkeypatch.setattr(web, "html_document", flaky)
    for name in ("a.html", "b.html", "c.html"):
        (tmp_path / name).write_text(page(), encoding="utf-8")
    items = read(tmp_path)
    assert [d.id for d in docs(items)] == ["a.html", "c.html"]
    [s] = skips(items)
    assert s == Skipped(str(tmp_path / "b.html"), "reader error (ValueError: parser fell over)", "b.html")
    assert skip_kind(s.reason) == "reader error"


def test_an_unexpected_error_on_one_line_skips_only_that_line(tmp_path, monkeypatch):
    from eventwire.ingest import files

    real = files.document_from_object

    def flaky(obj, where, default_id, max_bytes):
        if obj.get("id") == "b":
            raise KeyError("boom")
        return real(obj, where, default_id, max_bytes)

    monkeypatch.setattr(files, "document_from_object", flaky)
    p = tmp_path / "n.jsonl"
    p.write_text("".join(json.dumps({"id": i, "text": ARTICLE}) + "\n" for i in "abc"), encoding="utf-8")
    a, bad, c = read(p)
    assert (a.id, c.id) == ("a", "c")
    assert bad == Skipped(f"{p}:2", "reader error (KeyError: 'boom')")


def test_an_error_in_the_language_check_skips_only_that_document(tmp_path, monkeypatch):
    from eventwire.ingest import files

    def broken(doc):
        if doc.id == "b":
            raise RuntimeError("model file damaged")
        return None

    monkeypatch.setattr(files, "language_problem", broken)
    p = tmp_path / "n.jsonl"
    p.write_text("".join(json.dumps({"id": i, "text": ARTICLE}) + "\n" for i in "abc"), encoding="utf-8")
    a, bad, c = read(p)
    assert (a.id, c.id) == ("a", "c")
    assert bad == Skipped(f"{p}:2", "reader error (RuntimeError: model file damaged)", "b")


# --------------------------------------------------------------------------- decompression bombs

def gzip_bomb(path: Path, head: bytes, fill: bytes, size: int, tail: bytes = b"") -> Path:
    """A .gz whose content is head + fill repeated to `size` bytes + tail, written in blocks."""
    block = fill * (1_000_000 // len(fill))
    with gzip.open(path, "wb", compresslevel=6) as f:
        f.write(head)
        for _ in range(size // len(block)):
            f.write(block)
        f.write(tail)
    return path


@pytest.fixture
def consumed(monkeypatch):
    """Counts the decompressed bytes readers take out of any GzipFile."""
    total = [0]
    for name in ("read", "read1", "readline", "readinto", "readinto1"):
        real = getattr(gzip.GzipFile, name)

        def counting(self, *args, _real=real, **kw):
            result = _real(self, *args, **kw)
            total[0] += result if isinstance(result, int) else len(result)
            return result

        monkeypatch.setattr(gzip.GzipFile, name, counting)
    return total


@pytest.mark.parametrize("name, head, fill, tail", [
    ("bomb.txt.gz", b"Title\n", b"all work and no play ", b""),
    ("bomb.txt.gz", b"", b" ", b""),
    ("bomb.html.gz", b"<html><body><p>", b"all work and no play ", b"</p></body></html>"),
    ("bomb.rss.gz", b"<?xml version='1.0'?><rss version='2.0'><channel><item><description>", b"a ", b""),
    ("bomb.json.gz", b'{"text": "', b"all work and no play ", b'"}'),
    ("bomb.json.gz", b"", b"\n", b"[]"),
])
def test_gzip_bomb_of_a_whole_file_format_is_skipped_without_reading_it_all(tmp_path, consumed, name, head, fill,
                                                                           tail):
    bomb = gzip_bomb(tmp_path / name, head, fill, 200_000_000, tail)
    items = read(bomb, max_bytes=1_000_000)
    assert items == [Skipped(str(bomb), "gzip expands beyond --max-bytes (1,000,000)", items[0].doc_id)]
    assert skip_kind(items[0].reason) == "too large"
    assert consumed[0] < 4_000_000  # of 200 MB


def peak_memory(fn):
    tracemalloc.start()
    try:
        result = fn()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


BIG = 60_000_000  # a 60 MB record in a gzip of about 60 kB, read with --max-bytes 1 MB


def test_gzip_bomb_line_in_jsonl_is_skipped_in_bounded_memory_and_the_next_line_read(tmp_path):
    good = json.dumps({"id": "after", "text": ARTICLE}).encode()
    bomb = gzip_bomb(tmp_path / "b.jsonl.gz", json.dumps({"id": "before", "text": ARTICLE}).encode()
                     + b'\n{"text": "', b"all work and no play ", BIG, b'"}\n' + good + b"\n")
    items, peak = peak_memory(lambda: read(bomb, max_bytes=1_000_000))
    assert [d.id for d in docs(items)] == ["before", "after"]
    [s] = skips(items)
    assert s.origin == f"{bomb}:2" and skip_kind(s.reason) == "too large"
    assert peak < 10_000_000


def test_gzip_bomb_line_of_newlines_and_spaces_in_jsonl(tmp_path):
    good = json.dumps({"id": "after", "text": ARTICLE}).encode()
    bomb = gzip_bomb(tmp_path / "b.jsonl.gz", b"", b"\n  \n", BIG, good + b"\n")
    items, peak = peak_memory(lambda: read(bomb, max_bytes=1_000_000))
    [d] = items
    assert d.id == "after" and d.origin == f"{bomb}:{BIG // 2 + 1}"  # lines are still counted
    assert peak < 10_000_000


def test_gzip_bomb_row_in_csv_is_skipped_in_bounded_memory_and_the_next_row_read(tmp_path):
    bomb = gzip_bomb(tmp_path / "b.csv.gz", f"id,text\nbefore,{ARTICLE}\nbomb,".encode(), b"all work and no play ",
                     BIG, f"\nafter,{ARTICLE}\n".encode())
    items, peak = peak_memory(lambda: read(bomb, max_bytes=1_000_000))
    assert [d.id for d in docs(items)] == ["before", "after"]
    [s] = skips(items)
    assert s.origin == f"{bomb}:3" and skip_kind(s.reason) == "too large"
    assert peak < 10_000_000


def test_gzip_bomb_of_blank_rows_in_csv_keeps_row_numbers(tmp_path):
    bomb = gzip_bomb(tmp_path / "b.csv.gz", b"id,text\n", b"\r\n", BIG, f"\n{ARTICLE}\n".encode())
    [d], peak = peak_memory(lambda: read(bomb, max_bytes=1_000_000))
    assert d.origin == f"{bomb}:{BIG // 2 + 3}"  # header, the blank rows, one "\n", then the row
    assert peak < 10_000_000


def test_gzip_bomb_element_in_a_json_list_is_skipped_in_bounded_memory(tmp_path):
    good = json.dumps({"id": "after", "text": ARTICLE}).encode()
    bomb = gzip_bomb(tmp_path / "b.json.gz", b"[" + json.dumps({"id": "before", "text": ARTICLE}).encode()
                     + b',\n{"text": "', b"all work and no play ", BIG, b'"},\n' + good + b"]")
    items, peak = peak_memory(lambda: read(bomb, max_bytes=1_000_000))
    assert [d.id for d in docs(items)] == ["before", "after"]
    [s] = skips(items)
    assert s.origin == f"{bomb}:2" and skip_kind(s.reason) == "too large"
    assert peak < 10_000_000


def test_warc_page_in_one_huge_chunk_is_skipped_in_bounded_memory(tmp_path):
    path = tmp_path / "chunk.warc.gz"
    huge = b"<html><body><p>" + b"all work and no play " * (BIG // 21) + b"</p></body></html>"
    warc_records(path, [("https://chaco.example/1", page().encode()), ("https://chaco.example/huge", huge),
                        ("https://chaco.example/3", page().encode())], chunked=True)
    items, peak = peak_memory(lambda: read(path, max_bytes=1_000_000))
    del huge
    assert [d.id for d in docs(items)] == ["https://chaco.example/1", "https://chaco.example/3"]
    [s] = skips(items)
    assert s.doc_id == "https://chaco.example/huge" and skip_kind(s.reason) == "too large"
    assert peak < 40_000_000  # warcio inflates 16 kB of a .warc.gz at a time: up to ~17 MB


def test_warc_header_line_without_end_is_skipped_in_bounded_memory(tmp_path):
    path = tmp_path / "hdr.warc.gz"
    warc_records(path, PAGES[:1])
    record = (b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://chaco.example/x\r\nX-Bomb: "
              + b"a" * 8_000_000)
    path.write_bytes(path.read_bytes() + gzip.compress(record))
    items, peak = peak_memory(lambda: read(path, max_bytes=1_000_000))
    assert [d.id for d in docs(items)] == ["https://chaco.example/1"]
    [s] = skips(items)
    assert s.origin == f"{path}:2" and skip_kind(s.reason) == "not valid WARC" and "header" in s.reason
    assert peak < 40_000_000


def test_plain_file_over_the_limit_still_reports_its_size(tmp_path):
    p = tmp_path / "big.rss"
    p.write_bytes(b"<rss>" + b" " * 2_000_000 + b"</rss>")
    [s] = read(p, max_bytes=1_000_000)
    assert s.reason == "document is 2 MB, over the 1 MB limit (--max-bytes)"


def test_gzip_under_the_limit_reads_as_before(tmp_path):
    p = tmp_path / "ok.json.gz"
    p.write_bytes(gzip.compress(json.dumps([{"id": "a", "text": ARTICLE}, {"id": "b", "text": ARTICLE}]).encode()))
    assert [d.id for d in read(p, max_bytes=1_000_000)] == ["a", "b"]


# --------------------------------------------------------------------------- .json lists, streamed

def test_json_list_larger_than_the_limit_is_read_element_by_element(tmp_path):
    p = tmp_path / "many.json"
    p.write_text(json.dumps([{"id": f"d{n}", "text": ARTICLE} for n in range(200)], indent=1), encoding="utf-8")
    assert os.path.getsize(p) > 20_000
    assert [d.id for d in read(p, max_bytes=10_000)] == [f"d{n}" for n in range(200)]


def test_json_list_with_a_broken_element_keeps_the_ones_before(tmp_path):
    p = tmp_path / "cut.json"
    p.write_text('[{"id": "a", "text": "A."},\n {"id": "b", "text": "B.}', encoding="utf-8")
    a, bad = read(p)
    assert a.id == "a"
    assert bad.origin == f"{p}:2" and bad.reason.startswith("not valid JSON: Unterminated string")
    assert "(line 2, column 22)" in bad.reason


def test_json_list_with_invalid_utf8_in_one_element(tmp_path):
    p = tmp_path / "u.json"
    data = b'[{"id": "a", "text": "ok"}, {"id": "b", "text": "caf\xe9"}, {"id": "c", "text": "ok"}]'
    p.write_bytes(data)
    a, bad, c = read(p)
    assert (a.id, c.id) == ("a", "c")
    offset = data.index(b"\xe9")
    assert bad == Skipped(f"{p}:2", f"invalid UTF-8 at byte {offset} (0xe9)")


@pytest.mark.parametrize("content, reasons", [
    ("[1,,2]", ["not a JSON object (got a number)", "not valid JSON: Expecting value (line 1, column 4)",
                "not a JSON object (got a number)"]),
    ('[{"text": "A."}', ["A.", "not valid JSON: the list is not closed (line 1, column 16)"]),
    ('[{"text": "A."}] x', ["A.", "not valid JSON: Extra data after the list (line 1, column 18)"]),
    ('[{"text": "A."}}', ["A.", "not valid JSON: Expecting ',' delimiter (line 1, column 16)"]),
    ('  \n [ ]  ', ["empty file"]),
])
def test_json_list_structure_errors(tmp_path, content, reasons):
    p = tmp_path / "x.json"
    p.write_text(content, encoding="utf-8")
    assert [getattr(x, "text", None) or x.reason for x in read(p)] == reasons


# --------------------------------------------------------------------------- symlink loops

@pytest.mark.skipif(not hasattr(os, "symlink") or os.name != "posix", reason="needs POSIX symlinks")
def test_symlink_loops_in_a_folder_are_reported_not_followed_forever(tmp_path):
    root = tmp_path / "corpus"
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text("A\n" + ARTICLE, encoding="utf-8")
    (root / "sub" / "b.txt").write_text("B\n" + ARTICLE, encoding="utf-8")
    os.symlink("..", root / "sub" / "up")  # a folder inside itself
    os.symlink("self.txt", root / "self.txt")  # a link to itself
    os.symlink("ping.txt", root / "pong.txt")
    os.symlink("pong.txt", root / "ping.txt")
    items = read(root)
    assert [d.id for d in docs(items)] == ["a.txt", "sub/b.txt"]
    loops = {s.origin: s.reason for s in skips(items)}
    assert set(loops) == {str(root / n) for n in ("ping.txt", "pong.txt", "self.txt", "sub/up")}
    assert all(r.startswith("symlink loop") and skip_kind(r) == "symlink loop" for r in loops.values())
    assert loops[str(root / "sub" / "up")] == f"symlink loop: points back to {root}"
    [s] = read(root / "self.txt")
    assert s == Skipped(str(root / "self.txt"), "symlink loop: the link leads back to itself")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX named pipes and symlinks")
def test_broken_links_and_pipes_in_a_folder_are_reported_not_waited_on(tmp_path):
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "a.txt").write_text("A\n" + ARTICLE, encoding="utf-8")
    os.symlink("nowhere.txt", root / "gone.txt")
    os.mkfifo(root / "pipe.jsonl")  # opening it would wait for a writer forever
    items = read(root)
    assert [d.id for d in docs(items)] == ["a.txt"]
    assert [(s.origin, s.reason, skip_kind(s.reason)) for s in skips(items)] == [
        (str(root / "gone.txt"), "no such file (a broken symlink)", "missing file"),
        (str(root / "pipe.jsonl"), "not a regular file", "not a regular file")]


@pytest.mark.skipif(not hasattr(os, "symlink") or os.name != "posix", reason="needs POSIX symlinks")
def test_symlinked_folder_is_read_once(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "x.txt").write_text("X\n" + ARTICLE, encoding="utf-8")
    root = tmp_path / "corpus"
    root.mkdir()
    os.symlink(tmp_path / "elsewhere", root / "linked")
    os.symlink(tmp_path / "elsewhere", root / "same")
    assert [d.id for d in read(root)] == ["linked/x.txt"]


def test_json_number_with_thousands_of_digits(tmp_path):
    """Python won't turn more than 4300 digits into an int: json.loads raises a plain ValueError."""
    p = tmp_path / "n.jsonl"
    p.write_text('{"text": "A.", "n": ' + "9" * 5000 + '}\n{"id": "b", "text": "B."}\n', encoding="utf-8")
    bad, b = read(p)
    assert bad == Skipped(f"{p}:1", "not valid JSON: a number has too many digits (over 4300)")
    assert b.id == "b"
    q = tmp_path / "l.json"
    q.write_text('[{"text": "A.", "n": ' + "9" * 5000 + '}, {"id": "b", "text": "B."}]', encoding="utf-8")
    bad, b = read(q)
    assert bad.origin == f"{q}:1" and bad.reason == "not valid JSON: a number has too many digits (over 4300)"


# --------------------------------------------------------------------------- feeds (found by bench/fuzz.py)

def rss_feed(items: str, declaration: bytes = b"<?xml version='1.0' encoding='utf-8'?>") -> bytes:
    return declaration + f"<rss version='2.0'><channel><title>Wire</title>{items}</channel></rss>".encode()


@pytest.mark.parametrize("ref", ["&#x110000;", "&#1114112;", "&#xD800;", "&#99999999999999999999;"])
def test_feed_with_a_character_reference_to_no_character(tmp_path, ref):
    """The strict XML parser refuses such a feed and feedparser's fallback parser raised ValueError."""
    p = tmp_path / "f.rss"
    p.write_bytes(rss_feed(f"<item><title>A{ref}</title><description>{ARTICLE}</description></item>"
                           f"<item><title>B</title><description>{ARTICLE}</description></item>"))
    a, b = read(p)
    assert a.title == "A\ufffd" and b.title == "B"


def test_feed_item_date_with_an_impossible_year_has_no_date(tmp_path):
    p = tmp_path / "f.atom"
    p.write_text("<feed xmlns='http://www.w3.org/2005/Atom'><title>W</title><entry><title>A</title>"
                 f"<published>0000-00-00</published><summary>{ARTICLE}</summary></entry></feed>",
                 encoding="utf-8")
    [d] = read(p)
    assert d.title == "A" and d.date is None


def test_feed_whose_encoding_declaration_is_not_text(tmp_path):
    p = tmp_path / "f.rss"
    p.write_bytes(rss_feed(f"<item><title>A</title><description>{ARTICLE}</description></item>",
                           b"<?xml version='1.0' encoding='\x9b\x8f'?>"))
    [s] = read(p)
    assert s.origin == str(p) and skip_kind(s.reason) == "not a feed", s.reason


def test_json_escapes_of_half_a_surrogate_pair_become_replacement_characters(tmp_path):
    """ "\\ude00" is valid JSON but no text: it made the size check raise UnicodeEncodeError."""
    p = tmp_path / "s.jsonl"
    p.write_text('{"id": "x\\ud800", "title": "T\\udfff", "text": "Kenya \\ude00 Uganda \\ud83d\\ude00"}\n',
                 encoding="utf-8")
    [d] = read(p)
    assert (d.id, d.title, d.text) == ("x\ufffd", "T\ufffd", "Kenya \ufffd Uganda \U0001f600")
    for value in (d.id, d.title, d.text):
        value.encode("utf-8")  # storable and printable


@pytest.mark.parametrize("ch", ["\x01", "\x0c", "\x1b", "\ufffe"], ids=["soh", "ff", "esc", "fffe"])
def test_feed_item_html_with_a_control_character(tmp_path, ch):
    """lxml keeps such a character when it parses the item but raised ValueError when a tail was set:
    the item was lost (the whole run, before items were guarded)."""
    p = tmp_path / "f.rss"
    description = f"<![CDATA[<p>Kenya and Uganda met.</p>{ch}They signed a deal.<br>{ch}Talks go on.]]>"
    p.write_bytes(rss_feed(f"<item><title>A</title><description>{description}</description></item>"))
    [d] = read(p)
    assert d.text.startswith("Kenya and Uganda met.") and d.text.endswith("Talks go on."), d.text


def test_html_fragment_with_a_lone_surrogate_is_read_to_the_end():
    from eventwire.ingest import web

    assert web.html_fragment_text("<p>Kenya</p>\ud800Uganda<br>x") == "Kenya\n\n\ufffdUganda\nx"  # lxml stopped at it


# --------------------------------------------------------------------------- every input says what became of it

def test_csv_with_a_header_and_no_rows_is_reported(tmp_path):
    """It gave nothing at all: no document and no skip."""
    p = tmp_path / "h.csv"
    p.write_text("id,text\n\n\n", encoding="utf-8")
    assert read(p) == [Skipped(str(p), "empty file (no rows under the header)")]


def test_reasons_listing_names_stay_short(tmp_path):
    p = tmp_path / "w.csv"
    p.write_text("id," + "<div>" * 600 + ",body\n1,x\n", encoding="utf-8")
    q = tmp_path / "w.jsonl"
    q.write_text(json.dumps({"{" * 3000: 1, "body": "x"}) + "\n", encoding="utf-8")
    [s], [t] = read(p), read(q)
    assert s.reason == "no 'text' column (columns: id, " + "<div>" * 5 + "<div…, body)"
    assert t.reason == "no 'text' field (fields: " + "{" * 29 + "…, body)"
