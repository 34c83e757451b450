"""Named base maps: the type of a city's base-map presets and how one is read and checked.

A city profile lists the map services an operator may put under the areas as
``[basemaps.KEY]`` tables of its ``profile.toml`` (:mod:`geodata.profile` reads them
with :func:`read_preset`); one setting, ``BEDARFSATLAS_BASEMAP``, switches one on by its
key. Unset, the maps load no tiles at all and no request leaves the machine. A preset is
a WMS (endpoint, layer, image format, version; asked in Leaflet's Web Mercator,
EPSG:3857) or an XYZ tile service (a URL template with ``{z}``, ``{x}``, ``{y}``), with
its attribution and licence. The override settings ``BEDARFSATLAS_BASEMAP_URL``,
``_WMS_LAYERS`` and ``_ATTRIBUTION`` still win over a preset's values, so a preset can be
drawn from a mirror or a caching proxy (and from a stub server in the tests).

The reference profile (``geodata/profiles/berlin/profile.toml``) offers the Geoportal
Berlin's K5 map and orthophotos and basemap.de of the BKG; where their values come from is
noted there.

Examples
--------
>>> preset, problems = read_preset("basemapde-grau", {
...     "title": "basemap.de Web Raster Grau, BKG", "url": "https://sgx.geodatenzentrum.de/wms_basemapde",
...     "layers": "de_basemapde_web_raster_grau", "attribution": "© basemap.de / BKG {year}",
...     "licence": "CC BY 4.0", "wms_version": "1.3.0"})
>>> problems, preset.kind, preset.attribution_in(2026)
([], 'wms', '© basemap.de / BKG 2026')
>>> [(field, str(what), str(fix)) for field, what, fix in read_preset("osm", {
...     "kind": "xyz", "url": "https://tile.example.org/tiles.png", "title": "OSM",
...     "attribution": "© OpenStreetMap", "licence": "ODbL"})[1]]
[('url', "'https://tile.example.org/tiles.png' has no {z}, {x} and {y}", 'write the tile URL template, e.g. url = "https://tiles.example.org/{z}/{x}/{y}.png"')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any, Mapping

from core.i18n import Message

BASEMAP_KINDS = ("wms", "xyz")
"""A preset is a WMS (asked tile by tile in EPSG:3857) or an XYZ tile service."""
WMS_VERSIONS = ("1.1.1", "1.3.0")
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class BasemapPreset:
    """One base map a city offers: where it is served, which layer, and how to credit it.

    ``attribution`` may contain ``{year}``, filled with the year the map is drawn
    (basemap.de asks for "© basemap.de / BKG <Jahr>"). ``layers`` is empty for XYZ tiles.
    """

    key: str
    title: str
    url: str
    attribution: str
    licence: str
    layers: str = ""
    kind: str = "wms"
    licence_url: str = ""
    source_url: str = ""
    image_format: str = "image/png"
    wms_version: str = "1.3.0"
    crs: str = "EPSG:3857"

    def attribution_in(self, year: int) -> str:
        """The attribution as shown in ``year``."""
        return self.attribution.replace("{year}", str(year))


FIELDS = tuple(f.name for f in fields(BasemapPreset) if f.name != "key")
"""The fields of a ``[basemaps.KEY]`` table."""
_REQUIRED = ("title", "url", "attribution", "licence")


def read_preset(key: str, table: Mapping[str, Any]) -> tuple[BasemapPreset | None, list[tuple[str, Message, Message]]]:
    """Read the preset ``key`` from its table; every problem as (field, what is wrong, the fix).

    What is wrong and the fix are :class:`core.i18n.Message` s (``str()`` is English). The
    preset is ``None`` when there is a problem.
    """
    problems: list[tuple[str, Message, Message]] = []
    if not _KEY.match(key):
        problems.append(("", Message("data.profile.key_wrong_form", value=repr(key)),
                         Message("data.profile.fix.basemap_key")))
    unknown = sorted(set(table) - set(FIELDS))
    if unknown:
        problems.append((unknown[0], Message("data.profile.unknown_fields", fields=", ".join(unknown)),
                         Message("data.profile.fix.fields", fields=", ".join(FIELDS))))
    values = {}
    for name in FIELDS:
        value = table.get(name)
        if value is None:
            if name in _REQUIRED:
                problems.append((name, Message("data.profile.missing"),
                                 Message("data.profile.fix.add", key=name, example='"…"')))
            continue
        if not isinstance(value, str) or not value.strip():
            problems.append((name, Message("data.profile.not_a_text", value=repr(value)),
                             Message("data.profile.fix.write", key=name, example='"…"')))
            continue
        values[name] = value.strip()
    kind = values.get("kind", "wms")
    if kind not in BASEMAP_KINDS:
        problems.append(("kind", Message("data.profile.not_one_of", value=repr(kind), choices=", ".join(BASEMAP_KINDS)),
                         Message("data.profile.fix.basemap_kind")))
    url = values.get("url", "")
    if url and not url.startswith(("https://", "http://")):
        problems.append(("url", Message("data.profile.not_a_web_address", value=repr(url)),
                         Message("data.profile.fix.web_address")))
    elif url and kind == "xyz" and not all(part in url for part in ("{z}", "{x}", "{y}")):
        problems.append(("url", Message("data.profile.no_tile_template", value=repr(url)),
                         Message("data.profile.fix.tile_template",
                                 example='"https://tiles.example.org/{z}/{x}/{y}.png"')))
    if kind == "wms" and "layers" not in values:
        problems.append(("layers", Message("data.profile.wms_layers"), Message("data.profile.fix.wms_layers")))
    if kind == "xyz" and "layers" in values:
        problems.append(("layers", Message("data.profile.xyz_layers"), Message("data.profile.fix.xyz_layers")))
    version = values.get("wms_version", "1.3.0")
    if version not in WMS_VERSIONS:
        problems.append(("wms_version", Message("data.profile.not_one_of", value=repr(version),
                                                choices=", ".join(WMS_VERSIONS)),
                         Message("data.profile.fix.write_one_of", key="wms_version", choices=", ".join(WMS_VERSIONS))))
    if not values.get("image_format", "image/").startswith("image/"):
        problems.append(("image_format", Message("data.profile.not_an_image_type", value=repr(values["image_format"])),
                         Message("data.profile.fix.write", key="image_format", example='"image/png"')))
    if values.get("crs", "EPSG:3857") != "EPSG:3857":
        problems.append(("crs", Message("data.profile.web_mercator_only", value=repr(values["crs"])),
                         Message("data.profile.fix.web_mercator")))
    if problems:
        return None, problems
    return BasemapPreset(key=key, **values), []


def unknown_preset(key: str, offered: Mapping[str, BasemapPreset] | tuple[str, ...], city: str) -> Message:
    """The message for a ``BEDARFSATLAS_BASEMAP`` that is none of the city's presets.

    >>> str(unknown_preset("osm", ("basemapde-farbe", "basemapde-grau"), "Musterstadt"))
    "BEDARFSATLAS_BASEMAP must be one of basemapde-farbe, basemapde-grau (the base maps of the city profile Musterstadt), got 'osm'. Unset it for no base map."
    >>> str(unknown_preset("osm", (), "Musterstadt"))  # doctest: +ELLIPSIS
    "BEDARFSATLAS_BASEMAP: the city profile Musterstadt offers no base maps, got 'osm'. Unset it for no base map, ..."
    """
    if not offered:
        return Message("settings.error.basemap_none", name="BEDARFSATLAS_BASEMAP", city=city, value=repr(key),
                       url_name="BEDARFSATLAS_BASEMAP_URL", attribution_name="BEDARFSATLAS_BASEMAP_ATTRIBUTION")
    return Message("settings.error.basemap", name="BEDARFSATLAS_BASEMAP", choices=", ".join(offered), city=city,
                   value=repr(key))
