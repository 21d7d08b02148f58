"""The cost of coding a document grows linearly with its length.

Coding used to scan the whole document once per mention or per event (the document's text rebuilt for every
"May", every earlier mention of an actor for every pronoun, every place cue for every ambiguous place), so a
long document took time in proportion to the square of its length. Here the work is *counted*, not timed:
function calls (Python and spaCy's profiled Cython) and lines executed in eventwire's own code, which are the
same from run to run. Four times the text must cost about four times the work. Timings are in bench/scaling.py
and docs/benchmarks.md.

The indexes that replaced the scans are checked against the scans they replaced.
"""
from __future__ import annotations

import datetime as dt
import os
import sys

import pytest

import eventwire
from eventwire.pipeline import Pipeline
from eventwire.records import Document

EVENTWIRE_DIR = os.path.dirname(eventwire.__file__)
# Five sentences with people, pronouns, descriptions ("the group"), places, dates and "May" (month and name).
STORY = ("Russian troops attacked a convoy near Kharkiv on Monday, Ukraine's defence ministry said. "
         "President Volodymyr Zelensky met the French foreign minister in Kyiv last week. He accused Moscow of war "
         "crimes. Pakistan's army said it had arrested 12 militants in Peshawar in May. The group denied the claim. "
         "Theresa May criticised Iran, and the Chinese government condemned the attack on Tuesday. "
         "They said the talks would resume in Geneva next month.\n\n")
# A sentence that never ends: filler with a trigger now and then.
RUN_ON = ("and the committee discussed the budget the weather and the schedule for the coming season while members "
          "of the public waited outside the hall for news of the vote which was expected later "
          "and Nigeria accused Niger of closing the border ")
LINEAR = 4.3  # allowed work ratio for 4x the text (quadratic scans gave 4.6-5.1 and 15 on these texts)


@pytest.fixture(scope="module")
def pipeline():
    return Pipeline(min_confidence=0, time_budget_s=None).prepare(warm_up=True)


def work(pipeline: Pipeline, text: str) -> tuple[int, int, int]:
    """(function calls, lines run in eventwire's code, events) for coding ``text`` as one document."""
    calls, lines = [0], [0]

    def count_calls(frame, event, arg):
        if event == "call":
            calls[0] += 1

    def count_lines(frame, event, arg):
        if event == "line":
            lines[0] += 1
        return count_lines

    def trace(frame, event, arg):
        return count_lines if frame.f_code.co_filename.startswith(EVENTWIRE_DIR) else None

    document = Document(id="cost", text=text, date=dt.date(2024, 3, 10))
    old_profile, old_trace = sys.getprofile(), sys.gettrace()
    sys.setprofile(count_calls)
    sys.settrace(trace)
    try:
        [coded] = pipeline.code_batch([document])
    finally:
        sys.settrace(old_trace)
        sys.setprofile(old_profile)
    assert coded.skipped is None
    return calls[0], lines[0], len(coded.events)


def test_work_grows_linearly_with_the_number_of_stories(pipeline):
    work(pipeline, STORY * 8)  # fill the caches (dates, dictionary lookups) first
    small, large = work(pipeline, STORY * 8), work(pipeline, STORY * 32)
    assert large[2] == 4 * small[2] > 0
    assert large[0] / small[0] <= LINEAR, f"calls: {small[0]} -> {large[0]}"
    assert large[1] / small[1] <= LINEAR, f"lines: {small[1]} -> {large[1]}"


def test_work_grows_linearly_with_a_sentence_that_never_ends(pipeline):
    """Regression: 200,000 tokens with no full stop were one sentence and never finished. Over-long sentences
    are cut into pieces (Pipeline.max_sentence_tokens)."""
    work(pipeline, RUN_ON * 5)
    small, large = work(pipeline, RUN_ON * 20), work(pipeline, RUN_ON * 80)
    assert small[2] > 0 and large[2] > 3 * small[2]
    assert large[0] / small[0] <= LINEAR + 0.7, f"calls: {small[0]} -> {large[0]}"  # pieces are cut at varying places
    assert large[1] / small[1] <= LINEAR + 0.7, f"lines: {small[1]} -> {large[1]}"


# ---------------------------------------------------------------- the indexes answer as the scans did


def _document_actors(pipeline, text):
    """Code ``text`` and return its parsed Doc and the DocumentActors its events filled."""
    from eventwire.events.extractor import DocumentContext

    parsed = pipeline.nlp(text)
    context = DocumentContext(date=dt.date(2024, 3, 10))
    for index, sent in enumerate(parsed.sents):
        pipeline.extractor.extract_sentence(sent, "d", index, context)
    return parsed, context.actors


def test_coreference_indexes_answer_as_the_mention_scans(pipeline):
    from eventwire.actors.coref import _WINDOW

    parsed, actors = _document_actors(pipeline, STORY * 3)
    mentions = actors.mentions
    assert len(mentions) > 20
    for tok in parsed:
        here = actors._sentence_index(tok)
        for window in (_WINDOW, len(actors._starts)):
            expected = [m for m in mentions
                        if here - window <= m.sent_index < here or (m.sent_index == here and 0 <= m.end_i <= tok.i)]
            assert actors._before(tok, here, window=window) == expected
            people = [m for m in expected if m.person]
            assert [m for m in actors._before(tok, here, window=window, people_only=True) if m.person] == people
    for m in mentions:
        assert actors._group_members(m) == [x for x in mentions if x.group == m.group and x.known]
    for m in mentions:
        if m.head_i >= 0:
            latest = [x.group for x in mentions if x.sent_index == m.sent_index and x.head_i == m.head_i][-1]
            assert actors._group_at[(m.sent_index, m.head_i)] == latest
    assert actors.countries == {m.actor.country for m in mentions if m.actor.country}


def test_person_entities_of_a_phrase_are_those_of_its_sentence(pipeline):
    from eventwire.actors.resolver import _persons_in
    from eventwire.nlp import entities_in

    parsed = pipeline.nlp(STORY + "Prime Minister Imran Khan and Foreign Minister Shah Mahmood Qureshi met "
                                  "Ashraf Ghani, the Afghan president, in Kabul.")
    checked = 0
    for sent in parsed.sents:
        persons = {t.i: (e.start, e.end) for e in entities_in(sent) if e.label_ == "PERSON" for t in e}
        for a in range(sent.start, sent.end):
            for b in range(a + 1, sent.end + 1):
                got = {i: (e.start, e.end) for i, e in _persons_in(parsed[a:b], sent).items() if a <= i < b}
                assert got == {i: span for i, span in persons.items() if a <= i < b}
                checked += 1
    assert checked > 100 and any(persons for persons in [_persons_in(s, s) for s in parsed.sents])
