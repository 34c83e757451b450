"""Open data and geography of the city the atlas runs for (its city profile).

Modules
-------
catalogue
    The open data sets with provenance: publisher, source, licence, reference date, schema, sha256.
fetch
    The data step: obtain (official URL or mirror), verify and re-check the catalogue's files.
lor
    LOR 2021: the four levels (PLR, BZR, PGR, Bezirk) and their hierarchy.
lookup
    Point -> LOR lookup: which planning area (and so BZR, PGR, Bezirk) holds a place.
display
    Light display geometry of the LOR levels for web maps.
indicators
    Official indicators per area, with meaning, direction and aggregation.
facilities
    Facilities (Kitas, schools, youth centres, care homes, pharmacies) per planning area.
orientation
    Landmarks for maps without a base map: U- and S-Bahn stations and planning-area name points.
places
    The place search ("Ort suchen"): a station, facility or area by (part of) its name, offline.
geocoder
    Street addresses for the place search, from the operator's own geocoding service.
profile
    City profiles: the ``profile.toml`` that says which city the atlas runs for
    (Berlin's is ``profiles/berlin``).
profile_check
    Check a city profile against its data before use (``python -m geodata check --profile DIR``).
example_profile
    Musterstadt, a small synthetic city as a complete profile: the worked example for new cities.

Subpackages
-----------
profiles
    The bundled city profiles: ``profiles/berlin`` (the reference: ``profile.toml``, and ``helpers.py``
    and ``stations.py`` that read Berlin's own files, e.g. the VBB stations of the npm package ``vbb-stations``).

``python -m geodata {fetch,check,locate,find,example-profile}`` is the command line (see ``__main__``).
Plain Python: nothing here imports streamlit.
"""
