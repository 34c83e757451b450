"""Named base maps: the official map services an operator in Berlin would put under the areas.

One setting, ``BEDARFSATLAS_BASEMAP``, switches one of :data:`BASEMAP_PRESETS` on
by its key; unset, the maps load no tiles at all and no request leaves the
machine. Each preset is a WMS with its endpoint, layer, image format, the
coordinate system the browser asks in (Leaflet's Web Mercator, EPSG:3857, which
each of these services offers), its attribution and licence. The override
settings ``BEDARFSATLAS_BASEMAP_URL``, ``_WMS_LAYERS`` and ``_ATTRIBUTION`` still
win over a preset's values, so a preset can be drawn from a mirror or a caching
proxy (and from a stub server in the tests).

Where the values come from: public configurations and notes of other projects that
request these services (read December 2026; the services themselves could not be
reached from the development machine, so check a preset's layer against the service's
``GetCapabilities`` before going live):

* ``geoportal-k5-farbe``: Geoportal Berlin, WMS ``https://gdi.berlin.de/services/wms/k5_farbe``,
  layer ``k5_farbe`` ("Karte von Berlin 1:5000 (K5 - Farbausgabe)"), EPSG:3857 offered.
* ``geoportal-dop``: Geoportal Berlin, WMS ``https://gdi.berlin.de/services/wms/truedop_2024``,
  layer ``truedop_2024`` ("Digitale farbige TrueOrthophotos 2024 (DOP20RGBI)", 20 cm),
  GetMap with ``CRS=EPSG:3857`` and ``image/png`` answered with imagery; dataset page
  https://daten.berlin.de/datensaetze/digitale-farbige-trueorthophotos-2024-dop20rgbi-wms-de71f450.
  The newest flight gets a new service name (``truedop_2025``, ``dop_2025_fruehjahr``);
  point ``BEDARFSATLAS_BASEMAP_URL`` and ``_WMS_LAYERS`` at it to switch.
* ``basemapde-farbe`` / ``basemapde-grau``: BKG, WMS ``https://sgx.geodatenzentrum.de/wms_basemapde``,
  layers ``de_basemapde_web_raster_farbe`` / ``de_basemapde_web_raster_grau`` (named in the
  service's capabilities); attribution "© basemap.de / BKG <Jahr>", licence CC BY 4.0.

The Geoportal Berlin publishes its base maps under the Datenlizenz Deutschland – Zero – 2.0,
which asks for no attribution; the maps name the source all the same.

Examples
--------
>>> preset = basemap_preset("basemapde-grau")
>>> preset.layers, preset.attribution_in(2026)
('de_basemapde_web_raster_grau', '© basemap.de / BKG 2026')
>>> basemap_preset("osm")
Traceback (most recent call last):
...
ValueError: BEDARFSATLAS_BASEMAP must be one of geoportal-k5-farbe, geoportal-dop, basemapde-farbe, basemapde-grau, got 'osm'.
"""

from __future__ import annotations

from dataclasses import dataclass

DL_DE_ZERO = ("Datenlizenz Deutschland – Zero – Version 2.0 (dl-de/zero-2.0)", "https://www.govdata.de/dl-de/zero-2-0")
CC_BY_4 = ("Creative Commons Namensnennung 4.0 International (CC BY 4.0)", "https://creativecommons.org/licenses/by/4.0/")


@dataclass(frozen=True)
class BasemapPreset:
    """One official WMS base map: where it is served, which layer, and how to credit it.

    ``attribution`` may contain ``{year}``, filled with the year the map is drawn
    (basemap.de asks for "© basemap.de / BKG <Jahr>").
    """

    key: str
    title: str
    url: str
    layers: str
    attribution: str
    licence: str
    licence_url: str
    source_url: str
    image_format: str = "image/png"
    wms_version: str = "1.3.0"
    crs: str = "EPSG:3857"

    def attribution_in(self, year: int) -> str:
        """The attribution as shown in ``year``."""
        return self.attribution.replace("{year}", str(year))


BASEMAP_PRESETS: dict[str, BasemapPreset] = {
    preset.key: preset
    for preset in (
        BasemapPreset(
            key="geoportal-k5-farbe",
            title="Karte von Berlin 1:5000 (K5 - Farbausgabe), Geoportal Berlin",
            url="https://gdi.berlin.de/services/wms/k5_farbe",
            layers="k5_farbe",
            attribution="Geoportal Berlin / Karte von Berlin 1:5000 (K5-Farbausgabe), dl-de/zero-2.0",
            licence=DL_DE_ZERO[0],
            licence_url=DL_DE_ZERO[1],
            source_url="https://gdi.berlin.de/services/wms/k5_farbe?REQUEST=GetCapabilities&SERVICE=WMS",
        ),
        BasemapPreset(
            key="geoportal-dop",
            title="Digitale farbige TrueOrthophotos 2024 (DOP20RGBI), Geoportal Berlin",
            url="https://gdi.berlin.de/services/wms/truedop_2024",
            layers="truedop_2024",
            attribution="Geoportal Berlin / Digitale farbige TrueOrthophotos 2024, dl-de/zero-2.0",
            licence=DL_DE_ZERO[0],
            licence_url=DL_DE_ZERO[1],
            source_url="https://daten.berlin.de/datensaetze/digitale-farbige-trueorthophotos-2024-dop20rgbi-wms-de71f450",
        ),
        BasemapPreset(
            key="basemapde-farbe",
            title="basemap.de Web Raster Farbe, Bundesamt für Kartographie und Geodäsie (BKG)",
            url="https://sgx.geodatenzentrum.de/wms_basemapde",
            layers="de_basemapde_web_raster_farbe",
            attribution="© basemap.de / BKG {year}",
            licence=CC_BY_4[0],
            licence_url=CC_BY_4[1],
            source_url="https://basemap.de/",
        ),
        BasemapPreset(
            key="basemapde-grau",
            title="basemap.de Web Raster Grau, Bundesamt für Kartographie und Geodäsie (BKG)",
            url="https://sgx.geodatenzentrum.de/wms_basemapde",
            layers="de_basemapde_web_raster_grau",
            attribution="© basemap.de / BKG {year}",
            licence=CC_BY_4[0],
            licence_url=CC_BY_4[1],
            source_url="https://basemap.de/",
        ),
    )
}


def basemap_preset(key: str) -> BasemapPreset:
    """The preset named ``key``; a ``ValueError`` naming the presets when there is none."""
    try:
        return BASEMAP_PRESETS[key]
    except KeyError:
        raise ValueError(
            f"BEDARFSATLAS_BASEMAP must be one of {', '.join(BASEMAP_PRESETS)}, got {key!r}."
        ) from None
