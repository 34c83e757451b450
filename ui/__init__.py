"""What the screens share: the only package besides ``app.py`` and ``pages/`` that may import streamlit.

Modules
-------
cached
    The open data as the screens load it (``st.cache_data``, keyed by the data version).
choices
    Choices that survive a change of level or language (an indicator, a multiple choice).
imprint
    The operator's imprint (a Markdown file), sanitised for ``st.markdown``.
links
    Absolute links into the app as people outside the server see them (QR codes, join links).
live_count
    A character count under a text field that follows every keystroke.
"""
