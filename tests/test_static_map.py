"""The map as a PNG (maps.static): colours, points, bounds, legend and sources in the file."""

from __future__ import annotations

import io

import geopandas as gpd
import pandas as pd
import pytest
from PIL import Image
from shapely.geometry import box

from maps.classify import MISSING_COLOUR
from maps.static import _rgb, choropleth_png, render_choropleth

WEST = box(13.30, 52.50, 13.40, 52.60)
EAST = box(13.40, 52.50, 13.50, 52.60)
ENCLAVE = box(13.33, 52.53, 13.37, 52.57)  # inside WEST, as some PLR lie inside others


def areas(*shapes, ids=None) -> gpd.GeoSeries:
    """Areas in WGS84, ids 'a', 'b', ... unless given."""
    return gpd.GeoSeries(list(shapes), index=ids or [chr(97 + i) for i in range(len(shapes))], crs="EPSG:4326")


def draw(geometry, colours, **kwargs):
    kwargs.setdefault("title", "Titel")
    kwargs.setdefault("legend", [])
    kwargs.setdefault("attribution", "Quelle: Test (Lizenz CC BY 3.0 DE)")
    return render_choropleth(geometry, colours, **kwargs)


def test_each_area_is_filled_with_its_colour_and_missing_is_grey():
    picture = draw(areas(WEST, EAST, box(13.5, 52.5, 13.6, 52.6)), {"a": "#ff0000", "b": "#0000ff"})
    assert picture.image.getpixel(picture.to_pixel(52.55, 13.35)) == (255, 0, 0)
    assert picture.image.getpixel(picture.to_pixel(52.55, 13.45)) == (0, 0, 255)
    assert picture.image.getpixel(picture.to_pixel(52.55, 13.55)) == _rgb(MISSING_COLOUR)


def test_an_enclave_stays_visible_inside_its_neighbour():
    # The enclave comes first in the input; the larger area must not paint over it.
    picture = draw(areas(ENCLAVE, WEST), {"a": "#00ff00", "b": "#ff0000"})
    assert picture.image.getpixel(picture.to_pixel(52.55, 13.35)) == (0, 255, 0)
    assert picture.image.getpixel(picture.to_pixel(52.51, 13.31)) == (255, 0, 0)


def test_points_are_drawn_on_top_in_their_colour():
    points = pd.DataFrame({"lat": [52.55], "lon": [13.35], "colour": ["#123456"], "radius": [6.0]})
    picture = draw(areas(WEST), {"a": "#ff0000"}, points=points)
    assert picture.image.getpixel(picture.to_pixel(52.55, 13.35)) == (0x12, 0x34, 0x56)
    assert picture.image.getpixel(picture.to_pixel(52.58, 13.38)) == (255, 0, 0)


def test_bounds_crop_the_map_to_the_view():
    whole = draw(areas(WEST, EAST), {"a": "#ff0000", "b": "#0000ff"}, width=400)
    view = draw(areas(WEST, EAST), {"a": "#ff0000", "b": "#0000ff"}, width=400, bounds=(52.52, 13.41, 52.58, 13.49))
    # Only the eastern area is in the view: the whole map part is blue.
    x, y = view.to_pixel(52.55, 13.45)
    assert view.image.getpixel((x, y)) == (0, 0, 255)
    left, top = view.to_pixel(52.579, 13.411)
    assert view.image.getpixel((left, top)) == (0, 0, 255)
    # Zoomed in, one degree is drawn larger than in the whole map.
    assert (view.to_pixel(52.55, 13.48)[0] - view.to_pixel(52.55, 13.42)[0]
            > 2 * (whole.to_pixel(52.55, 13.48)[0] - whole.to_pixel(52.55, 13.42)[0]))


def test_the_png_carries_title_and_sources_in_its_text_chunks():
    png = choropleth_png(areas(WEST), {"a": "#ff0000"}, title="Kinderarmut (MSS S4)", legend=[("#ff0000", "hoch")],
                         attribution="SenSBW, MSS 2021 (Stand 2020-12-31, Lizenz dl-de/zero-2.0)",
                         subtitle="Planungsräume · Bedarfsatlas Berlin")
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.text["Title"] == "Kinderarmut (MSS S4)"
    assert image.text["Source"] == "SenSBW, MSS 2021 (Stand 2020-12-31, Lizenz dl-de/zero-2.0)"


def test_a_long_legend_makes_the_picture_taller_not_cut():
    short = draw(areas(WEST), {"a": "#ff0000"}, width=300, legend=[("#ff0000", "eins")])
    long = draw(areas(WEST), {"a": "#ff0000"}, width=300, legend=[("#ff0000", f"Klasse {i} " * 6) for i in range(30)])
    assert long.image.height > short.image.height + 30 * 22


def test_same_inputs_give_the_same_bytes():
    def make():
        return choropleth_png(areas(WEST, EAST), {"a": "#ff0000"}, title="T", legend=[], attribution="Q")

    assert make() == make()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"bounds": (52.6, 13.3, 52.5, 13.4)}, "south < north"),
        ({"bounds": (52.5, 13.3, float("nan"), 13.4)}, "south < north"),
    ],
)
def test_bad_bounds_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        draw(areas(WEST), {"a": "#ff0000"}, **kwargs)


def test_geometry_in_another_crs_is_refused_with_the_fix():
    with pytest.raises(ValueError, match=r"to_crs\(4326\)"):
        draw(areas(WEST).set_crs("EPSG:25833", allow_override=True), {})


def test_bad_colour_is_named():
    with pytest.raises(ValueError, match="'red' is not a hex colour"):
        draw(areas(WEST), {"a": "red"})


def test_real_planning_areas_brandenburg_gate_is_in_unter_den_linden(settings_with_data):
    from geodata.display import display_units

    geometry = display_units(settings_with_data, "PLR").geometry
    colours = {area_id: "#dddddd" for area_id in geometry.index.astype(str)}
    colours["01100206"] = "#aa0000"  # Unter den Linden
    picture = draw(geometry, colours)
    # Unter den Linden at Friedrichstraße (python -m geodata locate 52.5170 13.3889 -> 01100206).
    assert picture.image.getpixel(picture.to_pixel(52.5170, 13.3889)) == (0xAA, 0, 0)
    assert picture.image.getpixel(picture.to_pixel(52.4500, 13.3000)) == (0xDD, 0xDD, 0xDD)
