"""/melden's map through the real map component (no stand-in for ``st_folium``): the base once, the place as data.

The frontend component is replaced by a recorder of its arguments (what the browser
would get); ``ui.map_component.prepare`` is counted, so a test sees each folium map
built and rendered. The map store is per process, so it is emptied first.
"""

from __future__ import annotations

import json
import re

import pytest
import streamlit_folium
from streamlit.testing.v1 import AppTest

from tests.map_scripts import inlined
from ui import map_component
from tests.test_report_page import BRANDENBURG_GATE, PAGE, TIMEOUT_S, database_url  # noqa: F401 - a fixture

# At S+U Hermannstraße in Neukölln, some 7 km south-east of the first pin.
HERMANNSTRASSE = (52.4672, 13.4318)


@pytest.fixture
def component(monkeypatch, tmp_path):
    """The map component's arguments per run (the map's script put back inline), and the number of folium
    maps prepared (built and rendered)."""
    calls, prepared = [], []

    def record(**kwargs):
        calls.append(inlined(kwargs, tmp_path / "maps"))
        return kwargs["default"]

    def counted(fig, overlays=None):
        prepared.append(fig)
        return real_prepare(fig, overlays)

    real_prepare = map_component.prepare
    monkeypatch.setattr(streamlit_folium, "_component_func", record)
    monkeypatch.setattr(map_component, "prepare", counted)
    monkeypatch.setattr(map_component, "SCRIPT_DIR", tmp_path / "maps")
    map_component._prepared.clear()
    map_component._script_file.clear()
    yield calls, prepared
    map_component._prepared.clear()
    map_component._script_file.clear()


def place_sent(call: dict) -> dict:
    """The place in the script the component got as its overlay (``map_div.bedarfsatlasPlace({...});``)."""
    match = re.fullmatch(r"map_div\.bedarfsatlasPlace\((\{.*\})\);", call["feature_group"], re.S)
    assert match, call["feature_group"][:200]
    return json.loads(match[1])


def tap(at: AppTest, lat: float, lon: float) -> None:
    """What the browser sends after a tap on the map: the component's value, then a run."""
    at.session_state["report_map"] = {"last_clicked": {"lat": lat, "lng": lon}}
    at.run()
    assert not at.exception, at.exception


def test_a_second_pin_sends_only_the_new_place_on_the_base_map_prepared_once(component, database_url):
    calls, prepared = component
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT_S)
    at.run()
    assert not at.exception, at.exception
    assert len(prepared) == 1 and place_sent(calls[-1])["pin"] is None
    base = {k: calls[-1][k] for k in ("script", "html", "header", "key")}

    tap(at, *BRANDENBURG_GATE)
    first = place_sent(calls[-1])
    tap(at, *HERMANNSTRASSE)
    second = place_sent(calls[-1])

    # No new folium map for either pin: the browser's map (same script, same key) stays.
    assert len(prepared) == 1
    assert {k: calls[-1][k] for k in base} == base
    assert "map.bedarfsatlasPlace = function" in base["script"] and "bedarfsatlasPlace({" not in base["script"]  # no place in it
    # The overlay carries the new pin, its view and the names around it; the first pin is gone.
    assert first["pin"] == pytest.approx(list(BRANDENBURG_GATE))
    assert second["pin"] == pytest.approx(list(HERMANNSTRASSE))
    assert second["view"] == {"center": pytest.approx(list(HERMANNSTRASSE)), "zoom": 15}
    assert "Unter den Linden" in [name for _, _, name in first["labels"]]
    assert "Unter den Linden" not in [name for _, _, name in second["labels"]]
    # The pin's own Planungsraum is among the names around it, and left out of the landmarks: named once.
    own = at.session_state["report_place"]["located"]["PLR_ID"]
    assert own in second["named"] and len(second["labels"]) == len(second["named"])
    # A run without a change (a rerun for anything else) sends the same overlay again, so the
    # browser runs nothing: streamlit-folium runs the overlay only when it differs from the last.
    at.run()
    assert calls[-1]["feature_group"] == calls[-2]["feature_group"] and len(prepared) == 1
    # The overlay is small next to the base it no longer repeats.
    assert len(calls[-1]["feature_group"]) < 25_000 < len(base["script"])


def test_a_language_needs_a_base_of_its_own_and_keeps_the_place(component, database_url):
    calls, prepared = component
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT_S)
    at.run()
    tap(at, *BRANDENBURG_GATE)
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception, at.exception
    assert len(prepared) == 2 and calls[-1]["key"] != calls[0]["key"]
    assert 'pinLabel = "Your place"' in calls[-1]["script"]
    assert place_sent(calls[-1])["pin"] == pytest.approx(list(BRANDENBURG_GATE))
