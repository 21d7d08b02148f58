"""Counting what was read: `ReadStats`, and `skip_kind` to group skip reasons for the summary."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from eventwire.ingest.documents import Item
from eventwire.records import Skipped


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
        (r"^(document|row|header row) is over the .* limit", "too large"),
        (r"^gzip expands beyond", "too large"),
        (r"^symlink loop", "symlink loop"),
        (r"^not a regular file", "not a regular file"),
        (r"^reader error", "reader error"),
        (r"^coding failed", "coding failed"),
        (r"^over the time budget", "over the time budget"),
        (r"^not valid JSON", "not valid JSON"),
        (r"^not a JSON object", "not a JSON object"),
        (r"^no 'text' field", "no text field"),
        (r"^'text' is not a string", "text is not a string"),
        (r"^no 'text' column", "no text column"),
        (r"^not valid CSV", "not valid CSV"),
        (r"^not English", "not English"),
        (r"^no article text", "no article text"),
        (r"^not an RSS or Atom feed", "not a feed"),
        (r"^no items in feed", "empty feed"),
        (r"^not a valid WARC", "not valid WARC"),
        (r"^no HTML pages in WARC", "no HTML in WARC"),
    ]
]

KINDS = frozenset(kind for _, kind in _SKIP_KINDS)  # every kind a reason from ingest can have
