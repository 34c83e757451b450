"""A stand-in for ``streamlit_folium.st_folium`` in AppTest runs (no browser, no component).

The pages import ``st_folium`` when their script runs, so replacing the module's
attribute before ``AppTest.run`` puts :class:`FakeMap` in its place. It records
every call and answers like the real component:

* ``click(lat, lon)`` queues a click on the next map drawn: in that run the click
  becomes the component's value in ``st.session_state[key]`` (``last_clicked``),
  as the browser's value would, and the page sees it then and in later runs;
* ``value`` (e.g. ``{"last_active_drawing": feature}``) is returned as is, for
  what a user drew;
* otherwise the component's last value, or ``{"last_clicked": None}`` before any.

Use the ``fake_map`` fixture (``tests/conftest.py``) or :func:`install`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple


class MapCall(NamedTuple):
    """One ``st_folium`` call of a page: the map, its widget key and the other arguments."""

    fig: Any
    key: str | None
    kwargs: dict


@dataclass
class FakeMap:
    """Stands in for ``st_folium``; see the module docstring."""

    value: dict | None = None
    calls: list[MapCall] = field(default_factory=list)
    pending: tuple[float, float] | None = None

    def __call__(self, fig, key=None, **kwargs):
        import streamlit as st

        self.calls.append(MapCall(fig, key, kwargs))
        if self.value is not None:
            return self.value
        if self.pending is not None:
            if key is None:
                raise AssertionError("a click needs the map's widget key: the page called st_folium without key=")
            # What the browser does: the click becomes the component's value, then Streamlit reruns.
            st.session_state[key] = {"last_clicked": {"lat": self.pending[0], "lng": self.pending[1]}}
            self.pending = None
        return (st.session_state.get(key) if key is not None else None) or {"last_clicked": None}

    def click(self, lat: float, lon: float) -> None:
        """Queue a click at a WGS84 point on the next map drawn."""
        self.pending = (lat, lon)

    @property
    def maps(self) -> list:
        """Every map the page drew, in order."""
        return [call.fig for call in self.calls]

    def keyed(self, key: str) -> list[MapCall]:
        """The calls for the map with widget key ``key``."""
        return [call for call in self.calls if call.key == key]

    def html(self) -> str:
        """The last map drawn, rendered as the component would get it, and the script the run sent with it."""
        if not self.calls:
            raise AssertionError("no map was drawn: did the page run, and did it reach st_folium?")
        call = self.calls[-1]
        return call.fig.get_root().render() + "\n" + (call.kwargs.get("overlay_script") or "")

    def overlay_script(self, key: str | None = None) -> str:
        """The script the last run gave the map (``key``: of that map) in place of its overlays."""
        calls = self.keyed(key) if key is not None else self.calls
        if not calls or not calls[-1].kwargs.get("overlay_script"):
            raise AssertionError("the last map got no overlay script")
        return calls[-1].kwargs["overlay_script"]

    def place(self, key: str | None = None) -> dict:
        """The place the residents' map got with the last run (``maps.resident.place_overlay``'s data)."""
        import json
        import re

        match = re.fullmatch(r"map_div\.bedarfsatlasPlace\((\{.*\})\);", self.overlay_script(key), re.S)
        if not match:
            raise AssertionError("the last overlay script is no place of the residents' map")
        return json.loads(match[1])


def install(monkeypatch, value: dict | None = None) -> FakeMap:
    """Replace ``streamlit_folium.st_folium`` with a new :class:`FakeMap` for one test."""
    import streamlit_folium

    fake = FakeMap(value=value)
    monkeypatch.setattr(streamlit_folium, "st_folium", fake)
    return fake
