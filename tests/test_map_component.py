"""ui.map_component: the same component arguments as st_folium, the folium map built once per content."""

from __future__ import annotations

import os

import pandas as pd
import pytest
import streamlit_folium

from maps.planner import focus_layer, needs_layer, planner_base_map
from maps.resident import NeedMarker, report_map
from tests.map_scripts import inlined
from ui import map_component as mc

DISTRICTS = {
    "type": "FeatureCollection",
    "features": [
        {"type": "Feature", "id": bez, "properties": {"name": name},
         "geometry": {"type": "Polygon", "coordinates": [[[x, 52.5], [x + 0.1, 52.5], [x + 0.1, 52.6], [x, 52.5]]]}}
        for bez, name, x in (("01", "Mitte", 13.3), ("02", "Friedrichshain-Kreuzberg", 13.4))
    ],
}
NEEDS = pd.DataFrame({"lat": [52.51, 52.52], "lon": [13.35, 13.45], "category": ["mobility", "housing"],
                      "title": ["Bank", "<b>Licht</b>"]})


@pytest.fixture
def component(monkeypatch, tmp_path):
    """The frontend component replaced by a recorder of its arguments (no Streamlit runtime needed)."""
    calls = []

    def record(**kwargs):
        calls.append(kwargs)
        return kwargs["default"]

    monkeypatch.setattr(streamlit_folium, "_component_func", record)
    monkeypatch.setattr(mc, "SCRIPT_DIR", tmp_path / "maps")
    mc._prepared.clear()
    mc._script_file.clear()
    return calls


def _resident_map():
    return report_map(DISTRICTS, pin=(52.55, 13.35), needs=[NeedMarker(52.551, 13.351, "<i>x</i>", "Mobilität")])


def _planner_map():
    m = planner_base_map()
    return m, [focus_layer(DISTRICTS, "01"), needs_layer(NEEDS, None, mode="points", categories=("mobility", "housing"))]


def _comparable(kwargs: dict) -> dict:
    return {k: v for k, v in kwargs.items() if k != "on_change"}


@pytest.mark.parametrize("build", [_resident_map, _planner_map])
def test_the_component_gets_what_st_folium_gives_it(component, build, tmp_path):
    built = build()
    fig, overlays = built if isinstance(built, tuple) else (built, None)
    streamlit_folium.st_folium(fig, key="m", height=420, use_container_width=True, returned_objects=["last_clicked"],
                               feature_group_to_add=overlays, zoom=12, center=(52.5, 13.4))
    mc.map_component(("content", build.__name__), build, key="m", height=420, use_container_width=True,
                     returned_objects=["last_clicked"], zoom=12, center=(52.5, 13.4))
    direct, prepared = component
    assert _comparable(inlined(prepared, tmp_path / "maps")) == _comparable(direct)
    assert prepared["key"] == direct["key"]  # the browser keeps its Leaflet map across runs


def test_a_map_is_built_once_per_content_and_again_for_new_content(component):
    builds = []

    def build(pin):
        builds.append(pin)
        return report_map(DISTRICTS, pin=pin)

    for _ in range(3):
        mc.map_component(("report", (52.55, 13.35)), lambda: build((52.55, 13.35)), key="m")
    mc.map_component(("report", (52.52, 13.45)), lambda: build((52.52, 13.45)), key="m")
    assert builds == [(52.55, 13.35), (52.52, 13.45)]
    scripts = [inlined(call, mc.SCRIPT_DIR)["script"] for call in component]
    assert scripts[0] == scripts[1] == scripts[2] != scripts[3]
    assert component[0]["js_links"][-1] != component[3]["js_links"][-1]  # a new map is a new file
    assert "52.52" in scripts[3] and "52.52" not in scripts[0]


def test_a_replaced_st_folium_gets_the_built_map(component, monkeypatch):
    seen = []
    monkeypatch.setattr(streamlit_folium, "st_folium", lambda fig, **kwargs: seen.append((fig, kwargs)) or {"x": 1})
    assert mc.map_component("k", _planner_map, key="m") == {"x": 1}
    [(fig, kwargs)] = seen
    assert kwargs["key"] == "m" and len(kwargs["feature_group_to_add"]) == 2
    assert component == []


def test_a_read_only_install_sends_the_script_inline(component, monkeypatch, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder would be")
    monkeypatch.setattr(mc, "SCRIPT_DIR", blocked / "maps")
    mc.map_component("k", _resident_map, key="m")
    [call] = component
    assert "L.map(" in call["script"] and not any("/maps/" in link for link in call["js_links"])


def test_the_script_files_are_kept_up_to_a_bound_newest_first(tmp_path, monkeypatch):
    monkeypatch.setattr(mc, "MAX_SCRIPT_FILES", 3)
    names = []
    for i in range(5):
        names.append(mc.script_file(f"var map_div = {i};", tmp_path))
        (tmp_path / names[-1]).touch()
        os.utime(tmp_path / names[-1], (1000 + i, 1000 + i))  # distinct ages, oldest first
    assert sorted(p.name for p in tmp_path.glob("*.js")) == sorted(names[2:])
    assert mc.script_file("var map_div = 4;", tmp_path) == names[4]  # an existing file is not written again
    assert not list(tmp_path.glob("*.part"))
