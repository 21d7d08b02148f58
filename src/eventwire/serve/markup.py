"""Mark up a document's text with the source, target and trigger spans of its events.

Event spans are offsets into their sentence; `sentences.start_char` is the sentence's offset into the
coded text (`title + "\\n\\n" + text`, see `Document.full_text`). Spans of different events overlap
(one actor is the source of several events), so the text is cut at every span boundary and each piece
carries the set of roles and events that cover it.
"""
from __future__ import annotations

from typing import Any, Optional

from markupsafe import Markup, escape

ROLES = ("source", "target", "trigger")


def full_text(title: Optional[str], text: Optional[str]) -> str:
    """The text that was coded (Document.full_text): the title as its own paragraph, then the body."""
    return f"{title}\n\n{text or ''}" if title else (text or "")


def sentence_offsets(text: str, sentences: list[dict[str, Any]]) -> dict[int, int]:
    """sentence_index -> offset into `text`. Trusts start_char when the text there matches, else looks
    for the sentence (a store written by an older coder); sentences that cannot be found are left out."""
    offsets: dict[int, int] = {}
    for s in sentences:
        start, body = s["start_char"], s["text"] or ""
        if start is not None and text[start:start + len(body)] == body:
            offsets[s["sentence_index"]] = start
            continue
        found = text.find(body) if body else -1
        if found >= 0:
            offsets[s["sentence_index"]] = found
    return offsets


def document_spans(text: str, offsets: dict[int, int], events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every event span as {start, end, role, event_id} in document offsets (valid ranges only)."""
    spans = []
    for ev in events:
        base = offsets.get(ev["sentence_index"])
        if base is None:
            continue
        sentence_len = len(ev.get("sentence") or "")
        for role in ROLES:
            span = ev["evidence"].get(f"{role}_span")
            if not span:
                continue
            start, end = span
            if start is None or end is None or not (0 <= start < end <= max(sentence_len, end)):
                continue
            if base + end > len(text):
                continue
            spans.append({"start": base + start, "end": base + end, "role": role, "event_id": ev["event_id"]})
    spans.sort(key=lambda s: (s["start"], s["end"], ROLES.index(s["role"]), s["event_id"]))
    return spans


def highlight(text: str, spans: list[dict[str, Any]], sentence_starts: Optional[dict[int, int]] = None,
              sentences: Optional[list[dict[str, Any]]] = None) -> Markup:
    """`text` as HTML: each covered piece in <mark class="ev-source ev-trigger ..." data-events="id ...">.
    With `sentences`, each sentence is wrapped in <span class="sent" id="s{index}">."""
    cuts = {0, len(text)}
    for s in spans:
        cuts.update((s["start"], s["end"]))
    sentence_ranges: list[tuple[int, int, int]] = []
    if sentences and sentence_starts:
        for s in sentences:
            start = sentence_starts.get(s["sentence_index"])
            if start is None:
                continue
            end = min(start + len(s["text"] or ""), len(text))
            sentence_ranges.append((start, end, s["sentence_index"]))
            cuts.update((start, end))
    bounds = sorted(c for c in cuts if 0 <= c <= len(text))
    starts_at = {start: index for start, _, index in sentence_ranges}
    ends_at = {end for _, end, _ in sentence_ranges}
    out: list[str] = []
    open_sentence = False
    for a, b in zip(bounds, bounds[1:]):
        if open_sentence and a in ends_at:
            out.append("</span>")
            open_sentence = False
        if a in starts_at and not open_sentence:
            out.append(f'<span class="sent" id="s{starts_at[a]}">')
            open_sentence = True
        covering = [s for s in spans if s["start"] <= a and b <= s["end"]]
        piece = escape(text[a:b])
        if covering:
            roles = sorted({s["role"] for s in covering}, key=ROLES.index)
            events = sorted({s["event_id"] for s in covering})
            classes = " ".join(f"ev-{r}" for r in roles) + " " + " ".join(f"e-{e}" for e in events)
            label = ", ".join(roles)
            out.append(f'<mark class="{escape(classes)}" data-events="{escape(" ".join(events))}" '
                       f'title="{escape(label)}">{piece}</mark>')
        else:
            out.append(str(piece))
    if open_sentence:
        out.append("</span>")
    return Markup("".join(out))


def sentence_highlight(sentence: str, evidence: dict[str, Any], event_id: str = "") -> Markup:
    """One evidence sentence with its event's spans marked (for event pages and lists)."""
    spans = []
    for role in ROLES:
        span = evidence.get(f"{role}_span")
        if span and span[0] is not None and span[1] is not None and 0 <= span[0] < span[1] <= len(sentence):
            spans.append({"start": span[0], "end": span[1], "role": role, "event_id": event_id or "x"})
    return highlight(sentence, spans)
