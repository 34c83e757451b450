"""The map as a picture: a choropleth with legend and sources as a PNG file.

Planners paste maps into documents and slides, where an interactive HTML map
does not go. :func:`choropleth_png` draws the same areas in the same colours as
the web map (a :class:`maps.classify.Classification` gives them), points on
top (needs, facilities), a legend, and the attribution line under the map, so the
picture can say where every figure comes from even when it is cut out of its
context. The attribution and title are also written into the PNG's text chunks.

Drawing uses Pillow only (no browser, no tiles, no network): coordinates in
EPSG:4326 are projected equirectangularly at the map's mean latitude (distortion
under 0.5 % across Berlin), the map is drawn at twice the size and scaled down
for smooth edges. Larger areas are drawn first, so an area enclosed by another
(an enclave) stays visible.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> areas = gpd.GeoSeries([box(13.3, 52.5, 13.4, 52.6), box(13.4, 52.5, 13.5, 52.6)],
...                       index=["a", "b"], crs="EPSG:4326")
>>> picture = render_choropleth(areas, {"a": "#ff0000", "b": "#0000ff"}, title="Test",
...                             legend=[("#ff0000", "hoch"), ("#0000ff", "niedrig")],
...                             attribution="Quelle: Test", width=400)
>>> picture.image.getpixel(picture.to_pixel(52.55, 13.35))
(255, 0, 0)
>>> choropleth_png(areas, {"a": "#ff0000"}, title="Test", legend=[], attribution="Quelle: Test")[:4]
b'\\x89PNG'
"""

from __future__ import annotations

import io
import math
import re
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from PIL import Image, ImageDraw, ImageFont
from PIL.PngImagePlugin import PngInfo

from maps.classify import MISSING_COLOUR
from geodata.lor import APP_NAME

#: Fonts with German letters (ä, ö, ü, ß, –, ²), in order of preference. Debian ships
#: DejaVu with fontconfig (``fonts-dejavu-core``) and Liberation with Chromium.
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
)
FONT_BOLD_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf",
)
OUTLINE = (77, 77, 77)
TEXT = (33, 33, 33)
MUTED = (90, 90, 90)
LEGEND_WIDTH = 360
MARGIN = 24
SUPERSAMPLE = 2

Bounds = tuple[float, float, float, float]
"""south, west, north, east in degrees (EPSG:4326)."""


@dataclass(frozen=True)
class StaticMap:
    """A drawn map: the picture and where a WGS84 point lands on it (``to_pixel(lat, lon)``)."""

    image: Image.Image
    to_pixel: Callable[[float, float], tuple[int, int]]
    text: dict[str, str]

    def png(self) -> bytes:
        info = PngInfo()
        for key, value in self.text.items():
            info.add_itxt(key, value)
        buffer = io.BytesIO()
        self.image.save(buffer, format="PNG", pnginfo=info, optimize=True)
        return buffer.getvalue()


@lru_cache(maxsize=8)
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for candidate in FONT_BOLD_CANDIDATES if bold else FONT_CANDIDATES:
        if Path(candidate).is_file():
            return ImageFont.truetype(candidate, size)
    # Pillow's own font has no umlauts; _fit() spells them out for it (ä -> ae).
    return ImageFont.load_default(size)


def _fit(text: str, font) -> str:
    if getattr(font, "path", None):
        return text
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue"), ("ß", "ss"),
                 ("–", "-"), ("²", "2"), ("€", "EUR")):
        text = text.replace(a, b)
    return text.encode("latin-1", "replace").decode("latin-1")


