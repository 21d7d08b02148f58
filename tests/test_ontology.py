import csv
import importlib.util
from pathlib import Path

import pytest

from eventwire import ontology
from eventwire.ontology import (
    QUAD_CLASS_NAMES,
    CameoCode,
    all_cameo_codes,
    cameo,
    is_cameo_code,
    plover_contexts,
    plover_modes,
    plover_quad_class,
    plover_score,
    plover_types,
    root_name,
)

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
ONTOLOGY_DIR = SHARED / "data" / "ontology"

CURRENT_PLOVER = [
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
]


def load_build_script():
    spec = importlib.util.spec_from_file_location("build_ontology", REPO / "scripts" / "build_ontology.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- CAMEO codes -------------------------------------------------------------------------


def test_all_312_codes_with_unique_string_codes():
    codes = [c.code for c in all_cameo_codes()]
    assert len(codes) == 312
    assert len(set(codes)) == 312
    assert all(isinstance(c, str) and c.isdigit() and 2 <= len(c) <= 4 for c in codes)


def test_every_root_present_with_name():
    roots = [f"{i:02d}" for i in range(1, 21)]
    for r in roots:
        assert is_cameo_code(r)
        assert cameo(r).root == r
        assert root_name(r)
    assert root_name("19") == "FIGHT"
    assert root_name("01") == "MAKE PUBLIC STATEMENT"
    assert {c.root for c in all_cameo_codes()} == set(roots)


def test_every_code_belongs_to_its_root():
    for c in all_cameo_codes():
        assert c.code.startswith(c.root)
        if len(c.code) == 4:
            assert is_cameo_code(c.code[:3]), c.code


@pytest.mark.parametrize(
    "code,goldstein",
    [("190", -10.0), ("042", 1.9), ("010", 0.0), ("051", 3.4), ("0311", 5.2), ("112", -2.0), ("20", -10.0)],
)
def test_goldstein_known_values(code, goldstein):
    assert cameo(code).goldstein == goldstein


def test_goldstein_range_and_type():
    for c in all_cameo_codes():
        assert isinstance(c.goldstein, float)
        assert -10.0 <= c.goldstein <= 10.0


@pytest.mark.parametrize(
    "code,quad", [("010", 1), ("042", 1), ("057", 1), ("061", 2), ("0874", 2), ("09", 3), ("1385", 3),
                  ("14", 4), ("173", 4), ("190", 4), ("2042", 4)],
)
def test_quad_class_by_root(code, quad):
    assert cameo(code).quad_class == quad
    assert cameo(code).quad_class_name == QUAD_CLASS_NAMES[quad]


def test_quad_class_follows_root_for_every_code():
    expected = {**{r: 1 for r in range(1, 6)}, **{r: 2 for r in range(6, 9)},
                **{r: 3 for r in range(9, 14)}, **{r: 4 for r in range(14, 21)}}
    for c in all_cameo_codes():
        assert c.quad_class == expected[int(c.root)], c.code


def test_quad_class_names():
    assert QUAD_CLASS_NAMES == {1: "Verbal Cooperation", 2: "Material Cooperation",
                                3: "Verbal Conflict", 4: "Material Conflict"}


@pytest.mark.parametrize(
    "code,plover,mode,context",
    [
        ("112", "ACCUSE", "disapprove", ""),
        ("1121", "ACCUSE", "allege", "crime;corruption"),
        ("190", "ASSAULT", "", "military"),
        ("042", "CONSULT", "visit", ""),
        ("043", "CONSULT", "visit", ""),
        ("041", "CONSULT", "phone", ""),
        ("0311", "AGREE", "", "economic"),
        ("091", "ACCUSE", "investigate", "crime;corruption"),  # CAMEO 09 (old INVESTIGATE)
        ("100", "REQUEST", "", ""),  # CAMEO 10 (old DEMAND)
        ("173", "COERCE", "arrest", "legal"),
        ("1831", "ASSAULT", "suicide-attack", ""),
        ("2041", "ASSAULT", "unconventional", "cbrn"),
        ("0871", "RETREAT", "ceasefire", "military"),
    ],
)
def test_plover_mapping(code, plover, mode, context):
    c = cameo(code)
    assert (c.plover, c.mode, c.context) == (plover, mode, context)


def test_codes_the_table_moves_across_roots():
    # The CAMEO->PLOVER table assigns these explicitly, not by their root's type.
    assert cameo("163").plover == "SANCTION"  # the manual: sanctions are SANCTION 'discontinue'
    assert cameo("191").plover == "COERCE"  # root 19 is ASSAULT
    assert cameo("192").plover == "COERCE"
    assert cameo("175").plover == "ASSAULT"  # root 17 is COERCE
    assert cameo("1712").plover == "ASSAULT"
    assert cameo("0813").plover == "CONCEDE"  # the manual: removing curfews is a concession
    assert cameo("081").plover == "CONCEDE"
    assert cameo("084").plover == "RETREAT"


def test_statements_have_no_plover_type_and_appeals_are_requests():
    # The PLOVER manual drops CAMEO 01; eventwire codes 02 (APPEAL) as REQUEST, which covers all requests.
    for c in all_cameo_codes():
        if c.root == "01" and c.code != "019":  # 019 "express accord" is eventwire's AGREE
            assert (c.plover, c.mode, c.context) == ("", "", ""), c.code
        elif c.root == "02":
            assert c.plover == "REQUEST", c.code
        else:
            assert c.plover, c.code
    assert cameo("023").mode == "assist" and cameo("026").mode == "meet"


def test_only_current_plover_labels():
    assert {c.plover for c in all_cameo_codes()} - {""} <= set(CURRENT_PLOVER)
    for old in ("DEMAND", "DISAPPROVE", "FIGHT", "INVESTIGATE"):
        assert old not in {c.plover for c in all_cameo_codes()}
    assert cameo("19").plover == "ASSAULT"
    assert cameo("20").plover == "ASSAULT"
    assert cameo("11").plover == "ACCUSE"


def test_codes_use_only_known_modes_and_contexts():
    contexts = set(plover_contexts())
    for c in all_cameo_codes():
        if c.mode:
            assert c.mode in plover_modes(c.plover), (c.code, c.plover, c.mode)
        assert set(c.contexts) <= contexts, (c.code, c.contexts)


def test_multiple_contexts_split():
    assert cameo("094").contexts == ("military", "legal")
    assert cameo("042").contexts == ()


def test_cameo_strips_whitespace():
    assert cameo(" 042\n").code == "042"
    assert is_cameo_code(" 190 ")


@pytest.mark.parametrize("bad", ["42", "0", "999", "1214", "", "abc", "0420"])
def test_unknown_code_raises_clear_keyerror(bad):
    assert not is_cameo_code(bad)
    with pytest.raises(KeyError, match="unknown CAMEO event code"):
        cameo(bad)


def test_non_string_code_is_rejected():
    assert not is_cameo_code(42)
    assert not is_cameo_code(None)
    with pytest.raises(KeyError):
        cameo(42)
    with pytest.raises(KeyError, match="not a CAMEO root"):
        root_name("190")


def test_cameo_code_is_frozen():
    c = cameo("042")
    assert isinstance(c, CameoCode)
    with pytest.raises(AttributeError):
        c.goldstein = 0.0  # type: ignore[misc]


def test_loaders_are_cached():
    assert ontology._cameo_table() is ontology._cameo_table()
    assert cameo("042") is cameo("042")


# --- PLOVER types, modes, scores, contexts --------------------------------------------------


def test_plover_types_are_the_current_sixteen():
    assert plover_types() == CURRENT_PLOVER


def test_every_plover_type_has_a_score():
    for t in plover_types():
        score = plover_score(t)
        assert isinstance(score, float), t
        assert -10.0 <= score <= 10.0


@pytest.mark.parametrize(
    "plover,mode,score",
    [("ASSAULT", "", -9.0), ("ASSAULT", "unconventional", -10.0), ("CONSULT", "visit", 4.0),
     ("AID", "", 10.0), ("RETREAT", "disarm", 10.0), ("COERCE", "martial-law", -7.5),
     ("ACCUSE", "allege", -3.5), ("REQUEST", "", 0.0), ("MOBILIZE", "militia", -6.0)],
)
def test_plover_scores(plover, mode, score):
    assert plover_score(plover, mode) == score


def test_accuse_type_score_is_conflictual():
    # The manual prints +3 (sign typo); the TSV stores -3.
    assert plover_score("ACCUSE") == -3.0


def test_scores_of_cooperation_and_conflict_have_the_right_sign():
    for t in plover_types():
        q = plover_quad_class(t)
        s = plover_score(t)
        if q in (1, 2):
            assert s > 0, t
        elif t != "REQUEST":  # REQUEST sits at 0
            assert s < 0, t


def test_mode_without_own_score_uses_type_score():
    assert "vandalize" in plover_modes("PROTEST")
    assert plover_score("PROTEST", "vandalize") == plover_score("PROTEST")


def test_plover_score_unknown():
    assert plover_score("FIGHT") is None
    assert plover_score("ASSAULT", "no-such-mode") is None


def test_plover_modes():
    assert plover_modes("CONSULT") == ["visit", "third-party", "multilateral", "phone"]
    assert plover_modes("AGREE") == []
    assert plover_modes("NOPE") == []
    assert "targeted" in plover_modes("ASSAULT")


def test_plover_quad_classes():
    assert [plover_quad_class(t) for t in ("AGREE", "CONCEDE", "AID", "RETREAT", "ACCUSE", "SANCTION", "ASSAULT")] \
        == [1, 1, 2, 2, 3, 4, 4]
    assert plover_quad_class("FIGHT") is None


def test_plover_contexts():
    contexts = plover_contexts()
    assert len(contexts) == len(set(contexts)) == 37
    for c in ("military", "economic", "legal", "diplomatic", "pro_democracy", "cbrn", "human_security"):
        assert c in contexts
    for c in contexts:
        desc = ontology.plover_context_description(c)
        assert desc and "\n" not in desc and len(desc) <= 100
    with pytest.raises(KeyError):
        ontology.plover_context_description("democracy")


def test_data_files_have_header_comments():
    from importlib.resources import files

    for name in ("cameo_codes.tsv", "plover_types.tsv", "plover_contexts.tsv"):
        assert files("eventwire.data").joinpath(name).read_text(encoding="utf-8").startswith("# ")


# --- the dev build script -------------------------------------------------------------------


def test_parse_table_handles_padding_comments_and_multiple_contexts():
    build = load_build_script()
    text = (
        "# header\n"
        "03: AGREE\n"
        "0311: AGREE,  ,   economic # Express intent\n"
        "08: CONCEDE\n"
        "08: RETREAT\n"
        "0861: RETREAT, access , peacekeeping # x\n"
        "091: ACCUSE, investigate, crime; corruption # y\n"
        "~~~~~\n"
    )
    table = build.parse_plover_table(text)
    assert table["03"] == ("AGREE", "", "")
    assert table["0311"] == ("AGREE", "", "economic")
    assert table["08"] == ("CONCEDE", "", "")  # first listing wins
    assert table["0861"] == ("RETREAT", "access", "peacekeeping")
    assert table["091"] == ("ACCUSE", "investigate", "crime;corruption")


def test_fallback_to_three_then_two_digit_parent():
    build = load_build_script()
    table = {"13": ("THREATEN", "", ""), "138": ("THREATEN", "violence", "military"),
             "1384": ("THREATEN", "violence", "")}
    assert build.resolve_plover("1384", table) == ("THREATEN", "violence", "")  # own row
    assert build.resolve_plover("1385", table) == ("THREATEN", "violence", "military")  # 3-digit parent
    assert build.resolve_plover("1312", table) == ("THREATEN", "", "")  # 2-digit parent
    assert build.resolve_plover("0211", table) == ("", "", "")  # no parent at all


def test_normalize_applies_renames():
    build = load_build_script()
    assert build.normalize("FIGHT", "", "military") == ("ASSAULT", "", "military")
    assert build.normalize("DEMAND", "", "") == ("REQUEST", "", "")
    assert build.normalize("ASSAULT", "assassinate", "") == ("ASSAULT", "targeted", "")
    assert build.normalize("ASSAULT", "pro_autocracy", "military") == ("ASSAULT", "", "pro_autocracy;military")
    assert build.normalize("CONCEDE", "", "democracy") == ("CONCEDE", "", "pro_democracy")


# --- agreement with the reference data in ../shared ----------------------------------------

needs_shared = pytest.mark.skipif(
    not ONTOLOGY_DIR.is_dir(), reason=f"reference data {ONTOLOGY_DIR} not present (../shared is dev-only)"
)


@needs_shared
def test_tsv_agrees_with_shared_codebook():
    with (ONTOLOGY_DIR / "cameo_codebook.csv").open(newline="", encoding="utf-8") as f:
        book = {r["code"]: r for r in csv.DictReader(f)}
    assert set(book) == {c.code for c in all_cameo_codes()}
    for code, r in book.items():
        c = cameo(code)
        assert c.goldstein == float(r["goldstein"]), code
        assert c.name == r["name"].strip(), code
        assert c.root == r["root_code"], code


@needs_shared
def test_tsv_types_agree_with_shared_table():
    build = load_build_script()
    table = build.parse_plover_table((ONTOLOGY_DIR / "cameo_to_plover.txt").read_text(encoding="utf-8"))
    for code, (ptype, _, _) in table.items():
        if is_cameo_code(code) and code not in build.MANUAL_OVERRIDES:
            assert cameo(code).plover == build.TYPE_RENAMES.get(ptype, ptype), code


@needs_shared
def test_committed_tsvs_are_up_to_date(tmp_path):
    build = load_build_script()
    assert build.main(["--shared", str(SHARED), "--out", str(tmp_path)]) == 0
    data = REPO / "src" / "eventwire" / "data"
    for name in ("cameo_codes.tsv", "plover_types.tsv", "plover_contexts.tsv"):
        assert (tmp_path / name).read_text(encoding="utf-8") == (data / name).read_text(encoding="utf-8"), name
