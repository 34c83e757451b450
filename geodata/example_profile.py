"""Musterstadt: a small synthetic city written as a complete city profile, the worked example for new cities.

``python -m geodata example-profile DIR`` calls :func:`write_example_profile`: it writes real files
into ``DIR/data`` (three unit levels as GeoJSON in EPSG:25832, residents and green-space classes
per block as CSV) and ``DIR/profile.toml`` with their sha256. With ``BEDARFSATLAS_PROFILE=DIR``,
``python -m geodata fetch`` copies the files from there (the download URLs are paths relative to
the profile), and ``check`` and ``locate`` work on them. docs/new-city.md walks through it.

The city is invented: 6 km by 4 km, three Stadtteile of two Quartiere each, each Quartier two
Blöcke; ids nest by prefix (Stadtteil ``01``, Quartier ``0102``, Block ``010201``). Every figure
is made up and marked so in the attribution.

Examples
--------
>>> import tempfile
>>> from geodata.profile import load_profile
>>> folder = write_example_profile(Path(tempfile.mkdtemp()) / "musterstadt")
>>> p = load_profile(folder)
>>> p.name, p.level_order, [ind.key for ind in p.indicators]
('Musterstadt', ('BL', 'QU', 'ST'), ['population', 'share_65plus', 'green_supply'])
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geodata.profile import dumps

CRS = "EPSG:25832"
_X0, _Y0 = 560_000.0, 5_650_000.0  # somewhere in the middle of Germany; the city does not exist
_DISTRICTS = (("01", "Altstadt"), ("02", "Neustadt"), ("03", "Am Fluss"))
_HALVES = (("01", "Süd"), ("02", "Nord"))
_BLOCKS = (("01", "West"), ("02", "Ost"))
_LICENCE = ("dl-de/zero-2.0", "https://www.govdata.de/dl-de/zero-2-0")
_SOURCE = "https://example.org/musterstadt/opendata"
IMPRINT = """## Betreiberin

Stadt Musterstadt (erfunden), Amt für Stadtentwicklung, Beispielweg 1, 00000 Musterstadt

Kontakt: [bedarfsatlas@musterstadt.example](mailto:bedarfsatlas@musterstadt.example)
"""
"""Musterstadt's imprint (``[app] imprint``): what an operator's Markdown looks like; every line invented."""


def _units() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Blocks (finest, with every coarser id and name), Quartiere and Stadtteile."""
    blocks, quarters, districts = [], [], []
    for d, (st_id, st_name) in enumerate(_DISTRICTS):
        x = _X0 + d * 2000
        districts.append({"ST_ID": st_id, "ST_NAME": st_name, "geometry": shapely.box(x, _Y0, x + 2000, _Y0 + 4000)})
        for h, (qu_suffix, half) in enumerate(_HALVES):
            qu_id, qu_name = st_id + qu_suffix, f"{st_name} {half}"
            y = _Y0 + h * 2000
            quarters.append({"QU_ID": qu_id, "QU_NAME": qu_name, "ST_ID": st_id, "ST_NAME": st_name,
                             "geometry": shapely.box(x, y, x + 2000, y + 2000)})
            for b, (bl_suffix, side) in enumerate(_BLOCKS):
                bx = x + b * 1000
                blocks.append({"BL_ID": qu_id + bl_suffix, "BL_NAME": f"{qu_name}, {side}",
                               "QU_ID": qu_id, "QU_NAME": qu_name, "ST_ID": st_id, "ST_NAME": st_name,
                               "geometry": shapely.box(bx, y, bx + 1000, y + 2000)})
    return tuple(gpd.GeoDataFrame(rows, crs=CRS) for rows in (blocks, quarters, districts))


