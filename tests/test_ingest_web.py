"""ingest of web formats: HTML pages, RSS/Atom feeds and WARC archives (fixtures in tests/data/ingest/)."""
from __future__ import annotations

import datetime as dt
import gzip
import io
import shutil
from pathlib import Path

import pytest

from eventwire.ingest import ReadStats, read_inputs, skip_kind
from eventwire.ingest import web
from eventwire.records import Document, Skipped

DATA = Path(__file__).resolve().parent / "data" / "ingest"

# Written for these tests.
PARAGRAPHS = [
    "Bolivia and Paraguay agreed on Friday to build a new road across the Chaco, the two foreign ministries said.",
    "The presidents of both countries met in Asuncion and praised the engineers who surveyed the route.",
    "Farmers in the region welcomed the plan but warned that floods could delay the work until next year.",
]
FRENCH = ("Le gouvernement bolivien et le gouvernement paraguayen ont signé vendredi un accord pour construire une "
          "nouvelle route à travers le Chaco, ont annoncé les deux ministères des Affaires étrangères.")


def read(*paths, **kw) -> list:
    return list(read_inputs([str(p) for p in paths], **kw))


def docs(items) -> list[Document]:
    return [x for x in items if isinstance(x, Document)]


def skips(items) -> list[Skipped]:
    return [x for x in items if isinstance(x, Skipped)]


def page(title="Bolivia and Paraguay agree to build Chaco road", paragraphs=PARAGRAPHS, head="") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html><head><title>{title}</title>{head}</head><body>"
            "<nav><a href='/'>Home</a> <a href='/world'>World</a> <a href='/sport'>Sport</a></nav>"
            f"<article><h1>{title}</h1>{body}</article>"
            "<footer>Copyright 2019 Chaco Daily. All rights reserved.</footer></body></html>")


# --------------------------------------------------------------------------- HTML

def test_html_main_text_title_date_and_site_from_metadata():
    [doc] = read(DATA / "article.html")
    assert doc.id == "article.html" and doc.origin == str(DATA / "article.html")
    assert doc.title == "Kenya and Tanzania sign border trade pact"
    assert doc.date == dt.date(2023, 6, 14)
    assert doc.source == "Lakeside Herald"
    assert doc.url == "https://herald.example/world/2023/kenya-tanzania-pact"
    assert doc.text.startswith("Kenya and Tanzania signed an agreement on Tuesday")
    assert "East African Community praised" in doc.text
    for boilerplate in ("cookies", "Most read", "Copyright", "Privacy", "Sport", "sign border trade pact"):
        assert boilerplate not in doc.text, boilerplate  # nor the title again


def test_html_in_a_declared_charset():
    [doc] = read(DATA / "cp1252.html")
    assert "Chile\u2019s foreign minister" in doc.text and "caf\u00e9" in doc.text
    assert doc.date == dt.date(2022, 11, 3)  # <meta name="pubdate">


def test_html_gz_and_directories(tmp_path):
    (tmp_path / "site" / "world").mkdir(parents=True)
    (tmp_path / "site" / "world" / "a.html.gz").write_bytes(gzip.compress((DATA / "article.html").read_bytes()))
    (tmp_path / "site" / "b.htm").write_text(page(), encoding="utf-8")
    (tmp_path / "site" / "notes.md").write_text("ignored", encoding="utf-8")
    items = read(tmp_path / "site")
    assert [x.id for x in items] == ["b.htm", "world/a.html.gz"]
    assert items[1].title == "Kenya and Tanzania sign border trade pact"


def test_html_page_without_a_date_has_none_not_a_guess(tmp_path):
    """"Copyright 2019" in the footer is not a publication date."""
    p = tmp_path / "p.html"
    p.write_text(page(), encoding="utf-8")
    [doc] = read(p)
    assert doc.date is None and doc.text.startswith("Bolivia and Paraguay agreed")


def test_meta_published_time_fallback():
    html = page(head='<meta property="article:published_time" content="2031-02-03T04:05:06Z">')
    assert web._meta_date(html) == dt.date(2031, 2, 3)
    doc = web.html_document(html.encode(), id="p", origin="p", max_bytes=10**6)
    assert doc.date == dt.date(2031, 2, 3)  # in the future, so htmldate refuses it; the tag is still read
    assert web._meta_date("<html><body>no date</body></html>") is None


def test_html_without_article_text_is_skipped_quietly(tmp_path, capfd):
    p = tmp_path / "nav.html"
    p.write_text("<html><head><title>Index</title></head><body><script>var menu = [];</script></body></html>",
                 encoding="utf-8")
    [s] = read(p)
    assert s == Skipped(str(p), "no article text found in the HTML page", "nav.html")
    assert skip_kind(s.reason) == "no article text"
    assert capfd.readouterr().err == ""  # trafilatura's own log line about it is not printed


