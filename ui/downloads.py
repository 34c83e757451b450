"""Download buttons for files that are built only when their button is clicked.

The library describes each file (:class:`assessment.analysis.inventory.Download`:
label, a function that builds the bytes, media type, file name); Streamlit calls
that function when the button is clicked, on another thread, so a page does not
build a workbook, a GeoPackage and a picture on every rerun.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from assessment.analysis.inventory import Download


def download_buttons(downloads: Sequence[Download], per_row: int = 3) -> None:
    """The downloads as buttons, ``per_row`` side by side; clicking one does not rerun the page."""
    for start in range(0, len(downloads), per_row):
        for column, download in zip(st.columns(per_row), downloads[start:start + per_row]):
            column.download_button(download.label, download.build, mime=download.mime,
                                   file_name=download.file_name, on_click="ignore")
