"""Fuzz the input readers: generated and damaged files through `eventwire.ingest.read_inputs`.

    .venv/bin/python bench/fuzz.py                      # 100,000 inputs on 2 processes
    .venv/bin/python bench/fuzz.py -n 5000 --seed 7     # a shorter run
    .venv/bin/python bench/fuzz.py --replay 41234       # run one input again, with its traceback
    .venv/bin/python bench/fuzz.py --bombs              # 2 GB decompression bombs: peak memory of each

Every input is built from its number alone (random.Random(seed * 10**9 + number), nothing else random),
so a crash can be replayed by number. Inputs: plain text, JSONL, JSON (deeply nested ones too), CSV, HTML, RSS/Atom
(with entity definitions), WARC archives written by warcio, and raw bytes; half of them damaged
(cut, bytes flipped, inserted, deleted or repeated, brackets piled up), a third gzipped (and that
sometimes damaged too), a few read from standard input, and every 100th a folder of files with symlinks,
loops among them. Each is read with a --max-bytes between 100 bytes and 10 MB.

A crash is anything but this: `read_inputs` returns only Documents and Skipped records, each skip
reason is one line of a known kind (eventwire.ingest.skips.KINDS), and an input takes under
`--hang-seconds`. Crashing inputs are saved to --out with their traceback. The last line printed is
JSON: {"inputs", "crashes", "hangs", "seconds", "per_second", "peak_rss_mb", "outcomes", ...};
"outcomes" counts documents and skips by kind, and lists "reader error" skips by reason: those are
failures nobody foresaw, caught by the per-input guards (not crashes, but worth a look); their
tracebacks are saved to --out as <number>-reader-error.txt.

--bombs writes one .gz per reader that expands to 2 GB (about 2 MB on disk: one letter repeated, gzip's
best ratio; the WARC page sent with Content-Encoding: gzip is gzip inside gzip, 12 kB on disk) into
--bomb-dir, and reads each in a new process with the default --max-bytes (10 MB), printing its peak
resident memory (resource.getrusage ru_maxrss, with the ~100 MB the imports take), its time and what
came out.
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import gzip
import io
import json
import logging
import multiprocessing
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import zlib
from collections import Counter
from pathlib import Path

WORDS = ("Kenya Uganda Ethiopia signed a trade deal on Monday the minister said police arrested "
         "protesters in Nairobi after talks collapsed and troops withdrew from the border").split()
ODD = ["<", ">", "&", "&amp;", "&#0;", "&#x110000;", "&nbsp;", '"', "'", "\\", "\\u0000", "\\ud800", ",", ";",
       "\n", "\r\n", "\r", "\t", "\x00", "\x0b", "\x1b", "\x85", "\u2028", "\ufeff", "\ufffd", "\ud7ff", "é",
       "中国外交部发言人", "الرئيس المصري", "Министр", "]]>", "<![CDATA[", "-->", "<!--", "{", "}", "[", "]",
       "WARC/1.0", "\r\n\r\n", "0\r\n", "%s", "{0}", "😀"]
TAGS = ["p", "div", "article", "main", "span", "h1", "title", "script", "style", "nav", "footer", "table", "td",
        "br", "meta", "time", "a", "body", "html", "head", "section", "li", "svg", "template", "noscript", "pre"]
ATTRS = ["", ' charset="utf-8"', ' charset="latin-1"', ' charset="x-bogus"', ' class="content"',
         ' property="article:published_time" content="2023-06-14T10:00:00Z"', ' name="date" content="soon"',
         ' datetime="2031-13-45"', ' itemprop="datePublished" content="2024-02-29"', ' style="display:none"']
DATES = ["2023-05-14", "2021-03-08T23:30:00-05:00", "May 14, 2023", "Tue, 07 Mar 2023 10:00:00 +0200", "today",
         "9999-99-99", "", "0000-00-00", "2024-02-30", "14/05/2023", "Sept. 8th, 2021"]
MAX_BYTES = [100, 1000, 20_000, 10_000_000]


# --------------------------------------------------------------------------- generators

def words(r: random.Random, n: int) -> str:
    out = []
    for _ in range(n):
        out.append(r.choice(ODD) if r.random() < 0.08 else r.choice(WORDS))
    return " ".join(out)


def json_value(r: random.Random, depth: int = 0):
    roll = r.random()
    if depth > 4 or roll < 0.4:
        return r.choice([None, True, False, 0, -1, 1e308, 2 ** 70, 1.5, words(r, r.randint(0, 8)), "", "2023-05-14",
                         10 ** r.choice([10, 4299])])
    if roll < 0.7:
        return [json_value(r, depth + 1) for _ in range(r.randint(0, 4))]
    return {r.choice(["id", "text", "title", "date", "source", "url", "x", ""]): json_value(r, depth + 1)
            for _ in range(r.randint(0, 5))}


def document(r: random.Random) -> dict:
    doc = {"text": words(r, r.randint(0, 60)) + r.choice(["", "", "", "\ud800", "\udcff x", "\ud83d\ude00"])}
    for key in ("id", "title", "date", "source", "url"):
        if r.random() < 0.5:
            doc[key] = r.choice([words(r, 3), r.randint(0, 10 ** 6), r.choice(DATES), None, [], {}])
    if r.random() < 0.1:
        doc["text"] = json_value(r)
    return doc


def nested(r: random.Random) -> str:
    """Deeply nested JSON, or a number with more digits than Python converts."""
    if r.random() < 0.15:
        return '{"text": "Kenya", "n": ' + "9" * r.choice([4300, 4301, 20_000]) + "}"
    depth = r.choice([10, 900, 1100, 5000, 100_000])
    opener = r.choice(["[", '{"a":'])
    closer = "]" if opener == "[" else "}"
    return opener * depth + "1" + closer * depth


def gen_txt(r):
    head = words(r, r.randint(0, 8)) + "\n" + (r.choice(DATES) + "\n" if r.random() < 0.5 else "")
    return ".txt", (head + "\n\n".join(words(r, r.randint(0, 80)) for _ in range(r.randint(0, 4)))).encode(
        "utf-8", "surrogatepass")


def gen_jsonl(r):
    lines = []
    for _ in range(r.randint(0, 6)):
        roll = r.random()
        lines.append(json.dumps(document(r), ensure_ascii=r.random() < 0.5) if roll < 0.7 else
                     nested(r) if roll < 0.8 else json.dumps(json_value(r)) if roll < 0.9 else words(r, 5))
    sep = r.choice(["\n", "\r\n", "\n\n  \n"])
    return r.choice([".jsonl", ".ndjson"]), sep.join(lines).encode("utf-8", "surrogatepass")


def gen_json(r):
    roll = r.random()
    if roll < 0.5:
        items = [document(r) if r.random() < 0.8 else json_value(r) for _ in range(r.randint(0, 6))]
        text = json.dumps(items, indent=r.choice([None, 1, 2]), ensure_ascii=r.random() < 0.5)
        if r.random() < 0.2:
            text = text[:-1] + ("," if items else "") + nested(r) + "]"
    elif roll < 0.75:
        text = json.dumps(document(r), indent=r.choice([None, 2]))
    elif roll < 0.85:
        text = "\n".join(json.dumps(document(r)) for _ in range(r.randint(2, 4)))  # JSONL named .json
    else:
        text = nested(r)
    return ".json", (r.choice(["", "\ufeff", "  \n"]) + text).encode("utf-8", "surrogatepass")


def gen_csv(r):
    header = r.sample(["id", "text", "TEXT", "title", "date", "source", "url", "x", ""], r.randint(1, 5))
    if r.random() < 0.8 and "text" not in header and "TEXT" not in header:
        header.append("text")
    rows = [header] + [[words(r, r.randint(0, 20)) if r.random() < 0.7 else r.choice(DATES)
                        for _ in range(r.randint(0, len(header) + 1))] for _ in range(r.randint(0, 6))]
    buf = io.StringIO()
    csv.writer(buf, lineterminator=r.choice(["\n", "\r\n", "\r"]),
               quoting=r.choice([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC])).writerows(rows)
    return ".csv", buf.getvalue().encode("utf-8", "surrogatepass")


def html_node(r: random.Random, depth: int = 0) -> str:
    if depth > 5 or r.random() < 0.35:
        return words(r, r.randint(0, 30))
    tag = r.choice(TAGS)
    kids = "".join(html_node(r, depth + 1) for _ in range(r.randint(0, 4)))
    return f"<{tag}{r.choice(ATTRS)}>{kids}" + (f"</{tag}>" if r.random() < 0.9 else "")


def gen_html(r):
    page = (f"<!DOCTYPE html><html><head><title>{words(r, 5)}</title><meta{r.choice(ATTRS)}></head><body>"
            + "".join(html_node(r) for _ in range(r.randint(0, 5))))
    if r.random() < 0.1:
        depth = r.choice([300, 3000, 30_000])
        page += "<div>" * depth + words(r, 20) + "</div>" * depth
    return r.choice([".html", ".htm", ".xhtml"]), page.encode(r.choice(["utf-8", "cp1252", "utf-16", "latin-1"]),
                                                              "replace")


def gen_feed(r):
    items = []
    for _ in range(r.randint(0, 5)):
        fields = {"title": words(r, 5), "description": words(r, 30), "pubDate": r.choice(DATES),
                  "guid": r.choice(["4711", "tag:x,2023:1", "https://x.example/a", ""]),
                  "link": r.choice(["https://x.example/a", "urn:x", words(r, 1)])}
        if r.random() < 0.3:
            fields["description"] = f"<![CDATA[<p>{words(r, 30)}</p><script>x</script>]]>"
        items.append({k: v for k, v in fields.items() if r.random() < 0.8})
    title = words(r, 3)
    if r.random() < 0.5:
        body = "".join("<item>" + "".join(f"<{k}>{v}</{k}>" for k, v in i.items()) + "</item>" for i in items)
        encoding = r.choice(["utf-8", "utf-8", "utf-16", "x-bogus", "latin-1", "ascii"])
        doc = f"<?xml version='1.0' encoding='{encoding}'?><rss version='2.0'><channel><title>{title}</title>" \
              f"{body}</channel></rss>"
    else:
        names = {"description": "summary", "pubDate": "published", "guid": "id"}
        body = "".join("<entry>" + "".join(f"<{names.get(k, k)}>{v}</{names.get(k, k)}>" for k, v in i.items())
                       + "</entry>" for i in items)
        doc = f"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><title>{title}</title>{body}</feed>"
    roll = r.random()
    if roll < 0.05:  # billion laughs
        entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
            f'<!ENTITY {c} "{("&" + p + ";") * 10}">' for p, c in zip("abcdefgh", "bcdefghi"))
        doc = doc.replace("?>", f"?><!DOCTYPE x [{entities}]>", 1).replace(f"<title>{title}</title>",
                                                                          "<title>&i;</title>", 1)
    elif roll < 0.1:  # nothing may be fetched
        doc = doc.replace("?>", '?><!DOCTYPE x [<!ENTITY e SYSTEM "http://127.0.0.1:9/e">]>', 1).replace(
            f"<title>{title}</title>", "<title>&e;</title>", 1)
    return r.choice([".rss", ".atom", ".xml"]), doc.encode("utf-8", "surrogatepass")


def gen_warc(r):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    gz = r.random() < 0.5
    writer = WARCWriter(out, gzip=gz)
    for _ in range(r.randint(0, 5)):
        rec_type = r.choice(["response", "response", "resource", "request", "metadata", "warcinfo", "revisit"])
        url = r.choice(["https://x.example/a", "https://x.example/b", "urn:x", "not a url", "ftp://x"])
        body = (gen_html(r)[1] if r.random() < 0.7 else r.randbytes(r.randint(0, 200)))
        fields = [("Content-Type", r.choice(["text/html", "text/html; charset=latin-1", "image/png",
                                             "application/xhtml+xml", "", "text/html; charset=x-bogus"]))]
        if rec_type == "response" and r.random() < 0.3:
            fields.append(("Transfer-Encoding", "chunked"))
            body = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in (body[:50], body[50:]) if c) + b"0\r\n\r\n"
        if rec_type == "response" and r.random() < 0.2:
            fields.append(("Content-Encoding", "gzip"))
            if "Transfer-Encoding" not in dict(fields):
                body = gzip.compress(body, mtime=0)
        if rec_type in ("response", "revisit"):
            headers = StatusAndHeaders(r.choice(["200 OK", "301 Moved", "404 Not Found", "OK", "999"]), fields,
                                       protocol="HTTP/1.1")
        elif rec_type == "request":
            headers = StatusAndHeaders("GET / HTTP/1.1", [("Host", "x.example")], is_http_request=True)
        else:
            headers = None
        fixed = {"WARC-Record-ID": f"<urn:uuid:{r.getrandbits(128):032x}>", "WARC-Date": "2024-01-02T03:04:05Z"}
        record = writer.create_warc_record(url, "response" if rec_type == "revisit" else rec_type,
                                           payload=io.BytesIO(body), http_headers=headers, warc_headers_dict=fixed)
        if rec_type == "revisit":
            record.rec_headers.replace_header("WARC-Type", "revisit")
        if r.random() < 0.1:
            record.rec_headers.remove_header(r.choice(["WARC-Target-URI", "Content-Length", "WARC-Type"]))
        writer.write_record(record)
        if r.random() < 0.05:  # a record header that lies about its length
            out.write(b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://x.example/c\r\n"
                      b"Content-Length: " + r.choice([b"-1", b"abc", b"99999999999", b"0", b"", b"12"]) +
                      b"\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>x</p>\r\n\r\n")
    return (".warc.gz" if gz else ".warc"), out.getvalue()


def gen_bytes(r):
    suffix = r.choice([".txt", ".json", ".jsonl", ".csv", ".html", ".rss", ".xml", ".atom", ".warc", ".ndjson"])
    return suffix, r.randbytes(r.randint(0, 2000)) if r.random() < 0.5 else bytes(
        r.choice(b"{}[]\",:\n\r\t <>/&;=abc\\0\x00\xff") for _ in range(r.randint(0, 2000)))


GENERATORS = {"txt": (gen_txt, 10), "jsonl": (gen_jsonl, 14), "json": (gen_json, 14), "csv": (gen_csv, 14),
              "html": (gen_html, 10), "feed": (gen_feed, 12), "warc": (gen_warc, 14), "bytes": (gen_bytes, 12)}


def damage(r: random.Random, data: bytes) -> bytes:
    for _ in range(r.randint(1, 4)):
        at = r.randint(0, len(data))
        how = r.random()
        if how < 0.25:
            data = data[:at]
        elif how < 0.45 and data:
            at = min(at, len(data) - 1)
            data = data[:at] + bytes([data[at] ^ r.randint(1, 255)]) + data[at + 1:]
        elif how < 0.6:
            data = data[:at] + r.randbytes(r.randint(1, 16)) + data[at:]
        elif how < 0.75:
            data = data[:at] + data[at + r.randint(1, 64):]
        elif how < 0.9:
            piece = data[at:at + r.randint(1, 200)]
            data = data[:at] + piece * r.randint(2, 20) + data[at:]
        else:
            data = data[:at] + r.choice([b"[", b"{", b'"', b"\\", b"\r\n\r\n", b"<div>", b"\x00"]) * r.randint(
                1, 3000) + data[at:]
    return data


def make_input(seed: int, number: int) -> tuple[str, str, bytes, int, bool]:
    """(kind, file name, bytes, max_bytes, read from stdin) for input `number`."""
    r = random.Random(seed * 10 ** 9 + number)
    names, weights = zip(*((k, w) for k, (_, w) in GENERATORS.items()))
    kind = r.choices(names, weights)[0]
    suffix, data = GENERATORS[kind][0](r)
    if r.random() < 0.5:
        data = damage(r, data)
    if r.random() < 0.33 and not suffix.endswith(".gz"):
        suffix += ".gz"
        data = gzip.compress(data, compresslevel=1, mtime=0)
        if r.random() < 0.2:
            data = damage(r, data)
    stdin = kind == "jsonl" and r.random() < 0.1
    return kind, f"input{suffix}", data, r.choice(MAX_BYTES), stdin


# --------------------------------------------------------------------------- running

def check(items: list, tally: Counter | None = None) -> None:
    """The contract; `tally` counts what came out: documents, and skips by kind (reader errors by reason)."""
    from eventwire.ingest import skip_kind
    from eventwire.ingest.skips import KINDS
    from eventwire.records import Document, Skipped

    for item in items:
        if tally is not None:
            kind = "document" if isinstance(item, Document) else skip_kind(getattr(item, "reason", ""))
            tally[item.reason if kind == "reader error" else kind] += 1
        if isinstance(item, Document):
            assert isinstance(item.id, str) and item.id and isinstance(item.text, str) and item.text.strip(), item
            for value in (item.id, item.text, item.title, item.source, item.url):
                (value or "").encode("utf-8")  # no lone surrogates: it can be stored and printed
        elif isinstance(item, Skipped):
            assert item.reason and "\n" not in item.reason and len(item.reason) <= 400, item.reason
            assert skip_kind(item.reason) in KINDS, item.reason
        else:
            raise AssertionError(f"not a Document or Skipped: {item!r}")


class Hang(BaseException):  # not an Exception: the readers' own guards must not swallow it
    pass


def _alarm(signum, frame):
    raise Hang()


def run_one(seed: int, number: int, workdir: Path, tally: Counter) -> tuple[str, str]:
    """(kind, "" or what went wrong)."""
    from eventwire.ingest import read_inputs

    if number % 100 == 99:
        return "folder", _run_folder(seed, number, workdir, tally)
    try:
        kind, name, data, max_bytes, stdin = make_input(seed, number)
    except Exception:  # noqa: BLE001 - the generator's own fault, not the readers'
        return "generator", traceback.format_exc(limit=-3)
    path = workdir / name
    path.write_bytes(data)
    try:
        if stdin:
            old = sys.stdin
            sys.stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
            try:
                items = list(read_inputs(["-"], max_bytes=max_bytes))
            finally:
                sys.stdin = old
        else:
            items = list(read_inputs([str(path)], max_bytes=max_bytes))
        check(items, tally)
        return kind, ""
    except Hang:
        return kind, "hang"
    except BaseException:  # noqa: BLE001 - anything escaping is what we are looking for
        return kind, traceback.format_exc(limit=-6)
    finally:
        path.unlink(missing_ok=True)


def _run_folder(seed: int, number: int, workdir: Path, tally: Counter | None = None) -> str:
    from eventwire.ingest import read_inputs

    r = random.Random(seed * 10 ** 9 + number)
    root = workdir / "folder"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir()
    try:
        for _ in range(r.randint(1, 10)):
            folder = root / r.choice(["", "a", "b", "a/c", "a/c/d", ".hidden"])
            folder.mkdir(parents=True, exist_ok=True)
            name = r.choice(["x", "y", "z", "link"]) + r.choice([".txt", ".jsonl", ".csv.gz", ".md", ""])
            path = folder / name
            if path.exists() or path.is_symlink():
                continue
            if r.random() < 0.5:
                path.write_bytes(make_input(seed, number * 7 + len(name))[2])
            else:
                os.symlink(r.choice(["..", name, str(root), str(root / "a"), "nowhere", "../a", "."]), path)
        check(list(read_inputs([str(root)])), tally)
        return ""
    except Hang:
        return "hang"
    except BaseException:  # noqa: BLE001
        return traceback.format_exc(limit=-6)


def worker(args: tuple[int, int, int, str, float]) -> tuple[Counter, Counter, list[tuple[int, str, str]]]:
    seed, start, stop, out, hang_seconds = args
    signal.signal(signal.SIGALRM, _alarm)
    kinds: Counter = Counter()
    tally: Counter = Counter()
    problems = []
    with tempfile.TemporaryDirectory() as tmp, open(os.devnull, "w") as devnull, \
            contextlib.redirect_stderr(devnull):  # warcio prints warnings about damaged records
        logging.getLogger().setLevel(logging.CRITICAL)  # trafilatura and htmldate log pages they can't use
        unforeseen = _ReaderErrors()  # "reader error" skips, with their tracebacks
        logging.getLogger("eventwire.ingest").addHandler(unforeseen)
        logging.getLogger("eventwire.ingest").setLevel(logging.DEBUG)
        for number in range(start, stop):
            unforeseen.number = number
            signal.setitimer(signal.ITIMER_REAL, hang_seconds)
            try:
                kind, problem = run_one(seed, number, Path(tmp), tally)
            except Hang:
                kind, problem = "?", "hang"
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            kinds[kind] += 1
            if problem:
                problems.append((number, kind, problem))
                if kind not in ("folder", "generator"):
                    _, name, data, _, _ = make_input(seed, number)
                    Path(out, f"{number}-{name}").write_bytes(data)
                Path(out, f"{number}.txt").write_text(problem, encoding="utf-8")
        logging.getLogger("eventwire.ingest").removeHandler(unforeseen)
        for number, text in unforeseen.found:
            Path(out, f"{number}-reader-error.txt").write_text(text, encoding="utf-8")
    return kinds, tally, problems


class _ReaderErrors(logging.Handler):
    """Keeps the traceback of each "reader error" skip with the number of the input that caused it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.number, self.found = -1, []

    def emit(self, record: logging.LogRecord) -> None:
        self.found.append((self.number, logging.Formatter().format(record)))


