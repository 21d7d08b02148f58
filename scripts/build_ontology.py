"""Regenerate the ontology TSVs in src/eventwire/data/ from the reference tables in ../shared.

Dev tool only: the product reads the committed TSVs and never needs ../shared.

    python scripts/build_ontology.py [--shared /work/shared] [--out src/eventwire/data]

Reads (facts only; no descriptions or usage notes are copied):
  data/ontology/cameo_codebook.csv   code, name, goldstein, root_code
  data/ontology/cameo_to_plover.txt  CAMEO code -> PLOVER type, mode, context
  data/ontology/PLOVER_MANUAL.tex    score table (tab:ploverscores), mode tables,
                                     quad category of each type, context names
Writes: cameo_codes.tsv, plover_types.tsv, plover_contexts.tsv
"""
from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

PLOVER_TYPES = [
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
]

# Older PLOVER labels -> current ones (same renames as the gold data uses).
TYPE_RENAMES = {"DEMAND": "REQUEST", "DISAPPROVE": "ACCUSE", "FIGHT": "ASSAULT", "INVESTIGATE": "ACCUSE"}

# Modes in cameo_to_plover.txt that the current manual no longer lists for that type,
# mapped to the manual's current mode ("" = no current equivalent).
MODE_RENAMES = {
    ("RETREAT", "ease"): "",  # the table itself notes "ease" is no longer a mode
    ("RETREAT", "return"): "",  # commented out of the manual's RETREAT modes
    ("THREATEN", "ban"): "restrict",  # manual: restrict covers banning political activity
    ("THREATEN", "political"): "restrict",
    ("COERCE", "ban"): "restrict",
    ("ASSAULT", "assassinate"): "targeted",  # manual: targeted covers assassinations
    ("ASSAULT", "massacre"): "targeted",  # ... and deliberate mass killings
    ("ASSAULT", "cleansing"): "",  # commented out of the manual's ASSAULT modes
    ("ASSAULT", "seize"): "destroy",  # only on 1712 "destroy property"
}

# Contexts in the table that are not in the manual's context list.
CONTEXT_RENAMES = {"democracy": "pro_democracy", "humanitarian": "human_security"}

# Codes whose mode slot holds a context: move it to the context field.
MODE_IS_CONTEXT = {"pro_autocracy"}

# The manual prints ACCUSE's type-level score as +3 while all its modes are negative
# and the earlier table in the same manual gave -2.0: a dropped minus sign.
SCORE_CORRECTIONS = {("ACCUSE", ""): -3.0}

QUAD_NAMES = {"VERBAL COOPERATION": 1, "MATERIAL COOPERATION": 2, "VERBAL CONFLICT": 3, "MATERIAL CONFLICT": 4}

# One-line paraphrases of the manual's general contexts, written for this project.
CONTEXT_DESCRIPTIONS = {
    "military": "state armed forces and military assistance (not militias, police or rebels)",
    "intelligence": "state intelligence agencies and their information gathering",
    "executive": "heads of government, executive agencies and their personal politics",
    "legislative": "parliaments, legislators, lawmaking and coalition building",
    "election": "elections, campaigns, candidates and electoral fraud",
    "political_institutions": "non-routine changes to or clashes between formal political bodies and parties",
    "pro_democracy": "moves toward democratization",
    "pro_autocracy": "moves toward autocracy or democratic backsliding",
    "economic": "trade, finance, development and macroeconomic conditions",
    "legal": "courts, judiciary, and national or international law",
    "reparations": "compensation for past harm",
    "human_rights": "human rights in general terms",
    "rights_freedoms": "specific civil and political rights and liberties",
    "repression": "force used by security forces against civilians or groups",
    "human_security": "access to food, water, housing, energy and land",
    "gender": "gender, women's issues and reproductive rights",
    "lgbt": "LGBTQ people, rights and discrimination",
    "religion_ethnicity": "religious, ethnic, caste or language groups and relations between them",
    "inequality": "unequal distribution of resources or opportunities",
    "diplomatic": "diplomacy, international or domestic",
    "territory": "territorial disputes and forced displacement over territory",
    "peacekeeping": "peacekeeping operations, usually multilateral",
    "health": "public health, epidemics and disease",
    "asylum": "seeking or granting asylum",
    "migration": "migrants, refugees and displaced people",
    "disasters": "natural disasters and industrial accidents",
    "natural_resource": "extraction, trade and depletion of natural resources",
    "environment": "pollution, climate and environmental policy or protest",
    "technology": "new technology and high-tech industry",
    "terrorism": "terrorist groups and counter-terrorism",
    "cbrn": "chemical, biological, radiological and nuclear weapons",
    "cyber": "cyber attacks, cyber crime and cyber security",
    "misinformation": "disinformation and influence operations",
    "crime": "crime and criminals in general",
    "corruption": "abuse of public office, bribery and nepotism",
    "illegal_drugs": "the illegal drug trade",
    "trafficking": "smuggling and trafficking of people or goods",
}


