"""Actor recognition: dictionaries of countries, sectors and organisations, and a resolver that turns
noun phrases into CAMEO-style ``Actor`` records ("Pakistan's president" -> PAKGOV)."""
from eventwire.actors.dictionary import (
    ActorDictionary,
    Country,
    NameMatch,
    Organisation,
    SectorTerm,
    load_dictionary,
)
from eventwire.actors.resolver import ActorResolver

__all__ = [
    "ActorDictionary",
    "ActorResolver",
    "Country",
    "NameMatch",
    "Organisation",
    "SectorTerm",
    "load_dictionary",
]