def fuzz(n: int, seed: int, processes: int, out: str, hang_seconds: float) -> dict:
    os.makedirs(out, exist_ok=True)
    step = 500
    jobs = [(seed, a, min(a + step, n), out, hang_seconds) for a in range(0, n, step)]
    kinds: Counter = Counter()
    tally: Counter = Counter()
    problems = []
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        for done, (k, t, p) in enumerate(pool.imap_unordered(worker, jobs), 1):
            kinds.update(k)
            tally.update(t)
            problems.extend(p)
            if done % 20 == 0:
                print(f"  {sum(kinds.values()):,} inputs, {len(problems)} problems, "
                      f"{time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    seconds = time.perf_counter() - start
    hangs = sum(1 for _, _, p in problems if p == "hang")
    generator = sum(1 for _, k, _ in problems if k == "generator")
    for number, kind, problem in sorted(problems)[:20]:
        print(f"input {number} ({kind}): {problem.strip().splitlines()[-1] if problem != 'hang' else 'hang'}")
    return {"inputs": sum(kinds.values()) - generator, "crashes": len(problems) - hangs - generator, "hangs": hangs,
            "generator_errors": generator,
            "seconds": round(seconds, 1), "per_second": round(sum(kinds.values()) / seconds),
            "processes": processes, "seed": seed, "by_kind": dict(sorted(kinds.items())),
            "outcomes": dict(tally.most_common()),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)}


