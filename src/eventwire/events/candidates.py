"""Candidate events: what the lexicon and argument rules propose, before the scorer decides.

A trigger can be read in several ways when the parse is unsure who did what to whom. Each reading is a
`Candidate` that says where its source and target came from (``source_reading``/``target_reading``):

- ``parse``: the subject (or passive agent) and the object found by the argument rules
  (events.arguments), including the frames of reported speech, intentions and demands;
- ``subtree``: an actor named inside the trigger's own phrase ("demanded steps against X",
  "intervention in Bahrain");
- ``sentence``: another actor named elsewhere in the sentence;
- ``venue``: where a meeting or protest happens ("met in Moscow"), which may be its host or not;
- ``symmetric``: "X and Y met" as X->Y and Y->X;
- ``none``: no target.

`events.scorer.CandidateScorer` gives each candidate a confidence and keeps the best reading of each
trigger. The candidate carries the tokens the scorer's features look at (events.features).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

from spacy.tokens import Span, Token

if TYPE_CHECKING:
    from ..records import Actor, Event
    from .lexicon import Pattern

READINGS = ("parse", "subtree", "sentence", "venue", "symmetric", "none")


@dataclass
class Candidate:
    """One reading of one trigger: the event it would give and what the scorer needs to judge it."""
    event: "Event"
    sentence: Span
    trigger: Token  # the trigger word (the noun of a nominal trigger)
    verb: Token  # the clause verb whose arguments were used
    pattern: "Pattern"
    source_head: Optional[Token]
    target_head: Optional[Token]
    source_reading: str
    target_reading: str
    notes: list[str] = field(default_factory=list)  # short keys of the frames that fired: "passive", "speech" ...
    specificity: int = 0  # informative words of the lexicon pattern
    n_triggers: int = 1  # triggers in the sentence
    n_mentions: int = 0  # actor mentions in the sentence

    @property
    def group(self) -> tuple:
        """Candidates of one trigger compete: the scorer keeps one reading per group."""
        return (self.event.doc_id, self.event.sentence_index, self.trigger.i, self.event.cameo)

    @property
    def reading(self) -> tuple:
        """Events of one reading stand or fall together ("Russia, Iran and Syria attacked X" is one reading
        with three sources)."""
        return (self.source_reading, self.source_head.i if self.source_head is not None else -1,
                self.target_reading, self.target_head.i if self.target_head is not None else -1)


@dataclass
class Mention:
    """An actor named in a sentence, found without the parse roles (for ``subtree``/``sentence`` readings)."""
    head: Token
    actor: "Actor"