def test_html_too_large_and_binary(tmp_path):
    big = tmp_path / "big.html"
    big.write_text(page(paragraphs=PARAGRAPHS * 20), encoding="utf-8")
    [s] = read(big, max_bytes=1000)
    assert skip_kind(s.reason) == "too large"
    junk = tmp_path / "junk.html"
    junk.write_bytes(b"\x00\x01\x02<html>")
    [s] = read(junk)
    assert skip_kind(s.reason) == "binary content"


def test_non_english_page_is_skipped(tmp_path):
    p = tmp_path / "fr.html"
    p.write_text(page(title="Accord sur la route du Chaco", paragraphs=[FRENCH, FRENCH]), encoding="utf-8")
    [s] = read(p)
    assert s == Skipped(str(p), "not English (detected: fr)", "fr.html")


# --------------------------------------------------------------------------- RSS / Atom

def test_rss_items_become_documents():
    path = DATA / "feed.rss"
    items = read(path)
    first, second, french, empty = items
    assert first.id == first.url == "https://harbour.example/world/egypt-sudan-talks"
    assert first.origin == f"{path}:1"
    assert first.title == "Egypt hosts Sudan truce talks" and first.source == "Harbour Times: World"
    assert first.date == dt.date(2023, 3, 7)  # the date the feed states, not shifted to UTC
    # content:encoded is preferred over the short description; paragraphs and <br> kept, <script> dropped
    assert first.text == ("Egypt hosted talks between the Sudanese army and the Rapid Support Forces in Cairo on "
                          "Tuesday, the Egyptian foreign ministry said.\n\nThe United Nations welcomed the meeting "
                          "and urged both sides to agree to a ceasefire.\nAid groups said more than a million "
                          "people had fled the fighting.")
    # a guid that is not a URI ("4711") is not a global id: the link is used
    assert second.id == "https://harbour.example/world/ghana-togo-patrols"
    assert second.title == "Ghana & Togo agree to patrol border jointly"
    assert second.text.startswith("Ghana and Togo agreed") and "<p>" not in second.text
    assert french == Skipped(f"{path}:3", "not English (detected: fr)", "feed.rss:3")
    assert empty == Skipped(f"{path}:4", "empty text", "feed.rss:4")


def test_atom_entries():
    first, second = read(DATA / "feed.atom")
    assert first.id == "tag:wire.example,2023:entry-17"
    assert first.url == "https://wire.example/nepal-india-rail"
    assert first.title == "Nepal and India reopen rail link"  # HTML title as text
    assert first.date == dt.date(2023, 4, 1)  # published before updated
    assert first.text.startswith("Nepal and India reopened the Jaynagar rail link")  # content over summary
    assert first.source == "Mountain Wire"
    assert second.url is None and second.date == dt.date(2023, 4, 2)
    assert second.text == "Bhutan agreed to join a regional power grid with Bangladesh and India, officials said on Sunday."


def test_feed_gz_and_ids_without_guid_or_link(tmp_path):
    rss = ("<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>"
           "<item><title>One</title><guid isPermaLink='false'>17</guid><description>Text one.</description></item>"
           "<item><title>Two</title><description>Text two.</description></item>"
           "</channel></rss>")
    p = tmp_path / "news.xml.gz"
    p.write_bytes(gzip.compress(rss.encode()))
    assert [(d.id, d.title, d.text) for d in read(p)] == [
        ("news.xml.gz:1", "One", "Text one."), ("news.xml.gz:2", "Two", "Text two.")]


@pytest.mark.parametrize("content, kind", [
    ("<?xml version='1.0'?><rss version='2.0'><channel><title>T</title></channel></rss>", "empty feed"),
    ("<?xml version='1.0'?><urlset><url><loc>https://x.example/</loc></url></urlset>", "not a feed"),
    ("this is not xml at all", "not a feed"),
    ("", "empty file"),
])
def test_bad_feeds(tmp_path, content, kind):
    p = tmp_path / "f.rss"
    p.write_text(content, encoding="utf-8")
    [s] = read(p)
    assert s.origin == str(p) and skip_kind(s.reason) == kind, s.reason


# --------------------------------------------------------------------------- WARC

