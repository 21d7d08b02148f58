"""ingest: every input format, ids/titles/dates, and each kind of bad input reported as Skipped."""
from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import os
import sys
from pathlib import Path

import pytest

from eventwire.ingest import ReadStats, normalize_text, parse_date, read_inputs, skip_kind
from eventwire.records import Document, Skipped

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def read(*paths, **kw) -> list:
    return list(read_inputs([str(p) for p in paths], **kw))


def docs(items) -> list[Document]:
    return [x for x in items if isinstance(x, Document)]


def skips(items) -> list[Skipped]:
    return [x for x in items if isinstance(x, Skipped)]


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def jsonl(*objs) -> str:
    return "".join(json.dumps(o) + "\n" for o in objs)


# --------------------------------------------------------------------------- .txt

def test_txt_title_date_and_text(tmp_path):
    p = write(tmp_path / "article1.txt", "Talks resume in Doha\n2023-05-14\n\nQatar hosted talks.\n\nThey ended.\n")
    [d] = read(p)
    assert isinstance(d, Document)
    assert d.id == "article1.txt"
    assert d.title == "Talks resume in Doha"
    assert d.date == dt.date(2023, 5, 14)
    assert d.text == "Qatar hosted talks.\n\nThey ended."
    assert d.origin == str(p)


def test_txt_without_date_line_keeps_second_line_as_text(tmp_path):
    p = write(tmp_path / "a.txt", "Headline\nFirst paragraph.\nSecond paragraph.\n")
    [d] = read(p)
    assert d.title == "Headline" and d.date is None
    assert d.text == "First paragraph.\nSecond paragraph."


@pytest.mark.parametrize("line", ["Date: 2023-05-14", "date:2023-05-14", "May 14, 2023", "Published: 14 May 2023"])
def test_txt_date_line_variants(tmp_path, line):
    p = write(tmp_path / "a.txt", f"Headline\n{line}\nBody text here.\n")
    [d] = read(p)
    assert d.date == dt.date(2023, 5, 14)
    assert d.text == "Body text here."


def test_txt_blank_lines_before_title_and_date(tmp_path):
    p = write(tmp_path / "a.txt", "\n\n  Headline  \n\n2023-05-14\n\nBody.\n")
    [d] = read(p)
    assert (d.title, d.date, d.text) == ("Headline", dt.date(2023, 5, 14), "Body.")


def test_txt_single_line_is_text_without_title(tmp_path):
    [d] = read(write(tmp_path / "a.txt", "Kenya and Uganda signed a trade deal on Monday."))
    assert d.title is None
    assert d.text == "Kenya and Uganda signed a trade deal on Monday."


def test_txt_unparsable_date_line_stays_in_text(tmp_path):
    [d] = read(write(tmp_path / "a.txt", "Headline\n08/03/2021\nBody.\n"))
    assert d.date is None
    assert d.text == "08/03/2021\nBody."


def test_txt_bom_crlf_and_spaces_are_normalised(tmp_path):
    raw = "\ufeffHeadline\r\n2023-05-14\r\n\r\nOne  \t two\u00a0 three.\r\n\r\n\r\n\r\nNext   paragraph.\r\n"
    [d] = read(write(tmp_path / "a.txt", raw))
    assert d.title == "Headline"
    assert d.text == "One two three.\n\nNext paragraph."


# --------------------------------------------------------------------------- .jsonl

def test_jsonl_fields_ids_and_dates(tmp_path):
    p = write(tmp_path / "news.jsonl", jsonl(
        {"id": "a1", "title": "  Two\n lines  ", "date": "2021-03-08T10:00:00Z", "source": "Wire",
         "url": "https://example.org/a1", "text": "Egypt hosted talks."},
        {"text": "No id here.", "date": "today"},
        {"id": 42, "text": "Numeric id.", "date": "March 8, 2021"},
    ))
    a, b, c = read(p)
    assert (a.id, a.title, a.date, a.source, a.url) == (
        "a1", "Two lines", dt.date(2021, 3, 8), "Wire", "https://example.org/a1")
    assert a.origin == f"{p}:1"
    assert b.id == "news.jsonl:2" and b.date is None and b.title is None
    assert c.id == "42" and c.date == dt.date(2021, 3, 8)