def _rgb(colour: str) -> tuple[int, int, int]:
    if not re.fullmatch(r"#(?:[0-9a-fA-F]{3}){1,2}", str(colour)):
        raise ValueError(f"colour {colour!r} is not a hex colour like '#1f77b4'")
    value = colour[1:]
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    return tuple(int(value[i:i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    """Lines of ``text`` that fit into ``width`` pixels."""
    text = _fit(text, font)
    average = max(1.0, draw.textlength("abcdefghijklmnopqrstuvwxyz", font=font) / 26)
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        chars = max(10, int(width / average))
        wrapped = textwrap.wrap(paragraph, chars) or [""]
        while chars > 10 and any(draw.textlength(line, font=font) > width for line in wrapped):
            chars -= 2
            wrapped = textwrap.wrap(paragraph, chars) or [""]
        lines.extend(wrapped)
    return lines


def _projection(bounds: Bounds, width: int) -> tuple[Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]], int]:
    south, west, north, east = bounds
    if not (south < north and west < east) or not all(map(math.isfinite, bounds)):
        raise ValueError(f"bounds must be (south, west, north, east) with south < north and west < east, got {bounds!r}")
    squeeze = math.cos(math.radians((south + north) / 2))
    scale = width / ((east - west) * squeeze)
    height = max(1, int(math.ceil((north - south) * scale)))

    def project(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return (lon - west) * squeeze * scale, (north - lat) * scale

    return project, height


def render_choropleth(
    geometry: gpd.GeoSeries,
    colours: Mapping[str, str],
    *,
    title: str,
    legend: Sequence[tuple[str, str]],
    attribution: str,
    subtitle: str = "",
    points: pd.DataFrame | None = None,
    point_legend: Sequence[tuple[str, str]] = (),
    bounds: Bounds | None = None,
    outline: str | None = None,
    width: int = 1100,
) -> StaticMap:
    """Draw areas filled by ``colours`` (missing ids grey), points, legend and sources.

    Parameters
    ----------
    geometry : GeoSeries
        The areas in EPSG:4326, indexed by area id.
    colours : mapping of area id to hex colour
        Areas without a colour are drawn in :data:`MISSING_COLOUR` ("keine Angabe").
    title, subtitle : str
        Heading above the map.
    legend : sequence of (colour, label)
        The classes, as in the web map's legend.
    attribution : str
        Sources, reference dates and licences; printed under the map and stored in the
        PNG's ``Source`` text chunk.
    points : DataFrame, optional
        ``lat``, ``lon``, ``colour`` and optionally ``radius`` (pixels) per point.
    point_legend : sequence of (colour, label)
        Legend rows for the points.
    bounds : (south, west, north, east), optional
        The part of the map to draw (the web map's current view); default: all areas.
    outline : str, optional
        Id of one area drawn with a thick outline (the area in focus).
    width : int
        Width of the map part in pixels.
    """
    if geometry.crs is not None and geometry.crs.to_epsg() != 4326:
        raise ValueError(f"geometry must be in EPSG:4326 (WGS84), got {geometry.crs}; use geometry.to_crs(4326)")
    if bounds is None:
        west, south, east, north = geometry.total_bounds
        pad_x, pad_y = (east - west) * 0.02, (north - south) * 0.02
        bounds = (south - pad_y, west - pad_x, north + pad_y, east + pad_x)
    project, height = _projection(bounds, width * SUPERSAMPLE)
    canvas = Image.new("RGB", (width * SUPERSAMPLE, height), (255, 255, 255))
    pen = ImageDraw.Draw(canvas)
    frame = gpd.GeoDataFrame(geometry=geometry.values, index=geometry.index.astype(str))
    # Larger first: an enclave drawn later stays visible inside its neighbour.
    order = np.argsort(-shapely.area(frame.geometry.values), kind="stable")
    for area_id, shape in zip(frame.index[order], frame.geometry.values[order]):
        fill = _rgb(colours.get(area_id, MISSING_COLOUR))
        for polygon in getattr(shape, "geoms", [shape]):
            if polygon.is_empty or polygon.geom_type != "Polygon":
                continue
            coords = shapely.get_coordinates(polygon.exterior)
            x, y = project(coords[:, 0], coords[:, 1])
            pen.polygon(list(zip(x.tolist(), y.tolist())), fill=fill, outline=OUTLINE, width=SUPERSAMPLE)
    if outline is not None and outline in frame.index:
        shape = frame.geometry[outline]
        for polygon in getattr(shape, "geoms", [shape]):
            coords = shapely.get_coordinates(polygon.exterior)
            x, y = project(coords[:, 0], coords[:, 1])
            pen.line(list(zip(x.tolist(), y.tolist())), fill=(0, 0, 0), width=4 * SUPERSAMPLE, joint="curve")
    if points is not None and len(points):
        x, y = project(points["lon"].to_numpy(float), points["lat"].to_numpy(float))
        radii = points["radius"].to_numpy(float) if "radius" in points else np.full(len(points), 4.0)
        for px, py, radius, colour in zip(x, y, radii * SUPERSAMPLE, points["colour"]):
            pen.ellipse((px - radius, py - radius, px + radius, py + radius), fill=_rgb(colour),
                        outline=(255, 255, 255), width=SUPERSAMPLE)
    drawn = canvas.resize((width, max(1, height // SUPERSAMPLE)), Image.Resampling.LANCZOS)

    # Around the map: heading above, legend to the right, sources below.
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    title_font, text_font, small_font = _font(26, bold=True), _font(17), _font(14)
    total_width = MARGIN + width + MARGIN + LEGEND_WIDTH + MARGIN
    title_lines = _wrap(probe, title, title_font, total_width - 2 * MARGIN)
    subtitle_lines = _wrap(probe, subtitle, text_font, total_width - 2 * MARGIN) if subtitle else []
    source_lines = _wrap(probe, attribution, small_font, total_width - 2 * MARGIN)
    header = MARGIN + 34 * len(title_lines) + 24 * len(subtitle_lines) + 12
    legend_rows = [(c, _wrap(probe, label, text_font, LEGEND_WIDTH - 40)) for c, label in (*legend, *point_legend)]
    legend_height = sum(max(1, len(lines)) * 22 + 8 for _, lines in legend_rows)
    body = max(drawn.height, legend_height)
    footer = 12 + 19 * len(source_lines) + MARGIN
    image = Image.new("RGB", (total_width, header + body + footer), (255, 255, 255))
    image.paste(drawn, (MARGIN, header))
    draw = ImageDraw.Draw(image)
    draw.rectangle((MARGIN - 1, header - 1, MARGIN + width, header + drawn.height), outline=OUTLINE)
    y = MARGIN
    for line in title_lines:
        draw.text((MARGIN, y), line, font=title_font, fill=TEXT)
        y += 34
    for line in subtitle_lines:
        draw.text((MARGIN, y), line, font=text_font, fill=MUTED)
        y += 24
    x0, y = MARGIN + width + MARGIN, header
    for index, (colour, lines) in enumerate(legend_rows):
        if index == len(legend) and point_legend:
            y += 10
        if index >= len(legend):  # a point: a dot, not a square
            draw.ellipse((x0 + 4, y + 4, x0 + 18, y + 18), fill=_rgb(colour), outline=OUTLINE)
        else:
            draw.rectangle((x0, y + 1, x0 + 22, y + 19), fill=_rgb(colour), outline=OUTLINE)
        for line in lines:
            draw.text((x0 + 32, y), line, font=text_font, fill=TEXT)
            y += 22
        y += 8
    y = header + body + 12
    for line in source_lines:
        draw.text((MARGIN, y), line, font=small_font, fill=MUTED)
        y += 19

    def to_pixel(lat: float, lon: float) -> tuple[int, int]:
        px, py = project(np.array([lon]), np.array([lat]))
        return int(MARGIN + px[0] / SUPERSAMPLE), int(header + py[0] / SUPERSAMPLE)

    text = {"Title": title, "Source": attribution, "Software": APP_NAME}
    if subtitle:
        text["Description"] = subtitle
    return StaticMap(image, to_pixel, text)


def choropleth_png(geometry: gpd.GeoSeries, colours: Mapping[str, str], **kwargs) -> bytes:
    """:func:`render_choropleth` as PNG bytes, title and sources in the file's text chunks."""
    return render_choropleth(geometry, colours, **kwargs).png()
