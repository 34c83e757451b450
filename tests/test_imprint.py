"""The operator's imprint file: formatting and safe links stay, nothing can run or load."""

from __future__ import annotations

import pytest

from ui.imprint import MAX_CHARS, ImprintError, read_imprint, sanitise_markdown


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("## Impressum\n\n**Bezirksamt Mitte**", "## Impressum\n\n**Bezirksamt Mitte**"),
        ("[Website](https://www.berlin.de/ba-mitte/)", "[Website](https://www.berlin.de/ba-mitte/)"),
        ("[E-Mail](mailto:post@ba-mitte.berlin.de)", "[E-Mail](mailto:post@ba-mitte.berlin.de)"),
        ("[030 9018-0](tel:+49309018)", "[030 9018-0](tel:+49309018)"),
        ("[klick](javascript:alert(1))", "[klick\\](javascript:alert(1))"),
        ("[klick](JAVASCRIPT:alert(1))", "[klick\\](JAVASCRIPT:alert(1))"),
        ("[klick]( <javascript:alert(1)>)", "[klick\\]( &lt;javascript:alert(1)>)"),
        ("[klick](&#106;avascript:alert(1))", "[klick\\](&#106;avascript:alert(1))"),
        ("[klick](data:text/html,x)", "[klick\\](data:text/html,x)"),
        ("[klick](/datenschutz)", "[klick\\](/datenschutz)"),
        ("[klick][r]\n\n[r]: javascript:alert(1)", "[klick][r]\n\n[r\\]: javascript:alert(1)"),
        ("![Logo](https://tracker.example/pixel.png)", "Logo"),
        ("![Logo][r]", "Logo"),
        ("![a [b]](https://x.example/p.png)", "!\\[a [b]](https://x.example/p.png)"),
        ("<script>alert(1)</script>", "&lt;script>alert(1)&lt;/script>"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)>"),
        ("Tel.\x00 030", "Tel. 030"),
    ],
)
def test_sanitise_keeps_formatting_and_safe_links_only(written, shown):
    assert sanitise_markdown(written) == shown


def test_read_imprint_names_the_file_and_the_fix(tmp_path):
    missing = tmp_path / "impressum.md"
    with pytest.raises(ImprintError, match=r"BEDARFSATLAS_IMPRINT_FILE names '.*impressum.md', which does not exist: "
                                           r"write the imprint there"):
        read_imprint(missing)
    missing.write_text("  \n", encoding="utf-8")
    with pytest.raises(ImprintError, match="is empty"):
        read_imprint(missing)
    missing.write_bytes("Stra\xdfe".encode("latin-1"))
    with pytest.raises(ImprintError, match="cannot be read"):
        read_imprint(missing)
    missing.write_text("x" * (MAX_CHARS + 1), encoding="utf-8")
    with pytest.raises(ImprintError, match="check that it names the imprint"):
        read_imprint(missing)
    missing.write_text("Bezirksamt <b>Mitte</b>", encoding="utf-8")
    assert read_imprint(missing) == "Bezirksamt &lt;b>Mitte&lt;/b>"
