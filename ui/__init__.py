"""What the screens share: the only package besides ``app.py`` and ``pages/`` that may import streamlit.

Modules
-------
context
    One page context per run (settings, language, user), ONE needs store per database and
    process, the app's asset paths and public links, the browser's stable value.
cached
    The open data as the screens load it (``st.cache_data``, keyed by the data version).
direction
    The page's language and writing direction (``<html lang="ar" dir="rtl">`` for Arabic).
map_component
    ``st_folium`` with the map prepared once per content, not once per rerun.
resident_map
    The map of /melden: the pin, the chosen area, the areas around it and the needs nearby.
report_form
    Step 2 of /melden, "what is missing": topic, title, description, the send button, its answer.
place_search
    The place search ("Ort suchen") of /melden and /karte: a labelled field and a list of results.
live_map
    The projector's map (/live): the base map prepared once per process, the pins sent as changes.
goal_card
    One goal on /bewertung: its lines, its history, and for planners an edit and a withdrawal.
procedures
    Participation procedures on the screens: the planners' filter, the residents' choice, the staff form.
backdrop
    What the residents' and planners' maps are drawn on: the base map and the landmarks.
choices
    Choices that survive a change of level or language (an indicator, a multiple choice).
downloads
    Download buttons for files built only when their button is clicked.
focus
    Where the keyboard focus goes: a skip link past a map, and to a confirmation once it appears.
imprint
    The operator's imprint (a Markdown file), sanitised for ``st.markdown``.
links
    Absolute links into the app as people outside the server see them (QR codes, join links).
live_count
    A character count under a text field that follows every keystroke.
phone_menu
    On a narrow screen, the menu closes once a page is chosen from it.
projector_pins
    A workshop's pins for its facilitator, each with "Ausblenden" (off every projector).
shared_views
    The overview's and /bewertung's state in the address bar: a link restores it.
sign_in
    Who is signed in on this run, checked again on every run (expiry, account changes,
    sign-out elsewhere); keeping a sign-in and signing out.
widgets
    Shared widgets: the workshop-code gate, a list's choice kept across languages, the
    anti-bot field, a workshop's QR code and its choice of publishing at once.
workshop_panels
    Panels of /workshop: the warning about localhost join links, table devices' links, the exports.
"""
