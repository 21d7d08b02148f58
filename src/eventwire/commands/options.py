"""Checks for filter values typed on the command line: a bad value is an error that says what is valid,
never a silent empty result (`--root 190`, `--source-country tur`)."""
from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Optional

import typer

from .. import ontology

COUNTRY_HELP = "an upper-case ISO 3166 alpha-3 code such as TUR, SYR or USA"


@functools.lru_cache(maxsize=1)
def known_countries() -> frozenset[str]:
    import pycountry

    codes = {c.alpha_3 for c in pycountry.countries}
    try:
        from ..actors.dictionary import load_dictionary

        codes |= {c.iso3 for c in load_dictionary().countries()}
    except Exception:  # the dictionary adds codes like XKX; pycountry alone is enough to check
        pass
    return frozenset(codes)


def cameo_root(value: Optional[str], option: str = "--root") -> Optional[str]:
    if value is None:
        return None
    if not re.fullmatch(r"\d{1,2}", value) or not 1 <= int(value) <= 20:
        hint = f"; {value} looks like a code: use --cameo {value}" if re.fullmatch(r"\d{3,4}", value) else ""
        raise typer.BadParameter(f"{value!r} is not a CAMEO root: give two digits from 01 to 20 "
                                 f"(e.g. 19 for fight; `eventwire codes` lists them){hint}", param_hint=option)
    return value.zfill(2)


def cameo_code(value: Optional[str], option: str = "--cameo") -> Optional[str]:
    if value is None:
        return None
    codes = [c.code for c in ontology.all_cameo_codes()]
    if not re.fullmatch(r"\d{2,4}", value) or not any(code.startswith(value) for code in codes):
        raise typer.BadParameter(f"{value!r} is not a CAMEO code or code prefix (e.g. 19, 190, 1123; "
                                 "`eventwire codes 19` lists the codes under a root)", param_hint=option)
    return value


def country(value: Optional[str], option: str) -> Optional[str]:
    if value is None:
        return None
    if value not in known_countries():
        hint = f"; did you mean {value.upper()}?" if value.upper() in known_countries() else ""
        raise typer.BadParameter(f"{value!r} is not a country code: give {COUNTRY_HELP}{hint}", param_hint=option)
    return value


def actor(value: str, option: str) -> str:
    """A country or actor code prefix: TUR, TURGOV, IGOUNO, ---REB."""
    if not re.fullmatch(r"(---|[A-Z]{3})[A-Z]{0,12}", value):
        raise typer.BadParameter(f"{value!r} is not an actor code: give a country ({COUNTRY_HELP}) or a CAMEO actor "
                                 "code such as TURGOV, IGOUNO or ---REB (upper case)", param_hint=option)
    if not value.startswith(("---", "IGO", "NGO", "IMG", "MNC")) and value[:3] not in known_countries():
        raise typer.BadParameter(f"{value!r} does not start with a country code: give {COUNTRY_HELP}",
                                 param_hint=option)
    return value


def dyad(value: Optional[str], option: str = "--dyad") -> Optional[tuple[str, str]]:
    if value is None:
        return None
    parts = value.split("-")
    # "---REB-TUR" has dashes inside a code: split on the dash that separates two valid actor codes.
    for i in range(1, len(parts)):
        a, b = "-".join(parts[:i]), "-".join(parts[i:])
        try:
            return actor(a, option), actor(b, option)
        except typer.BadParameter:
            continue
    raise typer.BadParameter(f"{value!r} is not a dyad: give SOURCE-TARGET, two country or actor codes "
                             "joined by '-', e.g. PAK-IND or RUSGOV-UKR", param_hint=option)


def day(value: Optional[str], option: str) -> Optional[dt.date]:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date: give YYYY-MM-DD, e.g. 2021-03-08", param_hint=option) from None
