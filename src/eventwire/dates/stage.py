"""When did an event happen? Resolve the date expressions of an event's sentence against the
publication date (`Document.date`).

The stage (`DateStage`, name "dates") runs after the event coder. For each event it collects the date
expressions of the event's sentence: our own regex scanner (it finds whole expressions that the NER
splits, "February 29, 2020") plus spaCy DATE entities. It prefers an expression attached to the event's
verb (a direct dependent, or through a prepositional phrase or the verb's object: "a meeting later this
month"), then one elsewhere in the verb's subtree, then any other in the sentence; the first that
resolves wins. The tense of the event's clause decides which way an underspecified expression points:
"in March" in a past-tense clause is the latest March up to the publication date, in a future clause the
next one; "on Sunday" likewise.

How an expression becomes a date, and when it is too far from publication to be trusted, is in
`eventwire.dates.expressions`.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Iterable, Optional

from spacy.tokens import Doc, Span, Token

from eventwire.dates.expressions import (
    FUTURE,
    OUT_OF_RANGE,
    PAST,
    PRESENT,
    ResolvedDate,
    _NUM_RE,
    _SCANNER,
    _clean,
    in_range,
    resolve_expression,
)
from eventwire.nlp import entities_in
from eventwire.pipeline import trigger_token
from eventwire.records import Document, Event

# ------------------------------------------------------------------ finding expressions in a sentence


@dataclass
class DateMention:
    span: Span  # tokens of the expression
    text: str
    source: str  # "rule" (our scanner) or "ner"


def _may_is_modal(text: str) -> bool:
    """"May" as a bare month needs a date word next to it: "Theresa May", "May said" are not dates."""
    if not re.search(r"\bMay\b", text) or re.search(r"\d", text):
        return False
    return not re.match(r"(?i)(in|since|until|by|from|during|through|before|after|early|late|mid|last|next|this"
                        r"|end of)\b", text)


_NOT_DATE_ENTITIES = frozenset({"PERSON", "ORG", "MONEY", "QUANTITY", "PERCENT", "WORK_OF_ART", "LAW", "EVENT"})


def find_date_mentions(sent: Span) -> list[DateMention]:
    """Date expressions of a sentence: our scanner's matches, then DATE entities it did not cover."""
    doc = sent.doc
    found: list[DateMention] = []
    taken: set[int] = set()
    for m in _SCANNER.finditer(sent.text):
        start, end = sent.start_char + m.start(), sent.start_char + m.end()
        if _may_is_modal(m.group(0)):  # (not sent.doc.text: that rebuilds the whole document's text)
            continue
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None or any(t.i in taken for t in span):
            continue
        if not any(t.ent_type_ == "DATE" for t in span) and \
                any(t.ent_type_ in _NOT_DATE_ENTITIES and not t.like_num for t in span):
            continue  # "Theresa May" (PERSON), "the Monday Club" (ORG)
        found.append(DateMention(span, m.group(0), "rule"))
        taken.update(t.i for t in span)
    for ent in entities_in(sent):
        if ent.label_ != "DATE" or any(t.i in taken for t in ent):
            continue
        found.append(DateMention(ent, ent.text, "ner"))
        taken.update(t.i for t in ent)
    return found


# ------------------------------------------------------------------ tense and attachment

_FUTURE_GOVERNORS = {"plan", "intend", "expect", "hope", "aim", "want", "schedule", "prepare", "set", "due", "seek",
                     "propose", "vow", "pledge", "promise", "threaten", "agree", "decide", "offer", "wish", "try",
                     "going", "likely", "certain", "sure", "ready", "poised", "slated", "able", "need"}
_FUTURE_AUX = {"will", "shall", "'ll", "wo", "would", "going"}


