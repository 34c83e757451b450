"""``st_folium`` with the map prepared once per content, not once per rerun.

Every click and every keystroke reruns a Streamlit page, map included. ``st_folium``
then builds nothing itself but renders the folium map to HTML and Leaflet script
(jinja templates compiled afresh for every element, GeoJSON serialised, bounds
walked over every coordinate), which cost more than the rest of a form page. What
it sends to the browser depends only on what the map shows: :func:`map_component`
keys the prepared arguments by the page's own description of that content
(``content_key``: the level, the language, the pin, the needs shown, ...), builds
and renders the folium map only for a key it has not seen, and hands the stored
arguments to the same frontend component. Streamlit then sends the same element as
before, so the browser keeps its Leaflet map exactly as with ``st_folium``.

The preparation replicates ``streamlit_folium.st_folium`` 0.27.4 (pinned in
pyproject.toml) for plain ``folium.Map`` objects, through that module's own helper
functions; ``tests/test_map_component.py`` checks that both give the component the
same arguments. The store is one per process (``st.cache_resource``), shared by all
sessions: a map of the same content is rendered once for every resident.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Hashable, Iterable, Sequence

import branca
import folium
import folium.elements
import streamlit as st
import streamlit_folium as sf

from ui.context import asset_base

# The component function this module stands in for is ``st_folium``. A test that replaces ``st_folium`` (an
# AppTest without a browser, ``tests/fake_folium.py``) gets its replacement called with the
# freshly built map instead, so it can click and inspect the folium objects as before.


def _st_folium_replaced() -> bool:
    # By name, not identity: this module may first be imported after a test replaced it.
    original = getattr(sf.st_folium, "__module__", None) == "streamlit_folium"
    return not (original and getattr(sf.st_folium, "__name__", None) == "st_folium")


#: Prepared maps kept per process. A prepared map is its script and GeoJSON (the planners'
#: choropleth of 542 areas is about 1 MB), so the store is bounded.
MAX_PREPARED = 48


@dataclass(frozen=True)
class PreparedMap:
    """What ``st_folium`` computes from a folium map before it calls the frontend component."""

    script: str
    header: str
    html: str
    map_id: str
    bounds: Any
    zoom: Any
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]
    feature_group: str | None


def _walk(element) -> Iterable:
    if isinstance(element, branca.colormap.ColorMap):
        yield element
    if isinstance(element, folium.elements.JSCSSMixin):
        yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def prepare(fig: folium.Map, overlays: Sequence[folium.FeatureGroup] | None = None) -> PreparedMap:
    """Render ``fig`` (and the ``overlays`` passed as ``feature_group_to_add``) as ``st_folium`` does."""
    fig.get_root().render()
    fig.render()
    html = sf._get_html(fig)
    header = sf._get_header(fig)
    script = sf._get_map_string(fig)
    map_id = sf.get_full_id(fig)
    try:
        bounds = fig.get_bounds()
    except AttributeError:
        bounds = [[None, None], [None, None]]
    feature_group = None
    if overlays is not None:
        feature_group = "".join(sf._get_feature_group_string(group, map=fig, idx=idx)
                                for idx, group in enumerate(overlays))
    css: list[str] = []
    js: list[str] = []
    for element in _walk(fig):
        css.extend(href for _, href in getattr(element, "default_css", []))
        js.extend(src for _, src in getattr(element, "default_js", []))
    return PreparedMap(script, header, html, map_id, bounds, fig.options.get("zoom"),
                       tuple(dict.fromkeys(css)), tuple(dict.fromkeys(js)), feature_group)


@st.cache_resource(max_entries=MAX_PREPARED, show_spinner=False)
def _prepared(content_key: Hashable, _build: Callable[[], tuple[folium.Map, Sequence | None]]) -> PreparedMap:
    fig, overlays = _build()
    return prepare(fig, overlays)


#: Where the prepared maps' scripts are written: ``static/maps`` beside ``app.py``, served by
#: Streamlit's static file serving (``server.enableStaticServing``) at ``/app/static/maps/``.
SCRIPT_DIR = Path(__file__).resolve().parents[1] / "static" / "maps"
#: Script files kept; the oldest go when a new one would exceed it (a browser needs a file only
#: when it first draws that map).
MAX_SCRIPT_FILES = 400


def script_file(script: str, folder: Path | None = None) -> str | None:
    """Write ``script`` once as ``<folder>/<sha256 prefix>.js``; return the file's name, ``None`` if it cannot.

    The name is the content's hash, so every process writes the same file (atomically, by
    rename) and a browser's cached copy is never stale. A folder that cannot be written
    (a read-only install) gives ``None``: the script then goes inline, as before.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> name = script_file("var map_div = 1;", folder)
    >>> name, (folder / name).read_text()
    ('1f73c706cb8d00a2.js', 'var map_div = 1;')
    """
    folder = SCRIPT_DIR if folder is None else folder
    name = hashlib.sha256(script.encode("utf-8")).hexdigest()[:16] + ".js"
    target = folder / name
    if target.exists():
        return name
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(script)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
        kept = sorted(folder.glob("*.js"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in kept[MAX_SCRIPT_FILES:]:
            if old != target:
                old.unlink(missing_ok=True)
    except OSError:
        return None
    return name


def deferred_script(script: str) -> tuple[str, str]:
    """``script`` as a file's content that defines a function, and the inline call that runs it.

    streamlit-folium loads its script files before it adds the style sheets, then runs the
    inline script; the map must be built at that later moment, as an inline script would be
    (Leaflet measures its container on creation). The function leaves the map in the global
    ``map_div``, where the component and the overlays expect it.

    >>> body, call = deferred_script("var map_div = L.map('map_div');")
    >>> call
    'window.bedarfsatlasMap_b63250b50030e3ac();'
    >>> body.startswith("window.bedarfsatlasMap_b63250b50030e3ac = function () {") and "window.map_div = map_div;" in body
    True
    """
    name = "bedarfsatlasMap_" + hashlib.sha256(script.encode("utf-8")).hexdigest()[:16]
    return f"window.{name} = function () {{\n{script}\nwindow.map_div = map_div;\n}};\n", f"window.{name}();"


@st.cache_resource(max_entries=MAX_PREPARED, show_spinner=False)
def _script_file(script: str, asset_base: str) -> tuple[str, str] | None:
    """The URL of ``script``'s file and the inline call that builds the map, or ``None`` (send it inline)."""
    body, call = deferred_script(script)
    name = script_file(body)
    return None if name is None else (f"{asset_base.rsplit('/', 1)[0]}/maps/{name}", call)


