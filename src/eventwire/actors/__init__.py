"""Actor recognition: dictionaries of countries, sectors, organisations and people, a resolver that
turns noun phrases into CAMEO-style ``Actor`` records ("Pakistan's president" -> PAKGOV), in-document
coreference (``DocumentActors``), a corpus memory of learned people (``ActorMemory``) and user
dictionaries (YAML, TSV, PETRARCH/TABARI). See docs/actors.md."""
from eventwire.actors.coref import DocumentActors
from eventwire.actors.dictionary import (
    ActorDictionary,
    Country,
    NameMatch,
    Organisation,
    SectorTerm,
    load_dictionary,
)
from eventwire.actors.memory import ActorMemory
from eventwire.actors.people import PeopleDirectory, load_people
from eventwire.actors.resolver import ActorResolver
from eventwire.actors.userdict import load_actor_data

__all__ = [
    "ActorDictionary",
    "ActorMemory",
    "ActorResolver",
    "Country",
    "DocumentActors",
    "NameMatch",
    "Organisation",
    "PeopleDirectory",
    "SectorTerm",
    "load_actor_data",
    "load_dictionary",
    "load_people",
]
