"""Public-transport stations in Berlin, from the npm package ``vbb-stations``.

The package (pinned in ``static/package.json``, installed by ``npm ci --prefix static``
like Leaflet) holds every station and stop of the VBB, derived from the VBB's open GTFS
timetable: ``[id, name, weight, lat, lon]`` rows in ``data.json``. Its provenance is
recorded in :data:`geodata.catalogue.PACKAGED_DATASETS`.

Names carry the mode as a prefix: ``S+U Alexanderplatz``, ``U Kottbusser Tor``,
``S Nordbahnhof``; anything else is a bus or tram stop (``Haltestelle``), or a regional
station (``Bhf``). Only stations inside Berlin's extent are kept.

>>> kind_of("S+U Alexanderplatz Bhf (Berlin)"), kind_of("U Kottbusser Tor"), kind_of("S Nordbahnhof")
('S+U', 'U', 'S')
>>> kind_of("Oranienplatz"), display_name("U Kottbusser Tor (Berlin) [U1]")
('Haltestelle', 'U Kottbusser Tor')
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from geodata.catalogue import PACKAGED_DATASETS
from geodata.places import StationsMissing
from geodata.profiles.berlin.helpers import SEARCH_EXTENT

DATASET = "vbb_stations"
"""The key of the stations in :data:`geodata.catalogue.PACKAGED_DATASETS`."""

#: Where ``npm ci --prefix static`` installs packages, relative to the project root.
DEFAULT_PACKAGE_DIR = Path(__file__).resolve().parents[3] / "static" / "node_modules"

#: Berlin's extent (south, west, north, east), slightly wider than the city's outline.
BERLIN_EXTENT = SEARCH_EXTENT

#: Station kinds in rank order: the rail kinds shown on maps as landmarks.
RAIL_KINDS = ("S+U", "U", "S")

_SUFFIX = re.compile(r"\s*(\((Berlin|Bln)\)|\[[^\]]*\])\s*$")


def kind_of(name: str) -> str:
    """The mode a station's name announces: ``S+U``, ``U``, ``S`` or ``Haltestelle``."""
    for prefix in ("S+U ", "U ", "S "):
        if name.startswith(prefix):
            return prefix.strip()
    return "Haltestelle"


def display_name(name: str) -> str:
    """The name without the ``(Berlin)`` or ``[U1]`` suffixes the timetable adds."""
    previous = None
    while previous != name:
        previous, name = name, _SUFFIX.sub("", name)
    return name.strip()


def package_file(package_dir: Path | None = None) -> Path:
    """The package's data file, or :class:`StationsMissing` naming the install command."""
    ds = PACKAGED_DATASETS["vbb_stations"]
    path = Path(package_dir or DEFAULT_PACKAGE_DIR) / ds.package / ds.path
    if not path.is_file():
        raise StationsMissing(
            f"{path} is missing: the stations come from the npm package {ds.package} {ds.version}. "
            "Install it with `npm ci --prefix static` (part of `bash .ci/install`)."
        )
    return path


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> pd.DataFrame:
    rows = json.loads(Path(path).read_text(encoding="utf-8"))
    south, west, north, east = BERLIN_EXTENT
    frame = pd.DataFrame(rows, columns=["id", "raw_name", "weight", "lat", "lon"])
    frame = frame[frame["lat"].between(south, north) & frame["lon"].between(west, east)]
    frame = frame.assign(name=frame["raw_name"].map(display_name), kind=frame["raw_name"].map(kind_of))
    frame = frame.sort_values("weight", ascending=False)
    # A rail station is listed once per platform: keep its busiest entry. Bus and tram stops
    # share names across the city ("Rathaus"), so only entries within about 1 km are merged.
    place = frame["name"].where(frame["kind"].isin(RAIL_KINDS),
                                frame["name"] + frame["lat"].round(2).astype(str) + frame["lon"].round(2).astype(str))
    frame = frame[~place.duplicated()]
    return frame[["id", "name", "kind", "lat", "lon", "weight"]].reset_index(drop=True)


def load_stations(package_dir: Path | None = None, kinds: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Stations in Berlin's extent: ``id, name, kind, lat, lon, weight``, busiest first.

    ``kinds`` keeps only those kinds (e.g. :data:`RAIL_KINDS`). A station that appears
    under several ids (one per platform) is kept once, at its busiest entry; bus and tram
    stops of the same name are kept apart when they lie more than about 1 km apart.
    """
    path = package_file(package_dir)
    frame = _load(str(path), path.stat().st_mtime)
    if kinds is not None:
        frame = frame[frame["kind"].isin(kinds)].reset_index(drop=True)
    return frame.copy()
