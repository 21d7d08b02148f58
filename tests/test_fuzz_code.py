"""Fuzzing `eventwire.code` and the date rules with Hypothesis: whatever text and publication date they are
given, they end in events (or a date, or no date) or in `eventwire.CodingError`, never in another exception.

Small by default (a few dozen examples per test, so the suite stays quick); EVENTWIRE_FUZZ_EXAMPLES=500 runs
more. Text is drawn from arbitrary Unicode and from news-like fragments (actors, verbs, date expressions,
line breaks, quotes) so that the coder's deeper paths get exercised, not just the tokenizer.
"""
from __future__ import annotations

import datetime as dt
import os

import pytest

hypothesis = pytest.importorskip("hypothesis", reason="hypothesis is not installed (pip install hypothesis)")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import eventwire  # noqa: E402
from eventwire.dates import OUT_OF_RANGE, PRECISIONS, DateStage, resolve_expression  # noqa: E402

EXAMPLES = int(os.environ.get("EVENTWIRE_FUZZ_EXAMPLES", "25"))
# database=None: nothing is written to .hypothesis/ in the repository
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)

FRAGMENTS = [
    "Russia", "accused", "Ukraine", "of shelling the plant", "Pakistan's army", "attacked", "the group", "he", "it",
    "they", "said", "will meet", "did not attend", "Theresa May", "May", "in Kabul", "near Idlib", "Paris, Texas",
    "on Sunday", "last week", "next month", "in 2019", "in March", "yesterday", "eight decades earlier",
    "22 years ago", "in 20 years", "by 2030", "February 29, 2020", "the 1990s", "mid-2019", "5/6/07", ".", ",",
    ";", "\n", "\n\n", '"', "“", "”", "(", ")", "—", "-", "'s", "…", "!", "?", "\t", "\u00a0", "\u200b", "\u202e",
    "😀", "Ð", "ⅷ", "١٢", "ALL CAPS HEADLINE", "U.S.", "Mr.", "the UN Security Council", "Nato troops", "Hamas",
]
news_text = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=40).map(" ".join)
any_text = st.one_of(news_text, st.text(max_size=200),
                     st.text(st.characters(exclude_categories=[]), max_size=30))  # lone surrogates too
dates = st.one_of(st.none(), st.dates(), st.datetimes(), st.sampled_from([dt.date.min, dt.date.max]),
                  st.dates().map(dt.date.isoformat), st.text(max_size=12))


@FUZZ
@given(text=any_text, date=dates, title=st.one_of(st.none(), news_text))
def test_code_ends_in_events_or_coding_error(text, date, title):
    try:
        events = eventwire.code(text, date, title=title, min_confidence=0)
    except eventwire.CodingError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert isinstance(events, list) and all(isinstance(e, eventwire.Event) for e in events)
    for event in events:
        event.to_json()  # every event serialises
        assert (event.date is None) == (date is None) or isinstance(date, str)


@FUZZ
@given(text=st.one_of(st.text(max_size=50), st.integers(), st.binary(max_size=20), st.none(), st.floats()),
       date=st.one_of(st.integers(), st.floats(), st.binary(max_size=8), st.lists(st.integers(), max_size=2)))
def test_code_refuses_what_is_not_text_or_a_date_with_coding_error(text, date):
    with pytest.raises(eventwire.CodingError):
        eventwire.code(text, date)


@settings(max_examples=EXAMPLES * 8, deadline=None, database=None)
@given(text=any_text, pub=st.dates(), tense=st.sampled_from(["past", "present", "future"]))
def test_resolve_expression_never_raises(text, pub, tense):
    got = resolve_expression(text, pub, tense)
    assert got is None or (isinstance(got.date, dt.date) and got.precision in PRECISIONS)


@pytest.fixture(scope="module")
def nlp():
    from eventwire.pipeline import build_nlp

    return build_nlp()


@FUZZ
@given(text=news_text, pub=st.one_of(st.dates(), st.sampled_from([dt.date.min, dt.date.max])))
def test_date_stage_gives_every_event_a_date_in_range(nlp, text, pub):
    from eventwire.records import Actor, Document, Event

    doc = nlp(text)
    events = []
    for sent in doc.sents:
        root = sent.root
        events.append(Event(doc_id="f", sentence_index=0, sentence=sent.text, source=Actor("X", "XXX"), target=None,
                            cameo="040", trigger=root.text, rule="fuzz", sentence_start=sent.start_char,
                            trigger_span=(root.idx - sent.start_char, root.idx - sent.start_char + len(root))))
    DateStage()(doc, Document(id="f", text=text, date=pub), events)
    for event in events:
        assert event.date is not None and event.date_precision in PRECISIONS
        assert event.date_source in ("text", "publication", OUT_OF_RANGE)
        if event.date_source == "text" and pub < dt.date.max - dt.timedelta(days=366):
            assert event.date <= pub + dt.timedelta(days=366)
