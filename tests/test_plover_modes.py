"""Tests for PLOVER mode and context keywords (eventwire.events.plover_modes, the "plover_detail" stage)."""
from __future__ import annotations

import re

import pytest

from eventwire import ontology
from eventwire.events.plover_modes import PloverDetailStage, _word_pattern, load_keywords
from eventwire.records import Actor, Document, Event


@pytest.fixture(scope="module")
def nlp():
    from eventwire.pipeline import build_nlp

    return build_nlp()


def test_keyword_file_uses_only_plover_names():
    tables = load_keywords()
    for plover, patterns in tables.modes.items():
        assert {p.label for p in patterns} <= set(ontology.plover_modes(plover))
    assert {p.label for p in tables.contexts} <= set(ontology.plover_contexts())


def test_unknown_mode_is_refused(tmp_path):
    bad = tmp_path / "kw.yaml"
    bad.write_text("modes:\n  ASSAULT:\n    laser: [laser]\n")
    with pytest.raises(ValueError, match="laser"):
        load_keywords(str(bad))


@pytest.mark.parametrize("keyword,text,hit", [
    ("bomb", "bombs", True), ("bomb", "bombed", True), ("bomb", "bombing", True), ("bomb", "bomber", False),
    ("rally", "rallies", True), ("stab", "stabbed", True), ("mine", "mining", False), ("mine", "mines", True),
    ("air strike", "air  strike", True),
])
def test_word_pattern(keyword, text, hit):
    assert bool(re.fullmatch(_word_pattern(keyword), text, re.IGNORECASE)) == hit


def _event(doc, trigger: str, plover: str, cameo: str, mode: str = "", context: str = "") -> Event:
    tok = next(t for t in doc if t.text == trigger)
    sent = tok.sent
    return Event(doc_id="t", sentence_index=0, sentence=sent.text, source=Actor("X", "XXX"), target=None,
                 cameo=cameo, trigger=tok.text, rule="test", plover=plover, mode=mode, context=context,
                 sentence_start=sent.start_char,
                 trigger_span=(tok.idx - sent.start_char, tok.idx - sent.start_char + len(tok)))


def _detail(nlp, text, trigger, plover, cameo, mode="", context=""):
    doc = nlp(text)
    event = _event(doc, trigger, plover, cameo, mode, context)
    PloverDetailStage()(doc, Document(id="t", text=text), [event])
    return event


@pytest.mark.parametrize("text,trigger,plover,mode", [
    ("Russian jets carried out air strikes on the town, killing 12.", "killing", "ASSAULT", "aerial"),
    ("A roadside bombing near Samarra killed one soldier.", "killed", "ASSAULT", "explosives"),
    ("A suicide bomber killed 23 people at a bus station.", "killed", "ASSAULT", "suicide-attack"),
    ("Rebels shelled the city on Sunday.", "shelled", "ASSAULT", "heavy-weapons"),
    ("Militiamen armed with machetes attacked the camp.", "attacked", "ASSAULT", "primitive"),
    ("Police fired tear gas at the crowd and wounded dozens.", "wounded", "ASSAULT", "crowd-control"),
    ("Thousands demonstrated in the capital.", "demonstrated", "PROTEST", "demo"),
    ("Prisoners began a hunger strike on Monday.", "began", "PROTEST", "hunger"),
    ("Dock workers went on strike over pay.", "went", "PROTEST", "strike"),
    ("Farmers blocked roads into the capital.", "blocked", "PROTEST", "obstruct"),
    ("The government imposed a curfew on the city.", "imposed", "COERCE", "curfew"),
    ("Police arrested 12 activists.", "arrested", "COERCE", "arrest"),
])
def test_mode(nlp, text, trigger, plover, mode):
    event = _detail(nlp, text, trigger, plover, "190")
    assert event.mode == mode, event.extra
    assert event.extra["mode_rule"].startswith(f"plover_keywords.yaml:{plover}/{mode}")


def test_mode_on_the_trigger_beats_one_elsewhere(nlp):
    event = _detail(nlp, "Helicopters and tanks shelled positions near the town.", "shelled", "ASSAULT", "190")
    assert event.mode == "heavy-weapons"


def test_no_keyword_keeps_the_cameo_mode(nlp):
    event = _detail(nlp, "The minister visited Ankara.", "visited", "CONSULT", "042", mode="visit")
    assert event.mode == "visit"


def test_modes_stay_within_the_event_type(nlp):
    # "strike" is a PROTEST mode; an ACCUSE event gets none of it
    event = _detail(nlp, "The union denounced the strike.", "denounced", "ACCUSE", "111", mode="disapprove")
    assert event.mode == "disapprove"


def test_context_is_added_after_the_cameo_context(nlp):
    event = _detail(nlp, "Iran threatened to restart uranium enrichment.", "threatened", "THREATEN", "138",
                    context="military")
    assert event.context.split(";") == ["military", "cbrn"]
    assert "uranium" in event.extra["context_rule"]


@pytest.mark.parametrize("text,trigger,absent", [
    ("Prisoners began a hunger strike on Monday.", "began", "human_security"),  # not about food
    ("Police fired tear gas at the protesters.", "fired", "natural_resource"),  # not about gas supplies
    ("The officials said who would attend.", "said", "health"),  # "who" is not the WHO
])
def test_context_exclusions(nlp, text, trigger, absent):
    event = _detail(nlp, text, trigger, "PROTEST", "140")
    assert absent not in event.context.split(";")


def test_events_without_plover_type_are_left_alone(nlp):
    doc = nlp("Officials discussed the air strike.")
    event = _event(doc, "discussed", plover="", cameo="010")
    event.plover = None
    PloverDetailStage()(doc, Document(id="t", text=doc.text), [event])
    assert (event.mode, event.context) == ("", "")
