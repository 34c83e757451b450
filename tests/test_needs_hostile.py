"""Hostile text: each string is either refused or stored byte-exact and exported inert.

The expectation is written next to every string (refused because of a
control/invisible character, length, or contact data; else stored). Stored
strings must come back from the database unchanged and, in every export
format, as data that no spreadsheet, JSON consumer or HTML page executes.
"""

from __future__ import annotations

import csv
import json

import pyogrio
import pytest

from assessment.needs.exchange import export_needs, restore
from assessment.needs.validation import ValidationError
from needs_fixtures import database_url, geography, need_input, postgres_database_url, store  # noqa: F401

STORED, REFUSED = "stored", "refused"
T, D = "title", "description"

HOSTILE = [
    # (label, field, text, expected)
    ("script tag", T, "<script>alert(1)</script>", STORED),
    ("img onerror", T, "<img src=x onerror=alert(1)>", STORED),
    ("svg onload", T, "<svg onload=alert(1)>", STORED),
    ("iframe", T, "<iframe src=//evil.example>", STORED),
    ("SSI comment", T, '<!--#exec cmd="ls"-->', STORED),
    ("escaped entities", T, "&lt;script&gt;alert(1)&lt;/script&gt;", STORED),
    ("JSON-escaped tag", T, "\\u003cscript\\u003e", STORED),
    ("javascript link", T, "javascript:alert(document.cookie)", STORED),
    ("markdown js link", T, "[klick hier](javascript:alert(1))", STORED),
    ("markdown image", T, "![bild](https://evil.example/track.png)", STORED),
    ("markdown html mix", D, "**fett** _kursiv_ <b>html</b>\n# Überschrift", STORED),
    ("markdown table", D, "| a | b |\n|---|---|\n| 1 | 2 |", STORED),
    ("backticks", T, "`rm -rf /`", STORED),
    ("code fence", D, "```python\nimport os\nos.system('ls')\n```", STORED),
    ("template literal", T, "${7*7}", STORED),
    ("js template with env", T, "`${process.env.SECRET}`", STORED),
    ("jinja", T, "{{7*7}} {% raw %}", STORED),
    ("ruby interpolation", T, "#{7*7}", STORED),
    ("format string", T, "%s%s%s%n%x", STORED),
    ("SQL quote", T, "'; DROP TABLE needs; --", STORED),
    ("SQL or-true", T, '" OR "1"="1', STORED),
    ("bobby tables", T, "Robert'); DROP TABLE supports;--", STORED),
    ("SQL select", T, "SELECT * FROM needs WHERE 1=1", STORED),
    ("NoSQL operator", T, '{"$gt": ""}', STORED),
    ("proto pollution", T, "__proto__", STORED),
    ("formula sum", T, "=1+1", STORED),
    ("formula hyperlink", T, '=HYPERLINK("http://evil.example","klick")', STORED),
    ("DDE", T, "=cmd|' /C calc'!A0", STORED),
    ("plus formula", T, "+SUM(A1:A9)", STORED),
    ("minus formula", T, "-2+3", STORED),
    ("at formula", T, "@SUM(1+1)", STORED),
    ("apostrophe formula", T, "'=1+1", STORED),
    ("tab formula inside", D, "Text\t=1+1", STORED),
    ("CRLF then formula", D, "Zeile\r\n=1+1", STORED),
    ("path traversal", T, "../../../etc/passwd", STORED),
    ("windows path", T, "C:\\Windows\\System32", STORED),
    ("percent NUL", T, "%00 und %0A", STORED),
    ("null word", T, "null", STORED),
    ("NaN word", T, "NaN", STORED),
    ("undefined", T, "undefined", STORED),
    ("hex", T, "0x41414141", STORED),
    ("Arabic RTL text", T, "مرحبا بالعالم", STORED),
    ("Hebrew RTL text", T, "שלום עולם", STORED),
    ("combining marks", T, "Z̴̡̪a̷͎l̸g̵o̶", STORED),
    ("compatibility chars", T, "Ⓐⓑⓒ ﬁ ǅ", STORED),
    ("umlauts and sharp s", T, "Ünïcödé ß ẞ", STORED),
    ("emoji with skin tone", T, "😀👍🏽 Danke", STORED),
    ("30 emoji", T, "😀" * 30, STORED),
    ("1000 characters", D, "a" * 1000, STORED),
    ("RTL override", T, "Park\u202egnp.exe", REFUSED),
    ("LTR override", T, "Park\u202dtext", REFUSED),
    ("bidi isolate", T, "\u2066isoliert\u2069", REFUSED),
    ("zero-width space", T, "zero\u200bwidth", REFUSED),
    ("zero-width non-joiner", T, "zero\u200cnon", REFUSED),
    ("zero-width joiner (also in flag emoji)", T, "Regenbogen 🏳️\u200d🌈", REFUSED),
    ("word joiner", T, "word\u2060joiner", REFUSED),
    ("BOM at start", T, "\ufeffBOM vorne", REFUSED),
    ("soft hyphen", T, "Spiel\u00adplatz", REFUSED),
    ("NUL", T, "NUL\x00byte", REFUSED),
    ("NUL in description", D, "harmlos\x00", REFUSED),
    ("bell", T, "Klingel\x07", REFUSED),
    ("ANSI escape", D, "\x1b[2J\x1b[31mrot", REFUSED),
    ("next line U+0085", T, "a\u0085bcd", REFUSED),
    ("line separator", T, "a\u2028bcd", REFUSED),
    ("private use", T, "Symbol \ue000", REFUSED),
    ("lone surrogate", T, "kaputt \ud800", REFUSED),
    ("10,000 characters", D, "A" * 10_000, REFUSED),
    ("121-character title", T, "ü" * 121, REFUSED),
    ("e-mail", D, "Mail an max.mustermann@example.de", REFUSED),
    ("phone", D, "Ruf mich an: +49 176 12345678", REFUSED),
]


