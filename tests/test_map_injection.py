"""Residents' text on every map is inert: no server-side template evaluation, no script.

branca compiles rendered map scripts as Jinja templates once more, so a need titled
``{{ 7*7 }}`` used to come out as ``49`` on the planners' map: server-side template
injection, with Python object access from there. Each builder that shows user text
is rendered here, in full (as st_folium and the HTML export do), with payloads that
would show a tell-tale result if evaluated.
"""

from __future__ import annotations

import folium
import pandas as pd
import pytest

from maps.moderation import QueueMarker, moderation_map
from maps.planner import facilities_layer, needs_layer
from maps.resident import NeedMarker, report_map
from maps.workshop import Pin, pin_changes, pin_changes_script, pins_layer

PAYLOADS = {
    "{{ 'inj' ~ 'ected' }}": "injected",
    "{% for x in range(3) %}Q{% endfor %}": "QQQ",
    "{{ ''.__class__.__mro__[1].__subclasses__()|length }}": None,  # any number would do
    "{# hidden #}visible": None,
}
EMPTY_DISTRICTS = {"type": "FeatureCollection", "features": []}


def _render(layer_or_map) -> str:
    if isinstance(layer_or_map, folium.Map):
        return layer_or_map.get_root().render()
    m = folium.Map(tiles=None)
    layer_or_map.add_to(m)
    return m.get_root().render()


def _builders(payload: str):
    yield "planner needs", needs_layer(
        pd.DataFrame({"lat": [52.5], "lon": [13.4], "category": ["mobility"], "title": [payload]}), None
    )
    yield "planner per-area", needs_layer(
        None, pd.DataFrame({"lat": [52.5], "lon": [13.4], "name": [payload], "count": [3]})
    )
    yield "planner facilities", facilities_layer(
        {"kitas": pd.DataFrame({"lat": [52.5], "lon": [13.4], "name": [payload]})}, {"kitas": "Kitas"}
    )
    yield "workshop pins", pins_layer([Pin(52.5, 13.4, "mobility", payload, "Mobilität")], ["mobility"])
    yield "residents' map", report_map(EMPTY_DISTRICTS, needs=[NeedMarker(52.5, 13.4, payload, "Mobilität")])
    yield "moderation map", moderation_map(
        [QueueMarker(1, "3F2C9A1E", 52.5, 13.4, payload, payload, "PLR", "01100101", payload)],
        {"01100101": {"type": "Polygon",
                      "coordinates": [[[13.39, 52.49], [13.41, 52.49], [13.41, 52.51], [13.39, 52.49]]]}},
        selected=1,
    )


@pytest.mark.parametrize("payload", list(PAYLOADS))
def test_template_syntax_in_resident_text_is_never_evaluated(payload):
    tell_tale = PAYLOADS[payload]
    for name, built in _builders(payload):
        out = _render(built)  # a TemplateSyntaxError here would also be a finding
        # The braces reach the browser as character references (inside JSON, with the
        # ampersand \u-escaped), so Jinja sees no tags.
        assert "&#123;" in out or "\\u0026#123;" in out, f"{name}: the payload's braces were not made inert"
        assert payload not in out, f"{name}: raw template syntax reached the page"
        if tell_tale:
            assert tell_tale not in out, f"{name}: {payload!r} was evaluated on the server"


def test_a_projectors_pin_changes_carry_resident_text_inert():
    """The changes /live sends are script the map's frame evaluates: the text stays data, escaped."""
    title = "</script><img src=x onerror=alert(1)>${alert(2)}{{ 7*7 }}"
    changes, _ = pin_changes(None, [Pin(52.5, 13.4, "mobility", title, "Mobilität", "a")], ["mobility"])
    script = pin_changes_script(changes)
    assert "<" not in script.split("(map_div, ", 1)[1]  # no tag can start inside the data
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in script and "\\u0026#123;\\u0026#123; 7*7" in script
