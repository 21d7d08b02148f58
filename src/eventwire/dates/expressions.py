"""Date expressions resolved against the publication date: "later this month" published 2021-03-08 is
2021-03-01, precision ``month``.

A resolved date is the first day of its period, and `date_precision` says how far to trust it:
``day`` (that day), ``week`` (the Monday of the ISO week), ``month`` (the 1st) or ``year`` (1 January).
So "later this month" published 2021-03-08 is 2021-03-01 with precision ``month``. Expressions that
name no point in time ("for five years", "in recent years", "the 1990s", "the previous day") do not
resolve, and the event keeps the publication date (`date_source` "publication"). Durations are not dates
either: "eight decades earlier" counts from a time the story set, not from publication, and "in 20 years"
points ahead only on a future verb ("will return in three days"), not after a noun or a superlative ("the
worst violence in 20 years", "the first talks in eight months").

An event date from the text must be in range of publication (`in_range`): at most MAX_DAYS_AHEAD after it,
and at most MAX_YEARS_BACK before it unless the text writes the year ("in 1953" is fine, "22 years ago" is
not). Otherwise the event keeps the publication date, with `date_source` "publication (text date out of
range)" and ``extra["date_rule"]`` naming the expression; a less well attached expression is not tried
instead, since the best-attached one most likely dates the event, only not as news.
A year-only date keeps ``year`` precision (1 January is its first day, not a day the text named).
Publication dates at the ends of the calendar (0001-01-01, 9999-12-31) are fine: an expression that would
count past them does not resolve.

Our rules (`resolve_expression`) handle the relative phrases dateparser does not ("later this month",
"earlier this year", "last weekend", "mid-2019"); dateparser is only a guarded, cached fallback for
other expressions that name a month, weekday or numeric date.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Optional

PRECISIONS = ("day", "week", "month", "year")
PAST, PRESENT, FUTURE = "past", "present", "future"


@dataclass(frozen=True)
class ResolvedDate:
    date: dt.date
    precision: str  # day | week | month | year
    rule: str  # which rule resolved it


# ------------------------------------------------------------------ vocabulary

MONTHS = {name: i for i, name in enumerate(calendar.month_name) if name}
MONTH_ABBREVIATIONS = {"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "Jun": 6, "Jul": 7, "Aug": 8, "Sep": 9,
                       "Sept": 9, "Oct": 10, "Nov": 11, "Dec": 12}
WEEKDAYS = {name: i for i, name in enumerate(calendar.day_name)}  # Monday = 0
NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
                "a couple of": 2, "a few": 3, "several": 3}

# Months and weekdays are matched with their capital letter: "march" and "may" are ordinary words.
_MONTH_RE = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
             r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)")
_WEEKDAY_RE = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_DAY_RE = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR_RE = r"(?:1[89]\d\d|20\d\d|2100)"
_NUM_RE = r"(?i:\d+|a couple of|a few|several|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty)"
_EDGE_RE = r"(?i:early|earlier|late|later|mid|the middle of|the end of|the beginning of|the start of|end of|end-|start of)"
_TIME_OF_DAY_RE = r"(?i:morning|afternoon|evening|night)"

# What the scanner finds in a sentence, longest alternatives first.
_SCAN_PATTERNS = [
    rf"\b{_YEAR_RE}-[01]\d-[0-3]\d\b",
    rf"\b(?:{_WEEKDAY_RE},? )?{_MONTH_RE} {_DAY_RE},? {_YEAR_RE}\b",
    rf"\b(?:{_WEEKDAY_RE},? )?{_DAY_RE} (?:of )?{_MONTH_RE},? {_YEAR_RE}\b",
    rf"\b(?:{_EDGE_RE}[ -])?{_MONTH_RE},? {_YEAR_RE}\b",
    rf"\b(?:(?i:on) )?(?:{_WEEKDAY_RE},? )?{_MONTH_RE} {_DAY_RE}\b(?!,? \d)",
    rf"\b(?:(?i:on) )?(?:{_WEEKDAY_RE},? )?(?:the )?{_DAY_RE} (?:of )?{_MONTH_RE}\b(?!,? \d)",
    rf"\b(?i:the day (?:before|after) (?:yesterday|tomorrow))\b",
    rf"\b(?i:yesterday|today|tonight|tomorrow|last night|this (?:morning|afternoon|evening))\b",
    rf"\b(?:(?i:last|this|next|past|coming) )?{_WEEKDAY_RE}(?:'s)?(?: {_TIME_OF_DAY_RE})?\b",
    rf"\b(?:{_EDGE_RE} )?(?i:this|last|next|the past|the coming|the previous|the next) (?i:week|weekend|month|year)\b",
    rf"\b{_NUM_RE} (?i:days?|weeks?|months?|years?|decades?) (?i:ago|earlier)\b",
    rf"\b(?i:in|within) {_NUM_RE} (?i:days?|weeks?|months?|years?)(?: (?i:time))?\b",
    rf"\b(?:(?i:in|since|until|by|from|during|through|before|after) )(?:{_EDGE_RE} )?(?:(?i:last|this|next) )?{_MONTH_RE}\b(?! {_DAY_RE})",
    rf"\b(?:{_EDGE_RE} )(?:(?i:last|this|next) )?{_MONTH_RE}\b(?! {_DAY_RE})",
    rf"\b(?:(?i:last|next) ){_MONTH_RE}\b(?! {_DAY_RE})",
    rf"\b(?:{_EDGE_RE}[ -]|(?i:the (?:summer|spring|autumn|fall|winter) of) )?{_YEAR_RE}\b(?![-–/]\d)",
]
_SCANNER = re.compile("|".join(f"(?:{p})" for p in _SCAN_PATTERNS))


# ------------------------------------------------------------------ date arithmetic


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _period(day: dt.date, precision: str) -> dt.date:
    """The first day of the period of ``precision`` containing ``day``."""
    if precision == "week":
        return week_start(day)
    if precision == "month":
        return day.replace(day=1)
    if precision == "year":
        return day.replace(month=1, day=1)
    return day


def _weekday_date(weekday: int, pub: dt.date, tense: str, modifier: str = "") -> dt.date:
    """"on Sunday": the latest Sunday up to the publication day in a past clause, the next one from it in a
    future clause. "last/next Sunday" is the nearest strictly before/after; "this Sunday" is in the week
    of publication."""
    if modifier == "this":
        return week_start(pub) + dt.timedelta(days=weekday)
    back = (pub.weekday() - weekday) % 7
    ahead = (weekday - pub.weekday()) % 7
    if modifier in ("last", "past"):
        return pub - dt.timedelta(days=back or 7)
    if modifier in ("next", "coming"):
        return pub + dt.timedelta(days=ahead or 7)
    if tense == FUTURE:
        return pub + dt.timedelta(days=ahead)
    return pub - dt.timedelta(days=back)  # news reports mostly look back: present counts as past


def _month_date(month: int, pub: dt.date, tense: str, modifier: str = "") -> dt.date:
    """"in March": the latest March up to the publication month in a past clause, the next from it in a
    future clause, the nearer one otherwise. "last March" is the one before the current month's year
    position ("last March" in March 2021 is March 2020); "next March" the one after."""
    this_year = dt.date(pub.year, month, 1)
    current = pub.replace(day=1)
    before = this_year if this_year <= current else this_year.replace(year=pub.year - 1)
    after = this_year if this_year >= current else this_year.replace(year=pub.year + 1)
    if modifier == "this":
        return this_year
    if modifier == "last":
        return before if before < current else before.replace(year=before.year - 1)
    if modifier == "next":
        return after if after > current else after.replace(year=after.year + 1)
    if tense == PAST:
        return before
    if tense == FUTURE:
        return after
    return before if (current - before) <= (after - current) else after


def _day_in_year(month: int, day: int, pub: dt.date, tense: str) -> Optional[dt.date]:
    """"on March 5" with no year: the latest March 5 up to publication (past), the next one (future)."""
    candidates = []
    for year in (pub.year - 1, pub.year, pub.year + 1):
        try:
            candidates.append(dt.date(year, month, day))
        except ValueError:  # February 29 in a common year
            continue
    if not candidates:
        return None
    past = [c for c in candidates if c <= pub]
    future = [c for c in candidates if c >= pub]
    if tense == PAST and past:
        return past[-1]
    if tense == FUTURE and future:
        return future[0]
    return min(candidates, key=lambda c: abs((c - pub).days))


def _shift(pub: dt.date, unit: str, n: int) -> dt.date:
    if unit == "day":
        return pub + dt.timedelta(days=n)
    if unit == "week":
        return pub + dt.timedelta(weeks=n)
    if unit == "month":
        return add_months(pub, n)
    if unit == "decade":
        return add_months(pub, 120 * n)
    return add_months(pub, 12 * n)


# ------------------------------------------------------------------ the rules

_STRIP_LEAD = re.compile(r"^(?:(?:on|in|at|by|since|until|till|from|during|through|as of|before|after|"
                         r"around|about|approximately|some|just|only|as early as|as late as|no later than)\s+)+",
                         re.IGNORECASE)
_STRIP_THE = re.compile(r"^the\s+", re.IGNORECASE)


def _clean(text: str) -> str:
    text = re.sub(r"\s+", " ", text.replace("’", "'").replace("–", "-").replace("—", "-")).strip(" ,.;:()\"'")
    return text


def _month_number(word: str) -> Optional[int]:
    word = word.rstrip(".")
    return MONTHS.get(word) or MONTH_ABBREVIATIONS.get(word) or MONTHS.get(word.capitalize()) or \
        MONTH_ABBREVIATIONS.get(word.capitalize())


def _number(word: str) -> Optional[int]:
    word = word.lower()
    if word.isdigit():
        return int(word)
    return NUMBER_WORDS.get(word)


def _edge(text: str) -> tuple[str, str]:
    """Split a leading "early/late/mid/the end of" off: it narrows a period but not its precision."""
    m = re.match(r"^(earlier|early|later|late|mid|the middle of|middle of|the end of|end of|the beginning of|"
                 r"beginning of|the start of|start of)[\s-]+(.*)$", text, re.IGNORECASE)
    return (m.group(1).lower(), m.group(2)) if m else ("", text)


def _ymd(year: int, month: int, day: int) -> Optional[dt.date]:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


_RULES: list[tuple[re.Pattern, Callable]] = []  # tried in order; each returns (date, precision) or None


def _rule(pattern: str, flags=0):
    def register(fn):
        _RULES.append((re.compile(pattern, flags), fn))
        return fn
    return register


@_rule(rf"^({_YEAR_RE})-([01]\d)-([0-3]\d)$")
def iso_date(m, pub, tense):
    d = _ymd(int(m[1]), int(m[2]), int(m[3]))
    return (d, "day") if d else None


@_rule(rf"^(?:{_WEEKDAY_RE},? )?({_MONTH_RE}) ({_DAY_RE}),? ({_YEAR_RE})$", re.IGNORECASE)
def month_day_year(m, pub, tense):
    d = _ymd(int(m[3]), _month_number(m[1]), int(re.sub(r"\D", "", m[2])))
    return (d, "day") if d else None


@_rule(rf"^(?:{_WEEKDAY_RE},? )?({_DAY_RE}) (?:of )?({_MONTH_RE}),? ({_YEAR_RE})$", re.IGNORECASE)
def day_month_year(m, pub, tense):
    d = _ymd(int(m[3]), _month_number(m[2]), int(re.sub(r"\D", "", m[1])))
    return (d, "day") if d else None


@_rule(rf"^({_MONTH_RE}),? ({_YEAR_RE})$", re.IGNORECASE)
def month_year(m, pub, tense):
    return dt.date(int(m[2]), _month_number(m[1]), 1), "month"


@_rule(rf"^(?:{_WEEKDAY_RE},? )?({_MONTH_RE}) ({_DAY_RE})$", re.IGNORECASE)
def month_day(m, pub, tense):
    d = _day_in_year(_month_number(m[1]), int(re.sub(r"\D", "", m[2])), pub, tense)
    return (d, "day") if d else None


@_rule(rf"^(?:{_WEEKDAY_RE},? )?({_DAY_RE}) (?:of )?({_MONTH_RE})$", re.IGNORECASE)
def day_month(m, pub, tense):
    d = _day_in_year(_month_number(m[2]), int(re.sub(r"\D", "", m[1])), pub, tense)
    return (d, "day") if d else None


@_rule(rf"^(?:the (?:summer|spring|autumn|fall|winter) of |the first half of |the second half of )?({_YEAR_RE})$",
       re.IGNORECASE)
def year(m, pub, tense):
    return dt.date(int(m[1]), 1, 1), "year"


@_rule(r"^(?:(the day before yesterday)|(the day after tomorrow)|(yesterday|last night)|(today|tonight|this "
       r"(?:morning|afternoon|evening))|(tomorrow))$", re.IGNORECASE)
def relative_day(m, pub, tense):
    offset = -2 if m[1] else 2 if m[2] else -1 if m[3] else 0 if m[4] else 1
    return pub + dt.timedelta(days=offset), "day"


@_rule(rf"^(?:(last|this|next|past|coming) )?({_WEEKDAY_RE})(?:'s)?(?: (?:morning|afternoon|evening|night))?$",
       re.IGNORECASE)
def weekday(m, pub, tense):
    modifier = (m[1] or "").lower()
    return _weekday_date(WEEKDAYS[m[2].capitalize()], pub, tense, modifier), "day"


@_rule(r"^(this|last|next|the past|the coming|the previous|the next|past|coming|previous) "
       r"(week|weekend|month|year)$", re.IGNORECASE)
def relative_period(m, pub, tense):
    which, unit = m[1].lower().replace("the ", ""), m[2].lower()
    step = {"this": 0, "last": -1, "past": -1, "previous": -1, "next": 1, "coming": 1}[which]
    if unit == "weekend":
        # the weekend of this week; "last weekend" read on a Sunday is the weekend just gone (this week's)
        saturday = week_start(pub) + dt.timedelta(days=5)
        if step < 0 and pub.weekday() >= 5:
            step = 0
        return week_start(saturday + dt.timedelta(weeks=step)), "week"
    return _period(_shift(pub, unit, step), unit), unit


# "N years ago" counts back from publication; "N years earlier" counts back from a time the story set ("eight
# decades earlier" in a story about 1938), which we do not know: it names no date.
@_rule(rf"^({_NUM_RE}) (day|week|month|year|decade)s? ago$", re.IGNORECASE)
def ago(m, pub, tense):
    n, unit = _number(m[1]), m[2].lower()
    if n is None:
        return None
    vague = m[1].lower() in ("a few", "several", "a couple of")
    precision = {"day": "week" if vague else "day", "week": "week", "month": "month", "year": "year",
                 "decade": "year"}[unit]
    return _period(_shift(pub, unit, -n), precision), precision


@_rule(rf"^(?:in|within) ({_NUM_RE}) (day|week|month|year)s?(?: time)?$", re.IGNORECASE)
def in_n_units(m, pub, tense):
    """"will return in three days": a point ahead of publication, but only in a future clause; elsewhere "in N
    years" is a duration ("the worst violence in 20 years", "collapsed within two years")."""
    n, unit = _number(m[1]), m[2].lower()
    if n is None or m[1].lower() in ("a few", "several", "a couple of") or tense != FUTURE:
        return None
    return _period(_shift(pub, unit, n), unit), unit


