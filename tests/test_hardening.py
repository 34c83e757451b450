"""Hardening: Streamlit's server settings, raw-HTML sinks only where reviewed, pages independent."""

from __future__ import annotations

import ast
import re
import tomllib
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / ".streamlit" / "config.toml"

# Every place that hands raw HTML to the browser, reviewed: what goes in is either static CSS or
# built by a function that HTML-escapes every text (maps.base.legend_html,
# maps.planner.swatch_legend_html; their tests check the escaping). A new place fails this
# test until someone has reviewed it and added it here.
REVIEWED_HTML = Counter({
    "pages/overview.py": 2,  # legend_html (escaped); static CSS: the residents' link wraps, a little larger
    "pages/planner_map.py": 2,  # legend_html, PlannerMap.overlay_legends (swatches, heat ramp; escaped)
    "pages/assessment.py": 1,  # legend_html (escaped), once for both maps
    # The two character counts (ui.live_count.count_html: numbers and the app's own
    # templates, escaped) and the fixed script that updates them as one types
    # (LIVE_COUNT_SCRIPT, no user text).
    "ui/report_form.py": 3,
    # Static CSS that hides the honeypot field off screen (ui.widgets.honeypot_input) and that
    # hides an icon button's label visually (ui.widgets.icon_button); the only variable part
    # is the widget's key, checked against [A-Za-z0-9_-]+.
    "ui/widgets.py": 2,
    # The skip link (its text escaped, key and anchor checked against [A-Za-z0-9_-]+) and the fixed
    # script that moves the focus (ui.focus.FOCUS_SCRIPT, no user text), twice: both helpers bring it.
    "ui/focus.py": 2,
    "pages/workshop_live.py": 1,  # static CSS: projector font sizes
    # The staff sign-in cookie (assessment.participation.auth.session_cookie_script): a fixed script, no user text;
    # the only variable part is a token checked against [A-Za-z0-9_-]{43}. And the fixed script that
    # closes the menu after a choice on a phone (ui.phone_menu.MENU_CLOSES_SCRIPT, no variable part),
    # and the page's lang/dir (ui.direction.direction_script: the language code, checked against LANGUAGES).
    "app.py": 3,
})
HTML_SINK = re.compile(r"unsafe_allow_html\s*=\s*True|\bst\.html\(|components(\.v1)?\.html\(|\bhtml\(")


@pytest.fixture(scope="module")
def config() -> dict:
    return tomllib.loads(CONFIG.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("section", "key", "expected"), [
    ("server", "enableXsrfProtection", True),  # forms and uploads need the XSRF token
    ("server", "enableCORS", True),  # CORS protection on: no cross-origin use of the server
    ("client", "showErrorDetails", "none"),  # tracebacks stay in the server log, not in the browser
    ("client", "toolbarMode", "viewer"),  # no developer menu (rerun, settings, source) for the public
    # No table download: Streamlit's CSV writes residents' "=HYPERLINK(...)" raw (the app's own buttons neutralise).
    ("client", "disableDataExport", True),
    ("browser", "gatherUsageStats", False),  # nothing about visitors leaves the server
    ("server", "headless", True),
])
def test_streamlit_hardening_settings(config, section, key, expected):
    assert config.get(section, {}).get(key) == expected, f"[{section}] {key} in {CONFIG} should be {expected!r}"


def test_upload_limit_is_small(config):
    # In MB. Residents upload nothing; staff import files through the command line.
    assert 1 <= config["server"]["maxUploadSize"] <= 5


def python_sources():
    yield ROOT / "app.py"
    for folder in ("pages", "ui", "assessment", "maps", "geodata", "core"):
        yield from sorted((ROOT / folder).rglob("*.py"))


def test_raw_html_only_in_reviewed_places():
    found = Counter()
    for path in python_sources():
        relative = path.relative_to(ROOT).as_posix()
        for line in path.read_text(encoding="utf-8").splitlines():
            code = line.split("#", 1)[0]
            if HTML_SINK.search(code) and "def " not in code:
                found[relative] += 1
    assert found == REVIEWED_HTML


def test_no_unsafe_allow_html_anywhere():
    offenders = [p.relative_to(ROOT).as_posix() for p in python_sources()
                 if re.search(r"unsafe_allow_html\s*=\s*True", p.read_text(encoding="utf-8"))]
    assert offenders == []


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add("." * node.level + node.module)
        elif isinstance(node, ast.ImportFrom):
            modules.add("." * node.level)
    return modules


def test_pages_do_not_import_each_other_nor_are_imported():
    # import-linter checks packages; pages/ is a folder of scripts, so this test keeps the rule.
    # The app runs with the repository root on sys.path, so "assessment" is the package even
    # though a page has that name; any other page name would only resolve to a page by accident.
    page_names = {p.stem for p in (ROOT / "pages").glob("*.py")} - {"assessment", "geodata", "maps", "core", "ui"}
    for path in sorted((ROOT / "pages").glob("*.py")) + [ROOT / "app.py"]:
        modules = imported_modules(path)
        bad = sorted(m for m in modules if m.startswith(".") or m.split(".")[0] in page_names | {"pages", "app"})
        assert bad == [], f"{path.name} imports {bad}: share code through ui/ or the library packages instead"
    for path in python_sources():
        if path.relative_to(ROOT).parts[0] in ("ui", "assessment", "maps", "geodata", "core"):
            modules = imported_modules(path)
            assert not any(m.split(".")[0] in ("pages", "app") for m in modules), path


def test_the_checker_sees_imports():
    sample = ROOT / "pages" / "overview.py"
    assert "core.i18n" in imported_modules(sample)