def replay(seed: int, number: int) -> None:
    from eventwire.ingest import read_inputs

    with tempfile.TemporaryDirectory() as tmp:
        if number % 100 == 99:
            print(_run_folder(seed, number, Path(tmp)) or "no problem")
            return
        kind, name, data, max_bytes, stdin = make_input(seed, number)
        path = Path(tmp, name)
        path.write_bytes(data)
        print(f"input {number}: {kind}, {name}, {len(data)} bytes, max_bytes={max_bytes}, stdin={stdin}")
        if stdin:
            sys.stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
        items = list(read_inputs(["-" if stdin else str(path)], max_bytes=max_bytes))
        for item in items:
            print(" ", repr(item)[:300])
        check(items)


# --------------------------------------------------------------------------- decompression bombs

GB2 = 2_000_000_000
FILL = b"a" * 64  # one letter over and over: gzip's best ratio, about 1000 to 1


def _bomb(path: Path, head: bytes, fill: bytes, size: int, tail: bytes = b"", members: bool = True) -> None:
    """A .gz of head + fill up to `size` bytes + tail. With `members`, one compressed block repeated as
    gzip members (quick to write; gzip readers take them as one stream); else one member, as warcio needs."""
    block = fill * (4_000_000 // len(fill))
    with open(path, "wb") as out:
        if members:
            out.write(gzip.compress(head, 9))
            member = gzip.compress(block, 9)
            for _ in range(size // len(block)):
                out.write(member)
            out.write(gzip.compress(tail, 9))
            return
        z = zlib.compressobj(9, zlib.DEFLATED, 31)
        out.write(z.compress(head))
        for _ in range(size // len(block)):
            out.write(z.compress(block))
        out.write(z.compress(tail) + z.flush())


def _write_fill(write, n: int) -> None:
    """Write exactly n bytes of FILL through `write`, 4 MB at a time."""
    block = FILL * (4_000_000 // len(FILL))
    for _ in range(n // len(block)):
        write(block)
    rest = n % len(block)
    write((FILL * (rest // len(FILL) + 1))[:rest])


def _warc_bomb(path: Path, kind: str) -> None:
    """A .warc.gz: a good page, then one record that expands to 2 GB, then a good page."""
    good = b"<html><body><p>" + b"Kenya and Uganda signed a trade deal on Monday, the minister said. " * 5 + \
           b"</p></body></html>"

    def record(url: bytes, http: bytes, payload_len: int) -> bytes:
        return (b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: " + url +
                b"\r\nWARC-Record-ID: <urn:uuid:1>\r\nWARC-Date: 2024-01-02T00:00:00Z\r\n"
                b"Content-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n" % (
                    len(http) + payload_len) + http)

    def good_member(url: bytes) -> bytes:
        http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
        return gzip.compress(record(url, http, len(good)) + good + b"\r\n\r\n")

    with open(path, "wb") as out:
        out.write(good_member(b"https://x.example/before"))
        z = zlib.compressobj(9, zlib.DEFLATED, 31)
        if kind == "header line":
            out.write(z.compress(b"WARC/1.0\r\nWARC-Type: response\r\nX-Bomb: "))
            tail = b"\r\n"
        else:
            http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
            if kind == "one chunk":
                http += b"Transfer-Encoding: chunked\r\n\r\n%x\r\n" % GB2
                tail = b"\r\n0\r\n\r\n"
            else:
                http += b"\r\n"
                tail = b""
            out.write(z.compress(record(b"https://x.example/bomb", http, GB2 + len(tail))))
        _write_fill(lambda b: out.write(z.compress(b)), GB2)
        out.write(z.compress(tail + b"\r\n\r\n") + z.flush())
        out.write(good_member(b"https://x.example/after"))


def _gzip_payload_warc_bomb(path: Path) -> None:
    """A .warc.gz whose page is sent with Content-Encoding: gzip and inflates to 2 GB."""
    inner = io.BytesIO()
    _bomb_into(inner)
    payload = inner.getvalue()
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\r\n"
    rec = (b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://x.example/bomb\r\n"
           b"WARC-Record-ID: <urn:uuid:2>\r\nWARC-Date: 2024-01-02T00:00:00Z\r\n"
           b"Content-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n" % (
               len(http) + len(payload)) + http + payload + b"\r\n\r\n")
    path.write_bytes(gzip.compress(rec))


def _bomb_into(out: io.BytesIO) -> None:
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    out.write(z.compress(b"<html><body><p>"))
    _write_fill(lambda b: out.write(z.compress(b)), GB2)
    out.write(z.flush())


BOMBS = {
    "txt": ("bomb.txt.gz", lambda p: _bomb(p, b"Title\n", FILL, GB2)),
    "txt of NUL bytes": ("nul.txt.gz", lambda p: _bomb(p, b"", b"\x00" * 64, GB2)),
    "html": ("bomb.html.gz", lambda p: _bomb(p, b"<html><body><p>", FILL, GB2, b"</p></body></html>")),
    "rss": ("bomb.rss.gz", lambda p: _bomb(p, b"<?xml version='1.0'?><rss version='2.0'><channel><item>"
                                              b"<description>", FILL, GB2)),
    "json object": ("object.json.gz", lambda p: _bomb(p, b'{"text": "', FILL, GB2, b'"}')),
    "json list, one huge element": ("list.json.gz", lambda p: _bomb(
        p, b'[{"id": "before", "text": "Kenya and Uganda met."}, {"text": "', FILL, GB2,
        b'"}, {"id": "after", "text": "Kenya and Uganda met."}]')),
    "json of whitespace": ("space.json.gz", lambda p: _bomb(p, b"", b" \n" * 32, GB2, b"[]")),
    "jsonl, one huge line": ("line.jsonl.gz", lambda p: _bomb(
        p, b'{"id": "before", "text": "Kenya and Uganda met."}\n{"text": "', FILL, GB2,
        b'"}\n{"id": "after", "text": "Kenya and Uganda met."}\n')),
    "jsonl of blank lines": ("blank.jsonl.gz", lambda p: _bomb(p, b"", b"\n" * 64, GB2,
                                                               b'{"id": "after", "text": "Kenya and Uganda met."}\n')),
    "csv, one huge row": ("row.csv.gz", lambda p: _bomb(p, b"id,text\nbefore,Kenya and Uganda met.\nbomb,", FILL, GB2,
                                                        b"\nafter,Kenya and Uganda met.\n")),
    "csv of blank rows": ("blank.csv.gz", lambda p: _bomb(p, b"id,text\n", b"\r\n" * 32, GB2,
                                                          b"after,Kenya and Uganda met.\n")),
    "warc, huge page": ("page.warc.gz", lambda p: _warc_bomb(p, "page")),
    "warc, one huge chunk": ("chunk.warc.gz", lambda p: _warc_bomb(p, "one chunk")),
    "warc, endless header line": ("header.warc.gz", lambda p: _warc_bomb(p, "header line")),
    "warc, gzip-encoded page": ("encoded.warc.gz", _gzip_payload_warc_bomb),
}


def one_bomb(path: str, max_bytes: int) -> None:
    """Read one bomb in this (fresh) process; print JSON with peak RSS, time and what came out."""
    from eventwire.ingest import read_inputs

    logging.disable(logging.CRITICAL)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    with open(os.devnull, "w") as devnull, contextlib.redirect_stderr(devnull):
        items = [(type(x).__name__, getattr(x, "reason", None) or x.id) for x in read_inputs([path],
                                                                                               max_bytes=max_bytes)]
    print(json.dumps({"seconds": round(time.perf_counter() - start, 1),
                      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                      "rss_before_mb": round(before / 1024), "items": items[:4], "n_items": len(items)}))


def bombs(workdir: str, max_bytes: int) -> list[dict]:
    os.makedirs(workdir, exist_ok=True)
    results = []
    for label, (name, build) in BOMBS.items():
        path = Path(workdir, name)
        if not path.exists():
            build(path)
        expanded = _expanded_size(path)
        proc = subprocess.run([sys.executable, __file__, "--one-bomb", str(path), "--max-bytes", str(max_bytes)],
                              capture_output=True, text=True, check=False)
        try:
            result = json.loads(proc.stdout.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            result = {"error": (proc.stderr or proc.stdout)[-500:]}
        result.update(bomb=label, gz_mb=round(path.stat().st_size / 1e6, 1), expands_to_gb=round(expanded / 1e9, 2))
        print(json.dumps(result), flush=True)
        results.append(result)
    return results


def _expanded_size(path: Path) -> int:
    size = 0
    with gzip.open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 24), b""):
            size += len(block)
    return size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=100_000, help="how many inputs")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "eventwire-fuzz"),
                        help="where crashing inputs are saved")
    parser.add_argument("--hang-seconds", type=float, default=20.0)
    parser.add_argument("--replay", type=int, help="run input number N again, printing what it gives")
    parser.add_argument("--bombs", action="store_true", help="measure the 2 GB decompression bombs")
    parser.add_argument("--bomb-dir", default=os.path.join(tempfile.gettempdir(), "eventwire-bombs"))
    parser.add_argument("--max-bytes", type=int, default=10_000_000)
    parser.add_argument("--one-bomb", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_bomb:
        one_bomb(args.one_bomb, args.max_bytes)
    elif args.replay is not None:
        replay(args.seed, args.replay)
    elif args.bombs:
        results = bombs(args.bomb_dir, args.max_bytes)
        print(json.dumps({"bombs": len(results), "max_peak_rss_mb": max(r.get("peak_rss_mb", 0) for r in results)}))
    else:
        print(json.dumps(fuzz(args.n, args.seed, args.processes, args.out, args.hang_seconds)))


if __name__ == "__main__":
    main()