def write_warc(path: Path, records: list[tuple], *, gz: bool = True, extra_headers=()) -> None:
    """records: (url, status, content type, body bytes, WARC-Date); each response follows its request."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=gz)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "eventwire tests"}))
        for url, status, content_type, body, date in records:
            request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "x.example")], is_http_request=True)
            writer.write_record(writer.create_warc_record(url, "request", http_headers=request))
            headers = StatusAndHeaders(status, [("Content-Type", content_type), *extra_headers], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=headers,
                warc_headers_dict={"WARC-Date": date}))


CRAWL = [
    ("https://chaco.example/road", "200 OK", "text/html; charset=utf-8", page().encode(), "2024-01-02T03:04:05Z"),
    ("https://chaco.example/logo.png", "200 OK", "image/png", b"\x89PNG\r\n\x1a\n", "2024-01-02T03:04:06Z"),
    ("https://chaco.example/old", "301 Moved Permanently", "text/html", b"", "2024-01-02T03:04:07Z"),
    ("https://chaco.example/gone", "404 Not Found", "text/html", page().encode(), "2024-01-02T03:04:08Z"),
    ("https://herald.example/pact", "200 OK", "text/html", (DATA / "article.html").read_bytes(), "2024-01-02T03:04:09Z"),
    ("https://cl.example/pesca", "200 OK", "text/html; charset=windows-1252", (DATA / "cp1252.html").read_bytes(),
     "2024-01-02T03:04:10Z"),
    ("https://chaco.example/fr", "200 OK", "text/html",
     page(title="Accord", paragraphs=[FRENCH, FRENCH]).encode(), "2024-01-02T03:04:11Z"),
]


@pytest.mark.parametrize("gz", [True, False])
def test_warc_html_responses_become_documents(tmp_path, gz):
    path = tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")
    write_warc(path, CRAWL, gz=gz)
    stats = ReadStats()
    items = list(stats.track(read_inputs([path])))
    road, pact, pesca, french = items
    assert road.id == road.url == "https://chaco.example/road"
    assert road.origin == f"{path}:3"  # record 1 is warcinfo, 2 the request
    assert road.date == dt.date(2024, 1, 2)  # the page states none: the crawl date
    assert road.source == "chaco.example" and road.title == "Bolivia and Paraguay agree to build Chaco road"
    assert road.text.startswith("Bolivia and Paraguay agreed") and "Copyright" not in road.text
    assert pact.date == dt.date(2023, 6, 14)  # the page's own date wins over the crawl date
    assert pact.url == "https://herald.example/pact" and pact.source == "Lakeside Herald"
    assert "caf\u00e9" in pesca.text  # charset from the HTTP header
    assert french == Skipped(f"{path}:15", "not English (detected: fr)", "https://chaco.example/fr")
    assert stats.summary() == "read 3 documents, skipped 1 (not English: 1)"  # image, redirect, 404 aren't pages


def test_warc_transfer_and_content_encodings_are_undone(tmp_path):
    """Crawlers store the bytes as sent: chunked and gzip-encoded payloads must be decoded."""
    body = gzip.compress(page().encode())
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in (body[:100], body[100:])) + b"0\r\n\r\n"
    path = tmp_path / "enc.warc.gz"
    write_warc(path, [("https://x.example/a", "200 OK", "text/html", chunked, "2024-01-02T00:00:00Z")],
               extra_headers=[("Transfer-Encoding", "chunked"), ("Content-Encoding", "gzip")])
    [doc] = read(path)
    assert doc.text.startswith("Bolivia and Paraguay agreed")


def test_warc_record_too_large(tmp_path):
    path = tmp_path / "c.warc.gz"
    write_warc(path, CRAWL[:1])
    [s] = read(path, max_bytes=500)
    assert s.origin == f"{path}:3" and s.doc_id == "https://chaco.example/road" and skip_kind(s.reason) == "too large"


def test_warc_without_pages_and_not_a_warc(tmp_path):
    no_pages = tmp_path / "img.warc.gz"
    write_warc(no_pages, CRAWL[1:3])
    [s] = read(no_pages)
    assert s == Skipped(str(no_pages), "no HTML pages in WARC file (5 records)")
    assert skip_kind(s.reason) == "no HTML in WARC"
    bogus = tmp_path / "bogus.warc"
    bogus.write_text("hello, I am not a web archive\n", encoding="utf-8")
    [s] = read(bogus)
    assert s.origin == str(bogus) and skip_kind(s.reason) == "not valid WARC", s.reason
    empty = tmp_path / "empty.warc"
    empty.write_bytes(b"")
    assert [skip_kind(s.reason) for s in read(empty)] == ["empty file"]


@pytest.mark.parametrize("gz", [True, False])
def test_truncated_warc_keeps_the_pages_before_the_damage(tmp_path, gz):
    whole = tmp_path / "whole.warc"
    write_warc(whole, CRAWL, gz=gz)
    cut = tmp_path / ("cut.warc.gz" if gz else "cut.warc")
    data = whole.read_bytes()
    cut.write_bytes(data[: len(data) - 300])  # inside the last response
    items = read(cut)
    assert [d.id for d in docs(items)] == [
        "https://chaco.example/road", "https://herald.example/pact", "https://cl.example/pesca"]
    assert skip_kind(items[-1].reason) == "not valid WARC" and "cut short" in items[-1].reason


def test_mixed_directory_reads_every_format(tmp_path):
    root = tmp_path / "corpus"
    (root / "feeds").mkdir(parents=True)
    shutil.copy(DATA / "feed.atom", root / "feeds" / "wire.atom")
    shutil.copy(DATA / "article.html", root / "page.html")
    write_warc(root / "crawl.warc.gz", CRAWL[:1])
    (root / "a.txt").write_text("A title\n2023-01-02\n\n" + PARAGRAPHS[0], encoding="utf-8")
    stats = ReadStats()
    ids = [d.id for d in stats.track(read_inputs([root]))]
    assert ids == ["a.txt", "https://chaco.example/road", "tag:wire.example,2023:entry-17",
                   "tag:wire.example,2023:entry-18", "page.html"]
    assert stats.total_skipped == 0
