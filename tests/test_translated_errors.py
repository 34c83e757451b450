"""Errors an operator reads come from the catalogues: English from ``str()``, any language from ``in_language``.

The city profile's problems, the base-map presets, the secrets' accounts and role mapping,
a need, procedure, goal or workshop that is not found, a moderation decision the need's status
no longer allows, a refused workshop request or dot and a closed procedure carry a
:class:`core.i18n.Message`, never an English sentence written in the code; a walk over the
modules keeps it so.
"""

from __future__ import annotations

import ast
import copy
from pathlib import Path

import pytest

from assessment.analysis.goals import GoalNotFoundError
from assessment.needs.procedures import ProcedureNotFoundError
from assessment.needs.store import NeedNotFoundError
from assessment.participation.auth import SecretsError, accounts_from_secrets, oidc_role_map
from assessment.participation.residents import ProcedureClosedError
from assessment.participation.oidc_setup import oidc_setup_problems
from core.basemaps import read_preset
from core.i18n import has_text
from core.settings import SettingsError, load_settings
from geodata.profile import BUNDLED_DIR, ProfileError, load_profile, parse_profile, profile_settings
from tests.test_oidc_setup import secrets_with
from tests.test_profile import minimal

ROOT = Path(__file__).resolve().parents[1]
MODULES = ("geodata/profile.py", "core/basemaps.py", "assessment/participation/auth.py", "assessment/needs/store.py",
           "maps/base.py", "assessment/participation/moderation.py", "assessment/needs/procedures.py",
           "assessment/analysis/goals.py", "assessment/participation/workshops.py",
           "assessment/participation/residents.py", "ui/imprint.py")
#: Calls whose arguments are texts for a reader; for a problem, its first argument is a field path.
ERRORS = {"SecretsError", "SettingsError", "NeedNotFoundError", "ProfileError", "DecisionError",
          "ProcedureNotFoundError", "GoalNotFoundError", "WorkshopError", "WorkshopNotFoundError", "VoteRefused",
          "ProcedureClosedError", "ImprintError"}
PROBLEMS = {"problem", "Problem"}
#: Calls that make a message from its key (a FormattedMessage writes its values as the language does).
MESSAGES = {"Message", "FormattedMessage"}


def _name(call: ast.Call) -> str:
    return call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")


def _message_keys(tree: ast.AST) -> list[str]:
    """The keys of the messages made inside ``tree``."""
    return [node.args[0].value for node in ast.walk(tree) if isinstance(node, ast.Call) and _name(node) in MESSAGES
            and node.args and isinstance(node.args[0], ast.Constant)]


def _literal_text(node: ast.AST) -> bool:
    """A string written in the code: a literal, an f-string, or either picked by a conditional."""
    if isinstance(node, ast.IfExp):
        return _literal_text(node.body) or _literal_text(node.orelse)
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str))


