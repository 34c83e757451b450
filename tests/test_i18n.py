"""Interface texts: counting texts pick the singular for exactly one, in both languages."""

from __future__ import annotations

import pytest

from core.i18n import TEXTS, incomplete_plurals, t


@pytest.mark.parametrize(
    ("key", "lang", "n", "expected"),
    [
        ("live.count", "de", 1, "1 Meldung"),
        ("live.count", "de", 2, "2 Meldungen"),
        ("live.count", "de", 0, "0 Meldungen"),
        ("live.count", "de", 1500, "1.500 Meldungen"),
        ("live.count", "en", 1, "1 need"),
        ("live.count", "en", 1500, "1,500 needs"),
        ("moderation.count", "de", 1, "1 Bedarf wartet auf eine Entscheidung."),
        ("moderation.count", "de", 3, "3 Bedarfe warten auf eine Entscheidung."),
        ("moderation.count", "en", 1, "1 need is waiting for a decision."),
        ("workshop.round_open", "de", 1, "Eine Runde läuft: 1 Punkt pro Person."),
        ("workshop.round_open", "de", 5, "Eine Runde läuft: 5 Punkte pro Person."),
    ],
)
def test_counting_texts_use_the_singular_for_exactly_one(key, lang, n, expected):
    assert t(key, lang, n=n) == expected


def test_a_counting_text_refuses_a_count_that_is_no_number():
    with pytest.raises(TypeError, match=r"'live.count' counts something: pass the count as a number n=…, got n='1'"):
        t("live.count", "de", n="1")
    with pytest.raises(TypeError, match="got n=None"):
        t("live.count", "de")


def test_every_counting_text_has_both_forms_in_both_languages():
    assert incomplete_plurals() == []
    counting = [key for key, entry in TEXTS.items() if isinstance(entry["de"], dict)]
    assert "live.count" in counting
    for key in counting:
        assert isinstance(TEXTS[key]["en"], dict), key
        # At least one language words the singular differently (German "Pkt." serves both).
        assert any(TEXTS[key][lang]["one"] != TEXTS[key][lang]["other"] for lang in ("de", "en")), key