def quad_class_of_root(root: str) -> int:
    r = int(root)
    return 1 if r <= 5 else 2 if r <= 8 else 3 if r <= 13 else 4


def read_codebook(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        rows = [
            {"code": r["code"].strip(), "name": r["name"].strip(),
             "goldstein": r["goldstein"].strip(), "root": r["root_code"].strip()}
            for r in csv.DictReader(f)
        ]
    for r in rows:
        if r["root"] != r["code"][:2]:
            raise ValueError(f"codebook: root {r['root']} does not prefix code {r['code']}")
    return rows


def parse_plover_table(text: str) -> dict[str, tuple[str, str, str]]:
    """`CODE: TYPE, mode, context # comment` -> {code: (type, mode, context)}.

    Fields are padded with spaces, trailing fields may be missing, contexts can be
    `a; b`. The first line for a code wins (root 08 is listed as CONCEDE and again as
    RETREAT; 080 is CONCEDE, and 084-087 carry their own RETREAT lines).
    """
    table: dict[str, tuple[str, str, str]] = {}
    for lineno, line in enumerate(text.splitlines(), 1):
        body = line.split("#", 1)[0].strip()
        if not body or body.startswith("~"):
            continue
        m = re.fullmatch(r"(\d{2,4})\s*:\s*(.*)", body)
        if not m:
            raise ValueError(f"cameo_to_plover line {lineno}: cannot parse {line!r}")
        code, rest = m.groups()
        fields = [f.strip() for f in rest.split(",")] + ["", ""]
        ptype, mode, context = fields[0].upper(), fields[1].lower(), fields[2]
        if len(fields) > 5:
            raise ValueError(f"cameo_to_plover line {lineno}: too many fields {line!r}")
        contexts = [c.strip().lower() for c in context.split(";") if c.strip()]
        if code not in table:
            table[code] = (ptype, mode, ";".join(contexts))
    return table


def normalize(ptype: str, mode: str, context: str) -> tuple[str, str, str]:
    """Bring one table row to the current manual's vocabulary (see the *_RENAMES above)."""
    ptype = TYPE_RENAMES.get(ptype, ptype)
    contexts = context.split(";") if context else []
    if mode in MODE_IS_CONTEXT:
        contexts.insert(0, mode)
        mode = ""
    mode = MODE_RENAMES.get((ptype, mode), mode)
    contexts = [CONTEXT_RENAMES.get(c, c) for c in contexts]
    contexts = list(dict.fromkeys(contexts))  # dedupe, keep order
    return ptype, mode, ";".join(contexts)


def resolve_plover(code: str, table: dict[str, tuple[str, str, str]]) -> tuple[str, str, str]:
    """The code's own row, else its 3-digit parent's, else its root's; ("", "", "") if none.

    Roots 01 and 02 have no row: the manual drops them from PLOVER.
    """
    for key in (code, code[:3], code[:2]):
        if key in table:
            return table[key]
    return ("", "", "")


# eventwire's own choice, not the table's: PLOVER drops CAMEO 02 (APPEAL), but its REQUEST type covers
# "all requests, demands, and orders", so an appeal is coded as a REQUEST with the matching mode.
APPEAL_AS_REQUEST = {"02": "", "020": "", "021": "assist", "022": "assist", "023": "assist",
                     "024": "change", "025": "yield", "026": "meet", "027": "meet", "028": "meet"}


# Where the table contradicts the manual's own definitions, the manual wins (eventwire's choice):
# "International (political or economic) sanctions are coded as SANCTION 'discontinue'" and
# "removing curfews" / easing emergency rule are CONCEDE (verbal concessions).
# CAMEO 019 "express accord" is an agreement, which PLOVER's AGREE covers, though PLOVER drops root 01.
MANUAL_OVERRIDES = {"163": ("SANCTION", "discontinue"), "0813": ("CONCEDE", ""), "0814": ("CONCEDE", ""),
                    "019": ("AGREE", "")}


def build_cameo_rows(codebook, table) -> list[dict[str, str]]:
    rows = []
    for r in codebook:
        ptype, mode, context = normalize(*resolve_plover(r["code"], table))
        if r["code"] in MANUAL_OVERRIDES:
            ptype, mode = MANUAL_OVERRIDES[r["code"]]
        if r["root"] == "02" and not ptype:
            appeal_mode = APPEAL_AS_REQUEST.get(r["code"][:3], APPEAL_AS_REQUEST.get(r["code"], ""))
            ptype, mode = "REQUEST", appeal_mode
        rows.append({
            "code": r["code"], "name": r["name"], "goldstein": str(float(r["goldstein"])),
            "root": r["root"], "quad_class": str(quad_class_of_root(r["root"])),
            "plover": ptype, "mode": mode, "context": context,
        })
    return rows


def _uncomment(tex: str) -> str:
    """Drop LaTeX comments (an unescaped % to end of line)."""
    return "\n".join(re.sub(r"(?<!\\)%.*", "", line) for line in tex.splitlines())


def _strip_tex(cell: str) -> str:
    cell = re.sub(r"\\cellcolor\{[^}]*\}", "", cell)
    return cell.replace("\\\\", "").replace("\\_", "_").strip()


def parse_score_table(tex: str) -> dict[tuple[str, str], float]:
    """{(TYPE, mode): score} from the uncommented tab:ploverscores table; mode "" = type level."""
    body = _uncomment(tex)
    label = body.index(r"\label{tab:ploverscores}")
    start = body.rindex(r"\begin{tabular}", 0, label)
    end = body.index(r"\end{tabular}", start)
    scores: dict[tuple[str, str], float] = {}
    for line in body[start:end].splitlines():
        if "&" not in line or "textbf" in line:
            continue
        cells = [_strip_tex(c) for c in line.split("&")]
        for name, value in zip(cells[0::2], cells[1::2]):
            if not name:
                continue
            ptype, _, mode = name.partition(":")
            key = (ptype.strip().upper(), mode.strip().lower())
            if key in scores:
                raise ValueError(f"score table lists {key} twice")
            scores[key] = float(value)
    return scores


def parse_type_sections(tex: str) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Quad class and listed modes of each PLOVER type from its manual section."""
    body = _uncomment(tex)
    quad: dict[str, int] = {}
    modes: dict[str, list[str]] = {}
    parts = re.split(r"\\section\{([A-Z]+)\}", body)
    for name, text in zip(parts[1::2], parts[2::2]):
        if name not in PLOVER_TYPES:
            continue
        m = re.search(r"Quad category:\s*([A-Z ]+?)\s*\}", text)
        quad[name] = QUAD_NAMES[m.group(1)]
        found: list[str] = []
        for tab in re.findall(r"\\begin\{tabular\}.*?\\end\{tabular\}", text, re.S):
            for line in tab.splitlines()[1:]:
                first = _strip_tex(line.split("&")[0]) if "&" in line else ""
                if re.fullmatch(r"[a-z][a-z\-]*", first) and first not in found:
                    found.append(first)
        modes[name] = found
    return quad, modes


def parse_context_names(tex: str) -> list[str]:
    body = _uncomment(tex)
    start = body.index(r"\label{tab:general-contexts}")
    end = body.index(r"\end{longtable}", start)
    names = []
    for line in body[start:end].splitlines():
        if "&" not in line:
            continue
        first = line.split("&")[0]
        first = re.sub(r"\\hyperref\[[^\]]*\]\{([^}]*)\}", r"\1", first)
        first = _strip_tex(first)
        if first and first != "Name":
            names.append(first)
    return names


def build_plover_rows(tex: str) -> list[dict[str, str]]:
    scores = parse_score_table(tex)
    scores.update(SCORE_CORRECTIONS)
    quad, listed = parse_type_sections(tex)
    # REQUEST and REJECT share their mode table; the manual lists it under each.
    missing = set(PLOVER_TYPES) - set(quad)
    if missing:
        raise ValueError(f"manual: no section for {sorted(missing)}")
    rows = []
    for ptype in PLOVER_TYPES:
        if (ptype, "") not in scores:
            raise ValueError(f"score table has no type-level score for {ptype}")
        modes = [m for (t, m) in scores if t == ptype and m]
        modes += [m for m in listed[ptype] if m not in modes]  # listed but unscored
        rows.append({"plover": ptype, "mode": "", "score": str(scores[(ptype, "")]), "quad_class": str(quad[ptype])})
        for mode in modes:
            score = scores.get((ptype, mode))
            rows.append({"plover": ptype, "mode": mode, "score": "" if score is None else str(score),
                         "quad_class": str(quad[ptype])})
    extra = {t for t, _ in scores} - set(PLOVER_TYPES)
    if extra:
        raise ValueError(f"score table has unknown types {sorted(extra)}")
    return rows


def write_tsv(path: Path, header: str, columns: list[str], rows: list[dict[str, str]]) -> None:
    lines = [f"# {h}" if h else "#" for h in header.strip("\n").splitlines()]
    lines.append("\t".join(columns))
    for r in rows:
        values = [r[c] for c in columns]
        if any("\t" in v or "\n" in v for v in values):
            raise ValueError(f"tab or newline in {values}")
        lines.append("\t".join(values))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


CAMEO_HEADER = """\
CAMEO event codes (all 312: 2-digit roots, 3- and 4-digit codes) with their PLOVER equivalents.
Facts from the CAMEO codebook and the PLOVER CAMEO->PLOVER table; generated by
scripts/build_ontology.py -- edit that script (or this file, carefully) rather than by hand.
Columns (tab-separated; codes are strings and keep their leading zeros):
  code        CAMEO event code, e.g. 010, 0311, 190
  name        CAMEO name of the code (roots in capitals)
  goldstein   Goldstein conflict/cooperation weight, -10 .. +10
  root        2-digit CAMEO root (cue category)
  quad_class  1 verbal cooperation (roots 01-05), 2 material cooperation (06-08),
              3 verbal conflict (09-13), 4 material conflict (14-20)
  plover      PLOVER event type; empty for root 01 (PLOVER drops it); root 02 (APPEAL) is coded REQUEST by eventwire
  mode        PLOVER mode (how), may be empty
  context     PLOVER context(s) (why), several joined with ';', may be empty
A code missing from the CAMEO->PLOVER table takes its 3-digit, then its 2-digit parent's mapping.
PLOVER labels are the manual's current ones (DEMAND->REQUEST, DISAPPROVE->ACCUSE,
FIGHT->ASSAULT, INVESTIGATE->ACCUSE); legacy modes and contexts are mapped to current ones
(e.g. ASSAULT assassinate->targeted, context democracy->pro_democracy); see the script.
"""

PLOVER_HEADER = """\
PLOVER event types and modes with their numeric conflict/cooperation score (-10 .. +10).
Facts from the PLOVER manual's score table (tab:ploverscores) and its per-type mode lists and
quad categories; generated by scripts/build_ontology.py.
Columns (tab-separated):
  plover      PLOVER event type
  mode        mode of that type; empty on the type-level row
  score       PLOVER score; empty where the manual lists a mode but gives it no score
  quad_class  1 verbal cooperation, 2 material cooperation, 3 verbal conflict, 4 material conflict
              (from each type's section; the manual's summary table puts SANCTION in 3, its section in 4)
