"""The map component's arguments as the browser ends up with them: the map's script file put back inline.

``ui.map_component`` writes a prepared map's script once as a file the browser loads (the
last of the component's ``js_links``) and sends only a call to it. Tests that read the
script ask for it through :func:`inlined`, with the folder the files were written to.
"""

from __future__ import annotations

from pathlib import Path


def inlined(kwargs: dict, folder: Path) -> dict:
    """``kwargs`` with the map's script file (the last script the component loads) put back inline."""
    *links, url = kwargs["js_links"]
    assert url.startswith("/app/static/maps/"), url
    body = (folder / url.rsplit("/", 1)[1]).read_text(encoding="utf-8")
    head, rest = body.split(" = function () {\n", 1)
    script, tail = rest.rsplit("\nwindow.map_div = map_div;\n};\n", 1)
    assert kwargs["script"] == f"{head}();" and tail == ""  # the inline call runs the file's function
    return {**kwargs, "script": script, "js_links": links}
