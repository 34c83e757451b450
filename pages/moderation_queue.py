"""Moderation queue (``/moderation``, roles moderator and admin): decide on new and reported needs.

``app.py`` registers this page only for users with the role; everyone else
gets the sign-in under this URL. Pending needs and needs hidden by residents'
reports come oldest first with their area and map position; each can be
approved, rejected with a reason from the list, edited to remove personal data
(:meth:`assessment.moderation.Moderation.edit`, the original stays in the
audit log only), or merged into a need in the same planning area. With a
workshop code, all needs of that workshop can be approved or rejected at once.
Every decision is written with its audit row by :mod:`assessment.moderation`.
All resident text is shown as plain text.
"""

from __future__ import annotations

import streamlit as st

from assessment.auth import PAGE_ROLES, RESIDENT
from assessment.moderation import REJECT_REASONS, DecisionError, Moderation
from assessment.store import NeedNotFoundError, NeedStore, open_store
from assessment.taxonomy import CATEGORIES
from assessment.validation import ValidationError
from geodata.i18n import t
from geodata.lor import names
from geodata.settings import Settings, load_settings

SHOWN = 20  # needs with decision controls at once; the rest follow as these are decided

lang = st.session_state.get("lang", "de")
user = st.session_state.get("user", RESIDENT)
if not user.roles & PAGE_ROLES["moderation"]:  # app.py never routes here without the role; defence in depth
    st.stop()
settings = load_settings()


@st.cache_resource(show_spinner=False)
def needs_store(database_url: str, _settings: Settings) -> NeedStore:
    """One store per database and process."""
    return open_store(_settings, database_url=database_url)


@st.cache_data(show_spinner=False)
def area_names(_settings: Settings, data_dir: str) -> dict[str, str]:
    return names(_settings, "PLR").to_dict()


moderation = Moderation(needs_store(settings.database_url, settings))
plr_names = area_names(settings, str(settings.data_dir))
reason_label = {key: de if lang == "de" else en for key, (de, en) in REJECT_REASONS.items()}


def status_word(status: str) -> str:
    return t(f"moderation.status.{status}", lang)


def decide(action, *args, **kwargs) -> None:
    """Run one decision; say what happened, or why not (someone else may have decided first)."""
    try:
        result = action(*args, actor=user.name, **kwargs)
    except ValidationError as refused:
        st.session_state["moderation_message"] = ("error", " ".join(e.message(lang) for e in refused.errors))
    except (DecisionError, NeedNotFoundError) as error:
        st.session_state["moderation_message"] = ("error", t("moderation.stale", lang, error=str(error)))
    else:
        if isinstance(result, list):
            text = t("moderation.done_bulk", lang, n=len(result))
        else:
            text = t("moderation.done", lang, reference=result.reference, status=status_word(result.status))
        st.session_state["moderation_message"] = ("success", text)


st.title(t("moderation.title", lang))
st.write(t("moderation.intro", lang))
if message := st.session_state.pop("moderation_message", None):
    (st.success if message[0] == "success" else st.error)(message[1])

workshop = st.text_input(t("moderation.workshop", lang), max_chars=64, key="moderation_workshop").strip() or None
queue = moderation.queue(workshop_id=workshop)
reports = moderation.report_counts([n.id for n in queue]) if queue else {}
if not queue:
    st.info(t("moderation.empty", lang))
    st.stop()
st.write(t("moderation.count", lang, n=len(queue)))

if workshop:
    with st.container(border=True):
        st.write(t("moderation.bulk", lang, n=len(queue)))
        left, middle, right = st.columns([1, 2, 1])
        left.button(t("moderation.bulk_approve", lang), key="bulk_approve", on_click=decide,
                    args=(moderation.bulk, [n.id for n in queue], "approve"))
        bulk_reason = middle.selectbox(t("moderation.reason", lang), list(REJECT_REASONS), key="bulk_reason",
                                       format_func=reason_label.get)
        right.button(t("moderation.bulk_reject", lang), key="bulk_reject", on_click=decide,
                     args=(moderation.bulk, [n.id for n in queue], "reject"), kwargs={"reason": bulk_reason})

table = [{
    "Kennung / Ref.": n.reference,
    "Status": status_word(n.status),
    "Eingang / Sent": n.created_at.strftime("%Y-%m-%d %H:%M"),
    t("moderation.area", lang): f"{plr_names.get(n.plr_id, '')} ({n.plr_id or n.bzr_id or n.pgr_id or n.bez_id})",
    t("moderation.position", lang): f"{n.lat:.5f}, {n.lon:.5f}",
    "Thema / Topic": CATEGORIES[n.category].label(lang) if n.category in CATEGORIES else n.category,
    "Titel / Title": n.title,
    "Meldungen / Reports": reports.get(n.id, 0),
} for n in queue]
st.dataframe(table, hide_index=True, width="stretch")
if len(queue) > SHOWN:
    st.caption(t("moderation.shown", lang, n=SHOWN))

for need in queue[:SHOWN]:
    with st.expander(f"{need.reference} – {need.title}", expanded=len(queue) <= 3):
        st.text(need.title)
        if need.description:
            st.text(need.description)
        area = f"{plr_names.get(need.plr_id, '')} ({need.plr_id or need.bzr_id or need.pgr_id or need.bez_id})"
        st.caption(f"{t('moderation.area', lang)}: {area} · {t('moderation.position', lang)}: "
                   f"{need.lat:.5f}, {need.lon:.5f} · {status_word(need.status)}")
        if reports.get(need.id):
            st.warning(t("moderation.reports", lang, n=reports[need.id]))
        approve_col, reason_col, reject_col = st.columns([1, 2, 1])
        approve_col.button(t("moderation.approve", lang), key=f"approve_{need.id}", type="primary",
                           on_click=decide, args=(moderation.approve, need.id))
        reason = reason_col.selectbox(t("moderation.reason", lang), list(REJECT_REASONS), key=f"reason_{need.id}",
                                      format_func=reason_label.get)
        reject_col.button(t("moderation.reject", lang), key=f"reject_{need.id}", on_click=decide,
                          args=(moderation.reject, need.id), kwargs={"reason": reason})
        with st.popover(t("moderation.edit", lang)):
            with st.form(f"edit_{need.id}"):
                title = st.text_input(t("moderation.edit_title", lang), value=need.title, max_chars=120)
                description = st.text_area(t("moderation.edit_description", lang), value=need.description,
                                           max_chars=1000)
                if st.form_submit_button(t("moderation.save", lang)):
                    decide(moderation.edit, need.id, title=title, description=description)
                    st.rerun()
        level, area_id = next(((lvl, getattr(need, f"{lvl.lower()}_id")) for lvl in ("PLR", "BZR", "PGR", "BEZ")
                               if getattr(need, f"{lvl.lower()}_id")))
        candidates = [n for n in moderation.store.query(level=level, area_ids=[area_id],
                                                        statuses=("published", "pending", "hidden"), limit=50)
                      if n.id != need.id]
        if candidates:
            target_col, merge_col = st.columns([3, 1])
            labels = {n.id: f"{n.reference} – {n.title} ({status_word(n.status)})" for n in candidates}
            target = target_col.selectbox(t("moderation.merge_into", lang), list(labels), key=f"target_{need.id}",
                                          format_func=labels.get)
            merge_col.button(t("moderation.merge", lang), key=f"merge_{need.id}", on_click=decide,
                             args=(moderation.merge, need.id), kwargs={"into": target})
        else:
            st.caption(t("moderation.no_merge_target", lang))