def _figures(block_ids: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Made-up residents and green-space classes per block, the same on every run."""
    residents = [800 + (n * 379) % 2100 for n in range(len(block_ids))]
    aged = [r * (12 + (n * 7) % 19) // 100 for n, r in enumerate(residents)]
    population = pd.DataFrame({"BL_ID": block_ids, "EW": residents, "EW_65PLUS": aged})
    green = pd.DataFrame({"BL_ID": block_ids, "GRUEN_KLASSE": [1 + (n * 5) % 3 for n in range(len(block_ids))]})
    return population, green


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _dataset(path: Path, title: str, kind: str, columns: list[str], id_column: str, id_length: int,
             rows: int) -> dict:
    entry = {
        "title": title,
        "filename": f"musterstadt_{path.name}",
        "publisher": "Stadt Musterstadt, Statistikstelle (erfunden)",
        "source": _SOURCE,
        "download_url": f"data/{path.name}",
        "licence": _LICENCE[0],
        "licence_url": _LICENCE[1],
        "attribution": f"Musterstadt (synthetische Beispieldaten): {title}",
        "reference_date": "2025-12-31",
        "sha256": _sha256(path),
        "kind": kind,
        "id_column": id_column,
        "id_length": id_length,
        "columns": columns,
        "rows": rows,
    }
    if kind == "geojson":
        entry["geometry_type"] = "Polygon"
    return entry


def _renumbered(frames: tuple[gpd.GeoDataFrame, ...], codes: bool = False) -> tuple[gpd.GeoDataFrame, ...]:
    """The same units with ids that do not nest: Stadtteile 71-73, Quartiere 5101-5106, Blöcke 300001-300012;
    with ``codes`` six-character codes at every level: ST0001-ST0003, QU0001-QU0006, BL0001-BL0012."""
    blocks, quarters, districts = frames
    formats = (("ST", "{:04d}", "ST{}"), ("QU", "{:04d}", "QU{}"), ("BL", "{:04d}", "BL{}")) if codes else \
        (("ST", "{}", "7{}"), ("QU", "{:02d}", "51{}"), ("BL", "{:04d}", "30{}"))
    units = {"ST": districts, "QU": quarters, "BL": blocks}
    new_ids = {f"{code}_ID": {old: outer.format(inner.format(n + 1)) for n, old in enumerate(units[code][f"{code}_ID"])}
               for code, inner, outer in formats}
    renamed = []
    for frame in frames:
        frame = frame.copy()
        for column, mapping in new_ids.items():
            if column in frame.columns:
                frame[column] = frame[column].map(mapping)
        renamed.append(frame)
    return tuple(renamed)


def write_example_profile(folder: Path | str, nesting: str = "prefix", codes: bool = False) -> Path:
    """Write Musterstadt's profile and files into ``folder`` (created; existing files are replaced).

    ``nesting="containment"`` writes a variant whose ids do not nest (block ``300007`` lies in
    quarter ``5104`` of district ``72``): its levels say ``nesting = "containment"``, and the app
    finds each unit's parent by where it lies. With ``codes=True`` as well, the ids are codes of
    six characters at every level (block ``BL0007`` lies in quarter ``QU0004`` of district
    ``ST0002``), stated by each level's ``id_pattern``: neither digits nor an id's length tell
    the levels apart.
    """
    if nesting not in ("prefix", "containment"):
        raise ValueError(f"nesting must be 'prefix' or 'containment', got {nesting!r}")
    if codes and nesting != "containment":
        raise ValueError("codes=True needs nesting='containment': codes of one length cannot nest by prefix")
    folder = Path(folder).expanduser()
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    blocks, quarters, districts = _units() if nesting == "prefix" else _renumbered(_units(), codes)
    for name, frame in (("bloecke.geojson", blocks), ("quartiere.geojson", quarters),
                        ("stadtteile.geojson", districts)):
        (data / name).unlink(missing_ok=True)
        frame.to_file(data / name, driver="GeoJSON")
    population, green = _figures(list(blocks["BL_ID"]))
    population.to_csv(data / "einwohner.csv", index=False)
    green.to_csv(data / "gruenversorgung.csv", index=False)

    south_west, north_east = gpd.GeoSeries(
        [shapely.Point(_X0, _Y0), shapely.Point(_X0 + 6000, _Y0 + 4000)], crs=CRS).to_crs("EPSG:4326")
    lengths = {"BL": 6, "QU": 6, "ST": 6} if codes else {"BL": 6, "QU": 4, "ST": 2}

    def id_rule(code: str) -> dict:
        return {"id_pattern": f"{code}[0-9]{{4}}"} if codes else {}

    profile = {
        "city": {
            "name": "Musterstadt",
            "bounds": [[round(south_west.y, 4), round(south_west.x, 4)], [round(north_east.y, 4), round(north_east.x, 4)]],
            "crs": CRS,
        },
        "app": {
            "languages": ["de", "en"],
            "default_language": "de",
            "categories": ["mobility", "green_climate", "housing", "education_childcare", "health_care", "other"],
            "place_search": False,
            "imprint": "impressum.md",
        },
        # basemap.de covers all of Germany: a German city may offer it as it is.
        "basemaps": {
            f"basemapde-{colour}": {
                "title": f"basemap.de Web Raster {title}, Bundesamt für Kartographie und Geodäsie (BKG)",
                "url": "https://sgx.geodatenzentrum.de/wms_basemapde",
                "layers": f"de_basemapde_web_raster_{colour}",
                "attribution": "© basemap.de / BKG {year}",
                "licence": "Creative Commons Namensnennung 4.0 International (CC BY 4.0)",
                "licence_url": "https://creativecommons.org/licenses/by/4.0/",
                "source_url": "https://basemap.de/",
            }
            for colour, title in (("farbe", "Farbe"), ("grau", "Grau"))
        },
        "levels": [
            {"code": "BL", "dataset": "units_blocks", "id_field": "BL_ID", "name_field": "BL_NAME",
             "id_length": lengths["BL"], **id_rule("BL"), "nesting": nesting, "label": {"de": "Block", "en": "Block"},
             "plural": {"de": "Blöcke", "en": "Blocks"}},
            {"code": "QU", "dataset": "units_quarters", "id_field": "QU_ID", "name_field": "QU_NAME",
             "id_length": lengths["QU"], **id_rule("QU"), "nesting": nesting,
             "label": {"de": "Quartier", "en": "Quarter"}, "plural": {"de": "Quartiere", "en": "Quarters"}},
            {"code": "ST", "dataset": "units_districts", "id_field": "ST_ID", "name_field": "ST_NAME",
             "id_length": lengths["ST"], **id_rule("ST"), "nesting": "prefix",
             "label": {"de": "Stadtteil", "en": "District"}, "plural": {"de": "Stadtteile", "en": "Districts"}},
        ],
        "datasets": {
            "units_blocks": _dataset(data / "bloecke.geojson", "Blöcke", "geojson",
                                     ["BL_ID", "BL_NAME", "QU_ID", "QU_NAME", "ST_ID", "ST_NAME"], "BL_ID", lengths["BL"],
                                     len(blocks)),
            "units_quarters": _dataset(data / "quartiere.geojson", "Quartiere", "geojson",
                                       ["QU_ID", "QU_NAME", "ST_ID", "ST_NAME"], "QU_ID", lengths["QU"], len(quarters)),
            "units_districts": _dataset(data / "stadtteile.geojson", "Stadtteile", "geojson",
                                        ["ST_ID", "ST_NAME"], "ST_ID", lengths["ST"], len(districts)),
            "population": {
                **_dataset(data / "einwohner.csv", "Einwohner nach Blöcken", "csv", ["BL_ID", "EW", "EW_65PLUS"],
                           "BL_ID", lengths["BL"], len(population)),
                "indicators": {
                    "population": {
                        "label": "indicator.population.label", "unit": "indicator.population.unit",
                        "direction": 0, "aggregation": "sum", "column": "EW",
                    },
                    "share_65plus": {
                        "label": "indicator.share_65plus.label", "unit": "indicator.share_65plus.unit",
                        "direction": 0, "aggregation": "share", "numerator": "EW_65PLUS", "denominator": "EW",
                        "factor": 100,
                    },
                },
            },
            "green_supply": {
                **_dataset(data / "gruenversorgung.csv", "Grünflächenversorgung nach Blöcken", "csv",
                           ["BL_ID", "GRUEN_KLASSE"], "BL_ID", lengths["BL"], len(green)),
                "indicators": {
                    "green_supply": {
                        "label": {"de": "Grünflächenversorgung", "en": "Green space supply"},
                        "unit": {"de": "Klasse (1 gut – 3 schlecht)", "en": "class (1 good – 3 poor)"},
                        "direction": 1, "aggregation": "class", "column": "GRUEN_KLASSE", "classes": [1, 2, 3],
                    },
                },
            },
        },
    }
    (folder / "impressum.md").write_text(IMPRINT, encoding="utf-8")
    header = ("# Musterstadt: a synthetic example city written by `python -m geodata example-profile DIR`.\n"
              "# Every figure is invented. The format is explained in docs/new-city.md.\n\n")
    (folder / "profile.toml").write_text(header + dumps(profile), encoding="utf-8")
    return folder
