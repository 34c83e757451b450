"""Step 2 of /melden, "what is missing": topic, title, description, the send button, its answer.

A fragment (``st.fragment``): choosing a topic or typing a title reruns this step only,
not the map, the area lists and the needs nearby above and below it (every rerun of the
whole page would render the map again; issue 13). The whole page reruns when a send needs
it: after a need published at once (the needs nearby show it; a need waiting for moderation
reruns this step only) and when the place is missing
(its message belongs under the map, outside this step, so it waits in the session state
for the page's next run: :func:`place_messages`).

One click stores exactly one need: the form carries a random client token made once per
form (:func:`new_form`), and the store returns the first need for a repeated token.
"""

from __future__ import annotations

import uuid
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from assessment.needs.model import DESCRIPTION_MAX, TITLE_MAX
from assessment.participation import submission
from core.i18n import LANGUAGES, escape_markdown, t
from core.settings import Settings
from ui.focus import focus_here
from ui.live_count import LIVE_COUNT_SCRIPT, count_html
from ui.procedures import answer_widgets, area_note, category_choices
from ui.widgets import honeypot_input, keep_choice_across_languages

#: Where a send's messages wait for the next run of the whole page.
PENDING = "report_messages"


def new_form() -> None:
    """Start a fresh form: new widget keys and a new client token."""
    state = st.session_state
    state["report_form"] = state.get("report_form", 0) + 1
    state["report_token"] = str(uuid.uuid4())


def place_messages() -> list[str]:
    """The messages about the place of the last send, for the page to show under the map."""
    return [message for slot, message in st.session_state.get(PENDING, []) if slot == "place"]


@st.fragment
def what_step(store: Any, settings: Settings, lang: str, workshop: Any, allowance: Any, procedure: Any = None) -> None:
    """The form of step 2; ``allowance`` is the send's :class:`~assessment.participation.submission.Allowance`,
    ``procedure`` the participation procedure it goes into (its categories and questions)."""
    state = st.session_state
    form = state["report_form"]
    st.header(t("report.step_what", lang))
    area_note(procedure, lang)
    choices = category_choices(procedure)
    keep_choice_across_languages(
        f"report_category_{form}", {cid: tuple(c.label(code) for code in LANGUAGES) for cid, c in choices.items()}, lang
    )
    category = st.selectbox(t("report.category", lang), list(choices), key=f"report_category_{form}", index=None,
                            format_func=lambda c: choices[c].label(lang), placeholder=t("report.choose", lang))
    if category:
        st.markdown(escape_markdown(choices[category].explanation(lang)))
    slots = {"category": st.empty()}
    # No max_chars: Streamlit drops a paste longer than it without a word. The count below
    # shows the limit as one types; the store refuses too long a text with a message, and the text stays.
    title = st.text_input(t("report.title_label", lang), key=f"report_title_{form}",
                          placeholder=t("report.title_placeholder", lang))
    st.html(count_html(f"report_title_{form}", title, TITLE_MAX, lang))
    slots["title"] = st.empty()
    description = st.text_area(t("report.description_label", lang), key=f"report_description_{form}")
    st.html(count_html(f"report_description_{form}", description, DESCRIPTION_MAX, lang))
    # Keeps both counts up to date on every keystroke (a fixed script: ui.live_count).
    st.html(LIVE_COUNT_SCRIPT, unsafe_allow_javascript=True)
    slots["description"] = st.empty()
    answers = answer_widgets(procedure, lang, form)
    st.markdown(t("report.no_contact", lang))
    # Bots fill every field; people never see or reach this one (not even by Tab): it cannot move the form.
    honeypot = honeypot_input(t("report.honeypot", lang), f"report_hp_{form}", box="report_hp_box")

    st.subheader(t("report.privacy_title", lang))
    st.write(t("report.privacy", lang, published_days=settings.retention_published_days,
               rejected_days=settings.retention_rejected_days))
    # Tell residents before they send when their need goes public at once (operator or workshop setting).
    if submission.publishes_at_once(settings.publish_immediately, workshop) or getattr(procedure, "moderation", "") == "post":
        st.write(t("report.privacy_published", lang))
    submitted = st.button(t("report.submit", lang), type="primary", key=f"report_submit_{form}")
    outcome = st.container()

    messages = state.pop(PENDING, [])
    if submitted:
        state.pop("report_done", None)
        sent = submission.submit_report(
            store, allowance.limiter(store, settings),
            submission.ReportForm(category, title, description, honeypot, answers=answers),
            place=state["report_place"], workshop=workshop, lang=lang, token=state["report_token"],
            keys=list(allowance.keys), publish_immediately=settings.publish_immediately, procedure=procedure,
        )
        if sent.need is not None:
            state["report_done"] = {"reference": sent.need.reference, "status": sent.need.status}
            # The place stays: residents often send a second need for the same place.
            new_form()
            # A fresh form with the receipt. The needs nearby and the map's dots show published needs
            # only: a need waiting for moderation changes nothing outside this step, so only the step
            # runs again; a published one joins them, so the whole page does. (A step run as part of the
            # whole page, as a test's run is, cannot rerun alone.)
            alone = sent.need.status != "published" and bool(get_script_run_ctx().fragment_ids_this_run)
            st.rerun(scope="fragment" if alone else "app")
        messages = sent.messages(lang)
        if any(slot == "place" for slot, _ in messages):
            state[PENDING] = messages
            st.rerun()  # the whole page: the place's message is shown under the map
    for slot, message in messages:
        if slot != "place":
            slots.get(slot, outcome).error(message)

    # The pressed button is gone with the old form: the confirmation takes the focus (and is read out).
    if done := state.get("report_done"):
        with outcome, focus_here(f"report_done_{done['reference']}"):
            st.success(t("report.done", lang, reference=done["reference"]))
            st.write(t("report.next_published" if done["status"] == "published" else "report.next_pending", lang))
            st.write(t("report.another", lang))
