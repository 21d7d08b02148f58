"""eventwire: news text in, political event data out (CAMEO/PLOVER, who did what to whom, when and where).

    >>> import eventwire
    >>> events = eventwire.code("Russia accused Ukraine of shelling the plant.", date="2024-03-10")
"""
from .pipeline import Pipeline, code
from .records import Actor, Document, Event, Evidence, Location, Skipped

__all__ = ["code", "Pipeline", "Actor", "Document", "Event", "Evidence", "Location", "Skipped"]
__version__ = "0.1.0"