@_rule(rf"^(?:(last|this|next) )?({_MONTH_RE})$")  # capitalised months only: "march" is a verb
def month_name(m, pub, tense):
    return _month_date(_month_number(m[2]), pub, tense, (m[1] or "").lower()), "month"


def _apply_rules(text: str, pub: dt.date, tense: str) -> Optional[ResolvedDate]:
    for pattern, rule in _RULES:
        m = pattern.match(text)
        if m is None:
            continue
        try:
            got = rule(m, pub, tense)
        except (OverflowError, ValueError):  # counting past year 1 or 9999 (a publication date of 0001-01-01)
            got = None
        if got and got[0] is not None:
            return ResolvedDate(got[0], got[1], rule.__name__)
    return None


def _normalise(text: str) -> str:
    text = _clean(text)
    if re.match(r"^(?:in|within) ", text, re.IGNORECASE) and re.search(r"\b(day|week|month|year)s?\b", text, re.I) \
            and not re.search(r"\b(this|last|next|past|coming|previous)\b", text, re.I):
        return text  # "in two weeks" keeps its preposition: it points forward
    text = _STRIP_LEAD.sub("", text)
    text = re.sub(r"^(early|late) on ", "", text, flags=re.IGNORECASE)  # "early on Sunday"
    text = re.sub(r"^the (?=\d|January|February|March|April|May|June|July|August|September|October|November|"
                  r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)", "", text)
    return text


