"""Language identification."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.classify.corpus import read_examples
from monitor.enrich.language import UNKNOWN, LanguageIdentifier

SAMPLES = {
    "en": "Armed men attacked a village in the north of the country on Monday, killing six people, officials said.",
    "fr": "Des hommes armés ont attaqué un village du nord du pays lundi, tuant six personnes, selon les autorités.",
    "es": "Hombres armados atacaron una aldea en el norte del país el lunes y mataron a seis personas, según las autoridades.",
    "pt": "Homens armados atacaram uma aldeia no norte do país na segunda-feira e mataram seis pessoas, segundo as autoridades.",
    "ar": "هاجم مسلحون قرية في شمال البلاد يوم الاثنين وقتلوا ستة أشخاص بحسب السلطات.",
    "sw": "Watu wenye silaha walishambulia kijiji kimoja kaskazini mwa nchi siku ya Jumatatu na kuua watu sita, maafisa walisema.",
}


@pytest.mark.parametrize(("lang", "text"), sorted(SAMPLES.items()))
def test_supported_languages(lang: str, text: str):
    assert LanguageIdentifier().identify(text).language == lang


def test_short_headlines_in_close_languages():
    identifier = LanguageIdentifier()
    assert identifier.identify("Mortos em ataque a aldeia no norte").language == "pt"
    assert identifier.identify("Muertos en ataque a una aldea del norte").language == "es"


def test_unknown_when_unsure_and_feed_hint_as_fallback():
    identifier = LanguageIdentifier()
    assert identifier.identify("OK 12 34").language == UNKNOWN
    guess = identifier.identify("OK 12 34", hint="fr")
    assert guess.language == "fr" and "hint" in guess.method


def test_other_scripts():
    identifier = LanguageIdentifier()
    assert (
        identifier.identify("Президент заявил о новых мерах безопасности в регионе").language
        == "ru"
    )
    assert (
        identifier.identify("کراچی میں فائرنگ سے تین افراد ہلاک ہو گئے ہیں اور پولیس نے").language
        == "ur"
    )


def test_accuracy_on_the_authored_held_out_set():
    examples = read_examples(Path(__file__).parent / "data" / "heldout-authored.jsonl")
    identifier = LanguageIdentifier()
    correct = sum(identifier.identify(e.text).language == e.lang for e in examples)
    assert correct / len(examples) >= 0.95


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "Militia fighters torched homes; displaced families flee massacre, survivors say"),
        ("fr", "Massacre: déplacés, villages incendiés, survivants témoignent, miliciens accusés"),
        (
            "es",
            "Masacre: desplazados, aldeas incendiadas, sobrevivientes denuncian ataques armados",
        ),
        ("pt", "Massacre: deslocados, aldeias destruídas, crianças mortas, bairros atacados"),
    ],
)
def test_headlines_without_function_words(lang: str, text: str):
    """Telegraphic headlines carry few function words; common words settle them."""
    guess = LanguageIdentifier().identify(text)
    assert guess.language == lang


def test_common_words_do_not_override_other_languages():
    identifier = LanguageIdentifier()
    swahili = "Wakimbizi wa Kivu Kaskazini wanasema hali ya usalama imezidi kuwa mbaya sana"
    assert identifier.identify(swahili).language == "sw"
    italian = "Gli sfollati della regione hanno raccontato gli attacchi contro i villaggi"
    assert identifier.identify(italian).method != "common-words"


def test_word_lists_are_what_the_corpus_gives():
    """The shipped word lists are rebuilt from the authored corpus, never edited by hand."""
    import json

    from monitor.enrich.wordlists import build, word_file
    from monitor.resources import models_dir

    shipped = json.loads(word_file().read_text(encoding="utf-8"))
    assert shipped == build(models_dir() / "corpus")
    for lang, words in shipped.items():
        others = set().union(*(set(w) for other, w in shipped.items() if other != lang))
        assert not others & set(words)
