"""Read input files into `Document`s; report every input that can't be read as a `Skipped`.

`read_inputs` never raises on bad input. Supported inputs:

- a directory: read recursively, files in sorted path order. Hidden files and directories are
  ignored, and so are files of unsupported types (a directory with no readable file at all is
  reported). Document ids of files found in a directory are their path relative to it. Links to
  directories are followed, each directory once; a link back into its own tree is reported as a
  symlink loop, and so is a link that never resolves. Pipes and devices are reported, not opened.
- ``.txt``: the first non-blank line is the title, the rest is the text. If the next non-blank
  line after the title is just a date (``2023-05-14``, ``Date: 2023-05-14``, ``May 14, 2023``)
  it is the publication date. A file with a single line is text without a title.
  The document id is the file name, e.g. ``article1.txt``.
- ``.jsonl`` / ``.ndjson``: one JSON object per line with ``text`` and optional ``id``, ``title``,
  ``date``, ``source``, ``url``. Blank lines are ignored. A missing id becomes ``<file>:<line>``.
- ``.json``: one such object or a list of them (id default ``<file>`` or ``<file>:<n>``, n from 1).
  A list is read one element at a time, like JSONL. A ``.json`` file that is really JSONL is read as JSONL.
- ``.csv``: a header row with a ``text`` column (names are matched case-insensitively) and optional
  id/title/date/source/url columns. Rows are numbered like a spreadsheet, the header being row 1;
  a missing id becomes ``<file>:<row>``.
- ``.html`` / ``.htm`` / ``.xhtml``: a web page; its main text with boilerplate removed, title,
  date and site name from its metadata (see web.py). The id is the file name.
- ``.rss`` / ``.atom`` / ``.xml``: an RSS or Atom feed, one document per item (see web.py).
- ``.warc``: a web archive such as Common Crawl's CC-News; one document per HTML page, with the
  page's URL as its id (see web.py).
- ``-``: JSONL on standard input (ids default to ``stdin:<line>``).
- any of the above with a ``.gz`` suffix is decompressed on the fly.

Limits: `max_bytes` (``--max-bytes``) applies to what is read after decompression, while it is read
(streams.py): a .txt, .html, feed or one-object .json over it is skipped without reading the rest (a
.gz: ``gzip expands beyond --max-bytes (10,000,000)``); in JSONL, CSV, a JSON list and WARC it applies
to each line, row (plus 1 MB for other columns), element or page, and reading goes on after an
oversized one. Faults stay with their input: whatever goes wrong reading one file, line, row, item or
record becomes a `Skipped` for it (``not valid JSON: nested too deeply``, or ``reader error
(ValueError: ...)`` for the unforeseen) and the rest is read.

Input must be UTF-8 (a BOM is allowed), except HTML, which is decoded with its declared charset.
`Skipped.origin` and `Document.origin` are the path, plus ``:<line>`` / ``:<row>`` / ``:<item>`` /
``:<record>`` for records inside a multi-document file, so reasons don't repeat the location.

Documents confidently detected as not English are skipped (``not English (detected: fr)``); pass
``english_only=False`` to keep them. Use `ReadStats` to count what was read and why things were
skipped.

Modules: files.py (finding files, the plain formats), web.py (HTML, feeds), warc.py (WARC),
json_stream.py (a JSON list one element at a time), streams.py (reading within --max-bytes),
documents.py (text normalisation, dates, the checks every document passes), skips.py (`ReadStats`,
`skip_kind`).
"""
from eventwire.ingest.documents import Item, normalize_text, parse_date
from eventwire.ingest.files import FORMATS, OPTIONAL_FIELDS, SUPPORTED, read_inputs
from eventwire.ingest.skips import ReadStats, skip_kind

__all__ = [
    "FORMATS", "Item", "OPTIONAL_FIELDS", "ReadStats", "SUPPORTED", "normalize_text", "parse_date",
    "read_inputs", "skip_kind",
]
