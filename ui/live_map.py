"""The projector's map (``/live``): the base map prepared once per process, the pins sent as changes.

A projector refreshes every few seconds for hours, and a workshop's room adds a
pin every few seconds. Sending every pin with every refresh made each refresh
grow with the room (and the ForwardMsg cache helps only while nothing changes).
Here the session remembers which pins (and in which version) its browser was
sent; a refresh sends the pins that are new or changed and the ids of those
hidden since (:func:`maps.workshop.pin_changes`), and nothing when nothing
changed. The browser keeps its pins between refreshes
(:func:`maps.workshop.pin_changes_script`).

A browser that missed one refresh's changes (its connection dropped while the
server sent them) would lack those pins until they change again; so every
:data:`RESYNC_S` seconds a refresh sends all pins once, and the browser
redraws only the ones that differ. A new session (a reload, another app
process) starts with all pins.
"""

from __future__ import annotations

import time

import streamlit as st
from shapely.geometry import mapping

from assessment.needs.taxonomy import CATEGORIES
from maps.base import Basemap
from maps.workshop import Pin, focus_layer, pin_changes, pin_changes_script, workshop_base_map
from ui.context import asset_base
from ui.map_component import map_component
from assessment.needs.procedures import ProcedureBook, ProcedureNotFoundError, category_labels

#: Seconds between two refreshes that send all pins, so that a browser that missed changes catches up.
RESYNC_S = 60.0
_SENT = "live_pins_sent"


def category_namer(store, procedure_id: str | None, lang: str):
    """A function category id -> label in ``lang``: the workshop's procedure's own or standard category, else the id."""
    procedure = None
    if procedure_id is not None:
        try:
            procedure = ProcedureBook(store).get(procedure_id)
        except ProcedureNotFoundError:
            procedure = None
    return lambda cid: category_labels(cid, procedure, (lang,))[0]


def live_map(settings, code: str, focus, needs, lang: str, *, height: int = 640, name=None) -> None:
    """The focus area and the room's ``needs`` as pins; sends only what changed since this session's last run."""
    basemap, assets = Basemap.from_settings(settings), asset_base()
    content = ("live", code, focus.name, tuple(focus.bbox), lang, basemap, assets)
    sent = st.session_state.get(_SENT)
    now = time.monotonic()
    resend = sent is None or sent["map"] != content or now - sent["full_at"] >= RESYNC_S
    # The browser knows a pin by a short name of this session's (a need's id is 36 characters).
    names = {} if sent is None else sent["names"]
    name = name or (lambda cid: category_labels(cid, None, (lang,))[0])
    pins = [Pin(n.lat, n.lon, n.category, n.title, name(n.category),
                names.setdefault(n.id, format(len(names), "x"))) for n in needs]
    changes, shown = pin_changes(None if resend else sent["shown"], pins, tuple(CATEGORIES))

    def build():
        outline = focus_layer(mapping(focus.geometry), focus.name)
        return workshop_base_map(focus.bbox, basemap, lang, assets, focus=outline)

    map_component(content, build, key="live_map", height=height, use_container_width=True, returned_objects=[],
                  overlay_script=None if changes.empty else pin_changes_script(changes))
    st.session_state[_SENT] = {"map": content, "shown": shown, "names": names,
                               "full_at": now if resend else sent["full_at"]}
