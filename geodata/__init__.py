"""Berlin's official open data for Bedarfsatlas Berlin.

Catalogue with provenance, the data step, LOR 2021 geography and point lookup,
indicators per area, display geometry and pure folium map builders. Plain
Python: nothing here imports streamlit.
"""