def test_jsonl_bad_line_in_the_middle_does_not_stop_the_file(tmp_path):
    lines = [json.dumps({"id": f"d{i}", "text": f"Text {i}."}) for i in range(1, 7)]
    lines.insert(6, "{this is not json")  # line 7
    lines += [json.dumps({"id": "d8", "text": "After the bad line."}), ""]
    p = write(tmp_path / "news.jsonl", "\n".join(lines) + "\n")
    items = read(p)
    assert [d.id for d in docs(items)] == ["d1", "d2", "d3", "d4", "d5", "d6", "d8"]
    [s] = skips(items)
    assert s.origin == f"{p}:7"
    assert s.reason.startswith("not valid JSON: Expecting property name")
    assert items.index(s) == 6  # in input order


def test_jsonl_blank_lines_ignored(tmp_path):
    p = write(tmp_path / "n.jsonl", "\n" + json.dumps({"text": "a"}) + "\n\n   \n" + json.dumps({"text": "b"}))
    assert [d.id for d in read(p)] == ["n.jsonl:2", "n.jsonl:5"]


@pytest.mark.parametrize("line, reason", [
    ('[1, 2]', "not a JSON object (got a list)"),
    ('"just a string"', "not a JSON object (got a string)"),
    ('{"id": "x", "body": "wrong field"}', "no 'text' field (fields: id, body)"),
    ('{"id": "x", "text": null}', "no 'text' field (fields: id, text)"),
    ('{"id": "x", "text": 12}', "'text' is not a string (got a number)"),
    ('{"id": "x", "text": ""}', "empty text"),
    ('{"id": "x", "text": "  \\n\\t "}', "empty text"),
    ('{"id": "x", "text": "bad\\u0000nul"}', "binary content (NUL bytes)"),
])
def test_jsonl_bad_records(tmp_path, line, reason):
    p = write(tmp_path / "n.jsonl", line + "\n" + json.dumps({"text": "good"}) + "\n")
    bad, good = read(p)
    assert isinstance(bad, Skipped) and bad.reason == reason and bad.origin == f"{p}:1"
    if '"id"' in line and "object" not in reason:
        assert bad.doc_id == "x"
    assert isinstance(good, Document)


def test_jsonl_invalid_utf8_reports_file_byte_offset(tmp_path):
    first = json.dumps({"text": "ok"}).encode() + b"\n"
    second = b'{"text": "caf\xe9"}\n'
    p = write(tmp_path / "n.jsonl", first + second + first)
    a, bad, c = read(p)
    assert isinstance(a, Document) and isinstance(c, Document)
    offset = len(first) + second.index(b"\xe9")
    assert bad.reason == f"invalid UTF-8 at byte {offset} (0xe9)"
    assert bad.origin == f"{p}:2"


def test_jsonl_bom_on_first_line(tmp_path):
    [d] = read(write(tmp_path / "n.jsonl", b"\xef\xbb\xbf" + json.dumps({"text": "x"}).encode()))
    assert d.text == "x"


def test_jsonl_oversized_line(tmp_path):
    big = json.dumps({"id": "big", "text": "word " * 100})
    p = write(tmp_path / "n.jsonl", jsonl({"text": "small"}) + big + "\n" + jsonl({"text": "small too"}))
    a, s, c = read(p, max_bytes=200)
    assert isinstance(a, Document) and isinstance(c, Document)
    assert s.reason == f"document is {len(big)} bytes, over the 200 bytes limit (--max-bytes)"


