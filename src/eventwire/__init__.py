"""eventwire: news text in, political event data out (CAMEO/PLOVER, who did what to whom, when and where).

    >>> import eventwire
    >>> events = eventwire.code("Russia accused Ukraine of shelling the plant.", date="2024-03-10")

`eventwire.code` raises `eventwire.CodingError` (a ValueError) for input it cannot code, and nothing else.
"""
from .pipeline import CodingError, Pipeline, code
from .records import Actor, Document, Event, Evidence, Location, Skipped

__all__ = ["code", "CodingError", "Pipeline", "Actor", "Document", "Event", "Evidence", "Location", "Skipped"]
__version__ = "0.1.0"