Correction: the manual prints ACCUSE's type-level score as +3; it is stored as -3 (every ACCUSE
mode is negative and the manual's earlier table had -2.0).
"""

CONTEXT_HEADER = """\
PLOVER general contexts (the "why" of an event; any context may go with any event type).
Names from the PLOVER manual's context table; descriptions are short paraphrases written for
eventwire, not the manual's text. Generated by scripts/build_ontology.py.
Columns (tab-separated): context, description
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--out", type=Path, default=REPO / "src" / "eventwire" / "data")
    args = ap.parse_args(argv)
    onto = args.shared / "data" / "ontology"
    if not onto.is_dir():
        print(f"no reference data at {onto}; pass --shared", file=sys.stderr)
        return 2

    codebook = read_codebook(onto / "cameo_codebook.csv")
    table = parse_plover_table((onto / "cameo_to_plover.txt").read_text(encoding="utf-8"))
    tex = (onto / "PLOVER_MANUAL.tex").read_text(encoding="utf-8")

    cameo_rows = build_cameo_rows(codebook, table)
    plover_rows = build_plover_rows(tex)
    contexts = parse_context_names(tex)
    if set(contexts) != set(CONTEXT_DESCRIPTIONS):
        raise ValueError(f"context list changed: {sorted(set(contexts) ^ set(CONTEXT_DESCRIPTIONS))}")
    context_rows = [{"context": c, "description": CONTEXT_DESCRIPTIONS[c]} for c in contexts]

    # Everything the CAMEO rows use must exist in the PLOVER vocabulary written alongside.
    known_modes = {(r["plover"], r["mode"]) for r in plover_rows}
    for r in cameo_rows:
        if r["plover"] and (r["plover"], r["mode"]) not in known_modes:
            raise ValueError(f"{r['code']}: mode {r['mode']!r} is not a {r['plover']} mode")
        for c in filter(None, r["context"].split(";")):
            if c not in contexts:
                raise ValueError(f"{r['code']}: unknown context {c!r}")

    args.out.mkdir(parents=True, exist_ok=True)
    write_tsv(args.out / "cameo_codes.tsv", CAMEO_HEADER,
              ["code", "name", "goldstein", "root", "quad_class", "plover", "mode", "context"], cameo_rows)
    write_tsv(args.out / "plover_types.tsv", PLOVER_HEADER, ["plover", "mode", "score", "quad_class"], plover_rows)
    write_tsv(args.out / "plover_contexts.tsv", CONTEXT_HEADER, ["context", "description"], context_rows)

    unmapped = sorted(set(table) - {r["code"] for r in codebook})
    print(f"wrote {len(cameo_rows)} CAMEO codes, {len(plover_rows)} PLOVER type/mode rows, "
          f"{len(context_rows)} contexts to {args.out}")
    if unmapped:
        print(f"note: table codes not in the codebook (skipped): {', '.join(unmapped)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