def test_empty_jsonl_file(tmp_path):
    [s] = read(write(tmp_path / "n.jsonl", "\n\n"))
    assert s.reason == "empty file"


# --------------------------------------------------------------------------- .json

def test_json_single_object(tmp_path):
    p = write(tmp_path / "one.json", json.dumps({"title": "T", "text": "Body.", "date": "2024-01-02"}))
    [d] = read(p)
    assert (d.id, d.title, d.date, d.origin) == ("one.json", "T", dt.date(2024, 1, 2), str(p))


def test_json_list(tmp_path):
    p = write(tmp_path / "many.json", json.dumps([{"id": "x", "text": "A."}, {"text": "B."}, 5, {"text": ""}]))
    x, b, five, empty = read(p)
    assert x.id == "x" and b.id == "many.json:2" and b.origin == f"{p}:2"
    assert five.reason == "not a JSON object (got a number)" and five.origin == f"{p}:3"
    assert empty.reason == "empty text" and empty.doc_id == "many.json:4"


def test_json_file_holding_jsonl_is_read_as_jsonl(tmp_path):
    p = write(tmp_path / "lines.json", jsonl({"text": "A."}, {"text": "B."}))
    assert [d.id for d in read(p)] == ["lines.json:1", "lines.json:2"]


@pytest.mark.parametrize("content, reason", [
    ('{"text": "unterminated', "not valid JSON: Unterminated string"),
    ("", "empty file"),
    ("[]", "empty file"),
    ('"a string"', "not a JSON object (got a string)"),
])
def test_json_bad_files(tmp_path, content, reason):
    [s] = read(write(tmp_path / "bad.json", content))
    assert s.reason.startswith(reason)


# --------------------------------------------------------------------------- .csv

def write_csv(path: Path, rows: list[list[str]]) -> Path:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return write(path, buf.getvalue())


def test_csv_columns_ids_and_multiline_fields(tmp_path):
    p = write_csv(tmp_path / "news.csv", [
        ["ID", "Title", "Text", "Date", "source", "url", "extra"],
        ["c1", "First", "Line one.\nLine two.", "2023-11-02", "Wire", "https://example.org/c1", "x"],
        ["", "No id", "Second text.", "not a date", "", "", ""],
    ])
    a, b = read(p)
    assert (a.id, a.title, a.text, a.date, a.source, a.url) == (
        "c1", "First", "Line one.\nLine two.", dt.date(2023, 11, 2), "Wire", "https://example.org/c1")
    assert a.origin == f"{p}:2"
    assert (b.id, b.date, b.source) == ("news.csv:3", None, None)


def test_csv_only_text_column_and_short_rows(tmp_path):
    p = write(tmp_path / "t.csv", "text,title\nJust text\n\nMore,With title\n")
    a, b = read(p)
    assert (a.text, a.title) == ("Just text", None)
    assert (b.id, b.title) == ("t.csv:4", "With title")


def test_csv_without_text_column(tmp_path):
    [s] = read(write_csv(tmp_path / "x.csv", [["id", "body"], ["1", "hello"]]))
    assert s.reason == "no 'text' column (columns: id, body)"
    assert skip_kind(s.reason) == "no text column"


def test_csv_invalid_utf8_row_does_not_lose_other_rows(tmp_path):
    p = write(tmp_path / "x.csv", b"id,text\nr1,fine\nr2,caf\xe9 au lait\nr3,also fine\n")
    a, bad, c = read(p)
    assert (a.id, c.id) == ("r1", "r3")
    assert bad.reason == "invalid UTF-8 at byte 3 of column 'text' (0xe9)"
    assert bad.origin == f"{p}:3" and bad.doc_id == "r2"


def test_csv_bad_and_empty_rows(tmp_path):
    p = write(tmp_path / "x.csv", "id,text\nr1,\nr2,   \nr3,ok\n")
    r1, r2, r3 = read(p)
    assert (r1.reason, r1.doc_id, r2.reason, r3.id) == ("empty text", "r1", "empty text", "r3")