def resolve_expression(text: str, pub: dt.date, tense: str = PAST) -> Optional[ResolvedDate]:
    """Resolve one date expression ("later this month", "on Sunday", "February 29, 2020") relative to the
    publication date ``pub``; ``tense`` ("past", "present", "future") of the clause it modifies decides
    which way "in March" or "on Sunday" points. None if it names no point in time, or one before year 1 or
    after 9999 ("on Sunday" published 0001-01-01)."""
    try:
        return _resolve_cached(_normalise(text), pub, tense)
    except (OverflowError, ValueError):  # date arithmetic at the ends of the calendar
        return None


@lru_cache(maxsize=8192)
def _resolve_cached(text: str, pub: dt.date, tense: str) -> Optional[ResolvedDate]:
    if not text:
        return None
    got = _apply_rules(text, pub, tense)
    if got is not None:
        return got
    edge, rest = _edge(text)
    if edge and rest:
        # "later this month", "earlier this year", "late last month", "mid-2019", "the end of March"
        inner = _apply_rules(_STRIP_THE.sub("", rest) if re.match(r"^the \d", rest) else rest, pub, tense)
        if inner is not None and inner.precision in ("week", "month", "year"):
            return ResolvedDate(inner.date, inner.precision, f"{edge} + {inner.rule}")
        if re.fullmatch(r"(this|the) (week|month|year)", rest, re.IGNORECASE):
            unit = rest.split()[-1].lower()
            return ResolvedDate(_period(pub, unit), unit, f"{edge} this {unit}")
        return None
    return _dateparser_fallback(text, pub, tense)