def clause_tense(verb: Token) -> str:
    """The tense of the clause a verb heads, as far as dates are concerned: "will attend", "is due to attend",
    "plans to attend" are future; "attended", "has attended", "was attended" are past; the rest present."""
    tok = verb
    for _ in range(3):
        auxes = [c for c in tok.children if c.dep_ in ("aux", "auxpass")]
        if any(a.lower_ in _FUTURE_AUX for a in auxes):
            return FUTURE
        if any(a.lower_ == "to" for a in auxes) and tok.dep_ in ("xcomp", "ccomp", "acl", "advcl", "relcl"):
            gov = tok.head
            if gov.lemma_.lower() in _FUTURE_GOVERNORS or gov.lower_ in _FUTURE_GOVERNORS:
                if gov.tag_ in ("VBD", "VBN") and gov.lemma_.lower() in ("decide", "agree", "try", "offer", "seek"):
                    return PAST  # "decided to review": the decision is reported, the act may have followed
                return FUTURE
            tok = gov  # "began to", "continued to": the governor's tense
            continue
        if tok.tag_ == "VBD" or any(a.tag_ == "VBD" or a.lower_ in ("has", "have", "had", "did") for a in auxes):
            return PAST
        if tok.tag_ == "VBN" and tok.dep_ in ("acl", "amod"):  # "the deal signed in 2020"
            return PAST
        if any(a.lower_ in ("is", "are", "am") for a in auxes) and tok.tag_ == "VBG":
            return PRESENT
        if tok.tag_ in ("VBZ", "VBP", "VB"):
            return PRESENT
        break
    return PAST if tok.tag_ in ("VBD", "VBN") else PRESENT


def event_verb(tok: Token) -> Token:
    """The clause verb of a trigger: the trigger itself, or the verb governing a nominal trigger."""
    cur = tok
    for _ in range(4):
        if cur.pos_ in ("VERB", "AUX") or cur.dep_ == "ROOT":
            return cur
        cur = cur.head
    return tok


def _clause_verb_of(tok: Token) -> Optional[Token]:
    """The nearest verb above a token (the clause it belongs to)."""
    cur = tok.head
    seen = 0
    while seen < 40:
        if cur.pos_ in ("VERB", "AUX") and cur.dep_ not in ("aux", "auxpass"):
            return cur
        if cur.head.i == cur.i:
            return cur
        cur = cur.head
        seen += 1
    return None


# A date on a reporting verb dates the report, not the event ("..., officials confirmed on Sunday").
REPORTING_VERBS = frozenset({"say", "tell", "confirm", "announce", "report", "add", "state", "note", "quote",
                             "disclose", "reveal", "write", "tweet", "insist", "explain", "claim"})


def _attachment_rank(mention: DateMention, verb: Token, trigger: Token) -> int:
    """0: attached to the event's verb (or its nominal trigger), 1: inside the verb's subtree, 2: elsewhere,
    3: attached to another clause's reporting verb."""
    root = mention.span.root
    own = _clause_verb_of(root)
    if own in (verb, trigger):
        return 0
    if own is not None and own.lemma_.lower() in REPORTING_VERBS:
        return 3
    cur = root
    for _ in range(40):
        if cur in (verb, trigger):
            return 1
        if cur.head.i == cur.i:
            break
        cur = cur.head
    return 2


_IN_N_UNITS = re.compile(rf"^(?i:in|within) {_NUM_RE} (?i:days?|weeks?|months?|years?)\b")
_SUPERLATIVE_WINDOW = 8  # tokens before "in N years" where "the first ..." / "the worst ..." may stand


def _is_duration(mention: DateMention) -> bool:
    """"the worst violence in 20 years", "will hold the first talks in eight months": an "in N units" phrase on
    a noun, or after a superlative or "first"/"last", measures a stretch of time; only on a verb ("will return
    in three days") does it point ahead."""
    if not _IN_N_UNITS.match(_clean(mention.text)):
        return False
    prep = mention.span[0]
    if prep.head.pos_ not in ("VERB", "AUX") or prep.head.i == prep.i:
        return True
    sent_start = prep.sent.start
    before = prep.doc[max(sent_start, prep.i - _SUPERLATIVE_WINDOW): prep.i]
    return any(t.tag_ in ("JJS", "RBS") or t.lower_ in ("first", "last", "only") for t in before)



