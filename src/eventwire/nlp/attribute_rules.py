"""A faster stand-in for spaCy's AttributeRuler that sets exactly the same token attributes.

The English models map fine-grained tags to POS and morphology with an AttributeRuler of ~180 single-token
Matcher patterns ("TAG == VBD -> POS VERB"), plus a few word and dependency exceptions. The Matcher tries
every pattern on every token, which makes this table lookup cost about as much as the dependency parser.

Here each token is reduced to the few things the patterns look at (tag, dependency label, whether it is
whitespace, and its lower-case form when some pattern names it); the rules that match that combination
are worked out once and cached, and the results are written back with numpy arrays. Rules still apply in
the order they were added, later ones winning, as in the AttributeRuler. Patterns this class does not
understand (other token attributes, operators) make `FastAttributeRules.for_ruler` return None, and the
caller keeps the original component.
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Iterator, Optional

import numpy
from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, POS, TAG
from spacy.tokens import Doc

_KEYS = {"TAG", "LOWER", "DEP", "IS_SPACE"}
_READ = [TAG, LOWER, DEP, IS_SPACE]
_WRITE = [TAG, POS, MORPH, LEMMA]
_ALL = _READ + _WRITE  # one to_array call per Doc


class _Spec:
    """One token of a pattern: a test on (tag, lower, dep, is_space) strings."""

    def __init__(self, spec: dict):
        self.tests = []
        for key, value in spec.items():
            if key not in _KEYS:
                raise _Unsupported(key)
            self.tests.append((key, _predicate(key, value)))
        self.lowers: Optional[frozenset[str]] = None  # the LOWER values it can match, when it lists them
        value = spec.get("LOWER")
        if isinstance(value, str):
            self.lowers = frozenset({value})
        elif isinstance(value, dict) and set(value) == {"IN"}:
            self.lowers = frozenset(value["IN"])

    def __call__(self, tag: str, lower: str, dep: str, is_space: bool) -> bool:
        values = {"TAG": tag, "LOWER": lower, "DEP": dep, "IS_SPACE": is_space}
        return all(test(values[key]) for key, test in self.tests)


class _Unsupported(Exception):
    pass


def _predicate(key: str, value: Any):
    if key == "IS_SPACE":
        if not isinstance(value, bool):
            raise _Unsupported(value)
        return lambda v: v == value
    if isinstance(value, str):
        return lambda v: v == value
    if isinstance(value, dict) and len(value) == 1:
        (op, arg), = value.items()
        if op == "IN":
            allowed = frozenset(arg)
            return lambda v: v in allowed
        if op == "NOT_IN":
            if key == "LOWER":
                raise _Unsupported(op)  # would make every word form relevant to the cache key
            banned = frozenset(arg)
            return lambda v: v not in banned
        if op == "REGEX":
            regex = re.compile(arg)
            return lambda v: regex.search(v) is not None
    raise _Unsupported(value)


class FastAttributeRules:
    """Apply an AttributeRuler's rules to Docs (parsed or not), with the same result as the ruler."""

    def __init__(self, ruler):
        self.vocab = ruler.vocab
        # One entry per pattern: (token specs, index of the token to change); rule_ids maps it to its rule,
        # whose attributes the ruler keeps as attribute id -> value id (rule n is the n-th one added).
        self.rules: list[tuple[list[_Spec], int]] = []
        self.rule_ids: list[int] = []
        for rule_id, rule in enumerate(ruler.patterns):
            for pattern in rule["patterns"]:
                specs = [_Spec(s) for s in pattern]
                if not specs:
                    raise _Unsupported("empty pattern")
                self.rules.append((specs, rule["index"]))
                self.rule_ids.append(rule_id)
        self.attrs = [dict(a) for a in ruler.attrs]
        for attrs in self.attrs:
            if set(attrs) - {TAG, POS, MORPH, LEMMA, DEP}:
                raise _Unsupported(f"sets {set(attrs)}")
        self.single = [i for i, (specs, _) in enumerate(self.rules) if len(specs) == 1]
        self.multi = [i for i, (specs, _) in enumerate(self.rules) if len(specs) > 1]
        self._regex_specs = [s for specs, _ in self.rules for s in specs
                             if s.lowers is None and any(k == "LOWER" for k, _ in s.tests)]
        self.named_lowers = frozenset(w for specs, _ in self.rules for s in specs for w in (s.lowers or ()))
        # Word form -> (multi-token rule, offset of the token naming it): where such a rule can start.
        self._multi_anchor: dict[int, list[tuple[int, int]]] = {}
        self._multi_unanchored: list[int] = []
        for rule in self.multi:
            named = next(((o, spec) for o, spec in enumerate(self.rules[rule][0]) if spec.lowers is not None), None)
            if named is None:
                self._multi_unanchored.append(rule)
                continue
            for word in named[1].lowers:
                self._multi_anchor.setdefault(self.vocab.strings.add(word), []).append((rule, named[0]))
        self._lower_relevant: dict[int, bool] = {}
        self._matches: dict[tuple, tuple[int, ...]] = {}

    @classmethod
    def for_ruler(cls, ruler) -> Optional["FastAttributeRules"]:
        try:
            return cls(ruler)
        except _Unsupported:
            return None

    def pipe(self, docs: Iterable[Doc]) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if not n:
            return doc
        array = doc.to_array(_ALL)
        out = array[:, len(_READ):].copy()
        by_key: dict[tuple, list[int]] = {}
        relevant = self._lower_relevant
        for i, (tag, lower, dep, space) in enumerate(array[:, :len(_READ)].tolist()):
            keep_lower = relevant.get(lower)
            if keep_lower is None:
                keep_lower = self._relevant_lower(lower)
            by_key.setdefault((tag, lower if keep_lower else 0, dep, space), []).append(i)
        multi: dict[int, list[int]] = {}
        for i, lower in enumerate(array[:, 1].tolist()):
            for rule, offset in self._multi_anchor.get(lower, ()):
                self._try_multi(array, rule, i - offset, multi)
        for rule in self._multi_unanchored:
            for start in range(n):
                self._try_multi(array, rule, start, multi)
        dep_changes: list[tuple[int, int]] = []
        for key, positions in by_key.items():
            rules = self._matches.get(key)
            if rules is None:
                rules = self._matches[key] = self._match_single(*self._strings(key))
            if any(i in multi for i in positions):
                singles = [i for i in positions if i not in multi]
                for i in positions:
                    if i in multi:
                        self._apply(sorted(rules + tuple(multi[i]), key=self.rule_ids.__getitem__), [i], out,
                                    dep_changes)
                positions = singles
            if rules and positions:
                self._apply(rules, positions, out, dep_changes)
        doc.from_array(_WRITE, out)
        for i, value in dep_changes:
            doc[i].dep = value
        return doc

    def _apply(self, rules: Iterable[int], positions: list[int], out, dep_changes: list) -> None:
        """Set the rules' attributes on the tokens at ``positions``; later rules overwrite earlier ones."""
        index = numpy.asarray(positions)
        for rule in rules:
            for attr, value in self.attrs[self.rule_ids[rule]].items():
                if attr == DEP:
                    dep_changes.extend((int(i), value) for i in index)
                else:
                    out[index, _WRITE.index(attr)] = value

    def _relevant_lower(self, lower: int) -> bool:
        """Does some pattern look at this word form? (Only then does it go into the cache key.)"""
        text = self.vocab.strings[lower] if lower else ""
        known = text in self.named_lowers or any(
            test(text) for spec in self._regex_specs for key, test in spec.tests if key == "LOWER")
        self._lower_relevant[lower] = known
        return known

    def _match_single(self, tag: str, lower: str, dep: str, space: bool) -> tuple[int, ...]:
        return tuple(i for i in self.single if self.rules[i][0][0](tag, lower, dep, space))

    def _try_multi(self, array, rule: int, start: int, hits: dict[int, list[int]]) -> None:
        specs, index = self.rules[rule]
        width = len(specs)
        if start < 0 or start + width > len(array):
            return
        if all(spec(*self._strings(array[start + offset])) for offset, spec in enumerate(specs)):
            hits.setdefault(start + (index if index >= 0 else width + index), []).append(rule)

    def _strings(self, row) -> tuple[str, str, str, bool]:
        """(tag, lower, dep, is_space) ids as the strings the patterns name."""
        strings = self.vocab.strings
        tag, lower, dep, space = (int(x) for x in row[:4])
        return (strings[tag] if tag else "", strings[lower] if lower else "", strings[dep] if dep else "",
                bool(space))
