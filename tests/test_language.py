"""language: non-English documents are recognised cheaply and deterministically; short texts are not judged."""
from __future__ import annotations

import pytest

from eventwire.ingest import language
from eventwire.ingest import read_inputs
from eventwire.records import Document, Skipped

# Written for these tests.
ENGLISH = ("The foreign ministers of Kenya and Uganda met in Kampala on Monday and agreed to reopen the "
           "border crossing at Malaba, which was closed last month after a dispute over customs fees. "
           "Traders welcomed the decision, but lorry drivers said they would keep protesting until the "
           "new rules were applied on both sides.")
FOREIGN = {
    "fr": ("Les ministres des Affaires étrangères du Kenya et de l'Ouganda se sont rencontrés lundi à Kampala "
           "et ont convenu de rouvrir le poste frontière de Malaba, fermé le mois dernier après un différend "
           "sur les droits de douane. Les commerçants ont salué cette décision."),
    "de": ("Die Außenminister von Kenia und Uganda trafen sich am Montag in Kampala und einigten sich darauf, "
           "den Grenzübergang Malaba wieder zu öffnen, der im vergangenen Monat nach einem Streit über "
           "Zollgebühren geschlossen worden war. Die Händler begrüßten die Entscheidung."),
    "es": ("Los ministros de Asuntos Exteriores de Kenia y Uganda se reunieron el lunes en Kampala y acordaron "
           "reabrir el paso fronterizo de Malaba, que fue cerrado el mes pasado tras una disputa sobre las "
           "tarifas aduaneras. Los comerciantes celebraron la decisión."),
}


def test_english_is_kept():
    assert language.language_problem(Document("a", ENGLISH)) is None
    assert language.detect_language(ENGLISH)[0] == "en"


@pytest.mark.parametrize("lang", sorted(FOREIGN))
def test_other_languages_are_named(lang):
    assert language.language_problem(Document("a", FOREIGN[lang])) == f"not English (detected: {lang})"


def test_title_counts_too():
    doc = Document("a", FOREIGN["fr"], title="Le Kenya et l'Ouganda rouvrent la frontière")
    assert language.language_problem(doc) == "not English (detected: fr)"


def test_short_texts_are_not_judged():
    short = "Le Kenya et l'Ouganda rouvrent la frontière de Malaba après un mois de fermeture."
    assert len(short.split()) < language.MIN_WORDS
    assert language.detect_language(short) is None
    assert language.language_problem(Document("a", short)) is None


def test_only_the_start_is_read(monkeypatch):
    seen = []
    real = language._identifier()

    class Spy:
        def classify(self, text):
            seen.append(len(text))
            return real.classify(text)

    monkeypatch.setattr(language, "_identifier", lambda: Spy())
    long_english_then_french = (ENGLISH + " ") * 6 + FOREIGN["fr"] * 20
    assert language.language_problem(Document("a", long_english_then_french)) is None
    assert seen == [language.SAMPLE_CHARS]


def test_deterministic():
    results = {language.detect_language(FOREIGN["de"]) for _ in range(5)}
    assert len(results) == 1


def test_unsure_guesses_keep_the_document(monkeypatch):
    class Unsure:
        def classify(self, text):
            return "it", 0.6

    monkeypatch.setattr(language, "_identifier", lambda: Unsure())
    assert language.language_problem(Document("a", FOREIGN["es"])) is None


def test_read_inputs_skips_with_a_reason_unless_asked_not_to(tmp_path):
    p = tmp_path / "mixed.jsonl"
    p.write_text('{"id": "en", "text": "%s"}\n{"id": "fr", "text": "%s"}\n' % (ENGLISH, FOREIGN["fr"].replace('"', "")),
                 encoding="utf-8")
    items = list(read_inputs([p]))
    assert [type(x) for x in items] == [Document, Skipped]
    assert items[1] == Skipped(f"{p}:2", "not English (detected: fr)", "fr")
    assert [x.id for x in read_inputs([p], english_only=False)] == ["en", "fr"]


# --------------------------------------------------------------------------- other scripts
# Chinese and Japanese put no spaces between words, so a word count called every Chinese text "too
# short to tell"; Arabic with a few Latin names in it fell under the confidence threshold.

OTHER_SCRIPTS = {
    "zh": [
        "中国与俄罗斯签署新的贸易协定",  # a headline
        ("中国外交部发言人周一在北京表示，中方愿同俄罗斯一道，推动两国在能源、交通和农业领域的合作，"
         "并欢迎双方在边境口岸问题上达成的共识。发言人还说，两国元首将于下月举行会谈。") * 3,
        "NATO秘书长Jens Stoltenberg周二在Brussels表示，北约将继续支持Ukraine，并呼吁Russia撤军。",
        "微软CEO Satya Nadella在Seattle宣布与OpenAI合作",
    ],
    "ar": [
        "الرئيس المصري يستقبل وزير الخارجية الأمريكي",
        ("استقبل الرئيس المصري يوم الاثنين في القاهرة وزير الخارجية الأمريكي، وبحث الجانبان سبل تعزيز "
         "التعاون بين البلدين في مجالات الطاقة والتجارة والأمن، كما تناولت المحادثات الأوضاع في قطاع غزة "
         "والسودان وليبيا، وأكد الرئيس على أهمية التوصل إلى وقف دائم لإطلاق النار.") * 2,
        "قال Antony Blinken إن الولايات المتحدة تدعم جهود مصر وقطر في المفاوضات مع Hamas و Israel لوقف "
        "إطلاق النار في Gaza خلال الأيام المقبلة.",
    ],
    "ja": ["岸田文雄首相は月曜日、東京でアメリカのバイデン大統領と会談した。"],
    "ru": ["Министр иностранных дел России Сергей Лавров встретился в понедельник с коллегой из Китая."],
}


@pytest.mark.parametrize("lang, text", [(lang, t) for lang, texts in OTHER_SCRIPTS.items() for t in texts],
                         ids=[f"{lang}-{n}" for lang, texts in OTHER_SCRIPTS.items() for n in range(len(texts))])
def test_texts_in_other_scripts_are_not_english_short_long_or_mixed(lang, text):
    assert language.language_problem(Document("a", text)) == f"not English (detected: {lang})"


def test_an_english_title_does_not_make_a_chinese_article_english():
    doc = Document("a", OTHER_SCRIPTS["zh"][1], title="China and Russia to expand trade")
    assert language.language_problem(doc) == "not English (detected: zh)"


@pytest.mark.parametrize("text", [
    ENGLISH.replace("Kampala", "Kampala (坎帕拉)").replace("Malaba", "Malaba (مالابا)"),
    "Chinese President Xi Jinping (习近平) met Premier Li Qiang (李强) and Foreign Minister Wang Yi (王毅).",
    'The crowd in Cairo chanted "الشعب يريد إسقاط النظام" as police moved in on the square, witnesses said.',
    "Kenya and Uganda signed a trade deal on Monday.",
    "The Greek letters α and β mark the two variants.",
], ids=["names-in-brackets", "chinese-names", "arabic-quote", "short", "greek-letters"])
def test_english_with_names_or_quotes_in_other_scripts_stays_english(text):
    assert language.language_problem(Document("a", text)) is None


def test_chinese_document_is_skipped_by_read_inputs(tmp_path):
    p = tmp_path / "zh.jsonl"
    p.write_text('{"id": "zh", "text": "%s"}\n' % OTHER_SCRIPTS["zh"][1], encoding="utf-8")
    assert list(read_inputs([p])) == [Skipped(f"{p}:1", "not English (detected: zh)", "zh")]