def _names_a_thing(mention: DateMention) -> bool:
    """"the 2003 ceasefire agreement", "the February 29, 2020 deal": a date in front of a noun names the
    thing; it does not date the event."""
    root = mention.span.root
    head = root.head
    return (root.dep_ in ("compound", "nummod", "amod", "nmod", "npadvmod", "poss") and head.i > mention.span.end - 1
            and head.pos_ in ("NOUN", "PROPN") and head.i != root.i)


# ------------------------------------------------------------------ the stage


class DateStage:
    """Give each event the date of its sentence's date expression, resolved against the publication date."""

    name = "dates"

    def __call__(self, parsed: Doc, document: Document, events: list[Event]) -> None:
        pub = document.date
        if pub is None or not events:
            return
        if isinstance(pub, dt.datetime):
            pub = pub.date()
        mentions_by_sentence: dict[int, list[DateMention]] = {}
        for event in events:
            tok = trigger_token(parsed, event)
            if tok is None:
                continue
            sent = tok.sent
            if sent.start not in mentions_by_sentence:
                mentions_by_sentence[sent.start] = find_date_mentions(sent)
            mentions = mentions_by_sentence[sent.start]
            resolved, rejected = self._date_for(tok, mentions, pub) if mentions else (None, None)
            if resolved is not None:
                event.date, event.date_precision, event.date_source = resolved.date, resolved.precision, "text"
                event.extra["date_rule"] = resolved.rule
            elif rejected is not None:
                event.date, event.date_precision, event.date_source = pub, "day", OUT_OF_RANGE
                event.extra["date_rule"] = f"out of range: {rejected.rule} -> {rejected.date.isoformat()}"
            elif event.date is None:
                event.date, event.date_precision, event.date_source = pub, "day", "publication"

    @classmethod
    def date_for(cls, trigger: Token, mentions: Iterable[DateMention], pub: dt.date) -> Optional[ResolvedDate]:
        """The date of the event whose trigger is ``trigger``: the best-attached mention that resolves, if its
        date is in range of the publication date (`in_range`)."""
        return cls._date_for(trigger, mentions, pub)[0]

    @staticmethod
    def _date_for(trigger: Token, mentions: Iterable[DateMention], pub: dt.date
                  ) -> tuple[Optional[ResolvedDate], Optional[ResolvedDate]]:
        """(the date, None), or (None, the date that was out of range), or (None, None)."""
        verb = event_verb(trigger)
        tense = clause_tense(verb)
        ranked = sorted((m for m in mentions if not _names_a_thing(m) and not _is_duration(m)),
                        key=lambda m: (_attachment_rank(m, verb, trigger), abs(m.span.root.i - verb.i)))
        for mention in ranked:
            mention_tense = tense
            # a date inside a subordinate clause takes that clause's tense ("talks that began in September")
            own = _clause_verb_of(mention.span.root)
            if own is not None and own not in (verb, trigger):
                mention_tense = clause_tense(own)
            got = resolve_expression(mention.text, pub, mention_tense)
            if got is None:
                continue
            got = ResolvedDate(got.date, got.precision, f"{got.rule} '{_clean(mention.text)}'")
            return (got, None) if in_range(got, mention.text, pub) else (None, got)
        return None, None

    def resolve_sentence(self, sent: Span, pub: dt.date, verb: Optional[Token] = None) -> Optional[ResolvedDate]:
        """The date of the sentence's main event (its root verb unless ``verb`` is given); for tests and tools."""
        mentions = find_date_mentions(sent)
        return self.date_for(verb or sent.root, mentions, pub) if mentions else None
