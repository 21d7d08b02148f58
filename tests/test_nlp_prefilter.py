"""The sentence pre-filter: rule sentences, the cheap tests, and that filtering never changes the output."""
import datetime as dt

import numpy
import pytest
from spacy.attrs import DEP, HEAD, LEMMA, MORPH, POS, TAG

from eventwire.nlp.attribute_rules import FastAttributeRules
from eventwire.pipeline import Pipeline
from eventwire.nlp.prefilter import split_sentences
from eventwire.records import Document

pytestmark = pytest.mark.slow  # loads the spaCy model

ARTICLE = Document(
    id="a1", title="Russia accuses Ukraine over plant", date=dt.date(2024, 3, 10),
    text=("Russia accused Ukraine of shelling the Zaporizhzhia plant on Sunday. The weather was mild. "
          "It also accused Kyiv of attacking a convoy near Enerhodar.\n\n"
          "Mr. Grossi of the IAEA met U.S. officials on Jan. 5. “We will not stop,” he said. "
          "Ukraine denied the claims and said Moscow must withdraw its troops."))


@pytest.fixture(scope="module")
def pipeline():
    return Pipeline(stages=[])


def sentences_of(pipeline, text):
    doc = pipeline.nlp.make_doc(text)
    return [doc[a:b].text for a, b in split_sentences(doc)]


def test_rule_sentences_cover_the_text(pipeline):
    doc = pipeline.nlp.make_doc(ARTICLE.full_text)
    ranges = split_sentences(doc)
    assert ranges[0][0] == 0 and ranges[-1][1] == len(doc)
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:]))  # contiguous: every token is in one sentence
    texts = [doc[a:b].text.rstrip() for a, b in ranges]
    assert texts[0] == ARTICLE.title  # a line break ends a sentence
    assert "Mr. Grossi of the IAEA met U.S. officials on Jan. 5." in texts  # abbreviations are not ends
    assert "“We will not stop,” he said." in texts


def test_rule_sentences_quotes_and_lower_case(pipeline):
    assert sentences_of(pipeline, 'He said: “We will attack.” Russia denied it.') == \
        ['He said: “We will attack.”', 'Russia denied it.']
    assert sentences_of(pipeline, "Why?! yes. Talks began.") == ["Why?! yes.", "Talks began."]
    assert sentences_of(pipeline, " \n  ") == []


def test_possible_lemmas_follow_the_lemmatizer(pipeline):
    lemmas = pipeline.sentence_filter.possible_lemmas
    assert "meet" in lemmas("met") and "fight" in lemmas("fought")
    assert "plan" in lemmas("planned") and "stage" in lemmas("staged") and "talk" in lemmas("Talks")


@pytest.mark.parametrize("text, keep", [
    ("Russia accused Ukraine of shelling the plant.", True),
    ("Soldiers were killed in shelling near the town.", True),
    ("The weather was mild on Tuesday.", False),
    ("He said it was cold.", False),  # a plain statement: the coder drops it
    ("He said Iran must leave Syria.", True),  # ... unless it is a demand
])
def test_filter_keeps_sentences_that_can_hold_an_event(pipeline, text, keep):
    doc = pipeline.nlp.make_doc(text)
    assert pipeline.sentence_filter.keep(doc[:]) is keep


def test_filtering_changes_nothing_but_the_work(pipeline):
    coded = {}
    for prefilter in (False, True):
        pipeline.prefilter = prefilter
        coded[prefilter] = next(pipeline.code_documents([ARTICLE]))
    pipeline.prefilter = True
    on, off = coded[True], coded[False]
    assert on.sentences == off.sentences
    assert [e.to_dict() for e in on.events] == [e.to_dict() for e in off.events]
    assert on.events, "the article has events"
    full = ARTICLE.full_text
    for start, end, text in on.sentences:
        assert full[start:end] == text
    for event in on.events:
        start, end, text = on.sentences[event.sentence_index]
        assert event.sentence == text and event.sentence_start == start
        a, b = event.trigger_span
        assert full[start + a:start + b] == event.trigger


def test_pronouns_resolve_across_filtered_sentences(pipeline):
    [said] = [e for e in next(pipeline.code_documents([ARTICLE])).events if e.sentence_index == 3]
    assert said.source.code.startswith("RUS") and said.sentence_index == 3


def test_worker_processes_give_the_same_result(pipeline):
    docs = [Document(id=f"d{i}", text=ARTICLE.text, title=f"Title {i}") for i in range(3)]
    single = [[e.to_dict() for e in c.events] for c in pipeline.code_documents(docs)]
    parallel = Pipeline(nlp=pipeline.nlp, extractor=pipeline.extractor, stages=[], n_process=2, batch_size=1)
    assert [[e.to_dict() for e in c.events] for c in parallel.code_documents(docs)] == single


def test_fast_attribute_rules_set_what_the_attribute_ruler_sets(pipeline):
    nlp = pipeline.nlp
    texts = [ARTICLE.full_text, "I'm gonna do it, y'all ain't nothin' but 'em. Let's go, c'mon. I'd have said it.\n\n"
             "There is no doubt. Did they? She has had enough; he's done."]
    before = [name for name in nlp.pipe_names if name not in ("attribute_ruler", "lemmatizer", "ner")]
    attrs = [TAG, POS, MORPH, LEMMA, DEP, HEAD]
    fast = FastAttributeRules.for_ruler(nlp.get_pipe("attribute_ruler"))
    assert fast is not None
    for text in texts:
        stock, ours = (nlp(text, disable=[n for n in nlp.pipe_names if n not in before]) for _ in range(2))
        stock = nlp.get_pipe("attribute_ruler")(stock)
        ours = fast(ours)
        assert numpy.array_equal(stock.to_array(attrs), ours.to_array(attrs))
