"""Import PETRARCH/TABARI actor and agent dictionaries (the Phoenix ``*.actors.txt`` / ``agents.txt``
formats), so existing users can bring their dictionaries.

Actor dictionary (records of a primary phrase, synonyms and dated codes)::

    AFGHANISTAN_  [AFG]             # a country: its phrases become aliases of AFG
    +AFGHAN_
    +KABUL_
    TALIBAN_  [AFGINSTAL]           # an organisation: code AFGINSTAL, country AFG, sector INS
    +AFGHAN_TALIBAN_
    HAMID_KARZAI_  ; CountryInfo.txt
    +KARZAI_
        [AFGELI <011222]            # before the date
        [AFGGOV 011222-141229]      # between the dates (inclusive)
        [AFGELI >141229]            # after the date
        [AFGELI]                    # default when no dated code applies

Phrases are words joined by "_" (a trailing "_" only marks the end of a word); dates are YYMMDD or
YYYYMMDD (a two-digit year up to 30 is 20xx, else 19xx); comments start with "#" or ";" or are
``<!-- ... -->``. A code's first three letters are the country when they are a country code (else
the actor has no country: IGO..., NGO..., IMG...), the next three the sector.

How records become eventwire entries:

* a record with dated codes is a person (several words) or a named actor (one word) in the people
  directory, with one role per dated code and the undated code as its default;
* an undated record whose code is a bare country code adds its phrases as aliases of that country;
* any other undated record is an organisation (organisations.tsv columns).

Agent dictionary (role nouns)::

    !MINIST! = MINISTER, MINISTERS, MINISTRY, MINISTRIES
    PRESIDENT [~GOVPRS]
    SOLDIER {SOLDIERS} [~MIL]
    AIR_FORCE {} [~MIL]
    HUMAN_RIGHTS_ACTIVISTS [NGM~]
    !MINIST!_OF_INTERIOR [~GOV]

Each phrase (and its listed plurals) becomes a sector term with the first three letters of the agent
code (``~GOVPRS`` -> GOV, ``NGO~`` -> NGO). Terms the built-in sectors.tsv already gives the same
sector are left alone, so an imported agents file does not override the built-in weak defaults.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Union

from eventwire.actors.dictionary import ActorDictionary
from eventwire.actors.people import PeopleDirectory, Role

_COMMENT_BLOCK = re.compile(r"<!--.*?-->", re.S)
_BRACKET = re.compile(r"\[([^\]]*)\]")
_CODE = re.compile(r"[A-Z0-9]{3,}")


@dataclass
class CodeRule:
    code: str
    start: Optional[dt.date] = None
    end: Optional[dt.date] = None

    @property
    def dated(self) -> bool:
        return self.start is not None or self.end is not None


@dataclass
class ActorRecord:
    names: list[str]  # primary phrase first
    rules: list[CodeRule] = field(default_factory=list)
    line: int = 0

    @property
    def default(self) -> Optional[str]:
        return next((r.code for r in self.rules if not r.dated), None)

    @property
    def dated(self) -> list[CodeRule]:
        return [r for r in self.rules if r.dated]


@dataclass
class AgentRecord:
    phrases: list[str]  # singular first, then plurals
    code: str
    line: int = 0

    @property
    def sector(self) -> str:
        return self.code.strip("~")[:3]


# ---------------------------------------------------------------- reading


def strip_comments(text: str) -> list[tuple[int, str]]:
    """(line number, content) with comments removed and blank lines dropped."""
    def blank_lines(m: re.Match) -> str:
        return "\n" * m.group(0).count("\n")

    text = _COMMENT_BLOCK.sub(blank_lines, text)
    out = []
    for lineno, line in enumerate(text.splitlines(), 1):
        line = re.split(r"[#;]", line, maxsplit=1)[0].rstrip()
        if line.strip():
            out.append((lineno, line))
    return out


def phrase(raw: str) -> str:
    """"HAMID_KARZAI_" -> "Hamid Karzai" (words capitalised for display; matching ignores case)."""
    words = [w for w in re.split(r"[_\s]+", raw.strip().strip("+")) if w]
    if len(words) == 1 and len(words[0]) <= 3:
        return words[0]  # an acronym ("UN", "IRA"): matched case-sensitively, as in organisations.tsv
    return " ".join(_cap(w) for w in words)


def _cap(word: str) -> str:
    if len(word) <= 3 and word.isupper() and not word.isalpha():
        return word  # "U.S."
    return "-".join(p[:1].upper() + p[1:].lower() for p in word.split("-"))


def parse_date(text: str) -> dt.date:
    """YYMMDD or YYYYMMDD (two-digit years up to 30 are 20xx)."""
    text = text.strip()
    if not re.fullmatch(r"\d{6}|\d{8}", text):
        raise ValueError(f"bad date {text!r} (use YYMMDD or YYYYMMDD)")
    if len(text) == 6:
        yy = int(text[:2])
        text = f"{2000 + yy if yy <= 30 else 1900 + yy}{text[2:]}"
    return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))


def parse_rule(inside: str) -> CodeRule:
    """"AFGGOV 011222-141229", "AFGELI <011222", "AFGELI >141229" or "AFGELI"."""
    parts = inside.split()
    if not parts or not _CODE.fullmatch(parts[0]):
        raise ValueError(f"bad code [{inside}]")
    code = parts[0]
    if len(parts) == 1:
        return CodeRule(code)
    when = "".join(parts[1:])
    if when.startswith("<"):
        return CodeRule(code, None, parse_date(when[1:]))
    if when.startswith(">"):
        return CodeRule(code, parse_date(when[1:]), None)
    if "-" in when:
        a, b = when.split("-", 1)
        return CodeRule(code, parse_date(a), parse_date(b))
    raise ValueError(f"bad date restriction [{inside}]")


def read_actors(text: str, source: str = "actors") -> list[ActorRecord]:
    records: list[ActorRecord] = []
    current: Optional[ActorRecord] = None
    for lineno, line in strip_comments(text):
        try:
            stripped = line.strip()
            if stripped.startswith("+"):
                if current is None:
                    raise ValueError("synonym before any actor")
                current.names.append(phrase(_BRACKET.sub("", stripped)))
                current.rules += [parse_rule(b) for b in _BRACKET.findall(stripped)]
            elif stripped.startswith("["):
                if current is None:
                    raise ValueError("code before any actor")
                current.rules += [parse_rule(b) for b in _BRACKET.findall(stripped)]
            else:
                name = phrase(_BRACKET.sub("", stripped))
                if not name:
                    raise ValueError("empty phrase")
                current = ActorRecord([name], [parse_rule(b) for b in _BRACKET.findall(stripped)], lineno)
                records.append(current)
        except ValueError as e:
            raise ValueError(f"{source}:{lineno}: {e}") from None
    return records


def read_agents(text: str, source: str = "agents") -> list[AgentRecord]:
    subs: dict[str, list[str]] = {}
    records: list[AgentRecord] = []
    for lineno, line in strip_comments(text):
        stripped = line.strip()
        m = re.fullmatch(r"(![A-Za-z0-9_]+!)\s*=\s*(.+)", stripped)
        if m:
            subs[m.group(1).upper()] = [w.strip() for w in m.group(2).split(",") if w.strip()]
            continue
        codes = _BRACKET.findall(stripped) or re.findall(r"\[([^\]}]*)\}", stripped)  # "[~LEG}" typos
        if not codes:
            raise ValueError(f"{source}:{lineno}: agent line without a [code]")
        code = codes[0].strip()
        if not re.fullmatch(r"~?[A-Z]{3}[A-Z0-9]*~?", code) or "~" not in code:
            raise ValueError(f"{source}:{lineno}: bad agent code [{code}] (use [~GOV] or [NGO~])")
        body = re.sub(r"\[[^\]]*[\]}]", "", stripped)
        plurals_m = re.search(r"\{([^}]*)\}", body)
        base = re.sub(r"\{[^}]*\}", "", body).strip()
        plurals = [p for p in re.split(r"\s+", plurals_m.group(1).strip()) if p] if plurals_m else []
        for variant in _expand(base, subs):
            forms = [phrase(variant)] + [phrase(p) for p in plurals]
            records.append(AgentRecord([f.lower() for f in forms if f], code, lineno))
    return records


def _expand(text: str, subs: dict[str, list[str]]) -> list[str]:
    m = re.search(r"![A-Za-z0-9_]+!", text)
    if not m:
        return [text]
    words = subs.get(m.group(0).upper())
    if not words:
        raise ValueError(f"undefined substitution {m.group(0)}")
    out = []
    for w in words:
        out += _expand(text[:m.start()] + w + text[m.end():], subs)
    return out


# ---------------------------------------------------------------- applying


def is_agents_file(path: Union[str, Path], text: str) -> bool:
    name = Path(path).name.lower()
    if "agent" in name:
        return True
    if "actor" in name:
        return False
    return "[~" in text or "~]" in text


def apply_file(path: Union[str, Path], dictionary: ActorDictionary, people: PeopleDirectory) -> None:
    path = Path(path)
    text = path.read_text(encoding="utf-8", errors="replace")
    if is_agents_file(path, text):
        apply_agents(read_agents(text, path.name), dictionary, source=path.name)
    else:
        apply_actors(read_actors(text, path.name), dictionary, people, source=path.name)


def split_code(code: str, dictionary: ActorDictionary) -> tuple[Optional[str], Optional[str]]:
    """(country, sector) of a CAMEO actor code, the country only when it is a known country code."""
    country = code[:3] if dictionary.country_by_code(code[:3]) is not None else None
    rest = code[3:] if country else ""
    sector = rest[:3] if len(rest) >= 3 and rest[:3].isalpha() else None
    return country, sector


def apply_actors(records: list[ActorRecord], dictionary: ActorDictionary, people: PeopleDirectory, *,
                 source: str) -> dict[str, int]:
    """Add actor records; returns counts per kind (countries, organisations, people)."""
    counts = {"countries": 0, "organisations": 0, "people": 0}
    for rec in records:
        if rec.dated:
            def role(rule: CodeRule) -> Role:
                country, sector = split_code(rule.code, dictionary)
                return Role(country, sector, rule.code, "", rule.start, rule.end, source)

            default = role(CodeRule(rec.default)) if rec.default else None
            kind = "person" if len(rec.names[0].split()) >= 2 else "named"
            people.add(rec.names[0], [role(r) for r in rec.dated], aliases=rec.names[1:], kind=kind, default=default)
            counts["people"] += 1
            continue
        code = rec.default
        if code is None:
            continue  # a phrase without any code codes nothing
        country, sector = split_code(code, dictionary)
        if country and code == country:
            known = dictionary.country_by_code(country)
            dictionary.add_row("countries", {"iso3": country, "name": known.name, "aliases": rec.names}, source)
            counts["countries"] += 1
        else:
            dictionary.add_row("organisations", {"name": rec.names[0], "aliases": rec.names[1:], "code": code,
                                                 "country": country or "", "sector": sector or ""}, source)
            counts["organisations"] += 1
    return counts


def apply_agents(records: list[AgentRecord], dictionary: ActorDictionary, *, source: str) -> int:
    n = 0
    for rec in records:
        for form in rec.phrases:
            current = dictionary.sector(form)
            if current is not None and current.sector == rec.sector and current.term == form:
                continue  # the built-in entry already says so (and may carry a weak default)
            dictionary.add_row("sectors", {"term": form, "sector": rec.sector, "note": f"from {source}"}, source)
            n += 1
    return n


def to_user_dictionary(records: list[ActorRecord], agents: list[AgentRecord],
                       dictionary: ActorDictionary) -> dict[str, Any]:
    """The same import as a YAML-ready user dictionary (for `eventwire actors import-petrarch`)."""
    out: dict[str, list] = {"countries": [], "organisations": [], "sectors": [], "people": []}
    for rec in records:
        if rec.dated:
            roles = []
            for rule in rec.dated:
                country, sector = split_code(rule.code, dictionary)
                r = {"code": rule.code, "country": country, "sector": sector,
                     "start": rule.start.isoformat() if rule.start else None,
                     "end": rule.end.isoformat() if rule.end else None}
                roles.append({k: v for k, v in r.items() if v is not None})
            person: dict[str, Any] = {"name": rec.names[0], "roles": roles}
            if rec.names[1:]:
                person["aliases"] = rec.names[1:]
            if len(rec.names[0].split()) < 2:
                person["kind"] = "named"
            if rec.default:
                person["roles"].append({"code": rec.default, "role": "default (PETRARCH undated code)"})
            out["people"].append(person)
            continue
        if rec.default is None:
            continue
        country, sector = split_code(rec.default, dictionary)
        if country and rec.default == country:
            out["countries"].append({"iso3": country, "aliases": rec.names})
        else:
            org = {"name": rec.names[0], "aliases": rec.names[1:], "code": rec.default, "country": country,
                   "sector": sector}
            out["organisations"].append({k: v for k, v in org.items() if v})
    for rec in agents:
        for form in rec.phrases:
            out["sectors"].append({"term": form, "sector": rec.sector})
    return {k: v for k, v in out.items() if v}