# dateparser reads durations ("five years") and decades ("the 1990s") as dates: it only gets expressions that
# name a month, a weekday or a numeric day, and nothing our rules have already declined.
_FALLBACK_OK = re.compile(rf"{_MONTH_RE}|{_WEEKDAY_RE}|\b\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}}\b")
_NOT_A_POINT = re.compile(r"\b(\d{4}s|decades?|centur(y|ies)|years? old|hours?|minutes?|seasons?|recent|"
                          r"previous|same|following|each|every|per|for)\b", re.IGNORECASE)


def _dateparser_fallback(text: str, pub: dt.date, tense: str) -> Optional[ResolvedDate]:
    if len(text) > 40 or not _FALLBACK_OK.search(text) or _NOT_A_POINT.search(text):
        return None
    import dateparser  # imported lazily: only a few expressions ever get here

    settings = {"RELATIVE_BASE": dt.datetime(pub.year, pub.month, pub.day),
                "PREFER_DATES_FROM": "future" if tense == FUTURE else "past",
                "PREFER_DAY_OF_MONTH": "first", "RETURN_AS_TIMEZONE_AWARE": False}
    try:
        value = dateparser.parse(text, languages=["en"], settings=settings)
    except Exception:  # dateparser raises on odd input; an unreadable date is no date
        return None
    if value is None:
        return None
    precision = _fallback_precision(text)
    return ResolvedDate(_period(value.date(), precision), precision, "dateparser")


