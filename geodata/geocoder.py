"""Street addresses for the place search, from the operator's own geocoding service.

The gazetteer (:mod:`geodata.places`) knows stations, facilities and areas, not
house numbers. An operator who runs a geocoder (a self-hosted Nominatim, Photon or
Pelias, or the city's own service speaking one of their APIs) names it in
``BEDARFSATLAS_GEOCODER_URL`` and ``BEDARFSATLAS_GEOCODER_KIND``; the *server* then
asks it through geopy, the well-kept Python geocoding client, never the resident's
browser. Unset, nothing leaves the server. Pelias is the open-source geocoder that
public bodies run for themselves; geopy's ArcGIS client, the other API common in
city GIS, asks a fixed service path (``.../World/GeocodeServer``) that a city's own
locator does not have, so it is not offered.

The request is restricted to Berlin's extent (Nominatim's ``viewbox`` with
``bounded``, Photon's ``bbox``, Pelias's ``boundary.rect``), and every answer is checked again with the LOR
point lookup: what lies outside Berlin's Planungsräume is dropped, and each
address carries its PLR, BZR, PGR and Bezirk like every gazetteer entry.

A service that fails (HTTP error, an answer that is not its JSON, no answer within
``BEDARFSATLAS_GEOCODER_TIMEOUT`` seconds) raises :class:`GeocoderUnavailable`
with the reason; :func:`geodata.places.search` then answers from the gazetteer
alone and says that the address search is unavailable.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from geopy.adapters import RequestsAdapter
from geopy.exc import GeopyError
from geopy.geocoders import Nominatim, Pelias, Photon
from geopy.point import Point

from core.settings import Settings
from geodata.places import Place
from geodata.profile import active_profile

def search_extent() -> tuple[float, float, float, float]:
    """Where addresses are looked for (south, west, north, east): the profile helpers' ``SEARCH_EXTENT``, else its bounds."""
    profile = active_profile()
    (south, west), (north, east) = profile.bounds
    return getattr(profile.helpers, "SEARCH_EXTENT", (south, west, north, east))


#: Addresses asked for per search; they follow the gazetteer's places.
ADDRESS_LIMIT = 5
#: geopy sends it as the User-Agent (Nominatim's usage policy asks every client to name itself).
USER_AGENT = "bedarfsatlas-berlin (place search)"


class GeocoderUnavailable(RuntimeError):
    """The geocoding service did not answer usefully this time; the message says why."""


@lru_cache(maxsize=4)
def _client(url: str, kind: str, timeout: float) -> Nominatim | Photon | Pelias:
    parts = urlsplit(url)
    # geopy appends the API path (/search, /api, /v1/search) to "domain", which may carry a path prefix.
    domain = (parts.netloc + parts.path).rstrip("/")
    cls = {"nominatim": Nominatim, "photon": Photon, "pelias": Pelias}[kind]
    return cls(domain=domain, scheme=parts.scheme, timeout=timeout, user_agent=USER_AGENT,
               adapter_factory=_adapter)


def _adapter(proxies, ssl_context) -> RequestsAdapter:
    # geopy's adapter retries twice by default: a service that does not answer would keep the
    # resident waiting three times BEDARFSATLAS_GEOCODER_TIMEOUT. One try, then the gazetteer answers.
    return RequestsAdapter(proxies=proxies, ssl_context=ssl_context, max_retries=0)


def _nominatim_name(raw: dict[str, Any], fallback: str) -> str:
    address = raw.get("address") or {}
    street = " ".join(str(address[k]) for k in ("road", "house_number") if address.get(k))
    return street or str(raw.get("name") or "") or fallback.split(",")[0]


def _photon_name(raw: dict[str, Any], fallback: str) -> str:
    props = raw.get("properties") or {}
    street = " ".join(str(props[k]) for k in ("street", "housenumber") if props.get(k))
    name = str(props.get("name") or "")
    if street and name and name != street:
        return f"{name}, {street}"
    return street or name or fallback.split(",")[0]


def _pelias_name(raw: dict[str, Any], fallback: str) -> str:
    props = raw.get("properties") or {}
    street = " ".join(str(props[k]) for k in ("street", "housenumber") if props.get(k))
    name = str(props.get("name") or "")
    if props.get("layer") == "address" or not name:
        return street or name or str(props.get("label") or fallback).split(",")[0]
    return f"{name}, {street}" if street and street != name else name


_NAMES = {"nominatim": _nominatim_name, "photon": _photon_name, "pelias": _pelias_name}


def geocode_addresses(settings: Settings, query: str, limit: int = ADDRESS_LIMIT) -> list[Place]:
    """Addresses in Berlin for ``query`` from the configured geocoder, as :class:`~geodata.places.Place` (kind ``address``).

    Returns ``[]`` when no geocoder is configured (``BEDARFSATLAS_GEOCODER_URL`` unset).

    Raises
    ------
    GeocoderUnavailable
        When the service answers with an HTTP error, with something that is not
        its JSON, or not within ``BEDARFSATLAS_GEOCODER_TIMEOUT`` seconds.
    """
    from geodata.lookup import get_locator

    if not settings.geocoder_url:
        return []
    client = _client(settings.geocoder_url, settings.geocoder_kind, settings.geocoder_timeout)
    south, west, north, east = search_extent()
    corners = [Point(south, west), Point(north, east)]
    try:
        if settings.geocoder_kind == "nominatim":
            found = client.geocode(query, exactly_one=False, limit=limit, addressdetails=True,
                                   viewbox=corners, bounded=True, country_codes="de")
        elif settings.geocoder_kind == "photon":
            found = client.geocode(query, exactly_one=False, limit=limit, bbox=corners)
        else:  # Pelias answers 10 by default; geopy does not pass its "size"
            found = client.geocode(query, exactly_one=False, boundary_rect=corners)
    # geopy's errors for HTTP status, time-out, connection and unparsable JSON; JSON of the wrong
    # shape fails inside geopy's parser with the others. Anything else is a bug and propagates.
    except (GeopyError, ValueError, TypeError, LookupError, AttributeError) as problem:
        raise GeocoderUnavailable(
            f"{settings.geocoder_kind} at {settings.geocoder_url}: {type(problem).__name__}: {problem}"
        ) from problem
    locator = get_locator(settings)
    name_of = _NAMES[settings.geocoder_kind]
    places = []
    for location in found or []:
        areas = locator.locate(location.latitude, location.longitude)
        if areas is None:  # outside Berlin, whatever the service thought of the viewbox
            continue
        places.append(Place(name=name_of(location.raw or {}, location.address or ""), kind="address",
                            lat=float(location.latitude), lon=float(location.longitude), areas=areas))
    return places[:limit]
