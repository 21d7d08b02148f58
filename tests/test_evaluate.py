import importlib.util
import io
import json
import random
from pathlib import Path

import pytest
from rich.console import Console

from eventwire.evaluation.metrics import (
    EventScores,
    actor_country,
    detect_gold_kind,
    format_report,
    is_bare_name,
    load_gold,
    score_actors,
    score_events,
)

SHARED = Path(__file__).resolve().parents[2] / "shared"
SCORER = SHARED / "tools" / "score.py"
GOLD_DEV = SHARED / "data" / "gold" / "dev"


# --------------------------------------------------------------------------- helpers


def actor(code, country="auto"):
    if code is None:
        return None
    if country == "auto":
        country = None if code.startswith(("---", "IGO")) else code[:3]
    return {"text": code, "code": code, "country": country, "sector": code[3:6] or None}


def event(doc_id, source, target, cameo, plover=None, **kw):
    return {"doc_id": doc_id, "source": actor(source), "target": actor(target), "cameo": cameo,
            "cameo_root": (cameo or "")[:2], "plover": plover, **kw}


def petr(id, *events, text="A sentence."):
    return {"id": id, "origin": "PETR2_test", "text": text, "date": "2020-01-01",
            "events": [{"source": s, "target": t, "cameo": c} for s, t, c in events]}


def plover(id, type_, sources, targets=(), cameo=None):
    return {"id": id, "origin": "PLOVER_test", "text": f"{id} text.", "date": "2020-01-01",
            "events": [{"plover": type_, "cameo": cameo, "mode": "", "context": "",
                        "sources": [{"text": c, "code": c, "sector": ""} for c in sources],
                        "targets": [{"text": c, "code": c, "sector": ""} for c in targets]}]}


def render(scores) -> str:
    buf = io.StringIO()
    format_report(scores, console=Console(file=buf, width=200))
    return buf.getvalue()


# --------------------------------------------------------------------------- loading / kind


