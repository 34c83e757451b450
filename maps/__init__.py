"""All drawing: plain rows and geometries in, folium maps, charts, PNG pictures and legends out.

Nothing here opens the needs store or knows its tables: a page or the report reads the
rows and passes them in. Plain Python: nothing here imports streamlit.

Modules
-------
base
    The base-map recipe, the choropleth layer, legends and the app's own Leaflet assets.
classify
    Class breaks and colours for choropleth maps.
planner
    The planners' map (/karte): a base map that stays, layers that change, needs as clusters or heat.
resident
    The residents' map (/melden): Bezirk outlines, the pin, needs nearby.
moderation
    The moderation queue's map.
workshop
    A workshop's maps: the focus area outlined, the room's needs as pins.
static
    The map as a picture: a choropleth with legend and sources as a PNG file.
charts
    Charts besides the maps: one area's contribution bars (Altair).
view
    Where a browser map is, and when a page moves it (never to the map's own reports).
orientation
    Landmarks at street zoom without a base map: U- and S-Bahn stations and planning-area names.
"""
