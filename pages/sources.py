"""Sources and imprint: every dataset with publisher, licence, attribution and date.

Everything comes from :data:`geodata.catalogue.DATASETS` and, for data that a
package brings (the VBB stations of the place search), ``PACKAGED_DATASETS``: the
one place that records provenance. Streamlit renders table cells as Markdown, so every value is
escaped (:func:`core.i18n.escape_markdown`) and shows literally; the only
links are the licence and source URLs, built here from escaped parts. A named base
map (``BEDARFSATLAS_BASEMAP``) is listed with its service, attribution and licence;
other base-map settings are shown with ``st.text`` (never interpreted); the
imprint is the operator's Markdown file, sanitised by :mod:`ui.imprint`.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.basemaps import BasemapPreset
from core.i18n import escape_markdown, t
from geodata.catalogue import DATASETS, PACKAGED_DATASETS, Dataset, PackagedDataset
from geodata.lor import APP_NAME
from geodata.profile import active_profile
from maps.base import Basemap
from ui.context import page_context
from ui.imprint import ImprintError, read_imprint

ctx = page_context()
settings, lang = ctx.settings, ctx.lang


def link(text: str, url: str) -> str:
    """A Markdown link whose text and target cannot break out of the link syntax."""
    target = url.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")
    return f"[{escape_markdown(text)}]({target})"


def dataset_rows(ds: Dataset) -> pd.DataFrame:
    # The title stays as published (German); the description says what it is in the reader's language.
    description = ds.description(lang)
    rows = [("sources.description", escape_markdown(description))] if description != ds.title(lang) else []
    rows += [
        ("sources.publisher", escape_markdown(ds.publisher)),
        ("sources.licence", link(ds.licence, ds.licence_url)),
        ("sources.attribution", escape_markdown(ds.attribution)),
        ("sources.reference_date", escape_markdown(ds.date_text(lang))),
        ("sources.source_url", link(ds.source_url, ds.source_url)),
        ("sources.citation", escape_markdown(ds.citation(lang))),
    ]
    if note := ds.licence_note_in(lang):
        rows.append(("sources.licence_note", escape_markdown(note)))
    if notes := ds.notes_in(lang):
        rows.append(("sources.notes", escape_markdown("; ".join(notes))))
    return pd.DataFrame({"": [value for _, value in rows]}, index=[t(label, lang) for label, _ in rows])


def packaged_rows(ds: PackagedDataset) -> pd.DataFrame:
    """A dataset that a package brings (the VBB stations): the data's licence and the package's version."""
    rows = [
        ("sources.publisher", escape_markdown(ds.publisher)),
        ("sources.licence", link(ds.licence, ds.licence_url)),
        ("sources.attribution", escape_markdown(ds.attribution)),
        ("sources.package", escape_markdown(f"npm {ds.package} {ds.version}")),
        ("sources.package_licence", escape_markdown(ds.package_licence)),
        ("sources.source_url", link(ds.source_url, ds.source_url)),
        ("sources.description", escape_markdown(ds.description(lang))),
        ("sources.citation", escape_markdown(ds.citation(lang))),
    ]
    return pd.DataFrame({"": [value for _, value in rows]}, index=[t(label, lang) for label, _ in rows])


st.title(t("sources.title", lang))
st.write(t("sources.intro", lang))

st.header(t("sources.datasets", lang))
for ds in DATASETS.values():
    st.subheader(escape_markdown(ds.title(lang)), anchor=ds.key)
    st.table(dataset_rows(ds), border="horizontal")


def basemap_rows(basemap: Basemap, preset: BasemapPreset) -> pd.DataFrame:
    """A named base map's service, layer, attribution and licence (the address actually used)."""
    rows = [
        ("sources.basemap_service", escape_markdown(preset.title)),
        ("sources.basemap_address", escape_markdown(f"{basemap.url} ({basemap.wms_layers})" if basemap.wms_layers
                                                    else basemap.url)),
        ("sources.attribution", escape_markdown(basemap.attribution)),
        ("sources.licence", link(preset.licence, preset.licence_url)),
        ("sources.source_url", link(preset.source_url, preset.source_url)),
    ]
    return pd.DataFrame({"": [value for _, value in rows]}, index=[t(label, lang) for label, _ in rows])


st.header(t("sources.packaged", lang))
for ds in PACKAGED_DATASETS.values():
    st.subheader(escape_markdown(ds.title(lang)), anchor=ds.key)
    st.table(packaged_rows(ds), border="horizontal")

st.header(t("sources.basemap", lang))
basemap = Basemap.from_settings(settings)
if basemap is not None and settings.basemap:
    st.table(basemap_rows(basemap, active_profile().basemap(settings.basemap)), border="horizontal")
elif basemap is not None:
    st.text(f"{basemap.url}\n{basemap.attribution}")
else:
    st.text(t("sources.basemap_none", lang))

st.header(t("sources.software", lang))
st.text(t("sources.software_text", lang, app=APP_NAME))

st.header(t("imprint.title", lang))
# The operator writes the imprint (BEDARFSATLAS_IMPRINT_FILE, else the city profile's app.imprint);
# read_imprint keeps formatting and safe links only, so the Markdown below cannot carry HTML, images
# or script links.
if settings.imprint_file is None:
    st.warning(t("imprint.missing", lang))
else:
    try:
        imprint = read_imprint(settings.imprint_file)
    except ImprintError as problem:
        st.error(escape_markdown(t("imprint.unreadable", lang, reason=problem.in_language(lang))))
    else:
        with st.container(key="imprint"):
            st.markdown(imprint)
