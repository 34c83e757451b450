"""Panels of the facilitators' page /workshop: the join address's warning, table devices, the workshop's exports.

Kept out of ``pages/workshop_setup.py`` so the page stays a readable screen; what each
panel decides lives in :mod:`assessment.participation.workshops` (table devices: only the
hash of a device link's secret is stored, the link is shown once) and
:mod:`assessment.participation.workshop_report` (exports and the summary).
"""

from __future__ import annotations

import streamlit as st

from assessment.participation.auth import User
from assessment.participation.residents import RATE_LIMIT, TABLE_RATE_LIMIT
from assessment.participation.workshop_report import (
    build_summary,
    export_workshop_needs,
    export_workshop_votes,
    summary_pdf,
)
from assessment.participation.workshops import DEVICE_LABEL_MAX, Workshop, WorkshopBook, WorkshopError
from core.i18n import escape_markdown, t
from core.settings import Settings
from ui.context import app_url, links_stay_on_this_machine
from ui.widgets import qr_png


def local_address_warning(lang: str) -> None:
    """Say so when the join link and QR code lead to ``localhost``: phones cannot open it (set the public address)."""
    if links_stay_on_this_machine():
        st.warning(t("workshop.localhost_warning", lang), icon=":material/phonelink_off:")


def table_devices(book: WorkshopBook, code: str, workshop: Workshop, user: User, lang: str) -> None:
    """Make a table's device link (a shared tablet may send more than a resident) and list the links."""
    state = st.session_state

    def add_device() -> None:  # the link is shown this once: the database keeps only its secret's hash
        try:
            _, secret = book.add_table_device(code, state.get("ws_device_label", ""), created_by=user.name)
        except WorkshopError as refused:
            state["ws_device_error"] = refused.in_language(lang)
            return
        link = app_url(f"/melden?workshop={code}&tisch={secret}")
        state["ws_device_link"] = (code, state.pop("ws_device_label", "").strip(), link)

    with st.expander(t("workshop.devices_header", lang), expanded="ws_device_link" in state):
        st.write(t("workshop.devices_intro", lang, limit=TABLE_RATE_LIMIT, resident=RATE_LIMIT))
        st.text_input(t("workshop.device_label", lang), key="ws_device_label", max_chars=DEVICE_LABEL_MAX)
        st.button(t("workshop.device_create", lang), key="ws_device_create", on_click=add_device, disabled=workshop.is_frozen)
        if refusal := state.pop("ws_device_error", None):
            st.error(t("workshop.refused", lang, reason=refusal))
        if (made := state.get("ws_device_link")) and made[0] == code:
            st.success(escape_markdown(t("workshop.device_made", lang, label=made[1])))
            st.image(qr_png(made[2]), width=200, alt=t("workshop.qr_caption", lang, url=made[2]))
            st.text(made[2])
        if devices := book.table_devices(code):
            st.write(escape_markdown(t("workshop.devices_list", lang, labels=", ".join(d.label for d in devices))))


def workshop_exports(book: WorkshopBook, code: str, settings: Settings, lang: str) -> None:
    """The workshop's needs and dots (CSV, GeoJSON) and its one-page summary (HTML, PDF on request)."""
    state = st.session_state
    st.header(t("workshop.export_header", lang))
    files = st.columns(4)
    files[0].download_button(t("workshop.export_needs_csv", lang), export_workshop_needs(book, code, "csv", lang=lang),
                             file_name=f"workshop-{code}-needs.csv", mime="text/csv", on_click="ignore")
    files[1].download_button(t("workshop.export_needs_geojson", lang), export_workshop_needs(book, code, "geojson"),
                             file_name=f"workshop-{code}-needs.geojson", mime="application/geo+json", on_click="ignore")
    files[2].download_button(t("workshop.export_votes_csv", lang),
                             export_workshop_votes(book, code, lang),
                             file_name=f"workshop-{code}-dots.csv", mime="text/csv", on_click="ignore")
    summary = build_summary(book, code, settings, lang)
    files[3].download_button(t("workshop.export_summary_html", lang), summary.encode("utf-8"),
                             file_name=f"workshop-{code}-summary.html", mime="text/html", on_click="ignore")
    # WeasyPrint takes a second or two: build the PDF only when asked.
    if st.button(t("workshop.prepare_pdf", lang), key="ws_pdf"):
        state["ws_pdf_bytes"] = (code, summary_pdf(summary))
    if (ready := state.get("ws_pdf_bytes")) and ready[0] == code:
        st.download_button(t("workshop.export_summary_pdf", lang), ready[1], file_name=f"workshop-{code}-summary.pdf",
                           mime="application/pdf", on_click="ignore")