def _bounds_dict(bounds) -> dict:
    (south, west), (north, east) = bounds
    return {"_southWest": {"lat": south, "lng": west}, "_northEast": {"lat": north, "lng": east}}


def map_component(
    content_key: Hashable,
    build: Callable[[], folium.Map | tuple[folium.Map, Sequence[folium.FeatureGroup] | None]],
    *,
    key: str,
    height: int = 700,
    width: int | None = 500,
    use_container_width: bool = False,
    returned_objects: Iterable[str] | None = None,
    zoom: float | None = None,
    center: tuple[float, float] | None = None,
    on_change: Callable | None = None,
    overlay_script: str | None = None,
) -> Any:
    """Show the map that ``build`` makes, prepared once per ``content_key``; returns what ``st_folium`` returns.

    ``content_key`` must change whenever what ``build`` draws changes (the caller's inputs
    to ``build``, hashable); ``build`` returns the map, or the map and the overlays that
    ``st_folium`` would get as ``feature_group_to_add``. ``zoom`` and ``center`` are passed on
    each run as with ``st_folium`` (they move the browser's map without a new one).
    ``overlay_script`` is script that this run alone gives the component in place of the
    prepared overlays (streamlit-folium runs it when it differs from the last run's, with the
    map as ``map_div``): what changed since the last run, as :mod:`ui.live_map` sends pins.
    """

    def built() -> tuple[folium.Map, Sequence | None]:
        result = build()
        return result if isinstance(result, tuple) else (result, None)

    if _st_folium_replaced():
        fig, overlays = built()
        extra = {} if overlay_script is None else {"overlay_script": overlay_script}  # only a test's stand-in gets it
        return sf.st_folium(fig, key=key, height=height, width=width, use_container_width=use_container_width,
                            returned_objects=returned_objects, zoom=zoom, center=center,
                            feature_group_to_add=overlays, on_change=on_change, **extra)
    prepared = _prepared(content_key, built)
    # The map's script (Leaflet setup, GeoJSON: up to 1 MB) goes to the browser as a file it loads
    # once, the last of the component's scripts, so that it is not part of the element's arguments:
    # a run that changes only the overlay (a pin on /melden) then sends a few kilobytes, not the map.
    # The element's key still follows the script, so a new map is a new component.
    in_file = _script_file(prepared.script, asset_base())
    if in_file is None:
        script, js_links = prepared.script, list(prepared.js_links)
    else:
        script, js_links = in_file[1], [*prepared.js_links, in_file[0]]
    returned = list(returned_objects) if returned_objects is not None else None
    defaults = {
        "last_clicked": None, "last_object_clicked": None, "last_object_clicked_count": None,
        "last_object_clicked_tooltip": None, "last_object_clicked_popup": None, "all_drawings": None,
        "last_active_drawing": None, "bounds": _bounds_dict(prepared.bounds), "zoom": prepared.zoom,
        "last_circle_radius": None, "last_circle_polygon": None, "selected_layers": None,
        "selected_tags": None, "last_geocoder_result": None,
    }
    defaults = {k: v for k, v in defaults.items() if returned is None or k in returned}
    hash_key = sf.generate_js_hash(prepared.script, key, False)

    def _on_change() -> None:
        st.session_state[key] = st.session_state.get(hash_key, {})
        if on_change is not None:
            on_change()

    return sf._component_func(
        script=script, header=prepared.header, html=prepared.html, id=prepared.map_id, key=hash_key,
        height=height, width=None if use_container_width else width, returned_objects=returned, default=defaults,
        zoom=zoom, center=center, feature_group=overlay_script or prepared.feature_group, return_on_hover=False,
        layer_control=None, pixelated=False, css_links=list(prepared.css_links), js_links=js_links,
        on_change=_on_change, wrap_longitude=False,
    )
