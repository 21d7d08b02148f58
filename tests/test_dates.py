"""Tests for date resolution (eventwire.dates): the expression rules, tense, attachment to the event verb,
the DateStage, and the date test set (tests/data/date_expressions.jsonl)."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from eventwire.dates import DateStage, clause_tense, find_date_mentions, resolve_expression

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED = SHARED / "data" / "samples" / "seed_article.jsonl"
MONDAY = dt.date(2021, 3, 8)


@pytest.fixture(scope="module")
def nlp():
    from eventwire.pipeline import build_nlp

    return build_nlp()


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# ---------------------------------------------------------------- the rules


@pytest.mark.parametrize("text,tense,date,precision", [
    ("later this month", "future", "2021-03-01", "month"),
    ("earlier this month", "past", "2021-03-01", "month"),
    ("late last month", "past", "2021-02-01", "month"),
    ("earlier this year", "past", "2021-01-01", "year"),
    ("last week", "past", "2021-03-01", "week"),
    ("next week", "future", "2021-03-15", "week"),
    ("in 2018", "past", "2018-01-01", "year"),
    ("mid-2019", "past", "2019-01-01", "year"),
    ("the summer of 2015", "past", "2015-01-01", "year"),
    ("February 29, 2020", "past", "2020-02-29", "day"),
    ("29 February 2020", "past", "2020-02-29", "day"),
    ("Feb. 29, 2020", "past", "2020-02-29", "day"),
    ("2020-02-29", "past", "2020-02-29", "day"),
    ("March 2019", "past", "2019-03-01", "month"),
    ("a year ago", "past", "2020-01-01", "year"),
    ("two weeks ago", "past", "2021-02-22", "week"),
    ("three days ago", "past", "2021-03-05", "day"),
    ("six months ago", "past", "2020-09-01", "month"),
    ("in two weeks", "future", "2021-03-22", "week"),
    ("yesterday", "past", "2021-03-07", "day"),
    ("last night", "past", "2021-03-07", "day"),
    ("tomorrow", "future", "2021-03-09", "day"),
    ("on Sunday", "past", "2021-03-07", "day"),
    ("on Friday", "future", "2021-03-12", "day"),
    ("next Tuesday", "future", "2021-03-09", "day"),
    ("last Tuesday", "past", "2021-03-02", "day"),
    ("Sunday night", "past", "2021-03-07", "day"),
    ("in March", "past", "2021-03-01", "month"),
    ("in April", "future", "2021-04-01", "month"),
    ("in April", "past", "2020-04-01", "month"),
    ("in September", "past", "2020-09-01", "month"),
    ("last March", "past", "2020-03-01", "month"),
    ("next March", "future", "2022-03-01", "month"),
    ("by May 1", "future", "2021-05-01", "day"),
    ("on 15 March", "past", "2020-03-15", "day"),
    ("on 15 March", "future", "2021-03-15", "day"),
    ("last weekend", "past", "2021-03-01", "week"),
    ("the end of the year", "future", "2021-01-01", "year"),
])
def test_resolve_expression(text, tense, date, precision):
    got = resolve_expression(text, MONDAY, tense)
    assert got is not None, text
    assert (got.date, got.precision) == (d(date), precision), got.rule


@pytest.mark.parametrize("text", ["five years", "for five years", "recent years", "the 1990s", "the previous day",
                                  "65-year-old", "decades", "the first time", ""])
def test_expressions_that_name_no_point_in_time(text):
    assert resolve_expression(text, MONDAY, "past") is None


def test_precision_is_always_one_of_four():
    for text in ("later this month", "last week", "in 2018", "yesterday", "a year ago"):
        assert resolve_expression(text, MONDAY).precision in ("day", "week", "month", "year")


def test_leap_day_without_year_picks_a_leap_year():
    got = resolve_expression("on February 29", dt.date(2017, 3, 1), "past")
    assert (got.date, got.precision) == (dt.date(2016, 2, 29), "day")


# ---------------------------------------------------------------- tense and finding expressions


@pytest.mark.parametrize("text,tense", [
    ("Pakistan will attend the meeting.", "future"),
    ("Pakistan is due to attend the meeting.", "future"),
    ("Pakistan plans to attend the meeting.", "future"),
    ("Pakistan attended the meeting.", "past"),
    ("Pakistan has attended the meeting.", "past"),
    ("The meeting was attended by Pakistan.", "past"),
    ("Pakistan attends the meeting.", "present"),
])
def test_clause_tense(nlp, text, tense):
    doc = nlp(text)
    verb = next(t for t in doc if t.lemma_ == "attend")
    assert clause_tense(verb) == tense


def test_scanner_joins_what_the_model_splits(nlp):
    doc = nlp("The new administration decided to review the February 29, 2020 deal.")
    texts = [m.text for m in find_date_mentions(next(doc.sents))]
    assert "February 29, 2020" in texts


def test_theresa_may_is_not_a_date(nlp):
    doc = nlp("Theresa May met the Irish prime minister in May.")
    mentions = find_date_mentions(next(doc.sents))
    assert [m.text for m in mentions] == ["in May"]


def test_date_on_the_event_verb_beats_one_on_a_reporting_verb(nlp):
    doc = nlp("Rebels attacked the convoy last week, officials said on Sunday.")
    sent = next(doc.sents)
    attacked = next(t for t in doc if t.lemma_ == "attack")
    got = DateStage().resolve_sentence(sent, MONDAY, verb=attacked)
    assert (got.date, got.precision) == (d("2021-03-01"), "week")


def test_tense_of_a_subordinate_clause(nlp):
    # "in September" sits in "that began in September": past, even though the main clause is future
    doc = nlp("The talks that began in September will resume next month.")
    sent = next(doc.sents)
    begin = next(t for t in doc if t.lemma_ == "begin")
    got = DateStage().resolve_sentence(sent, MONDAY, verb=begin)
    assert got.date == d("2020-09-01")


# ---------------------------------------------------------------- the stage


def _event(doc, trigger: str, doc_id="t"):
    from eventwire.records import Actor, Event

    tok = next(t for t in doc if t.text == trigger)
    sent = tok.sent
    return Event(doc_id=doc_id, sentence_index=0, sentence=sent.text, source=Actor("X", "XXX"), target=None,
                 cameo="040", trigger=tok.text, rule="test", sentence_start=sent.start_char,
                 trigger_span=(tok.idx - sent.start_char, tok.idx - sent.start_char + len(tok)))


def test_stage_sets_text_date_and_precision(nlp):
    from eventwire.records import Document

    text = "Moscow hosted a similar meeting in 2018."
    doc = nlp(text)
    event = _event(doc, "hosted")
    DateStage()(doc, Document(id="t", text=text, date=MONDAY), [event])
    assert (event.date, event.date_precision, event.date_source) == (d("2018-01-01"), "year", "text")
    assert "year" in event.extra["date_rule"]


def test_stage_falls_back_to_publication_date(nlp):
    from eventwire.records import Document

    text = "Russia accused Ukraine of shelling."
    doc = nlp(text)
    event = _event(doc, "accused")
    DateStage()(doc, Document(id="t", text=text, date=MONDAY), [event])
    assert (event.date, event.date_precision, event.date_source) == (MONDAY, "day", "publication")


def test_stage_leaves_events_alone_without_publication_date(nlp):
    from eventwire.records import Document

    text = "Moscow hosted a similar meeting in 2018."
    doc = nlp(text)
    event = _event(doc, "hosted")
    DateStage()(doc, Document(id="t", text=text, date=None), [event])
    assert event.date is None and event.date_precision is None and event.date_source is None


# ---------------------------------------------------------------- the test set


def test_date_expression_set(nlp):
    """Every expression of tests/data/date_expressions.jsonl (sentences written for eventwire) resolves to the
    expected date and precision, or to nothing where it names no point in time."""
    items = [json.loads(line) for line in (DATA / "date_expressions.jsonl").read_text().splitlines() if line.strip()]
    assert len(items) >= 100
    stage = DateStage()
    failures = []
    for item in items:
        sent = next(nlp(item["text"]).sents)
        got = stage.resolve_sentence(sent, d(item["pub"]))
        got = (got.date.isoformat(), got.precision) if got else (None, None)
        if got != (item["date"], item["precision"]):
            failures.append(f"{item['id']} {item['expression']!r} (published {item['pub']}): expected "
                            f"{item['date']}/{item['precision']}, got {got[0]}/{got[1]}")
    accuracy = 1 - len(failures) / len(items)
    print(f"date expression accuracy: {accuracy:.3f} ({len(items) - len(failures)}/{len(items)})")
    assert not failures, "\n".join(failures)


# ---------------------------------------------------------------- the sample article


@pytest.mark.skipif(not SEED.exists(), reason=f"sample article not available: {SEED} (../shared is absent)")
def test_seed_article_dates():
    from eventwire.pipeline import Pipeline
    from eventwire.records import Document

    record = json.loads(SEED.read_text().splitlines()[0])
    document = Document(id=record["id"], title=record.get("title"), text=record["text"], date=d(record["date"]))
    events = next(Pipeline(stages=[DateStage()], min_confidence=0).code_documents([document])).events
    hosted = [e for e in events if e.trigger == "hosted" and "2018" in e.sentence]
    assert hosted and (hosted[0].date, hosted[0].date_precision) == (d("2018-01-01"), "year")
    later = [e for e in events if "later this month" in e.sentence and e.trigger == "attend"]
    assert later and (later[0].date, later[0].date_precision, later[0].date_source) == (d("2021-03-01"), "month", "text")


def test_a_date_naming_a_thing_does_not_date_the_event():
    """Regression: "urged New Delhi to respect the 2003 ceasefire agreement" was dated 2003."""
    import datetime as dt

    from eventwire.pipeline import Pipeline
    from eventwire.records import Document

    pipeline = Pipeline(stages=[DateStage()], min_confidence=0)
    doc = Document(id="d", text="Pakistan urged India to respect the 2003 ceasefire agreement.", date=dt.date(2023, 9, 12))
    coded = next(pipeline.code_documents([doc]))
    assert coded.events
    for event in coded.events:
        assert event.date == dt.date(2023, 9, 12) and event.date_source == "publication"


# ---------------------------------------------------------------- the ends of the calendar


@pytest.mark.parametrize("pub", [dt.date(1, 1, 1), dt.date(1, 1, 6), dt.date(9999, 12, 31)])
def test_publication_at_the_ends_of_the_calendar_does_not_overflow(nlp, pub):
    """Regression: "on Sunday" with a publication date of 0001-01-01 raised OverflowError (the Sunday before
    is in year 0); so did a future "on Sunday" published 9999-12-31."""
    from eventwire.records import Document

    text = "Russia attacked Ukraine on Sunday. Russia will meet Ukraine on Sunday."
    doc = nlp(text)
    events = [_event(doc, "attacked"), _event(doc, "meet")]
    DateStage()(doc, Document(id="t", text=text, date=pub), events)
    for event in events:
        assert event.date is not None and event.date_source in ("text", "publication")


@pytest.mark.parametrize("pub", [dt.date.min, dt.date(1, 1, 3), dt.date(9999, 12, 28), dt.date.max])
def test_no_expression_overflows_at_the_ends_of_the_calendar(pub):
    expressions = ["on Sunday", "next Sunday", "last Sunday", "yesterday", "tomorrow", "the day before yesterday",
                   "last week", "next week", "last weekend", "this weekend", "in March", "last March", "next March",
                   "on March 5", "next year", "last year", "a year ago", "three decades ago", "in two weeks",
                   "later this month", "earlier this week", "the end of the year", "Sunday, 2019", "5/6/2020"]
    for text in expressions:
        for tense in ("past", "present", "future"):
            got = resolve_expression(text, pub, tense)  # no OverflowError / ValueError
            assert got is None or got.precision in ("day", "week", "month", "year")


# ---------------------------------------------------------------- durations, range, precision


@pytest.mark.parametrize("text,tense", [
    ("eight decades earlier", "past"),  # counts from a time the story set, not from publication
    ("two days earlier", "past"),
    ("in 20 years", "past"),  # "the worst violence in 20 years"
    ("within two years", "past"),  # "the talks collapsed within two years"
])
def test_durations_are_not_dates(text, tense):
    assert resolve_expression(text, MONDAY, tense) is None


def test_in_n_units_after_a_superlative_is_a_duration(nlp):
    """Regression (Guardian sample): "will arrive ... for the first UN-sponsored peace talks in eight months" was
    dated eight months after publication."""
    sent = next(nlp("The two sides will hold the first talks in eight months.").sents)
    assert DateStage().resolve_sentence(sent, MONDAY) is None
    sent = next(nlp("The envoy will return in three days.").sents)
    assert DateStage().resolve_sentence(sent, MONDAY).date == d("2021-03-11")


@pytest.mark.parametrize("text,trigger,expression", [
    ("The family moved to Britain 22 years ago.", "moved", "22 years ago"),  # far back, no written year
    ("Leaders pledged to end the abuse by 2030.", "pledged", "2030"),  # years after publication
    ("The country will hold a referendum in 20 years.", "hold", "in 20 years"),
])
def test_text_date_out_of_range_keeps_the_publication_date_and_says_so(nlp, text, trigger, expression):
    from eventwire.records import Document

    doc = nlp(text)
    event = _event(doc, trigger)
    DateStage()(doc, Document(id="t", text=text, date=MONDAY), [event])
    assert (event.date, event.date_precision, event.date_source) == \
        (MONDAY, "day", "publication (text date out of range)")
    assert event.extra["date_rule"].startswith("out of range") and expression in event.extra["date_rule"]


def test_a_written_year_may_be_long_before_publication(nlp):
    from eventwire.records import Document

    text = "Britain planned to spray mustard gas on the beaches in 1940."
    doc = nlp(text)
    event = _event(doc, "planned")
    DateStage()(doc, Document(id="t", text=text, date=MONDAY), [event])
    assert (event.date, event.date_precision, event.date_source) == (d("1940-01-01"), "year", "text")


def test_an_out_of_range_date_is_not_replaced_by_a_worse_attached_one(nlp):
    """"attacked the town 22 years ago, officials said on Sunday": Sunday dates the report, not the attack."""
    from eventwire.records import Document

    text = "Russia attacked the town 22 years ago, officials said on Sunday."
    doc = nlp(text)
    event = _event(doc, "attacked")
    DateStage()(doc, Document(id="t", text=text, date=MONDAY), [event])
    assert (event.date, event.date_source) == (MONDAY, "publication (text date out of range)")


def test_a_year_with_a_weekday_is_not_a_day():
    """Regression: dateparser filled in the month and day of "Sunday, 2019" from the publication date and the
    date came back as 2019-03-08 with day precision."""
    got = resolve_expression("Sunday, 2019", MONDAY, "past")
    assert got is not None and (got.date, got.precision) == (d("2019-01-01"), "year")


def test_year_only_date_is_stored_with_year_precision(tmp_path):
    from eventwire.pipeline import Pipeline
    from eventwire.records import Document
    from eventwire.store import EventStore

    document = Document(id="y", text="Russian troops attacked Ukraine in 2019.", date=MONDAY)
    coded = next(Pipeline(min_confidence=0).code_documents([document]))
    assert coded.events
    with EventStore(tmp_path / "y.duckdb") as store:
        store.save_document(coded.document, coded.sentences, coded.events)
        rows = store.events(doc_id="y")
    assert rows and all((r["date"], r["date_precision"], r["date_source"]) == ("2019-01-01", "year", "text")
                        for r in rows)
