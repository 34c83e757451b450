"""No list shows Streamlit's own English placeholder ("Choose an option", "Choose options").

Streamlit shows its placeholder when a select box's value is ``None`` (``index=None``, or
``None`` as an option, which it treats as "nothing chosen", so ``format_func`` never names it)
and when a multiselect is empty. Each such widget in ``pages/`` and ``ui/`` passes a
``placeholder`` in the page's language (issue 18 found one on /karte's procedure filter).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _lists_without_placeholder(source: str) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and getattr(node.func, "attr", "") in ("selectbox", "multiselect")):
            continue
        if any(k.arg == "placeholder" for k in node.keywords):
            continue
        segment = ast.get_source_segment(source, node) or ""
        if node.func.attr == "multiselect" or "index=None" in segment or "[None" in segment:
            lines.append(node.lineno)
    return lines


def test_the_scan_finds_a_list_that_would_show_the_english_placeholder():
    assert _lists_without_placeholder('st.selectbox("Verfahren", [None, *names], key="k")') == [1]
    assert _lists_without_placeholder('st.multiselect("Themen", options)') == [1]
    assert _lists_without_placeholder('st.selectbox("Ebene", levels, index=None, placeholder=p)') == []
    assert _lists_without_placeholder('st.selectbox("Ebene", levels)') == []  # always has a value


def test_every_list_that_can_be_empty_names_its_placeholder_in_the_pages_language():
    found = {}
    for path in sorted([*ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py"), ROOT / "app.py"]):
        lines = _lists_without_placeholder(path.read_text(encoding="utf-8"))
        if lines:
            found[str(path.relative_to(ROOT))] = lines
    assert found == {}, f"lists that would show Streamlit's English placeholder (file: lines): {found}"
