"""Folding (search and sort keys): either Romanian spelling and any accents fold alike,
short values are remembered, long texts are not (a mail fetch folds every body once)."""

from clientela.core import text


def test_names_and_long_texts_fold_alike():
    assert text.fold("Ştefan Ionescu") == text.fold("Ștefan  IONESCU") == "stefan ionescu"
    body = "Bună ziua, Ștefan!\n" * 2000
    assert text.fold(body) == " ".join(["buna ziua, stefan!"] * 2000)
    assert text.fold("") == ""


def test_long_texts_are_not_kept_in_the_cache():
    text._fold_short.cache_clear()
    text.fold("Emily Carter")
    for n in range(50):
        text.fold(f"Message {n}: " + "we would like it before Friday. " * 40)
    assert text._fold_short.cache_info().currsize == 1