def test_load_gold_skips_blank_lines_and_reports_bad_lines(tmp_path):
    good = tmp_path / "g.jsonl"
    good.write_text('{"id": "a", "events": []}\n\n{"id": "b", "events": []}\n')
    assert [r["id"] for r in load_gold(good)] == ["a", "b"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a"}\n{oops\n')
    with pytest.raises(ValueError, match=r"bad.jsonl:2"):
        load_gold(bad)


def test_detect_gold_kind():
    assert detect_gold_kind([petr("s1", ("USA", "CHN", "042"))]) == "events"
    assert detect_gold_kind([plover("p1", "AGREE", ["USA"])]) == "events"
    assert detect_gold_kind([{"id": "a", "text": "Obama", "country": "USA", "code_1": "GOV"}]) == "actors"
    with pytest.raises(ValueError):
        detect_gold_kind([])
    with pytest.raises(ValueError):
        detect_gold_kind([{"id": "x", "text": "?"}])


def test_actor_country_rule():
    assert actor_country({"code": "USAGOV", "country": "USA"}) == "USA"
    assert actor_country({"code": "IGOUNO", "country": None}) == "IGO"  # falls back to the code
    assert actor_country({"code": "usagov", "country": ""}) == "USA"
    assert actor_country("---REB") == "---"
    assert actor_country(None) == ""


# --------------------------------------------------------------------------- PETR


def test_petr_perfect():
    gold = [petr("s1", ("USAGOV", "CHN", "042")), petr("s2", ("TUNJUD", "NGAEDU", "173"), ("BRA", "USA", "031"))]
    pred = [event("s1", "USAGOV", "CHN", "042"), event("s2", "TUNJUD", "NGAEDU", "173"),
            event("s2", "BRA", "USA", "031"), event("s2", "BRA", "USA", "031")]  # duplicates collapse
    d = score_events(gold, pred).to_dict()
    assert d == {"dyad_root_p": 1.0, "dyad_root_r": 1.0, "dyad_root_f1": 1.0,
                 "dyad_code_p": 1.0, "dyad_code_r": 1.0, "dyad_code_f1": 1.0, "petr_records": 2}
    assert score_events(gold, pred).worst == []


def test_petr_partial_root_right_code_wrong_and_false_positive():
    gold = [petr("s1", ("USAGOV", "CHN", "042")), petr("s2", ("RUS", "UKR", "190"))]
    pred = [
        event("s1", "USA", "CHN", "043"),  # root matches (USA, CHN, 04); exact code does not
        event("s2", "RUS", "UKR", "173"),  # right dyad, wrong root
        event("s2", "UKR", "RUS", "111"),  # false positive
    ]
    s = score_events(gold, pred)
    assert (s.petr.root.tp, s.petr.root.fp, s.petr.root.fn) == (1, 2, 1)
    assert (s.petr.code.tp, s.petr.code.fp, s.petr.code.fn) == (0, 3, 2)
    d = s.to_dict()
    assert (d["dyad_root_p"], d["dyad_root_r"], d["dyad_root_f1"]) == (0.333, 0.5, 0.4)
    assert (d["dyad_code_p"], d["dyad_code_r"], d["dyad_code_f1"]) == (0.0, 0.0, 0.0)

    by_root = s.petr.by_root
    assert (by_root["04"].gold, by_root["04"].found) == (1, 1)
    assert (by_root["19"].gold, by_root["19"].found, by_root["19"].dyad_wrong_root) == (1, 0, 1)
    assert by_root["19"].predicted_instead == {"17": 1}
    assert by_root["17"].false_positives == 1 and by_root["11"].false_positives == 1
    assert by_root["17"].gold == 0

    assert [w.id for w in s.worst] == ["s2", "s1"]  # s2 has 3 root-level errors, s1 only exact ones
    assert s.worst[0].missed == ["RUS→UKR 19"]
    assert s.worst[0].false_positives == ["RUS→UKR 17", "UKR→RUS 11"]
    assert len(score_events(gold, pred, worst=1).worst) == 1


def test_petr_empty_predictions_and_empty_gold_sentence():
    gold = [petr("s1", ("USA", "CHN", "042")), petr("s2")]
    d = score_events(gold, []).to_dict()
    assert d["dyad_root_p"] == 0.0 and d["dyad_root_r"] == 0.0 and d["dyad_root_f1"] == 0.0
    assert d["petr_records"] == 2
    # a prediction on a sentence whose gold has no events is a false positive
    s = score_events(gold, [event("s1", "USA", "CHN", "042"), event("s2", "USA", "CHN", "042")])
    assert (s.petr.root.tp, s.petr.root.fp, s.petr.root.fn) == (1, 1, 0)


def test_petr_target_none_and_dash_codes():
    gold = [petr("s1", ("RWALEG", "---", "140")), petr("s2", ("---REB", "MYSBUS", "194"))]
    # target None has country "" and code "", so it does not match a gold "---" target
    s = score_events(gold, [event("s1", "RWALEG", None, "140")])
    assert s.petr.root.tp == 0 and s.petr.code.tp == 0
    assert s.petr.by_root["14"].dyad_wrong_root == 0
    # an actor coded "---" (no country) matches at both levels
    pred = [event("s1", "RWALEG", "---", "140"), event("s2", "---REB", "MYSBUS", "194")]
    d = score_events(gold, pred).to_dict()
    assert d["dyad_root_f1"] == 1.0 and d["dyad_code_f1"] == 1.0


def test_unmatched_predictions_and_other_origins_are_not_scored():
    gold = [petr("s1", ("USA", "CHN", "042")), {"id": "x", "origin": "OTHER", "events": []}]
    s = score_events(gold, [event("s1", "USA", "CHN", "042"), event("nope", "USA", "CHN", "042")])
    assert s.to_dict()["dyad_root_p"] == 1.0
    assert s.unmatched_predictions == 1 and s.ignored_records == 1
    assert "plover_records" not in s.to_dict()


# --------------------------------------------------------------------------- PLOVER


def test_plover_scoring_and_confusion():
    gold = [
        plover("p1", "AGREE", ["USA", "JOR"], cameo="0311"),  # no targets: any target is fine
        plover("p2", "ACCUSE", ["ISR"], ["PSE"], cameo="112"),
        plover("p3", "ASSAULT", ["RUS"], ["UKR"]),  # no cameo: not in cameo_root_recall
        plover("p4", "AGREE", ["IGO"], ["SRB"], cameo="057"),
    ]
    pred = [
        event("p1", "JOR", "GBR", "031", "AGREE"),  # full hit
        event("p2", "PSE", "ISR", "111", "ACCUSE"),  # type hit, wrong direction; root 11 hit
        event("p2", "ISR", "PSE", "173", "COERCE"),
        event("p3", "RUS", None, "190", None),  # event without a PLOVER type
        # p4: no prediction
    ]
    s = score_events(gold, pred)
    d = s.to_dict()
    assert d == {"plover_type_recall": 0.5, "plover_full_recall": 0.25, "cameo_root_recall": 0.667,
                 "events_per_record": 1.0, "plover_records": 4}
    by_type = s.plover.by_type
    assert by_type["AGREE"].records == 2 and by_type["AGREE"].full_hits == 1
    assert by_type["AGREE"].predicted == {"AGREE": 1, "none": 1}
    assert by_type["ACCUSE"].predicted == {"ACCUSE": 1, "COERCE": 1}
    assert by_type["ASSAULT"].predicted == {"unmapped": 1}
    assert {w.id for w in s.worst} == {"p2", "p3", "p4"}
    # an IGO source with no country matches a gold "IGO" code
    s2 = score_events(gold[3:], [event("p4", "IGOUNO", "SRB", "057", "AGREE")])
    assert s2.to_dict()["plover_full_recall"] == 1.0


def test_mixed_gold_and_report_rendering():
    gold = [petr("s1", ("USA", "CHN", "042"), text="The US leader went to Beijing."),
            plover("p1", "AGREE", ["USA"], ["JOR"], cameo="031")]
    s = score_events(gold, [event("s1", "USA", "CHN", "190"), event("p1", "USA", "JOR", "031", "AGREE")])
    d = s.to_dict()
    assert d["petr_records"] == 1 and d["plover_records"] == 1
    full = s.to_dict(diagnostics=True)
    assert set(full) - set(d) == {"diagnostics"}
    json.dumps(full)  # JSON-serialisable
    assert full["diagnostics"]["petr_by_root"]["04"]["dyad_wrong_root"] == 1
    text = render(s)
    assert "dyad countries + CAMEO root" in text and "PLOVER confusion" in text
    assert "Worst sentences" in text and "s1" in text and "USA→CHN 19" in text


# --------------------------------------------------------------------------- actors


def test_bare_name_rule():
    assert is_bare_name("Nikol Pashinyan")
    assert is_bare_name("Kassym-Jomart Tokayev")
    assert not is_bare_name("Armenian Prime Minister")
    assert not is_bare_name("Northern Fleet")
    assert not is_bare_name("the rebels")
    assert not is_bare_name("One Two Three Four Five")


def test_actor_scoring_with_bare_name_split():
    gold = [
        {"id": "a", "text": "Nikol Pashinyan", "country": "ARM", "code_1": "GOV"},  # bare
        {"id": "b", "text": "Armenian Prime Minister", "country": "ARM", "code_1": "GOV"},  # described
        {"id": "c", "text": "Katushya", "country": None, "code_1": "MIL"},  # no country scoring
        {"id": "d", "text": "Islamic State", "country": "", "code_1": ""},  # "" must be predicted empty
        {"id": "e", "text": "Vladimir Putin", "country": "RUS", "code_1": "GOV"},  # no prediction
    ]
    pred = [
        {"country": "ARM", "code_1": "GOVXXX"},  # only the first 3 letters of the sector count
        {"country": "AZE", "sector": "GOV"},  # sector key works too
        {"country": "RUS", "code_1": "REB"},
        {"country": None},
    ]
    s = score_actors(gold, pred)
    assert dict(s) == {"country_acc_all": 0.5, "country_acc_described": 0.5, "country_acc_bare": 0.5,
                       "n_all": 4, "n_described": 2, "n_bare": 2, "sector_acc": 0.5}
    assert {(m.id, m.field) for m in s.mistakes} == {("b", "country"), ("c", "sector"),
                                                      ("e", "country"), ("e", "sector")}
    assert s.to_dict() == dict(s)
    text = render(s)
    assert "country (bare names)" in text and "Actor mistakes" in text


def test_actor_scoring_empty():
    s = score_actors([], [])
    assert s["country_acc_all"] is None and s["sector_acc"] is None and s["n_all"] == 0


# --------------------------------------------------------------------------- agreement with score.py


@pytest.fixture(scope="module")
def shared_scorer():
    if not SCORER.exists() or not GOLD_DEV.exists():
        pytest.skip(f"shared evaluation data not found at {SHARED} (needed to cross-check with score.py)")
    spec = importlib.util.spec_from_file_location("shared_score", SCORER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ROOTS = [f"{i:02d}" for i in range(1, 21)]
PLOVER_TYPES = ["AGREE", "ACCUSE", "ASSAULT", "REJECT", "THREATEN", "REQUEST", "PROTEST", "COERCE"]


def _pred_actor(code, rng):
    """A predicted actor dict for a gold code, varying how the country is given."""
    if code is None:
        return None
    style = rng.random()
    if style < 0.6:
        return actor(code)
    if style < 0.8:
        return {"code": code, "country": None}
    return {"code": code.lower(), "country": code[:3].lower() or None}


def _perturb_root(cameo, rng):
    return rng.choice(ROOTS) + (cameo or "0")[2:]


def synthetic_petr(gold, rng):
    pred = []
    codes = sorted({x for g in gold for e in g["events"] for x in (e["source"], e["target"])})
    for g in gold:
        for e in g["events"]:
            if rng.random() < 0.5:
                continue  # missed
            cameo = e["cameo"]
            r = rng.random()
            if r < 0.2:
                cameo = _perturb_root(cameo, rng)
            elif r < 0.3:
                cameo = cameo[:2] + "9"  # root right, exact code wrong
            target = e["target"]
            if target.startswith("---") and rng.random() < 0.5:
                target = None
            pred.append({"doc_id": g["id"], "source": _pred_actor(e["source"], rng),
                         "target": _pred_actor(target, rng), "cameo": cameo})
        for _ in range(rng.choice([0, 0, 1, 2])):  # false positives
            pred.append({"doc_id": g["id"], "source": _pred_actor(rng.choice(codes), rng),
                         "target": rng.choice([None, _pred_actor(rng.choice(codes), rng)]),
                         "cameo": rng.choice(ROOTS) + "0"})
    pred.append({"doc_id": "not-a-gold-id", "source": actor("USA"), "target": None, "cameo": "010"})
    rng.shuffle(pred)
    return pred


def synthetic_plover(gold, rng):
    pred = []
    for g in gold:
        ge = g["events"][0]
        if rng.random() < 0.3:
            continue
        src = rng.choice(ge["sources"])["code"] if ge["sources"] else "USA"
        tgt = rng.choice(ge["targets"])["code"] if ge["targets"] and rng.random() < 0.8 else None
        if rng.random() < 0.2:
            src, tgt = tgt or "XXX", src
        plover_type = ge["plover"] if rng.random() < 0.7 else rng.choice(PLOVER_TYPES + [None])
        cameo = ge["cameo"] if rng.random() < 0.6 else rng.choice([None, _perturb_root(ge["cameo"], rng)])
        pred.append({"doc_id": g["id"], "source": _pred_actor(src, rng), "target": _pred_actor(tgt, rng),
                     "cameo": cameo, "plover": plover_type})
        if rng.random() < 0.3:
            pred.append({"doc_id": g["id"], "source": _pred_actor("USA", rng), "target": None,
                         "cameo": "010", "plover": rng.choice(PLOVER_TYPES)})
    return pred


def synthetic_actors(gold, rng):
    pred = []
    for g in gold:
        country = g.get("country")
        r = rng.random()
        if r < 0.2:
            country = rng.choice(["USA", "RUS", "", None])
        sector = g.get("code_1") or ""
        if rng.random() < 0.2:
            sector = rng.choice(["GOV", "MIL", "REB", "", None])
        key = "code_1" if rng.random() < 0.7 else "sector"
        if sector and rng.random() < 0.2:
            sector += "XYZ"
        pred.append({"id": g["id"], "country": country, key: sector})
    return pred[: len(pred) - 5]  # the last few have no prediction


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("name", ["petr2_gsr.jsonl", "plover_gsr.jsonl", "both"])
def test_events_agree_with_shared_scorer(shared_scorer, name, seed):
    rng = random.Random(seed)
    if name == "both":
        gold = load_gold(GOLD_DEV / "petr2_gsr.jsonl") + load_gold(GOLD_DEV / "plover_gsr.jsonl")
    else:
        gold = load_gold(GOLD_DEV / name)
    petr_gold = [g for g in gold if g["origin"].startswith("PETR")]
    plover_gold = [g for g in gold if g["origin"].startswith("PLOVER")]
    pred = synthetic_petr(petr_gold, rng) + synthetic_plover(plover_gold, rng)
    ours = score_events(gold, pred).to_dict()
    assert ours == shared_scorer.events(gold, pred)
    assert ours  # something was scored
    # degenerate cases: no predictions at all
    assert score_events(gold, []).to_dict() == shared_scorer.events(gold, [])


def test_perfect_predictions_agree_with_shared_scorer(shared_scorer):
    gold = load_gold(GOLD_DEV / "petr2_gsr.jsonl")
    pred = [{"doc_id": g["id"], "source": {"code": e["source"], "country": None},
             "target": {"code": e["target"], "country": None}, "cameo": e["cameo"]}
            for g in gold for e in g["events"]]
    ours = score_events(gold, pred).to_dict()
    assert ours == shared_scorer.events(gold, pred)
    assert ours["dyad_code_f1"] == 1.0 and ours["dyad_root_f1"] == 1.0


@pytest.mark.parametrize("seed", range(5))
def test_actors_agree_with_shared_scorer(shared_scorer, seed):
    gold = load_gold(GOLD_DEV / "actor_cases.jsonl")
    assert detect_gold_kind(gold) == "actors"
    pred = synthetic_actors(gold, random.Random(seed))
    assert dict(score_actors(gold, pred)) == shared_scorer.actors(gold, pred)
    # the bare/described split follows the same rule on every gold text
    assert all(is_bare_name(g["text"]) == shared_scorer.bare_name(g["text"]) for g in gold)


def test_report_on_real_gold_renders(shared_scorer):
    gold = load_gold(GOLD_DEV / "petr2_gsr.jsonl") + load_gold(GOLD_DEV / "plover_gsr.jsonl")
    petr_gold = [g for g in gold if g["origin"].startswith("PETR")]
    scores = score_events(gold, synthetic_petr(petr_gold, random.Random(1)), worst=5)
    assert isinstance(scores, EventScores) and len(scores.worst) == 5
    assert "CAMEO roots" in render(scores)


def synthetic_sentences(gold, rng):
    """Predictions for sentence gold: some right triples, some wrong roots, flags, spurious events, and
    sentences cut a little differently from the gold's."""
    pred = []
    for g in gold:
        sentence = g["text"] if rng.random() < 0.7 else g["text"][: max(10, len(g["text"]) - 3)]
        for ev in g["events"]:
            if rng.random() < 0.4:
                continue
            root = rng.choice(ev["root"]) if rng.random() < 0.7 else rng.choice(ROOTS)
            target = rng.choice(ev["target"]) if ev["target"] else None
            pred.append({"doc_id": f"row-{g['row']}", "sentence": sentence, "cameo": root + "0",
                         "source": actor(rng.choice(ev["source"]) if ev["source"][0] != "---" else "---REB"),
                         "target": actor(target) if target else None, "plover": rng.choice(PLOVER_TYPES),
                         "negated": rng.random() < 0.1, "hypothetical": rng.random() < 0.05})
        if rng.random() < 0.3:
            pred.append({"doc_id": f"row-{g['row']}", "sentence": sentence, "cameo": rng.choice(ROOTS) + "0",
                         "source": actor(rng.choice(["USA", "RUS", "IMGMUSISI", "---"])), "target": None,
                         "plover": None})
    return pred


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sentence_scores_match_the_shared_scorer(shared_scorer, seed):
    from eventwire.evaluation.metrics import score_sentences

    gold = load_gold(GOLD_DEV / "guardian_sentences.jsonl")
    pred = synthetic_sentences(gold, random.Random(seed))
    assert score_sentences(gold, pred) == shared_scorer.sentences(gold, pred)
