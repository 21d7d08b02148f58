"""When events happened: date expressions resolved against publication, and the "dates" stage.

- `expressions`: one expression and a publication date → a date with its precision, or nothing; whether
  it is in range of publication;
- `stage`: `DateStage`, which finds the expressions of each event's sentence, picks the one attached to
  the event's verb, and dates the event (or keeps the publication date, saying why).
"""
from .expressions import OUT_OF_RANGE, PRECISIONS, ResolvedDate, in_range, resolve_expression
from .stage import DateMention, DateStage, clause_tense, event_verb, find_date_mentions

__all__ = ["OUT_OF_RANGE", "PRECISIONS", "DateMention", "DateStage", "ResolvedDate", "clause_tense", "event_verb",
           "find_date_mentions", "in_range", "resolve_expression"]