def test_csv_field_over_default_csv_limit(tmp_path):
    long_text = "Words and more words. " * 10_000  # 220 kB, over csv's default 128 kB field limit
    [d] = read(write_csv(tmp_path / "x.csv", [["text"], [long_text]]))
    assert isinstance(d, Document) and len(d.text) == len(long_text.strip())


def test_empty_csv(tmp_path):
    [s] = read(write(tmp_path / "x.csv", ""))
    assert s.reason == "empty file"


# --------------------------------------------------------------------------- gzip

def test_gzip_txt_and_jsonl(tmp_path):
    t = write(tmp_path / "a.txt.gz", gzip.compress(b"Headline\n2024-02-01\nBody.\n"))
    j = write(tmp_path / "b.jsonl.gz", gzip.compress(jsonl({"id": "j", "text": "Zipped."}).encode()))
    a, b = read(t, j)
    assert (a.id, a.title, a.date, a.text) == ("a.txt.gz", "Headline", dt.date(2024, 2, 1), "Body.")
    assert (b.id, b.text) == ("j", "Zipped.")


def test_corrupt_and_truncated_gzip(tmp_path):
    bad = write(tmp_path / "bad.jsonl.gz", b"this is not gzip at all")
    full = gzip.compress(jsonl(*({"text": f"doc {i} " + "x" * 200} for i in range(200))).encode())
    cut = write(tmp_path / "cut.jsonl.gz", full[: len(full) // 2])
    items = read(bad, cut)
    assert items[0].reason.startswith("cannot read:") and items[0].origin == str(bad)
    assert skip_kind(items[0].reason) == "unreadable file"
    assert isinstance(items[-1], Skipped) and items[-1].reason.startswith("cannot read:")
    assert docs(items)  # the documents before the cut are still read


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("content", ["", "   \n\t\n  ", "\ufeff\n\n"])
def test_empty_txt(tmp_path, content):
    [s] = read(write(tmp_path / "empty.txt", content))
    assert s.reason == "empty text" and s.doc_id == "empty.txt"


def test_binary_junk_with_nul_bytes(tmp_path):
    junk = bytes(range(256)) * 20
    [s] = read(write(tmp_path / "junk.txt", junk))
    assert s.reason == "binary content (NUL bytes)"


def test_nul_after_sniffed_prefix(tmp_path):
    [s] = read(write(tmp_path / "late.txt", b"Title\n" + b"text " * 5000 + b"\x00\x01"))
    assert s.reason == "binary content (NUL bytes)"


def test_binary_junk_of_control_characters(tmp_path):
    junk = "".join(chr(c) for c in range(1, 32) if chr(c) not in "\n\r\t\x0b\x0c") * 10 + "some text"
    [s] = read(write(tmp_path / "ctl.txt", junk))
    assert s.reason.startswith("binary content (") and "control or unprintable" in s.reason


def test_a_few_control_characters_are_removed_not_rejected(tmp_path):
    [d] = read(write(tmp_path / "a.txt", "Title\nNigeria\x07 and Ghana met.\x1b\n"))
    assert d.text == "Nigeria and Ghana met."


def test_invalid_utf8_txt(tmp_path):
    data = "Headline\nThe minister said ".encode() + b"\xe9t\xe9 in Paris.\n"
    [s] = read(write(tmp_path / "latin1.txt", data))
    offset = data.index(b"\xe9")
    assert s.reason == f"invalid UTF-8 at byte {offset} (0xe9)"
    assert skip_kind(s.reason) == "invalid UTF-8"


def test_utf16_file(tmp_path):
    [s] = read(write(tmp_path / "u16.txt", "Headline\nBody.\n".encode("utf-16")))
    assert "UTF-16" in s.reason and skip_kind(s.reason) == "invalid UTF-8"


def test_document_over_max_bytes_small_limit(tmp_path):
    p = write(tmp_path / "long.txt", "Headline\n" + "x" * 1490)
    [s] = read(p, max_bytes=1000)
    assert s.reason == "document is 1.5 kB, over the 1 kB limit (--max-bytes)"
    assert s.doc_id == "long.txt" and skip_kind(s.reason) == "too large"
    [d] = read(p, max_bytes=1500)
    assert isinstance(d, Document)


def test_json_document_over_max_bytes(tmp_path):
    p = write(tmp_path / "a.json", json.dumps([{"id": "big", "text": "y" * 500}, {"text": "ok"}]))
    big, ok = read(p, max_bytes=100)
    assert big.reason == "document is 500 bytes, over the 100 bytes limit (--max-bytes)" and big.doc_id == "big"
    assert isinstance(ok, Document)


def test_real_52_mb_file_against_default_limit(tmp_path):
    p = tmp_path / "huge.txt"
    with open(p, "wb") as f:
        f.write(b"Headline\n")
        chunk = b"All work and no play makes a long article. " * 25_000
        while f.tell() + len(chunk) < 52_400_000:
            f.write(chunk)
        f.write(b"z" * (52_400_000 - f.tell()))
    [s] = read(p)
    assert s.reason == "document is 52.4 MB, over the 10 MB limit (--max-bytes)"


def test_missing_file_and_unknown_type(tmp_path):
    md = write(tmp_path / "notes.md", "# Notes")
    missing, unknown = read(tmp_path / "nope.txt", md)
    assert (missing.origin, missing.reason) == (str(tmp_path / "nope.txt"), "no such file")
    assert unknown.reason.startswith("unknown file type .md (expected .txt")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_unreadable_file(tmp_path):
    p = write(tmp_path / "secret.txt", "Title\nBody.")
    p.chmod(0)
    try:
        [s] = read(p)
    finally:
        p.chmod(0o644)
    assert s.reason == "cannot read: Permission denied"


def test_reading_a_directory_named_like_a_file(tmp_path):
    (tmp_path / "dir.txt").mkdir()
    write(tmp_path / "dir.txt" / "inner.txt", "T\nBody.")
    [d] = read(tmp_path / "dir.txt")
    assert d.id == "inner.txt"


# --------------------------------------------------------------------------- directories and order

def test_directory_recursion_sorted_and_ids_relative(tmp_path):
    root = tmp_path / "corpus"
    write(root / "b.txt", "B\nBody b.")
    write(root / "a.txt", "A\nBody a.")
    write(root / "sub" / "a.txt", "Sub A\nBody sub a.")
    write(root / "sub" / "deeper" / "z.jsonl", jsonl({"text": "z1"}, {"text": "z2"}))
    write(root / "c.csv", "text\nrow text\n")
    write(root / "README.md", "ignored: unsupported type inside a directory")
    write(root / ".hidden.txt", "H\nignored")
    write(root / ".git" / "x.txt", "G\nignored")
    items = read(root)
    assert [d.id for d in items] == ["a.txt", "b.txt", "c.csv:2", "sub/a.txt", "sub/deeper/z.jsonl:1",
                                     "sub/deeper/z.jsonl:2"]
    assert items[3].origin == str(root / "sub" / "a.txt")


def test_directory_without_readable_files(tmp_path):
    write(tmp_path / "d" / "x.pdf", b"%PDF")
    [s] = read(tmp_path / "d")
    assert s.reason.startswith("no readable files") and "1 other files ignored" in s.reason


def test_input_order_is_kept_across_paths(tmp_path):
    a = write(tmp_path / "z.txt", "Z\nzz")
    b = write(tmp_path / "a.jsonl", jsonl({"text": "aa"}))
    items = read(a, tmp_path / "missing.csv", b)
    assert [getattr(x, "id", None) or x.reason for x in items] == ["z.txt", "no such file", "a.jsonl:1"]


def test_accepts_path_objects_and_generators(tmp_path):
    p = write(tmp_path / "a.txt", "T\nBody.")
    assert len(list(read_inputs(x for x in [p]))) == 1


# --------------------------------------------------------------------------- stdin

def fake_stdin(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_stdin_jsonl(monkeypatch):
    fake_stdin(monkeypatch, (jsonl({"id": "s1", "text": "From a pipe."}, {"text": "No id."}) + "oops\n").encode())
    a, b, bad = read("-")
    assert (a.id, a.origin) == ("s1", "<stdin>:1")
    assert b.id == "stdin:2"
    assert bad.origin == "<stdin>:3" and bad.reason.startswith("not valid JSON")


def test_stdin_mixed_with_files(monkeypatch, tmp_path):
    fake_stdin(monkeypatch, jsonl({"text": "piped"}).encode())
    p = write(tmp_path / "a.txt", "T\nfile")
    items = read(p, "-", Path("-"))
    assert [d.id for d in docs(items)] == ["a.txt", "stdin:1"]
    assert [(s.origin, s.reason) for s in skips(items)] == [("<stdin>", "empty file")]  # already consumed


# --------------------------------------------------------------------------- dates and text

@pytest.mark.parametrize("value, expected", [
    ("2021-03-08", dt.date(2021, 3, 8)),
    ("2021-03-08T10:00:00Z", dt.date(2021, 3, 8)),
    ("2021-03-08T23:30:00-05:00", dt.date(2021, 3, 8)),
    ("2021-03-08 10:00", dt.date(2021, 3, 8)),
    ("2021-03-08T10:00:00.123456789Z", dt.date(2021, 3, 8)),
    ("20210308", dt.date(2021, 3, 8)),
    ("March 8, 2021", dt.date(2021, 3, 8)),
    ("Mar 8, 2021", dt.date(2021, 3, 8)),
    ("Mar. 8th, 2021", dt.date(2021, 3, 8)),
    ("Sept. 8, 2021", dt.date(2021, 9, 8)),
    ("8 March 2021", dt.date(2021, 3, 8)),
    ("Monday, March 8, 2021", dt.date(2021, 3, 8)),
    ("Mon, 08 Mar 2021 10:00:00 +0000", dt.date(2021, 3, 8)),
    ("2021/03/08", dt.date(2021, 3, 8)),
    (dt.date(2021, 3, 8), dt.date(2021, 3, 8)),
    (dt.datetime(2021, 3, 8, 9), dt.date(2021, 3, 8)),
    ("08/03/2021", None),  # day/month order is ambiguous
    ("today", None),
    ("last week", None),
    ("2021-02-30", None),
    ("", None),
    (None, None),
    (20210308, None),
    (True, None),
])
def test_parse_date(value, expected):
    assert parse_date(value) == expected


def test_normalize_text():
    raw = "\ufeffA\u00a0 b\t\tc \r\nnext line\rold mac\n\n\n\n  Para\u2029two\u200b. \x07"
    assert normalize_text(raw) == "A b c\nnext line\nold mac\n\nPara\n\ntwo."
    assert normalize_text("e\u0301") == "\u00e9"  # NFC


# --------------------------------------------------------------------------- stats

def test_read_stats_counts_and_summary(tmp_path):
    write(tmp_path / "ok.txt", "T\nBody.")
    write(tmp_path / "empty.txt", "")
    write(tmp_path / "n.jsonl", jsonl({"text": "a"}, {"text": ""}) + "nope\n")
    stats = ReadStats()
    items = list(stats.track(read_inputs([tmp_path, tmp_path / "gone.txt"])))
    assert len(items) == 6
    assert stats.documents == 2 and stats.total_skipped == 4
    assert stats.skipped == {"empty text": 2, "not valid JSON": 1, "missing file": 1}
    assert stats.summary() == "read 2 documents, skipped 4 (empty text: 2, not valid JSON: 1, missing file: 1)"


def test_read_stats_exact(tmp_path):
    stats = ReadStats()
    for item in [Document("a", "x"), Skipped("f", "empty text"), Skipped("g", "empty text"),
                 Skipped("h", "invalid UTF-8 at byte 3 (0xe9)")]:
        stats.add(item)
    assert stats.summary() == "read 1 document, skipped 3 (empty text: 2, invalid UTF-8: 1)"
    assert ReadStats().summary() == "read 0 documents, skipped 0"


def test_every_reason_has_a_known_kind(tmp_path, monkeypatch):
    """Reasons produced by ingest group into named kinds, never the fallback."""
    write(tmp_path / "d" / "a.txt", b"\xff\xfe")
    write(tmp_path / "d" / "b.txt", b"\x00\x01")
    write(tmp_path / "d" / "c.txt", "T\n" + "x" * 200)
    write(tmp_path / "d" / "d.jsonl", '[1]\n{"a": 1}\n{"text": 1}\nnope\n{"text": ""}\n')
    write(tmp_path / "d" / "e.csv", "body\nx\n")
    write(tmp_path / "d" / "f.json", "{")
    write(tmp_path / "d" / "g.jsonl.gz", b"not gzip")
    write(tmp_path / "d" / "h.txt", b"caf\xe9")
    write(tmp_path / "d" / "i.csv", "")
    write(tmp_path / "e" / "x.pdf", b"%PDF")
    write(tmp_path / "x.doc", b"x")
    write(tmp_path / "d" / "j.html", "<html><body><script>x</script></body></html>")
    write(tmp_path / "d" / "k.xml", "<?xml version='1.0'?><urlset/>")
    write(tmp_path / "d" / "l.atom", "<feed xmlns='http://www.w3.org/2005/Atom'><title>T</title></feed>")
    write(tmp_path / "d" / "m.warc", "not a web archive\n")
    items = read(tmp_path / "d", tmp_path / "e", tmp_path / "x.doc", tmp_path / "none.txt", max_bytes=100)
    french = " ".join(["Le gouvernement a annoncé un accord avec ses voisins sur la frontière."] * 3)
    items += read(write(tmp_path / "fr.jsonl", json.dumps({"text": french}) + "\n"))
    kinds = {skip_kind(s.reason) for s in skips(items)}
    assert kinds == {
        "invalid UTF-8", "binary content", "too large", "not a JSON object", "no text field",
        "text is not a string", "not valid JSON", "empty text", "no text column", "unreadable file",
        "empty file", "no readable files", "unknown file type", "missing file",
        "no article text", "not a feed", "empty feed", "not valid WARC", "not English",
    }


# --------------------------------------------------------------------------- bundled examples

def test_bundled_examples_read_cleanly():
    if not EXAMPLES.is_dir():
        pytest.skip("examples/ not present")
    stats = ReadStats()
    items = list(stats.track(read_inputs([EXAMPLES])))
    assert stats.total_skipped == 0, skips(items)
    assert 7 <= stats.documents <= 10
    for d in items:
        assert d.title and d.date and dt.date(2023, 1, 1) <= d.date <= dt.date(2024, 12, 31), d.id
        assert 150 <= len(d.text.split()) <= 350, (d.id, len(d.text.split()))
    assert len({d.id for d in items}) == len(items)


def test_os_error_while_opening_is_reported(tmp_path, monkeypatch):
    """Runs as root too (where chmod 0 doesn't stop reads): simulate the failing open."""
    import eventwire.ingest.files as ingest

    def refuse(path, mode="r", *a, **kw):
        raise PermissionError(13, "Permission denied", str(path))

    p = write(tmp_path / "secret.txt", "Title\nBody.")
    monkeypatch.setattr(ingest, "open", refuse, raising=False)
    [s] = read(p)
    assert (s.origin, s.reason) == (str(p), "cannot read: Permission denied")