def test_the_list_is_long_enough_and_covers_both_outcomes():
    assert len(HOSTILE) >= 50
    assert sum(1 for *_, expected in HOSTILE if expected == STORED) >= 40
    assert len({label for label, *_ in HOSTILE}) == len(HOSTILE)


def _submit(store, field, text):
    changes = {field: text} if field == T else {"title": "Feindlicher Text", field: text}
    return store.submit(need_input(**changes))


def test_hostile_strings_are_refused_or_stored_byte_exact_and_exported_inert(store, tmp_path):
    stored = {}
    for label, field, text, expected in HOSTILE:
        if expected == REFUSED:
            with pytest.raises(ValidationError) as refused:
                _submit(store, field, text)
            assert refused.value.fields() == [field], label
            continue
        need = _submit(store, field, text)
        store.set_status(need.id, "published")
        assert getattr(store.get(need.id), field) == text, label
        stored[need.id] = (label, field, text)
    assert store.count() == len(stored)

    # CSV: no cell a spreadsheet would evaluate; undoing the prefix gives the text back.
    export_needs(store, tmp_path / "n.csv", "csv")
    with open(tmp_path / "n.csv", encoding="utf-8-sig", newline="") as handle:
        rows = {row["id"]: row for row in csv.DictReader(handle)}
    for need_id, (label, field, text) in stored.items():
        cell = rows[need_id][field]
        assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), label
        assert restore(cell) == text, label

    # GeoJSON: parsed values are the text; the file holds no raw markup characters.
    export_needs(store, tmp_path / "n.geojson", "geojson")
    raw = (tmp_path / "n.geojson").read_text(encoding="utf-8")
    assert not any(char in raw for char in "<>&")
    features = {f["id"]: f["properties"] for f in json.loads(raw)["features"]}
    for need_id, (label, field, text) in stored.items():
        assert features[need_id][field] == text, label

    # GeoPackage: plain text columns, read back unchanged.
    export_needs(store, tmp_path / "n.gpkg", "gpkg")
    layer = pyogrio.read_dataframe(tmp_path / "n.gpkg", layer="needs").set_index("id")
    for need_id, (label, field, text) in stored.items():
        assert layer.loc[need_id, field] == text, label
