"""The event coder on its own: sentences in, events out (spaCy parse, lexicon and actor dictionaries)."""
import pytest

from eventwire.events.extractor import DocumentContext, EventExtractor
from eventwire.pipeline import build_nlp


@pytest.fixture(scope="module")
def nlp():
    return build_nlp()


@pytest.fixture(scope="module")
def extractor():
    # The argument rules' own reading of each trigger: these tests are about the rules, not the scorer
    # (tests/test_scorer.py covers candidates and their selection).
    return EventExtractor(scorer=None)


def code(nlp, extractor, text):
    doc = nlp(text)
    context = DocumentContext()
    events = []
    for i, sent in enumerate(doc.sents):
        events += extractor.extract_sentence(sent, "t", i, context)
    return events


def triples(events, factual_only=False):
    return {(e.source.code, e.target.code if e.target else None, e.cameo[:2]) for e in events
            if not (factual_only and (e.negated or e.hypothetical))}


def test_simple_accusation(nlp, extractor):
    events = code(nlp, extractor, "Russia accused Ukraine of shelling the power plant on Sunday.")
    assert ("RUS", "UKR", "11") in triples(events)
    event = next(e for e in events if e.cameo.startswith("11"))
    assert event.plover == "ACCUSE"
    assert event.goldstein < 0 and event.quad_class == 3
    assert not event.negated and not event.hypothetical


def test_evidence_spans_point_at_the_words(nlp, extractor):
    sentence = "Egyptian police arrested three Sudanese journalists in Cairo."
    [event] = [e for e in code(nlp, extractor, sentence) if e.cameo.startswith("17")]
    s0, s1 = event.source.span
    t0, t1 = event.trigger_span
    assert "police" in sentence[s0:s1]
    assert sentence[t0:t1] == "arrested"
    assert event.source.code == "EGYCOP"
    assert event.target.country == "SDN"
    assert "verbs.yaml" in event.rule


def test_passive_voice_swaps_roles(nlp, extractor):
    events = code(nlp, extractor, "The Syrian army was attacked by rebels near Aleppo.")
    assert any(e.source.sector == "REB" and e.target and e.target.code == "SYRMIL" and e.cameo[:2] in ("18", "19")
               for e in events)
    assert "passive" in next(e for e in events if e.target).rule


def test_compound_actors_give_one_event_each(nlp, extractor):
    events = code(nlp, extractor, "Pakistan, China and Iran condemned the Israeli air strikes.")
    sources = {e.source.code for e in events if e.cameo.startswith("11")}
    assert {"PAK", "CHN", "IRN"} <= sources


def test_coordinated_modifiers_share_the_head(nlp, extractor):
    events = code(nlp, extractor, "The US and Afghan governments have accused the Taliban of violating the deal.")
    sources = {e.source.code for e in events if e.cameo.startswith("11")}
    assert {"USAGOV", "AFGGOV"} <= sources


def test_meeting_between_coordinated_actors_goes_both_ways(nlp, extractor):
    events = code(nlp, extractor, "Turkey and Greece met in Ankara on Tuesday.")
    got = triples(events)
    assert ("TUR", "GRC", "04") in got and ("GRC", "TUR", "04") in got


def test_negation_is_flagged(nlp, extractor):
    events = code(nlp, extractor, "Japan did not condemn the Chinese missile test.")
    condemn = [e for e in events if e.cameo.startswith("11")]
    assert condemn and all(e.negated for e in condemn)


def test_future_and_conditional_are_hypothetical(nlp, extractor):
    events = code(nlp, extractor, "The European Union could impose sanctions on Belarus if the crackdown continues.")
    sanctions = [e for e in events if e.cameo.startswith("16")]
    assert sanctions and all(e.hypothetical for e in sanctions)
    events = code(nlp, extractor, "Turkey may close its border with Syria.")
    assert events and all(e.hypothetical for e in events)


