"""The translation catalogues: every message exists in every language of its scope, with the
placeholders of the German source and the plural forms its language needs; every key the code
asks for is in the template; and the catalogues compile with Babel's own tool."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from core.i18n import DOMAIN, LANGUAGES, LOCALE_DIR, SCOPES, babel_locale, catalogue_path, t

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z_0-9]*)?(?:![rsa])?(?::[^{}]*)?\}")


def read(path: Path):
    with path.open("rb") as f:
        return read_po(f, locale=None, domain=DOMAIN)


def scope_of(message) -> str:
    scopes = [c.split(":", 1)[1].strip() for c in message.auto_comments if c.startswith("scope:")]
    assert len(scopes) == 1, f"{message.context}: needs exactly one '#. scope:' comment, has {scopes}"
    return scopes[0]


def placeholders(text: str) -> set[str]:
    return {name or "" for name in PLACEHOLDER.findall(text)}


@pytest.fixture(scope="module")
def template():
    return {m.context: m for m in read(TEMPLATE) if m.id}


def test_every_message_has_a_key_and_a_known_scope(template):
    assert len(template) > 500
    for key, message in template.items():
        assert key and re.fullmatch(r"[a-z_]+\.\S+", key), f"key {key!r} is no dotted name"
        assert scope_of(message) in SCOPES, f"{key}: unknown scope {scope_of(message)!r}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_of_the_scope_is_translated_with_the_same_placeholders(lang, template):
    path = catalogue_path(lang)
    assert path.exists(), f"{lang}: no catalogue {path.relative_to(ROOT)}; see docs/translations.md"
    translated = {m.context: m for m in read(path) if m.id}
    forms = get_plural(babel_locale(lang)).num_plurals
    problems = []
    for key, source in template.items():
        if lang not in SCOPES[scope_of(source)]:
            continue
        message = translated.get(key)
        if message is None:
            problems.append(f"{key}: missing")
            continue
        if message.id != source.id:
            problems.append(f"{key}: translated from an older German text {message.id!r}; update it")
        if message.fuzzy:
            problems.append(f"{key}: marked fuzzy (not reviewed after a change of the source)")
        counting = isinstance(source.id, (list, tuple))
        strings = list(message.string) if counting else [message.string]
        source_names = set().union(*(placeholders(s) for s in (source.id if counting else [source.id])))
        if counting and len(strings) != forms:
            problems.append(f"{key}: {len(strings)} plural forms, {lang} needs {forms}")
        for string in strings:
            if not (string or "").strip():
                problems.append(f"{key}: empty")
            elif counting and not placeholders(string) <= source_names:
                problems.append(f"{key}: placeholders {sorted(placeholders(string))} not in the source's")
            elif not counting and placeholders(string) != source_names:
                problems.append(f"{key}: placeholders {sorted(placeholders(string))}, "
                                f"source has {sorted(source_names)}")
    assert problems == [], f"{lang}: {len(problems)} problems:\n" + "\n".join(problems[:40])


def test_the_german_catalogue_is_the_source(template):
    german = {m.context: m for m in read(catalogue_path("de")) if m.id}
    assert set(german) == set(template)
    for key, message in german.items():
        expected = list(message.id) if isinstance(message.id, (list, tuple)) else message.id
        got = list(message.string) if isinstance(message.string, (list, tuple)) else message.string
        assert got == expected, key


def test_no_catalogue_holds_a_message_the_template_lacks(template):
    for path in sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        stale = sorted(m.context for m in read(path) if m.id and m.context not in template)
        assert stale == [], f"{path.relative_to(ROOT)}: messages no longer in the template: {stale[:10]}"


CODE_KEY = re.compile(r"""\bt\(\s*["']([a-z_]+(?:\.[a-z0-9_]+)+)["']""")


def test_every_key_the_code_asks_for_is_in_the_template(template):
    missing = set()
    for folder in ("app.py", "pages", "ui", "maps", "geodata", "assessment", "core"):
        paths = [ROOT / folder] if folder.endswith(".py") else sorted((ROOT / folder).rglob("*.py"))
        for path in paths:
            for key in CODE_KEY.findall(path.read_text(encoding="utf-8")):
                if key not in template:
                    missing.add(f"{path.relative_to(ROOT)}: {key}")
    assert sorted(missing) == []


def test_the_catalogues_compile_with_babel(tmp_path):
    # The install step's command, into a copy: a broken .po fails here, not in production.
    copy = tmp_path / "locale"
    subprocess.run(["cp", "-r", str(LOCALE_DIR), str(copy)], check=True)
    pybabel = Path(sys.executable).with_name("pybabel")
    done = subprocess.run([str(pybabel), "compile", "-d", str(copy), "-D", DOMAIN, "--statistics"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for lang in LANGUAGES:
        assert (copy / lang / "LC_MESSAGES" / f"{DOMAIN}.mo").stat().st_size > 1000, lang


@pytest.mark.parametrize("lang", LANGUAGES)
def test_counting_texts_pick_the_form_of_the_language(lang, template):
    # The count is shown, formatted for the language, whatever form is chosen.
    for n in (0, 1, 2, 3, 11, 21, 101, 1500):
        assert t("live.count", lang, n=n)
    assert "1" in t("live.count", lang, n=1)


# One way to translate: no code decides a text by comparing a language code or picking a
# "_de"/"_en" field; every text comes from the catalogues through t().
LANGUAGE_BRANCH = re.compile(
    r"""(?x)
    \blang(?:uage)?\s*[!=]=\s*["'][a-z]{2}["']      # lang == "de"
    | ["'][a-z]{2}["']\s*[!=]=\s*\blang\b          # "de" == lang
    | \b(?:label|title|unit|note|notes|description|explanation|message|plural|places_label|licence_note)_(?:de|en)\b
    | \b(?:de|en)\s+if\s+lang\b                     # de if lang ...
    """)


def language_branches() -> dict[str, int]:
    found: dict[str, int] = {}
    for folder in ("app.py", "pages", "ui", "maps", "geodata", "assessment", "core"):
        paths = [ROOT / folder] if folder.endswith(".py") else sorted((ROOT / folder).rglob("*.py"))
        for path in paths:
            count = sum(len(LANGUAGE_BRANCH.findall(line.split("#", 1)[0]))
                        for line in path.read_text(encoding="utf-8").splitlines())
            if count:
                found[path.relative_to(ROOT).as_posix()] = count
    return found


def test_no_text_is_chosen_by_a_branch_on_the_language():
    assert language_branches() == {}