def _written_texts(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        texts: list[ast.AST] = []
        if isinstance(node, ast.Call) and _name(node) in ERRORS:
            texts = [*node.args, *(keyword.value for keyword in node.keywords)]
        elif isinstance(node, ast.Call) and _name(node) in PROBLEMS:
            texts = node.args[1:]
        elif (isinstance(node, ast.Call) and _name(node) == "append" and isinstance(node.func, ast.Attribute)
              and getattr(node.func.value, "id", "") == "problems" and node.args
              and isinstance(node.args[0], ast.Tuple)):  # core.basemaps: (field, what, fix)
            texts = node.args[0].elts[1:]
        found += [f"{path.relative_to(ROOT)}:{text.lineno}" for text in texts if _literal_text(text)]
    return found


def test_no_problem_or_error_is_written_in_english_in_the_code():
    written = [place for module in MODULES for place in _written_texts(ROOT / module)]
    assert written == [], "pass a core.i18n.Message (docs/translations.md), not a text: " + ", ".join(written)


def test_every_message_these_modules_name_is_in_the_catalogues():
    keys = set()
    for module in MODULES:
        keys.update(_message_keys(ast.parse((ROOT / module).read_text(encoding="utf-8"))))
    assert len(keys) > 80
    assert sorted(key for key in keys if not has_text(key)) == []


def _problems(data: dict, tmp_path) -> dict:
    with pytest.raises(ProfileError) as err:
        parse_profile(data, tmp_path)
    return {problem.where: problem for problem in err.value.problems}


def test_a_profile_problem_reads_in_german_and_in_english(tmp_path):
    data = copy.deepcopy(minimal())
    data["city"]["timezone"] = "Mars/Olymp"
    data["datasets"]["population"]["indicators"]["population"]["direction"] = 2
    with pytest.raises(ProfileError) as err:
        parse_profile(data, tmp_path)
    found = {problem.where: problem for problem in err.value.problems}
    zone = found["city.timezone"]
    assert str(zone) == "city.timezone: 'Mars/Olymp' is no time zone. Fix: write an IANA name, e.g. timezone = \"Europe/Berlin\""
    assert zone.in_language("de") == ("city.timezone: 'Mars/Olymp' ist keine Zeitzone. Lösung: einen IANA-Namen "
                                      "schreiben, z. B. timezone = \"Europe/Berlin\"")
    german = err.value.in_language("de")
    assert german.startswith("Das Stadtprofil") and "muss 1, -1 oder 0 sein, nicht 2" in german
    assert "höher = mehr Bedarf" in german and "higher" not in german


def test_an_example_in_a_fix_is_in_the_language_of_the_fix(tmp_path):
    data = copy.deepcopy(minimal())
    data["datasets"]["population"]["sha256"] = "abc"
    problem = _problems(data, tmp_path)["datasets.population.sha256"]
    assert "64 hex digits" in str(problem)
    assert "64 Hexadezimalziffern" in problem.in_language("de") and "hex digits" not in problem.in_language("de")


def test_a_base_map_problem_reads_in_german_with_its_braces():
    _, [(field, what, fix)] = read_preset("luftbild", {"kind": "xyz", "url": "https://t.example.org/tiles.png",
                                                       "title": "Luftbild", "attribution": "© Stadt",
                                                       "licence": "CC0"})
    assert field == "url"
    assert what.in_language("de") == "'https://t.example.org/tiles.png' enthält nicht {z}, {x} und {y}"
    assert fix.in_language("de").endswith('z. B. url = "https://tiles.example.org/{z}/{x}/{y}.png"')


def test_an_unknown_base_map_or_language_setting_reads_in_german():
    with pytest.raises(SettingsError) as err:
        load_profile(BUNDLED_DIR / "berlin").basemap("osm")
    assert isinstance(err.value, ValueError) and "got 'osm'" in str(err.value)
    assert err.value.in_language("de").startswith("BEDARFSATLAS_BASEMAP muss eine dieser Grundkarten nennen: "
                                                  "geoportal-k5-farbe, ")
    musterstadt = copy.deepcopy(minimal())
    with pytest.raises(SettingsError) as err:
        profile_settings(load_settings({"BEDARFSATLAS_LANGUAGE": "uk"}), parse_profile(musterstadt, Path("/tmp")))
    assert str(err.value).startswith("BEDARFSATLAS_LANGUAGE must be one of de, en (app.languages of the city profile "
                                     "Kleinstadt), got 'uk'.")
    assert err.value.in_language("de").startswith("BEDARFSATLAS_LANGUAGE muss einer dieser Werte sein: de, en")


def test_a_secrets_error_reads_in_german_and_stays_english_for_logs():
    with pytest.raises(SecretsError) as err:
        accounts_from_secrets({"accounts": {"bert": {"password_hash": "klartext", "roles": ["moderator"]}}})
    assert str(err.value) == ("secrets [bedarfsatlas.accounts.bert]: password_hash must be an argon2 hash; make one "
                              "with `python -m assessment hash-password`")
    assert err.value.in_language("de") == ("Secrets [bedarfsatlas.accounts.bert]: password_hash muss ein argon2-Hash "
                                           "sein; erzeugen Sie einen mit `python -m assessment hash-password`")
    with pytest.raises(SecretsError) as err:
        oidc_role_map({"emails": {"anna": ["moderator"]}})
    assert err.value.in_language("de").startswith("Secrets [bedarfsatlas.oidc.emails]: 'anna' ist keine E-Mail-Adresse")


def test_the_sign_in_note_on_a_bad_role_mapping_is_in_its_language():
    secrets = secrets_with(roles={"oidc": {"rolle_claim": "roles"}})
    [note] = [problem for problem in oidc_setup_problems(secrets, authlib_version="1.9.10")
              if problem.key == "auth.setup.roles"]
    assert note.message("de").endswith("Secrets [bedarfsatlas.oidc]: unbekannter Schlüssel 'rolle_claim'; "
                                       "verwenden Sie role_claim, emails, subjects")
    assert note.message("en").endswith("secrets [bedarfsatlas.oidc]: unknown key 'rolle_claim'; "
                                       "use role_claim, emails, subjects")


def test_a_need_not_found_is_a_key_error_that_names_the_id_in_german():
    error = NeedNotFoundError("0000-abcd")
    assert isinstance(error, KeyError) and error.need_id == "0000-abcd" and error.args == ("0000-abcd",)
    assert str(error) == "no need with id '0000-abcd': check the id (or the reference code's full id)"
    assert error.in_language("de") == ("Kein Bedarf hat die Kennung '0000-abcd'; prüfen Sie die Kennung "
                                       "(oder die vollständige Kennung hinter dem Referenzcode)")


def test_every_refused_decision_names_its_action_and_the_statuses_in_the_catalogues():
    from assessment.needs.model import STATUSES
    from assessment.participation.moderation import _ALLOWED_FROM

    # The keys are put together in the code (one sentence per action), so the walk above cannot see them.
    missing = [f"moderation.error.cannot_{action}" for action in _ALLOWED_FROM
               if not has_text(f"moderation.error.cannot_{action}")]
    missing += [f"moderation.status.{status}" for status in STATUSES if not has_text(f"moderation.status.{status}")]
    assert missing == []


@pytest.mark.parametrize("error, english, german", [
    (ProcedureNotFoundError("kiez-2027"),
     "no procedure with id 'kiez-2027': `python -m assessment procedures list` shows the ids",
     "Kein Beteiligungsverfahren hat die Kennung 'kiez-2027'; `python -m assessment procedures list` zeigt die "
     "Kennungen"),
    (GoalNotFoundError("g-17"), "no goal with id 'g-17': list the goals to find its id",
     "Kein Ziel hat die Kennung 'g-17'; die Liste der Ziele zeigt ihre Kennungen"),
])
def test_a_procedure_or_goal_not_found_is_a_key_error_that_names_the_id_in_german(error, english, german):
    assert isinstance(error, KeyError) and error.args in (("kiez-2027",), ("g-17",))
    assert str(error) == english and error.in_language("de") == german
    assert str(copy.copy(error)) == english  # rebuilt from the id, as a KeyError is


#: Errors of the residents' pages (/abstimmen shows a refused dot, /melden supports a need of a closed
#: procedure): their messages have the residents' scope.
RESIDENTS_READ = {"VoteRefused", "WorkshopNotFoundError", "ProcedureClosedError"}


def test_what_a_resident_can_read_is_in_every_language_of_the_residents():
    from tests.test_catalogues import TEMPLATE, read, scope_of

    scopes = {message.context: scope_of(message) for message in read(TEMPLATE) if message.id}
    keys = set()
    for module in MODULES:
        for node in ast.walk(ast.parse((ROOT / module).read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _name(node) in RESIDENTS_READ:
                keys.update(_message_keys(node))
            elif isinstance(node, ast.ClassDef) and node.name in RESIDENTS_READ:  # a message made in __init__
                keys.update(_message_keys(node))
    assert {"workshop.error.dots_used", "workshop.error.not_found", "procedure.error.closed"} <= keys
    assert sorted(key for key in keys if scopes.get(key) != "residents") == []


def test_a_closed_procedure_is_named_by_its_title_in_the_residents_language():
    error = ProcedureClosedError({"de": "Kiezplan Moabit", "tr": "Moabit mahalle planı"})
    assert str(error) == "The procedure “Kiezplan Moabit” is closed: it takes no more needs or supports."
    assert error.in_language("tr") == "“Moabit mahalle planı” süreci tamamlandı: Artık ihtiyaç ve destek kabul etmiyor."
    assert error.in_language("ls") == ("Das Verfahren „Kiezplan Moabit“ ist zu Ende. Sie können dort nichts mehr "
                                       "melden. Sie können dort auch keinen Bedarf mehr unterstützen.")
    assert copy.copy(error).in_language("de").startswith("Das Verfahren „Kiezplan Moabit“ ist abgeschlossen")


def test_an_unusable_imprint_is_named_in_the_pages_language(tmp_path):
    from ui.imprint import ImprintError, read_imprint

    (tmp_path / "leer.md").write_text("  \n", encoding="utf-8")
    with pytest.raises(ImprintError) as empty:
        read_imprint(tmp_path / "leer.md")
    assert empty.value.in_language("de").startswith(f"BEDARFSATLAS_IMPRINT_FILE {str(tmp_path / 'leer.md')!r} ist leer: ")
    assert empty.value.in_language("tr").endswith("BEDARFSATLAS_IMPRINT_FILE ayarını düzeltin")
    assert str(empty.value).endswith("is empty: write the imprint there as a UTF-8 Markdown file, or correct "
                                     "BEDARFSATLAS_IMPRINT_FILE")
