"""What the screens share: the only package besides ``app.py`` and ``pages/`` that may import streamlit.

Modules
-------
imprint
    The operator's imprint (a Markdown file), sanitised for ``st.markdown``.
links
    Absolute links into the app as people outside the server see them (QR codes, join links).
live_count
    A character count under a text field that follows every keystroke.
"""