def _fallback_precision(text: str) -> str:
    """How much of a date dateparser read was written: it fills what is missing from the publication date, so
    "Sunday, 2019" comes back as a day of 2019 that the text never named. A year with no month or day
    is a year."""
    if re.search(r"\d{1,2}\b.*\d", text) or re.search(_WEEKDAY_RE, text):
        if re.search(_MONTH_RE, text) or re.search(r"\b\d{1,2}[/.]\d{1,2}\b", text) or not _EXPLICIT_YEAR.search(text):
            return "day"
        return "year"
    return "month"


# ------------------------------------------------------------------ how far from publication

# Events are news: a date read from the text more than about a year after publication is a plan or a target
# ("by 2030"), and one far back that no written year supports ("22 years ago", "two decades ago") is background
# misread as the event's date. Such events keep the publication date, and date_source says why.
MAX_DAYS_AHEAD = 366
MAX_YEARS_BACK = 10  # for dates counted from publication; a written year ("in 1953") may be any time before
OUT_OF_RANGE = "publication (text date out of range)"
_EXPLICIT_YEAR = re.compile(rf"\b{_YEAR_RE}\b|\b\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}}\b")


def _shifted(day: dt.date, days: int = 0, years: int = 0) -> dt.date:
    """``day`` moved by days or years, stopping at the ends of the calendar instead of overflowing."""
    try:
        return add_months(day, 12 * years) + dt.timedelta(days=days)
    except (OverflowError, ValueError):
        return dt.date.max if days + years > 0 else dt.date.min


def period_end(start: dt.date, precision: str) -> dt.date:
    """The last day of the period a resolved date stands for (its ``date`` is the first)."""
    if precision == "week":
        return _shifted(start, days=6)
    if precision == "month":
        return start.replace(day=calendar.monthrange(start.year, start.month)[1])
    if precision == "year":
        return start.replace(month=12, day=31)
    return start


def in_range(resolved: ResolvedDate, text: str, pub: dt.date) -> bool:
    """Is a date read from ``text`` a sensible event date for a story published on ``pub``? Not more than
    MAX_DAYS_AHEAD after it, and not more than MAX_YEARS_BACK before it unless the text writes the year."""
    if resolved.date > _shifted(pub, days=MAX_DAYS_AHEAD):
        return False
    if _EXPLICIT_YEAR.search(text):
        return True
    return period_end(resolved.date, resolved.precision) >= _shifted(pub, years=-MAX_YEARS_BACK)