def test_announced_future_action_is_an_intention_or_threat(nlp, extractor):
    # CAMEO codes an actor's announcement of its own future action as intent (03) or threat (13).
    events = code(nlp, extractor, "France will expel two Russian diplomats.")
    assert any(e.cameo.startswith("13") and e.source.code == "FRA" and not e.hypothetical for e in events)
    events = code(nlp, extractor, "Japan will provide emergency aid to the Philippines.")
    assert any(e.cameo.startswith("03") and e.source.code == "JPN" and e.target.code == "PHL" for e in events)


def test_plain_past_is_factual(nlp, extractor):
    events = code(nlp, extractor, "France expelled two Russian diplomats.")
    assert events and not any(e.hypothetical or e.negated for e in events)


def test_reported_speech_codes_the_inner_event(nlp, extractor):
    events = code(nlp, extractor, "The Iranian foreign ministry said Saudi Arabia accused Qatar of funding militants.")
    inner = [e for e in events if e.cameo.startswith("11")]
    assert inner and inner[0].source.country == "SAU" and inner[0].target.country == "QAT"
    assert inner[0].attributed_to is not None and inner[0].attributed_to.country == "IRN"
    assert not any(e.cameo.startswith("01") for e in events)  # "said" itself is only the frame


def test_stated_intention_to_cooperate_is_an_intent_code(nlp, extractor):
    events = code(nlp, extractor, "Kenya agreed to provide humanitarian aid to Haiti.")
    assert any(e.cameo.startswith("03") and e.source.code.startswith("KEN") for e in events)


def test_stated_future_attack_is_a_threat(nlp, extractor):
    events = code(nlp, extractor, "North Korea said it would attack South Korea.")
    assert any(e.cameo.startswith("13") and e.source.country == "PRK" and e.target.country == "KOR"
               and not e.hypothetical for e in events)


def test_claimed_attack_by_another_actor_is_an_accusation(nlp, extractor):
    events = code(nlp, extractor, "Armenia claimed that Azerbaijan had attacked its villages.")
    assert ("ARM", "AZE", "11") in {(e.source.country, e.target.country if e.target else None, e.cameo[:2])
                                    for e in events}


def test_pronoun_in_reported_clause_is_the_speaker(nlp, extractor):
    events = code(nlp, extractor, "Serbia said it would not recognise Kosovo.")
    assert any(e.source.country == "SRB" and e.target and e.target.country == "XKX" for e in events)


def test_person_keeps_the_code_learned_from_the_title(nlp, extractor):
    text = ("Indian Foreign Minister Anil Varma visited Dhaka on Monday. "
            "Varma later accused Bangladesh of ignoring the border agreement.")
    events = code(nlp, extractor, text)
    assert any(e.source.code == "INDGOV" and e.target and e.target.country == "BGD" and e.cameo.startswith("11")
               for e in events)


def test_capital_city_as_actor(nlp, extractor):
    events = code(nlp, extractor, "Moscow criticised Washington over the new sanctions.")
    assert ("RUS", "USA", "11") in triples(events)


def test_headline_without_articles(nlp, extractor):
    events = code(nlp, extractor, "Pakistan backs Russian bid for Afghan peace")
    assert ("PAK", "RUS", "05") in triples(events)


def test_sentence_without_actors_gives_nothing(nlp, extractor):
    assert code(nlp, extractor, "The weather was pleasant and the markets were calm.") == []


def test_participle_adjunct_shares_the_subject(nlp, extractor):
    events = code(nlp, extractor, "Kenyan police fired tear gas at protesters in Nairobi, arresting 40 students.")
    assert any(e.source.code == "KENCOP" and e.cameo.startswith("17") for e in events)


def test_conditional_announcement_is_a_threat(nlp, extractor):
    events = code(nlp, extractor, "Nigeria announced that it would withdraw its troops from Mali unless the junta held elections.")
    assert any(e.cameo.startswith("13") and e.source.country == "NGA" for e in events)


def test_vow_to_attack_is_a_threat(nlp, extractor):
    events = code(nlp, extractor, "The rebels vowed to attack the capital of Chad.")
    assert any(e.cameo.startswith("13") and e.source.sector == "REB" for e in events)
