"""CAMEO codes and the PLOVER vocabulary: names, Goldstein weights, quad classes, PLOVER
type/mode/context per code, and PLOVER scores.

Backed by the TSVs in eventwire/data (cameo_codes.tsv, plover_types.tsv, plover_contexts.tsv),
which scripts/build_ontology.py generates; their header comments describe the columns.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

QUAD_CLASS_NAMES = {1: "Verbal Cooperation", 2: "Material Cooperation", 3: "Verbal Conflict", 4: "Material Conflict"}


@dataclass(frozen=True)
class CameoCode:
    code: str  # "010", "0311", "19": always a string with its leading zeros
    name: str
    goldstein: float
    root: str  # 2-digit cue category
    quad_class: int  # key of QUAD_CLASS_NAMES
    plover: str  # "" for roots 01 and 02, which PLOVER drops
    mode: str
    context: str  # several contexts are joined with ";"

    @property
    def contexts(self) -> tuple[str, ...]:
        return tuple(c for c in self.context.split(";") if c)

    @property
    def quad_class_name(self) -> str:
        return QUAD_CLASS_NAMES[self.quad_class]


def _read_tsv(name: str) -> list[dict[str, str]]:
    """Rows of a data TSV as dicts; lines starting with '#' are comments, the first other line is the header."""
    text = files("eventwire.data").joinpath(name).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    header = lines[0].split("\t")
    rows = []
    for lineno, line in enumerate(lines[1:], 2):
        values = line.split("\t")
        if len(values) != len(header):
            raise ValueError(f"{name}: data row {lineno} has {len(values)} fields, expected {len(header)}")
        rows.append(dict(zip(header, values)))
    return rows


@lru_cache(maxsize=None)
def _cameo_table() -> dict[str, CameoCode]:
    return {
        r["code"]: CameoCode(
            code=r["code"], name=r["name"], goldstein=float(r["goldstein"]), root=r["root"],
            quad_class=int(r["quad_class"]), plover=r["plover"], mode=r["mode"], context=r["context"],
        )
        for r in _read_tsv("cameo_codes.tsv")
    }


@lru_cache(maxsize=None)
def _plover_table() -> dict[tuple[str, str], float | None]:
    """{(type, mode): score}; mode "" is the type-level row; None where the manual gives no score."""
    return {
        (r["plover"], r["mode"]): float(r["score"]) if r["score"] else None
        for r in _read_tsv("plover_types.tsv")
    }


@lru_cache(maxsize=None)
def _plover_quad_classes() -> dict[str, int]:
    return {r["plover"]: int(r["quad_class"]) for r in _read_tsv("plover_types.tsv") if not r["mode"]}


@lru_cache(maxsize=None)
def _plover_context_table() -> dict[str, str]:
    return {r["context"]: r["description"] for r in _read_tsv("plover_contexts.tsv")}


def cameo(code: str) -> CameoCode:
    """The CAMEO code `code` ("042", "0311"; surrounding whitespace is ignored).

    Codes must be canonical strings: "42" or 42 are not "042". Raises KeyError otherwise.
    """
    key = code.strip() if isinstance(code, str) else code
    try:
        return _cameo_table()[key]
    except (KeyError, TypeError):
        raise KeyError(
            f"unknown CAMEO event code {code!r}: expected a 2-4 digit string with leading zeros, e.g. '042'"
        ) from None


def is_cameo_code(code: object) -> bool:
    return isinstance(code, str) and code.strip() in _cameo_table()


def all_cameo_codes() -> list[CameoCode]:
    """Every CAMEO code (roots included), in codebook order."""
    return list(_cameo_table().values())


def root_name(root: str) -> str:
    """Name of a 2-digit CAMEO root, e.g. root_name("19") -> "FIGHT"."""
    key = root.strip() if isinstance(root, str) else root
    if not (isinstance(key, str) and len(key) == 2):
        raise KeyError(f"not a CAMEO root {root!r}: expected a 2-digit string such as '01' or '19'")
    return cameo(key).name


def plover_score(plover: str, mode: str = "") -> float | None:
    """PLOVER conflict/cooperation score of a type, or of a (type, mode) pair.

    A mode the manual lists without a score of its own gets the type's score.
    Returns None for an unknown type, or a mode that is not one of the type's modes.
    """
    table = _plover_table()
    if (plover, "") not in table:
        return None
    if (plover, mode) not in table:
        return None
    score = table[(plover, mode)]
    return table[(plover, "")] if score is None else score


def plover_types() -> list[str]:
    """The PLOVER event types, in the manual's order."""
    return [t for (t, m) in _plover_table() if not m]


def plover_modes(plover: str) -> list[str]:
    """The modes of a PLOVER type (empty list for types without modes, or unknown types)."""
    return [m for (t, m) in _plover_table() if t == plover and m]


def plover_quad_class(plover: str) -> int | None:
    """Quad class the PLOVER manual gives a type (key of QUAD_CLASS_NAMES); None if unknown.

    Can differ from the CAMEO quad class of a code mapped to it (CAMEO 08x is material
    cooperation, PLOVER CONCEDE is verbal cooperation).
    """
    return _plover_quad_classes().get(plover)


def plover_contexts() -> list[str]:
    """The PLOVER general contexts, in the manual's order."""
    return list(_plover_context_table())


def plover_context_description(context: str) -> str:
    """One-line description of a PLOVER context; KeyError if unknown."""
    try:
        return _plover_context_table()[context]
    except KeyError:
        raise KeyError(f"unknown PLOVER context {context!r}") from None


# PLOVER's country names for international non-state actors (the manual's table of them): the UN and the EU
# have their own; other IGOs, NGOs, transnational militant groups and multinationals a generic one.
PLOVER_NONSTATE = {"IGO": "International Governmental Organization", "UNO": "United Nations",
                   "EUR": "European Union", "NGO": "Non-governmental Organization",
                   "ISM": "International Social Movement", "IMG": "Transnational Militarized Group",
                   "MNC": "Multi-national Corporation"}
# CAMEO actor-code prefixes -> PLOVER code, longest first. IGOEUREEC is the EU and its bodies (IGOEURCOE,
# the Council of Europe, is another IGO); CAMEO's NGM (non-governmental movement) is PLOVER's ISM.
_PLOVER_NONSTATE_PREFIXES = (("IGOUNO", "UNO"), ("IGOEUREEC", "EUR"), ("IGO", "IGO"), ("NGO", "NGO"),
                             ("NGM", "ISM"), ("IMG", "IMG"), ("MNC", "MNC"))


def plover_country(code: str | None, country: str | None = None) -> str | None:
    """The PLOVER country code of an actor: its country (ISO3) when it has one, else UNO for the UN system
    (IGOUNO...), EUR for the EU (IGOEUREEC...), IGO, NGO, ISM, IMG or MNC; None for an unknown actor
    ("---REB") or no code. A code with neither gives its first three letters (a country code)."""
    if country:
        return country
    if not code or code.startswith("---"):
        return None
    for prefix, plover in _PLOVER_NONSTATE_PREFIXES:
        if code.startswith(prefix):
            return plover
    return code[:3]
